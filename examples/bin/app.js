// @ts-check
// Another team's CDK app: the notifier added from its package, in plain JavaScript (no build step).
const { App, CfnOutput, Stack } = require('aws-cdk-lib');
const { InvalidationNotifier } = require('cloudfront-invalidation-notifier');

const app = new App();
// CloudFront's CloudTrail events reach EventBridge in us-east-1 only.
const stack = new Stack(app, 'InvalidationNotifierExample', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: 'us-east-1' },
});

const notifier = new InvalidationNotifier(stack, 'Notifier', {
  destinations: {
    // The webhook URL stays in Secrets Manager: only the secret's name is configured.
    'team-slack': { type: 'slack', secretName: app.node.tryGetContext('slackWebhookSecretName') ?? 'team/slack-webhook' },
    // A new encrypted topic: subscribe e-mail addresses, queues or Amazon Q to it.
    deploys: { type: 'sns' },
  },
});

new CfnOutput(stack, 'DeploysTopicArn', { value: notifier.destinations.topics['deploys'].topicArn });
