import { App, Aws, Stack, type Environment } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { ConfigError } from '../../lib/config';
import { EventForwarder, ForwarderStack, parseEventBusArn, type EventForwarderProps } from '../../lib/event-forwarder';
import { invalidationEventPattern } from '../../lib/invalidation-event-pattern';
import { US_EAST_1_ONLY_RULE_ID } from '../../lib/region-guard';
import { errorOf } from '../support/failure-of';
import { SYNTHESIZED_INVALIDATION_PATTERN } from '../support/invalidation-pattern';

const ACCOUNT = '123456789012';
const EU_BUS = `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default`;

const CFN_PATTERN = SYNTHESIZED_INVALIDATION_PATTERN;

function stackIn(env?: Environment): Stack {
  return new Stack(new App(), 'Fwd', { env });
}

describe('ForwarderStack (targetRegion eu-west-1, known account)', () => {
  const stack = new ForwarderStack(new App(), 'Forwarder', { env: { account: ACCOUNT }, targetRegion: 'eu-west-1' });
  const template = Template.fromStack(stack);

  it('is in us-east-1 when no region is given', () => {
    expect(stack.region).toBe('us-east-1');
  });

  it('has one rule, on the default bus, with the CloudTrail invalidation pattern', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0]!;
    expect(rule.Properties.EventPattern).toEqual(CFN_PATTERN);
    // No EventBusName: the default bus, where CloudTrail puts CloudFront's events.
    expect(rule.Properties.EventBusName).toBeUndefined();
  });

  it('targets the default bus of eu-west-1 in the same account, with a role and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        {
          Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:${ACCOUNT}:event-bus/default`]] },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ForwardingRole'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ForwardingDeadLetterQueue'), 'Arn'] } },
          Id: Match.anyValue(),
        },
      ],
    });
    expect(stack.forwarder.targetEventBusArn).toMatch(/:events:eu-west-1:123456789012:event-bus\/default$/);
  });

  it('gives the role to EventBridge of this account only, allowed to put events on that one bus and nothing else', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          },
        ],
      },
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:${ACCOUNT}:event-bus/default`]] },
      },
    ]);
  });

  it('keeps undeliverable events in an encrypted, TLS-only queue that only this rule may send to', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('ForwardingRule'), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('alarms as soon as one event is in the dead-letter queue, with no action when no topic is given', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('ForwardingDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: Match.absent(),
    });
  });

  it('needs no CloudFormation rule of its own: the region is known', () => {
    expect(template.toJSON().Rules?.[US_EAST_1_ONLY_RULE_ID]).toBeUndefined();
  });
});

