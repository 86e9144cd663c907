import { App } from 'aws-cdk-lib';
import { CONTEXT_KEYS, ConfigError, loadConfig, type ContextKey } from '../../lib/config';
import { closestKey } from '../../lib/config';
import { InvalidationNotifier } from '../../lib/invalidation-notifier';
import { NotifierStack } from '../../lib/notifier-stack';
import { DEFAULT_POLL_SCHEDULE } from '../../lambda/shared/schedule';
import { Stack } from 'aws-cdk-lib';

const load = (context: Partial<Record<ContextKey, unknown>> & Record<string, unknown>) => loadConfig(context);

describe('loadConfig', () => {
  it('accepts any region: another one gets a us-east-1 forwarder (see notifier-app.test.ts)', () => {
    expect(load({ region: 'eu-west-1' })).toMatchObject({ region: 'eu-west-1' });
  });

  it('defaults to us-east-1, no Slack, a new topic and the default schedule', () => {
    expect(load({})).toEqual({
      region: 'us-east-1',
      createTrail: false,
      schedule: DEFAULT_POLL_SCHEDULE,
      watch: ['invalidation', 'deployment'],
    });
  });

  it('reads what is watched from a comma list (-c) or a JSON list (cdk.json), and names a misspelled kind', () => {
    expect(load({ watch: 'deployment' }).watch).toEqual(['deployment']);
    expect(load({ watch: 'invalidation, deployment' }).watch).toEqual(['invalidation', 'deployment']);
    expect(load({ watch: ['invalidation'] }).watch).toEqual(['invalidation']);
    expect(load({ watch: '["deployment"]' }).watch).toEqual(['deployment']);
    expect(() => load({ watch: 'invalidations' })).toThrow('watch: "invalidations" is not a kind of work (did you mean "invalidation"?)');
    expect(() => load({ watch: [] })).toThrow('watch must be a list of "invalidation" and/or "deployment"');
    expect(() => load({ watch: ['deployment', 'deployment'] })).toThrow('watch names "deployment" twice');
    expect(() =>
      load({
        watch: 'deployment',
        destinations: '{"ops": {"type": "sns"}}',
        routes: '[{"match": {"kinds": ["invalidation"]}, "destinations": ["ops"]}]',
        defaultDestinations: '["ops"]',
      }),
    ).toThrow('routes[0].match.kinds names only "invalidation", which is not watched (watch is ["deployment"])');
  });

  it('reads every documented key, numbers given as strings as -c does', () => {
    const config = load({
      slackWebhookSecretName: 'team/slack-webhook',
      notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:deploys',
      maxWaitMinutes: '90',
      firstIntervalSeconds: '10',
      backoffRate: '2',
      maxIntervalSeconds: '60',
    });
    expect(config).toMatchObject({
      slackWebhookSecretName: 'team/slack-webhook',
      notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:deploys',
      schedule: {
        maxWaitSeconds: 5400,
        firstIntervalSeconds: 10,
        backoffRate: 2,
        maxIntervalSeconds: 60,
      },
    });
  });

  it.each([
    [{ region: 'eu-west' }, /region "eu-west" is not an AWS region \(did you mean "eu-west-1"\?\)/],
    [{ region: 'eu-west-9' }, /region "eu-west-9" is not an AWS region \(did you mean "eu-west-1"\?\): use one of af-south-1/],
    [
      { region: 'cn-north-1' },
      /region "cn-north-1" is in the aws-cn partition, but CloudFront's CloudTrail events, and so this app, are in the aws partition/,
    ],
    [{ region: 'us-gov-west-1' }, /region "us-gov-west-1" is in the aws-us-gov partition/],
    [{ notificationTopicArn: 'arn:aws-cn:sns:cn-north-1:123456789012:deploys' }, /partition "aws-cn"/],
    [{ notificationTopicArn: 'my-topic' }, /not an SNS topic ARN/],
    [{ slackWebhookSecretName: '' }, /slackWebhookSecretName must be a non-empty string/],
    [{ slackWebhookSecretName: 'has spaces' }, /slackWebhookSecretName "has spaces" is not the name of the Secrets Manager secret/],
    [{ maxWaitMinutes: 'an hour' }, /maxWaitMinutes must be a number/],
    [{ maxWaitMinutes: '0.5' }, /maxWaitMinutes must be between 1 minute and 7 days \(1 to 10080\) \(got 0.5 minutes\)/],
    [{ firstIntervalSeconds: '0' }, /firstIntervalSeconds must be a whole number/],
    [{ backoffRate: '0.5' }, /backoffRate must be between 1 and 3/],
    [{ maxIntervalSeconds: '2', firstIntervalSeconds: '5' }, /maxIntervalSeconds must be a whole number between/],
    [{ maxWaitMinutes: '10081' }, /maxWaitMinutes must be between 1 minute and 7 days \(1 to 10080\)/],
    [{ maxIntervalSeconds: '901' }, /maxIntervalSeconds must be a whole number between firstIntervalSeconds and 900/],
  ])('rejects %j with an error that says what to change', (context, message) => {
    expect(() => load(context)).toThrow(ConfigError);
    expect(() => load(context)).toThrow(message);
  });

  it('reports every problem at once', () => {
    expect(() => load({ region: 'eu-west', backoffRate: 'x' })).toThrow(/region[\s\S]*backoffRate/);
  });

  describe('unknown context keys', () => {
    it.each([
      ['slackWebhookSecretNme', 'slackWebhookSecretName'],
      ['slackwebhooksecretname', 'slackWebhookSecretName'],
      ['notificationTopicARN', 'notificationTopicArn'],
      ['alarmTopic', 'alarmTopicArn'],
      ['maxWait', 'maxWaitMinutes'],
      ['firstIntervalSecond', 'firstIntervalSeconds'],
      ['backofRate', 'backoffRate'],
      ['regoin', 'region'],
    ])('refuses %s and names the closest known key, %s', (given, closest) => {
      // Act
      const act = () => load({ [given]: 'value' });

      // Assert
      expect(act).toThrow(ConfigError);
      expect(act).toThrow(`unknown context key "${given}": did you mean "${closest}"?`);
    });

    it('lists the known keys when no key is close', () => {
      expect(() => load({ colour: 'red' })).toThrow(/unknown context key "colour"[^\n]*known keys: region, slackWebhookSecretName/);
    });

    it('says checkStyle is no longer a context key and what to use instead', () => {
      expect(() => load({ checkStyle: 'wait-loop' })).toThrow(/checkStyle is no longer a context key[^\n]*remove it[^\n]*schedule/);
    });

    it("ignores CDK's own keys: feature flags, aws:cdk:*, lookups and the CLI's settings", () => {
      // Prepare: what `cdk synth` puts in the app's context besides the user's keys.
      const context = {
        '@aws-cdk/core:checkSecretUsage': true,
        '@aws-cdk/core:target-partitions': ['aws'],
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:bundling-stacks': ['**'],
        'availability-zones:account=123456789012:region=us-east-1': ['us-east-1a'],
        'acknowledged-issue-numbers': [32775],
        'cli-telemetry': false,
        slackWebhookSecretName: 'team/slack-webhook',
      };

      // Act
      const config = load(context);

      // Assert
      expect(config.slackWebhookSecretName).toBe('team/slack-webhook');
    });

    it("accepts every key it documents, from the app's whole context", () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [], notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:t' } });
      expect(loadConfig(app.node.getAllContext()).notificationTopicArn).toBe('arn:aws:sns:us-east-1:123456789012:t');
    });
  });

  describe('topics the notifier cannot publish to', () => {
    it.each(['notificationTopicArn', 'alarmTopicArn'])('refuses a FIFO topic for %s and says to use a standard topic', (key) => {
      const act = () => load({ [key]: 'arn:aws:sns:us-east-1:123456789012:deploys.fifo' });
      expect(act).toThrow(ConfigError);
      expect(act).toThrow(new RegExp(`${key} "arn:aws:sns:us-east-1:123456789012:deploys.fifo" is a FIFO topic[^\n]*standard`));
    });

    it.each(['notificationTopicArn', 'alarmTopicArn'])('refuses a topic in another region than the stack for %s', (key) => {
      const act = () => load({ [key]: 'arn:aws:sns:eu-west-1:123456789012:deploys' });
      expect(act).toThrow(ConfigError);
      expect(act).toThrow(
        new RegExp(
          `${key} "arn:aws:sns:eu-west-1:123456789012:deploys" is in eu-west-1, but the notifier is in us-east-1[^\n]*use a topic in us-east-1`,
        ),
      );
    });

    it('accepts a standard topic in us-east-1', () => {
      expect(load({ alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops' }).alarmTopicArn).toBe(
        'arn:aws:sns:us-east-1:123456789012:ops',
      );
    });
  });

  it('lists a misspelled key, a FIFO topic and a cross-region topic in one error', () => {
    // Act
    const act = () =>
      load({
        slackWebhookSecretNme: 'team/slack',
        notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:deploys.fifo',
        alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
      });

    // Assert
    expect(act).toThrow(/slackWebhookSecretNme[\s\S]*notificationTopicArn[^\n]*FIFO[\s\S]*alarmTopicArn "[^"]+" is in eu-west-1/);
  });
});

describe('closestKey', () => {
  it('finds the nearest key by edit distance, ignoring case', () => {
    expect(closestKey('slackWebhookSecretNme', CONTEXT_KEYS)).toBe('slackWebhookSecretName');
    expect(closestKey('REGION', CONTEXT_KEYS)).toBe('region');
  });

  it('serves any list of keys, such as the fields of a destination', () => {
    expect(closestKey('webhookSecret', ['type', 'webhookSecretName', 'topicArn'])).toBe('webhookSecretName');
  });

  it('finds nothing when no key is close enough to be a typo', () => {
    expect(closestKey('colour', CONTEXT_KEYS)).toBeUndefined();
    expect(closestKey('x', ['region'])).toBeUndefined();
  });
});

describe('NotifierStack', () => {
  it('refuses a stack whose region is not the configured one (no forwarder targets it)', () => {
    const app = new App();
    expect(() => new NotifierStack(app, 'Elsewhere', { env: { region: 'eu-west-1' }, config: load({}) })).toThrow(
      /is in eu-west-1, but CloudFront sends its CloudTrail events to EventBridge in us-east-1 only/,
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
