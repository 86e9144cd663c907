import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig, type ContextKey } from '../../lib/config';
import { InvalidationNotifier } from '../../lib/invalidation-notifier';
import { NotifierStack } from '../../lib/notifier-stack';
import { DEFAULT_POLL_SCHEDULE } from '../../lambda/shared/schedule';
import { Stack } from 'aws-cdk-lib';

const load = (context: Partial<Record<ContextKey, unknown>>) => loadConfig((key) => context[key]);

describe('loadConfig', () => {
  it('defaults to us-east-1, no Slack, a new topic and the default schedule', () => {
    expect(load({})).toEqual({ region: 'us-east-1', schedule: DEFAULT_POLL_SCHEDULE });
  });

  it('reads every documented key, numbers given as strings as -c does', () => {
    const config = load({
      slackWebhookSecretName: 'team/slack-webhook',
      notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:deploys',
      maxWaitMinutes: '90',
      firstIntervalSeconds: '10',
      backoffRate: '2',
      maxIntervalSeconds: '60',
      checkStyle: 'wait-loop',
    });
    expect(config).toMatchObject({
      slackWebhookSecretName: 'team/slack-webhook',
      notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:deploys',
      schedule: { maxWaitSeconds: 5400, firstIntervalSeconds: 10, backoffRate: 2, maxIntervalSeconds: 60, checkStyle: 'wait-loop' },
    });
  });

  it.each([
    [{ region: 'eu-west-1' }, /us-east-1 only/],
    [{ notificationTopicArn: 'arn:aws-cn:sns:cn-north-1:123456789012:deploys' }, /partition "aws-cn"/],
    [{ notificationTopicArn: 'my-topic' }, /not an SNS topic ARN/],
    [{ slackWebhookSecretName: '' }, /slackWebhookSecretName must be a non-empty string/],
    [{ slackWebhookSecretName: 'has spaces' }, /not a valid secret name/],
    [{ maxWaitMinutes: 'an hour' }, /maxWaitMinutes must be a number/],
    [{ maxWaitMinutes: '0.5' }, /maxWait \(maxWaitMinutes\) must be between 1 minute and 7 days/],
    [{ firstIntervalSeconds: '0' }, /firstIntervalSeconds must be a whole number/],
    [{ backoffRate: '0.5' }, /backoffRate must be between 1 and 3/],
    [{ maxIntervalSeconds: '2', firstIntervalSeconds: '5' }, /maxIntervalSeconds must be a whole number between/],
    [{ checkStyle: 'sleep' }, /checkStyle must be "retry" or "wait-loop"/],
    [{ maxWaitMinutes: '10080', maxIntervalSeconds: '5' }, /history events/],
  ])('rejects %j with an error that says what to change', (context, message) => {
    expect(() => load(context)).toThrow(ConfigError);
    expect(() => load(context)).toThrow(message);
  });

  it('reports every problem at once', () => {
    expect(() => load({ region: 'eu-west-1', backoffRate: 'x' })).toThrow(/region[\s\S]*backoffRate/);
  });
});

describe('NotifierStack', () => {
  it('refuses a region other than us-east-1 at synth', () => {
    const app = new App();
    expect(() => new NotifierStack(app, 'Elsewhere', { env: { region: 'eu-west-1' }, config: load({}) })).toThrow(
      /must be deployed in us-east-1/,
    );
  });
});

describe('InvalidationNotifier', () => {
  it('validates its schedule prop when used as a construct in another stack', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Other');
    expect(() => new InvalidationNotifier(stack, 'Notifier', { schedule: { maxIntervalSeconds: 1000 } })).toThrow(
      /invalid schedule[\s\S]*maxIntervalSeconds/,
    );
  });
});