describe('EventForwarder props', () => {
  it('takes an explicit bus ARN, custom bus in another account included', () => {
    const stack = stackIn({ region: 'us-east-1', account: ACCOUNT });
    const arn = 'arn:aws:events:eu-central-1:999999999999:event-bus/notifier';
    new EventForwarder(stack, 'Forwarder', { targetEventBusArn: arn });

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Description: Match.stringLikeRegexp('event bus notifier in eu-central-1'),
      Targets: [Match.objectLike({ Arn: arn })],
    });
  });

  it('builds the ARN from targetRegion, targetEventBusName and targetAccount', () => {
    const stack = stackIn({ region: 'us-east-1', account: ACCOUNT });
    const forwarder = new EventForwarder(stack, 'Forwarder', {
      targetRegion: 'ap-southeast-2',
      targetEventBusName: 'notifier',
      targetAccount: '999999999999',
    });

    expect(stack.resolve(forwarder.targetEventBusArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:ap-southeast-2:999999999999:event-bus/notifier']],
    });
  });

  it('accepts a bus in us-east-1 of another account (both accounts known)', () => {
    const stack = stackIn({ region: 'us-east-1', account: ACCOUNT });
    expect(
      () => new EventForwarder(stack, 'Forwarder', { targetEventBusArn: 'arn:aws:events:us-east-1:999999999999:event-bus/x' }),
    ).not.toThrow();
  });

  it('publishes the alarm and its recovery to a us-east-1 topic when given', () => {
    const stack = stackIn({ region: 'us-east-1', account: ACCOUNT });
    const topic = Topic.fromTopicArn(stack, 'Ops', `arn:aws:sns:us-east-1:${ACCOUNT}:ops`);
    new EventForwarder(stack, 'Forwarder', { targetRegion: 'eu-west-1', alarmTopic: topic });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [`arn:aws:sns:us-east-1:${ACCOUNT}:ops`],
      OKActions: [`arn:aws:sns:us-east-1:${ACCOUNT}:ops`],
    });
  });

  it('refuses to deploy outside us-east-1 when the stack region is unknown (a template rule)', () => {
    const stack = stackIn();
    new EventForwarder(stack, 'Forwarder', { targetRegion: 'eu-west-1' });
    new EventForwarder(stack, 'Second', { targetRegion: 'eu-west-2' });

    const rules = Template.fromStack(stack).toJSON().Rules as Record<string, unknown>;
    // One rule for the stack, however many constructs ask for it.
    expect(rules[US_EAST_1_ONLY_RULE_ID]).toEqual({
      Assertions: [
        {
          Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
          AssertDescription: expect.stringMatching(/us-east-1 only/),
        },
      ],
    });
  });

  const cases: [string, Environment, EventForwarderProps, RegExp][] = [
    [
      'forwarder outside us-east-1',
      { region: 'eu-west-1' },
      { targetRegion: 'eu-central-1' },
      /must be in us-east-1, but stack "Fwd" is in eu-west-1.*region: 'us-east-1'/,
    ],
    [
      'target in us-east-1, same account',
      { region: 'us-east-1', account: ACCOUNT },
      { targetRegion: 'us-east-1' },
      /bus in us-east-1.*deploy the notifier in us-east-1 without a forwarder \(the app: -c region=us-east-1\)/,
    ],
    [
      'target ARN in us-east-1, same account',
      { region: 'us-east-1', account: ACCOUNT },
      { targetEventBusArn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default` },
      /without a forwarder/,
    ],
    [
      'target ARN in us-east-1, this account unknown',
      { region: 'us-east-1' },
      { targetEventBusArn: 'arn:aws:events:us-east-1:999999999999:event-bus/default' },
      /use MemberAccount \(organization mode\)/,
    ],
    ['neither ARN nor region', { region: 'us-east-1' }, {}, /exactly one of targetEventBusArn .* or targetRegion/],
    ['both ARN and region', { region: 'us-east-1' }, { targetEventBusArn: EU_BUS, targetRegion: 'eu-west-1' }, /exactly one of/],
    [
      'not an ARN',
      { region: 'us-east-1' },
      { targetEventBusArn: 'default' },
      /targetEventBusArn "default" must be a literal event bus ARN/,
    ],
    [
      'a token ARN',
      { region: 'us-east-1' },
      { targetEventBusArn: `arn:aws:events:eu-west-1:${Aws.ACCOUNT_ID}:event-bus/default` },
      /\(a token\) must be a literal/,
    ],
    ['name with an ARN', { region: 'us-east-1' }, { targetEventBusArn: EU_BUS, targetEventBusName: 'x' }, /go with targetRegion only/],
    [
      'bad region',
      { region: 'us-east-1' },
      { targetRegion: 'Ireland' },
      /targetRegion "Ireland" is not an AWS region: use one of af-south-1/,
    ],
    [
      'bad bus name',
      { region: 'us-east-1' },
      { targetRegion: 'eu-west-1', targetEventBusName: 'my bus' },
      /"my bus" is not an event bus name/,
    ],
    [
      'bad account',
      { region: 'us-east-1' },
      { targetRegion: 'eu-west-1', targetAccount: '1234' },
      /targetAccount "1234" must be a 12-digit/,
    ],
  ];
  it.each(cases)('refuses %s, saying what to change', (_, env, props, message) => {
    const error = errorOf(() => new EventForwarder(stackIn(env), 'Forwarder', props));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
  });

  it('refuses an alarm topic in another region (CloudWatch cannot publish there)', () => {
    const stack = stackIn({ region: 'us-east-1', account: ACCOUNT });
    const topic = Topic.fromTopicArn(stack, 'Ops', `arn:aws:sns:eu-west-1:${ACCOUNT}:ops`);
    const error = errorOf(() => new EventForwarder(stack, 'Forwarder', { targetRegion: 'eu-west-1', alarmTopic: topic }));

    expect(error.message).toMatch(/alarmTopic is in eu-west-1, but the alarm is in us-east-1.*use a topic in us-east-1/);
  });

  it('lists every problem in one error', () => {
    const error = errorOf(() => new EventForwarder(stackIn({ region: 'eu-west-1' }), 'Forwarder', { targetRegion: 'Ireland' }));

    expect(error.message.split('\n- ')).toHaveLength(3);
  });

  it('ForwarderStack refuses an explicit region other than us-east-1', () => {
    expect(() => new ForwarderStack(new App(), 'F', { env: { region: 'eu-west-1' }, targetRegion: 'eu-central-1' })).toThrow(
      /must be in us-east-1/,
    );
  });
});

describe('parseEventBusArn', () => {
  it('reads partition, region, account and name', () => {
    expect(parseEventBusArn('arn:aws-cn:events:cn-north-1:123456789012:event-bus/a/b.c')).toEqual({
      partition: 'aws-cn',
      region: 'cn-north-1',
      account: '123456789012',
      name: 'a/b.c',
    });
  });

  it.each([
    'arn:aws:events:eu-west-1:123:event-bus/default',
    'arn:aws:sns:eu-west-1:123456789012:default',
    'arn:aws:events:eu-west-1:123456789012:rule/x',
  ])('rejects %s', (arn) => expect(parseEventBusArn(arn)).toBeUndefined());
});

describe('invalidationEventPattern', () => {
  it('returns a new object each time: a rule that extends its pattern cannot change another rule', () => {
    const first = invalidationEventPattern();
    (first.source as string[]).push('changed');

    expect(invalidationEventPattern().source).toEqual(['aws.cloudfront']);
  });
});
