import { App, Stack, type Environment } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { ConfigError, loadConfig } from '../../lib/config';
import { InvalidationNotifier, type InvalidationNotifierProps } from '../../lib/invalidation-notifier';
import { NotifierStack } from '../../lib/notifier-stack';
import { errorOf } from '../support/failure-of';

const ACCOUNT = '123456789012';
const topicArn = (name: string, region = 'us-east-1') => `arn:aws:sns:${region}:${ACCOUNT}:${name}`;

/** The README's construct example: the notifier in a plain Stack of someone else's app. */
function plainStack(env?: Environment): Stack {
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Other', { env });
}

describe('InvalidationNotifier in a plain Stack: region', () => {
  it('refuses a known region other than us-east-1, saying why and what to do', () => {
    const error = errorOf(() => new InvalidationNotifier(plainStack({ region: 'eu-west-1' }), 'Notifier'));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/is in eu-west-1/);
    expect(error.message).toMatch(/CloudTrail events .*EventBridge in us-east-1 only/);
    expect(error.message).toMatch(/put it in us-east-1, or add an EventForwarder .* receivesForwardedEvents: true/);
  });

  it('accepts another region when it receives forwarded events (an EventForwarder in us-east-1)', () => {
    const stack = plainStack({ region: 'eu-west-1' });
    new InvalidationNotifier(stack, 'Notifier', { receivesForwardedEvents: true });

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.cloudfront'] }),
    });
  });

  it('warns when the region is unknown at synth (environment-agnostic stack)', () => {
    const stack = plainStack();
    new InvalidationNotifier(stack, 'Notifier');

    Annotations.fromStack(stack).hasWarning('/Other/Notifier', Match.stringLikeRegexp('region is not known at synth.*us-east-1'));
  });

  it('is quiet in us-east-1', () => {
    const stack = plainStack({ region: 'us-east-1' });
    new InvalidationNotifier(stack, 'Notifier');

    Annotations.fromStack(stack).hasNoWarning('/Other/Notifier', Match.stringLikeRegexp('region'));
  });
});

describe('InvalidationNotifier: every problem of the props in one error', () => {
  it('lists the region, each schedule problem and each topic problem together', () => {
    const stack = plainStack({ region: 'eu-west-1', account: ACCOUNT });
    const props: InvalidationNotifierProps = {
      schedule: { maxIntervalSeconds: 1000, backoffRate: 5 },
      notificationTopic: Topic.fromTopicArn(stack, 'Fifo', topicArn('deploys.fifo')),
    };
    const error = errorOf(() => new InvalidationNotifier(stack, 'Notifier', props));

    expect(error).toBeInstanceOf(ConfigError);
    const problems = error.message.split('\n').filter((line) => line.startsWith('- '));
    expect(problems).toEqual([
      expect.stringMatching(/is in eu-west-1, but CloudFront sends its CloudTrail events to EventBridge in us-east-1 only/),
      expect.stringMatching(/invalid schedule: backoffRate must be between 1 and 3/),
      expect.stringMatching(/invalid schedule: maxIntervalSeconds must be a whole number/),
      expect.stringMatching(/notificationTopic .*deploys\.fifo.* is a FIFO topic/),
      expect.stringMatching(/notificationTopic .*deploys\.fifo.* is in us-east-1, but the notifier is in eu-west-1/),
    ]);
  });

  it.each([
    [
      'a FIFO notification topic',
      { notificationTopic: topicArn('deploys.fifo') },
      /notificationTopic .*deploys\.fifo.* is a FIFO topic.*MessageGroupId.*standard topic/,
    ],
    [
      'a notification topic in another region',
      { notificationTopic: topicArn('deploys', 'eu-west-1') },
      /notificationTopic .* is in eu-west-1.*own region: use a topic in us-east-1/,
    ],
  ])('refuses %s with what to do instead', (_, arns, message) => {
    const stack = plainStack({ region: 'us-east-1', account: ACCOUNT });
    const build = () =>
      new InvalidationNotifier(stack, 'Notifier', { notificationTopic: Topic.fromTopicArn(stack, 'T', arns.notificationTopic) });

    const error = errorOf(build);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
  });
});

describe('InvalidationNotifier: creates only what is used', () => {
  const synth = (imports: { notification?: boolean; alarm?: boolean }) => {
    const stack = plainStack({ region: 'us-east-1', account: ACCOUNT });
    new InvalidationNotifier(stack, 'Notifier', {
      ...(imports.notification ? { notificationTopic: Topic.fromTopicArn(stack, 'Deploys', topicArn('deploys')) } : {}),
      ...(imports.alarm ? { alarmTopic: Topic.fromTopicArn(stack, 'Ops', topicArn('ops')) } : {}),
    });
    return Template.fromStack(stack);
  };

  it('creates no KMS key when both topics are imported', () => {
    const template = synth({ notification: true, alarm: true });

    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it.each([
    ['only the notification topic is imported', { notification: true }],
    ['only the alarm topic is imported', { alarm: true }],
    ['no topic is imported', {}],
  ])('creates one key, encrypting every created topic, when %s', (_, imports) => {
    const template = synth(imports);

    template.resourceCountIs('AWS::KMS::Key', 1);
    template.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });
});

describe('NotifierStack', () => {
  it('leaves the region check to the construct: one ConfigError, the region named once', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const error = errorOf(() => new NotifierStack(app, 'Elsewhere', { env: { region: 'eu-west-1' }, config: loadConfig(() => undefined) }));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.match(/EventBridge in us-east-1 only/g)).toHaveLength(1);
  });

  it('still synthesizes in us-east-1 and in an environment-agnostic stack', () => {
    for (const env of [{ region: 'us-east-1' }, undefined]) {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new NotifierStack(app, 'Notifier', { env, config: loadConfig(() => undefined) });
      Template.fromStack(stack).hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'STANDARD' });
    }
  });
});
