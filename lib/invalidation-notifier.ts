import { Annotations, Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EnvNames } from '../lambda/shared/env';
import { DEFAULT_POLL_SCHEDULE, validatePollSchedule, type PollSchedule } from '../lambda/shared/schedule';
import { CLOUDWATCH_SERVICE, OperationalAlarms } from './alarms';
import { CLOUDFRONT_EVENTS_REGION, ConfigError } from './config';
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
  /**
   * Where operational alarms go. Its policy is left as it is: if it has one (enforceSSL, or
   * any statement, replaces SNS's default policy), it must allow cloudwatch.amazonaws.com to
   * publish (synth warns with the statement to add).
   * @default a new encrypted topic, whose policy lets this construct's alarms publish
   */
  readonly alarmTopic?: ITopic;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The whole notifier as one reusable construct: trigger -> Start watch -> watcher state
 * machine (Check status, Notify) -> channels, plus alarms for its operators.
 * Checks its props and its stack's region first: every problem in one {@link ConfigError}.
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
    const problems = [...this.regionProblems(), ...validatePollSchedule(this.schedule).map((p) => `invalid schedule: ${p}`)];
    if (props.notificationTopic) problems.push(...this.topicProblems('notificationTopic', props.notificationTopic));
    if (problems.length > 0) throw new ConfigError(problems);
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

    const ownAlarmTopic = props.alarmTopic
      ? undefined
      : new Topic(this, 'AlarmTopic', {
          displayName: 'CloudFront invalidation notifier alarms',
          masterKey: this.channels.topicKey(),
          enforceSSL: true,
        });
    this.alarmTopic = props.alarmTopic ?? ownAlarmTopic!;
    this.alarms = new OperationalAlarms(this, 'Alarms', {
      stateMachine: this.watcher.stateMachine,
      deadLetterQueue: this.trigger.deadLetterQueue,
      alarmTopic: this.alarmTopic,
    });
    if (ownAlarmTopic) {
      this.alarms.allowPublishingTo(ownAlarmTopic, this.channels.topicKey());
    } else {
      Annotations.of(this).addWarningV2(
        'cloudfront-invalidation-notifier:alarmTopicPolicy',
        `alarmTopic ${this.describe(this.alarmTopic)} is not created by this construct, so its policy is left as it is. ` +
          `CloudWatch publishes the alarms as ${CLOUDWATCH_SERVICE}: unless the topic still has SNS's default policy, its policy must allow ` +
          `that (enforceSSL or any added statement replaces the default), or every alarm action fails silently ` +
          `("not authorized to perform SNS:Publish" in the alarm history). Add this statement to the topic policy: ` +
          `${this.alarms.publishingStatementFor(this.alarmTopic.topicArn)}. ` +
          `If the topic is encrypted with a customer managed key, its key policy needs the same principal and conditions for kms:Decrypt and kms:GenerateDataKey*.`,
      );
    }
  }

  /** CloudFront's CloudTrail events reach EventBridge in us-east-1 only: a rule elsewhere never fires. */
  private regionProblems(): string[] {
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region)) {
      Annotations.of(this).addWarningV2(
        'cloudfront-invalidation-notifier:regionUnknown',
        `The stack's region is not known at synth (environment-agnostic stack), so it cannot be checked: deploy it to ${CLOUDFRONT_EVENTS_REGION} only. ` +
          `CloudFront's CloudTrail events reach EventBridge there only; in any other region the notifier never hears of an invalidation. ` +
          `Give the stack env: { region: '${CLOUDFRONT_EVENTS_REGION}' } to have this checked at synth.`,
      );
      return [];
    }
    if (stack.region === CLOUDFRONT_EVENTS_REGION) return [];
    return [
      `InvalidationNotifier must be deployed in ${CLOUDFRONT_EVENTS_REGION}, but stack "${stack.stackName}" is in ${stack.region}: ` +
        `CloudFront sends its CloudTrail events to EventBridge in ${CLOUDFRONT_EVENTS_REGION} only, so the notifier would never hear of an invalidation. ` +
        `Put it in a stack with env: { region: '${CLOUDFRONT_EVENTS_REGION}' } (the app: -c region=${CLOUDFRONT_EVENTS_REGION}, the default).`,
    ];
  }

  /** A topic Notify cannot publish to fails every message, and only at run time. */
  private topicProblems(prop: string, topic: ITopic): string[] {
    const problems: string[] = [];
    if (topic.fifo) {
      problems.push(
        `${prop} ${this.describe(topic)} is a FIFO topic: SNS refuses every publish without a MessageGroupId, which the notifier does not set. Use a standard topic.`,
      );
    }
    // Compared with where the notifier must run, not with the stack: a stack in the wrong
    // region is a problem of its own, and the topic must suit the corrected one.
    if (!Token.isUnresolved(topic.env.region) && topic.env.region !== CLOUDFRONT_EVENTS_REGION) {
      problems.push(
        `${prop} ${this.describe(topic)} is in ${topic.env.region}, but the notifier runs in ${CLOUDFRONT_EVENTS_REGION} and SNS accepts a publish only in the topic's own region: ` +
          `use a topic in ${CLOUDFRONT_EVENTS_REGION}.`,
      );
    }
    return problems;
  }

  private describe(topic: ITopic): string {
    return Token.isUnresolved(topic.topicArn) ? `"${topic.node.path}"` : `"${topic.topicArn}"`;
  }
}
