import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { CloudTrailTrail } from './cloudtrail-trail';
import { CLOUDFRONT_EVENTS_REGION, ConfigError, type NotifierConfig } from './config';
import { importSecret } from './config/shapes';
import { InvalidationNotifier, SIMPLE } from './invalidation-notifier';

export interface NotifierStackProps extends StackProps {
  readonly config: NotifierConfig;
}

/** The stack's outputs besides the topics'. */
const OUTPUTS = {
  organizationBus: 'OrganizationBusArn',
  alarmTopic: 'AlarmTopicArn',
  watcher: 'WatcherStateMachineArn',
  deadLetterQueue: 'DeadLetterQueueUrl',
  dashboard: 'DashboardName',
} as const;

/** The deployable app: one {@link InvalidationNotifier} configured from CDK context. */
export class NotifierStack extends Stack {
  public readonly notifier: InvalidationNotifier;

  constructor(scope: Construct, id: string, props: NotifierStackProps) {
    super(scope, id, props);
    // The notifier checks its props and this stack's region itself.
    const { config } = props;
    this.notifier = new InvalidationNotifier(this, 'Notifier', {
      schedule: config.schedule,
      watch: config.watch,
      receivesForwardedEvents: config.region !== CLOUDFRONT_EVENTS_REGION,
      ...(config.organizationId ? { organizationId: config.organizationId } : {}),
      ...(config.routing
        ? {
            destinations: config.routing.destinations,
            routes: config.routing.routes,
            defaultDestinations: config.routing.defaultDestinations,
          }
        : {}),
      ...(config.notificationTopicArn
        ? { notificationTopic: Topic.fromTopicArn(this, 'NotificationTopic', config.notificationTopicArn) }
        : {}),
      ...(config.alarmTopicArn ? { alarmTopic: Topic.fromTopicArn(this, 'AlarmTopicImport', config.alarmTopicArn) } : {}),
      ...(config.slackWebhookSecretName
        ? { slackWebhookSecret: importSecret(this, 'SlackWebhookSecret', config.slackWebhookSecretName) }
        : {}),
    });
    const topicOutputs = this.topicOutputNames();
    for (const [name, topic] of Object.entries(this.notifier.destinations.topics)) {
      new CfnOutput(this, topicOutputs.get(name)!, {
        value: topic.topicArn,
        description: `SNS topic of destination "${name}": subscribe people, queues or Amazon Q to it`,
      });
    }
    // A trail belongs where CloudFront's events are: here only when this is us-east-1 (else the forwarder stack has it).
    if (config.createTrail && config.region === CLOUDFRONT_EVENTS_REGION) new CloudTrailTrail(this, 'Trail');
    if (this.notifier.organizationBus) {
      new CfnOutput(this, OUTPUTS.organizationBus, {
        value: this.notifier.organizationBus.eventBusArn,
        description: "The member accounts' centralEventBusArn",
      });
    }
    new CfnOutput(this, OUTPUTS.alarmTopic, { value: this.notifier.alarmTopic.topicArn });
    new CfnOutput(this, OUTPUTS.watcher, { value: this.notifier.watcher.stateMachine.stateMachineArn });
    new CfnOutput(this, OUTPUTS.deadLetterQueue, { value: this.notifier.trigger.deadLetterQueue.queueUrl });
    new CfnOutput(this, OUTPUTS.dashboard, { value: this.notifier.dashboard.dashboard.dashboardName });
  }

  /**
   * Each SNS destination's output name: its name's letters and digits (what CloudFormation keeps
   * of an output ID) and `TopicArn`; the simple case keeps the name it always had. Two
   * destinations that would share one, or one that would take another output's, are refused.
   */
  private topicOutputNames(): Map<string, string> {
    const taken = new Map<string, string>(Object.values(OUTPUTS).map((output) => [output, `the stack's own output ${output}`]));
    const names = new Map<string, string>();
    const problems: string[] = [];
    for (const name of Object.keys(this.notifier.destinations.topics)) {
      const output = name === SIMPLE.topic ? 'NotificationTopicArn' : `${name.replace(/[^A-Za-z0-9]/g, '')}TopicArn`;
      const other = taken.get(output);
      if (other !== undefined) {
        problems.push(
          `destinations.${name}: its topic's stack output would be named ${output}, as ${other} is (outputs keep letters and digits only): rename the destination`,
        );
      }
      taken.set(output, `the topic of destination "${name}"`);
      names.set(name, output);
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return names;
  }
}
