import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { CloudTrailTrail } from './cloudtrail-trail';
import { CLOUDFRONT_EVENTS_REGION, type NotifierConfig } from './config';
import { InvalidationNotifier, SIMPLE } from './invalidation-notifier';

export interface NotifierStackProps extends StackProps {
  readonly config: NotifierConfig;
}

/** The deployable app: one {@link InvalidationNotifier} configured from CDK context. */
export class NotifierStack extends Stack {
  public readonly notifier: InvalidationNotifier;

  constructor(scope: Construct, id: string, props: NotifierStackProps) {
    super(scope, id, props);
    // The notifier checks its props and this stack's region itself.
    const { config } = props;
    this.notifier = new InvalidationNotifier(this, 'Notifier', {
      schedule: config.schedule,
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
        ? { slackWebhookSecret: Secret.fromSecretNameV2(this, 'SlackWebhookSecret', config.slackWebhookSecretName) }
        : {}),
    });
    for (const [name, topic] of Object.entries(this.notifier.destinations.topics)) {
      // The simple case keeps the output name it always had.
      new CfnOutput(this, name === SIMPLE.topic ? 'NotificationTopicArn' : `${name}TopicArn`, {
        value: topic.topicArn,
        description: `SNS topic of destination "${name}": subscribe people, queues or Amazon Q to it`,
      });
    }
    // A trail belongs where CloudFront's events are: here only when this is us-east-1 (else the forwarder stack has it).
    if (config.createTrail && config.region === CLOUDFRONT_EVENTS_REGION) new CloudTrailTrail(this, 'Trail');
    if (this.notifier.organizationBus) {
      new CfnOutput(this, 'OrganizationBusArn', {
        value: this.notifier.organizationBus.eventBusArn,
        description: "The member accounts' centralEventBusArn",
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.notifier.alarmTopic.topicArn });
    new CfnOutput(this, 'WatcherStateMachineArn', { value: this.notifier.watcher.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.notifier.trigger.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'DashboardName', { value: this.notifier.dashboard.dashboard.dashboardName });
  }
}
