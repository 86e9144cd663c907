/**
 * Probe: construct props of the wrong type from JavaScript (the README's own example is JS).
 * An ARN string where an ITopic is expected deploys alarms with no actions, silently; a string
 * for notificationTopic or slackWebhookSecret ends in a TypeError stack trace. Each should be a
 * ConfigError naming the prop and saying to pass Topic.fromTopicArn(...) / Secret.fromSecretNameV2(...).
 */
import { App, Stack } from 'aws-cdk-lib';
import { ConfigError } from '../../lib/config';
import { InvalidationNotifier } from '../../lib/invalidation-notifier';
import { errorOf } from '../support/failure-of';

const stack = () =>
  new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S', { env: { account: '123456789012', region: 'us-east-1' } });

describe('props of the wrong type (JavaScript callers)', () => {
  it.each([
    ['alarmTopic', 'arn:aws:sns:us-east-1:123456789012:ops-alarms'],
    ['notificationTopic', 'arn:aws:sns:us-east-1:123456789012:deploys'],
    ['slackWebhookSecret', 'team/slack-webhook'],
  ])('refuses %s given as a string with a ConfigError naming it', (prop, value) => {
    const error = errorOf(() => new InvalidationNotifier(stack(), 'N', { [prop]: value } as never));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(prop);
  });
});
