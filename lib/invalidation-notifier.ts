import { Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EnvNames } from '../lambda/shared/env';
import { DEFAULT_POLL_SCHEDULE, validatePollSchedule, type PollSchedule } from '../lambda/shared/schedule';
import { OperationalAlarms } from './alarms';
import { NotificationChannels } from './notification-channels';
import { NotifierFunction } from './notifier-function';
import { Trigger } from './trigger';
import { Watcher } from './watcher';

export interface InvalidationNotifierProps {
  /**
   * When to check: right away, then every 5 s growing by 1.5x per check to every 15 s, for up to 60 min.
   * @default DEFAULT_POLL_SCHEDULE
   */
  readonly schedule?: Partial<PollSchedule>;
  /** @default a new encrypted topic */
  readonly notificationTopic?: ITopic;
  /** @default no Slack channel */
  readonly slackWebhookSecret?: ISecret;
  /** Where operational alarms go. @default a new encrypted topic */
  readonly alarmTopic?: ITopic;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The whole notifier as one reusable construct: trigger -> Start watch -> watcher state
 * machine (Check status, Notify) -> channels, plus alarms for its operators.
 */
export class InvalidationNotifier extends Construct {
  public readonly trigger: Trigger;
  public readonly watcher: Watcher;
  public readonly channels: NotificationChannels;
  public readonly alarmTopic: ITopic;
  public readonly alarms: OperationalAlarms;
  public readonly schedule: PollSchedule;

  constructor(scope: Construct, id: string, props: InvalidationNotifierProps = {}) {
    super(scope, id);
    this.schedule = { ...DEFAULT_POLL_SCHEDULE, ...props.schedule };
    const problems = validatePollSchedule(this.schedule);
    if (problems.length > 0) {
      throw new Error(`InvalidationNotifier: invalid schedule:\n- ${problems.join('\n- ')}`);
    }
    const logRetention = props.logRetention;

    this.channels = new NotificationChannels(this, 'Channels', {
      topic: props.notificationTopic,
      slackWebhookSecret: props.slackWebhookSecret,
    });

    const checkStatus = new NotifierFunction(this, 'CheckStatus', {
      functionDir: 'check-status',
      description: 'Checks one CloudFront invalidation (GetInvalidation / GetInvalidationForDistributionTenant)',
      environment: { [EnvNames.pollSchedule]: JSON.stringify(this.schedule) },
      logRetention,
    });
    const { account, partition } = Stack.of(this);
    checkStatus.addToRolePolicy(
      new PolicyStatement({
        actions: ['cloudfront:GetInvalidation'],
        resources: [`arn:${partition}:cloudfront::${account}:distribution/*`],
      }),
    );
    checkStatus.addToRolePolicy(
      new PolicyStatement({
        actions: ['cloudfront:GetInvalidationForDistributionTenant'],
        resources: [`arn:${partition}:cloudfront::${account}:distribution-tenant/*`],
      }),
    );
    // cdk-nag names unresolved tokens like this in its finding IDs.
    const accountInFinding = Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
    for (const resource of ['distribution/*', 'distribution-tenant/*']) {
      Validations.of(checkStatus.role!).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::${accountInFinding}:${resource}]`,
        reason:
          'Any distribution or tenant of the account may be invalidated by anyone; their IDs are not known at deploy time. The actions are read-only Get calls.',
      });
    }

    const notify = new NotifierFunction(this, 'Notify', {
      functionDir: 'notify',
      description: 'Tells the team how a CloudFront invalidation ended (SNS, Slack)',
      environment: {
        [EnvNames.topicArn]: this.channels.topic.topicArn,
        ...(this.channels.slackWebhookSecret ? { [EnvNames.slackSecretId]: this.channels.slackWebhookSecret.secretName } : {}),
      },
      logRetention,
    });
    this.channels.grantDelivery(notify);
    Validations.of(notify.role!).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Publishing to a KMS-encrypted topic needs kms:GenerateDataKey* (CDK grantPublish), on the topic key only.',
    });

    this.watcher = new Watcher(this, 'Watcher', {
      checkStatusFunction: checkStatus,
      notifyFunction: notify,
      channels: this.channels.names,
      schedule: this.schedule,
      logRetention,
    });

    const startWatch = new NotifierFunction(this, 'StartWatch', {
      functionDir: 'start-watch',
      description: 'Starts a watcher execution named after the CloudFront invalidation',
      environment: { [EnvNames.stateMachineArn]: this.watcher.stateMachine.stateMachineArn },
      logRetention,
    });
    this.watcher.stateMachine.grantStartExecution(startWatch);

    this.trigger = new Trigger(this, 'Trigger', { startWatchFunction: startWatch });

    this.alarmTopic =
      props.alarmTopic ??
      new Topic(this, 'AlarmTopic', {
        displayName: 'CloudFront invalidation notifier alarms',
        masterKey: this.channels.key,
        enforceSSL: true,
      });
    this.alarms = new OperationalAlarms(this, 'Alarms', {
      stateMachine: this.watcher.stateMachine,
      deadLetterQueue: this.trigger.deadLetterQueue,
      alarmTopic: this.alarmTopic,
    });
  }
}
