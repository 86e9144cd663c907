import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig, type ContextKey } from '../../lib/config';
import { NotifierStack } from '../../lib/notifier-stack';
import { resolveIntrinsics, resourcesOfType, type CfnTemplate } from '../../local/template';

const ACCOUNT = '123456789012';
const CLOUDWATCH = { Service: 'cloudwatch.amazonaws.com' };

type Statement = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

// `cdk synth` reads the feature flags in cdk.json (policy minimization among them); the
// policies must be right with and without them.
const cdkJsonContext = (
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

function synth(context: Partial<Record<ContextKey, string>>, options: { account?: string; featureFlags?: boolean } = {}) {
  const app = new App({
    context: { ...(options.featureFlags ? cdkJsonContext : {}), ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new NotifierStack(app, 'Notifier', {
    env: { account: options.account, region: 'us-east-1' },
    config: loadConfig((key) => app.node.tryGetContext(key)),
  });
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as CfnTemplate };
}

function parts(json: CfnTemplate) {
  const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm');
  const alarmTopics = new Set(alarms.flatMap(([, alarm]) => (alarm.Properties!.AlarmActions as { Ref?: string }[]).map((a) => a.Ref)));
  const topics = resourcesOfType(json, 'AWS::SNS::Topic').map(([id]) => id);
  const topicPolicy = (topicId: string) =>
    resourcesOfType(json, 'AWS::SNS::TopicPolicy')
      .filter(([, policy]) => (policy.Properties!.Topics as { Ref: string }[]).some((topic) => topic.Ref === topicId))
      .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
  const keyPolicy = () =>
    resourcesOfType(json, 'AWS::KMS::Key').flatMap(([, key]) => (key.Properties!.KeyPolicy as { Statement: Statement[] }).Statement);
  return { alarms, alarmTopics: [...alarmTopics] as string[], topics, topicPolicy, keyPolicy };
}

const tlsDeny = (statement: Statement) =>
  statement.Effect === 'Deny' &&
  list(statement.Action).includes('sns:Publish') &&
  JSON.stringify(statement.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } });

describe.each([
  ['default flags, known account', { account: ACCOUNT, featureFlags: false }],
  ["cdk.json's feature flags, known account", { account: ACCOUNT, featureFlags: true }],
  ['environment-agnostic account', { account: undefined, featureFlags: false }],
])('alarm topic (%s)', (_, options) => {
  const { json } = synth({}, options);
  const { alarms, alarmTopics, topicPolicy, keyPolicy } = parts(json);
  const sourceAccount = options.account ?? { Ref: 'AWS::AccountId' };

  it('is the one topic all six alarms publish to', () => {
    expect(alarms).toHaveLength(6);
    expect(alarmTopics).toHaveLength(1);
  });

  it('keeps the TLS Deny and allows CloudWatch to publish for exactly this stack alarms, from this account', () => {
    const statements = topicPolicy(alarmTopics[0]!);
    expect(statements.filter(tlsDeny)).toHaveLength(1);
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Principal: CLOUDWATCH,
        Action: 'sns:Publish',
        Resource: { Ref: alarmTopics[0] },
        Condition: {
          ArnEquals: { 'aws:SourceArn': expect.any(Array) },
          StringEquals: { 'aws:SourceAccount': sourceAccount },
        },
      },
    ]);
    const sourceArns = allows[0]!.Condition!.ArnEquals!['aws:SourceArn'] as unknown[];
    expect(sourceArns).toHaveLength(alarms.length);
    expect(sourceArns).toEqual(expect.arrayContaining(alarms.map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }))));
  });

  it('lets CloudWatch use the topic key only for the same alarms and account', () => {
    const cloudWatch = keyPolicy().filter((s) => JSON.stringify(s.Principal) === JSON.stringify(CLOUDWATCH));
    expect(cloudWatch).toHaveLength(1);
    expect(cloudWatch[0]).toMatchObject({ Effect: 'Allow', Condition: { StringEquals: { 'aws:SourceAccount': sourceAccount } } });
    expect(list(cloudWatch[0]!.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    // The key policy cannot reference the alarms (the topic, and so the alarms, depend on
    // the key): the ARNs are built from the alarms' names, which must be exactly theirs.
    const expected = alarms.map(([, alarm]) => {
      expect(typeof alarm.Properties!.AlarmName).toBe('string');
      return resolveIntrinsics(json, {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-1:', sourceAccount, `:alarm:${String(alarm.Properties!.AlarmName)}`],
        ],
      });
    });
    const sourceArns = resolveIntrinsics(json, cloudWatch[0]!.Condition!.ArnEquals?.['aws:SourceArn']) as string[];
    expect([...sourceArns].sort()).toEqual([...expected].sort());
  });

  it('lets no other principal in: topic policies allow only CloudWatch, the key policy only CloudWatch and the account', () => {
    const allowed = resourcesOfType(json, 'AWS::SNS::TopicPolicy')
      .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => s.Effect === 'Allow')
      .map((s) => s.Principal);
    expect(allowed.length).toBeGreaterThan(0);
    for (const principal of allowed) expect(principal).toEqual(CLOUDWATCH);
    const accountRoot = {
      AWS: resolveIntrinsics(json, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', sourceAccount, ':root']] }),
    };
    for (const statement of keyPolicy().filter((s) => s.Effect === 'Allow')) {
      expect([accountRoot, CLOUDWATCH]).toContainEqual(resolveIntrinsics(json, statement.Principal));
    }
  });
});

describe('notification topic', () => {
  const { json } = synth({}, { account: ACCOUNT });
  const { alarmTopics, topics, topicPolicy, keyPolicy } = parts(json);
  const notificationTopic = topics.find((id) => !alarmTopics.includes(id))!;
  const notifyStatements = () => {
    // Notify: the function told of the topic that is not Register watch (which only reads the destinations' settings).
    const [, fn] = resourcesOfType(json, 'AWS::Lambda::Function').find(
      ([, resource]) =>
        JSON.stringify(resource.Properties!.Environment ?? {}).includes(`"Ref":"${notificationTopic}"`) &&
        String(resource.Properties!.Description).startsWith('Tells'),
    )!;
    const roleId = (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return resourcesOfType(json, 'AWS::IAM::Policy')
      .filter(([, policy]) => (policy.Properties!.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
  };

  it('is published to by the Notify role through IAM, and its policy denies only plain HTTP (nothing blocks Notify)', () => {
    const statements = topicPolicy(notificationTopic);
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([expect.objectContaining({ Principal: '*' })]);
    expect(statements.filter((s) => s.Effect === 'Deny').every(tlsDeny)).toBe(true);

    const notify = notifyStatements();
    expect(notify).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: notificationTopic } }),
    );
    const keyActions = notify.filter((s) => list(s.Action).some((a) => a.startsWith('kms:')));
    expect(keyActions.flatMap((s) => list(s.Action))).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
    // Same account: the role's IAM policy is enough when the key policy delegates to IAM.
    const delegation = keyPolicy().filter((s) => s.Effect === 'Allow' && s.Action === 'kms:*');
    expect(delegation).toHaveLength(1);
    expect(delegation[0]!.Condition).toBeUndefined();
    expect(String(resolveIntrinsics(json, delegation[0]!.Principal && (delegation[0]!.Principal as { AWS: unknown }).AWS))).toBe(
      `arn:aws:iam::${ACCOUNT}:root`,
    );
  });

  it('lets nobody else in: its policy has no Allow', () => {
    expect(topicPolicy(notificationTopic).filter((s) => s.Effect === 'Allow')).toEqual([]);
  });
});

describe('an imported alarm topic', () => {
  const { stack, json } = synth({ alarmTopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:ops-alarms` }, { account: ACCOUNT });

  it('is not ours to change: no policy is added to it, and CloudWatch gets nothing on our key', () => {
    for (const [, alarm] of resourcesOfType(json, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties!.AlarmActions).toEqual([`arn:aws:sns:us-east-1:${ACCOUNT}:ops-alarms`]);
    }
    const { keyPolicy } = parts(json);
    expect(JSON.stringify(keyPolicy())).not.toContain('cloudwatch.amazonaws.com');
    expect(JSON.stringify(resourcesOfType(json, 'AWS::SNS::TopicPolicy'))).not.toContain('ops-alarms');
  });

  it('warns that its policy must allow cloudwatch.amazonaws.com to publish, with the statement to add', () => {
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp(
        'ops-alarms[\\s\\S]*cloudwatch\\.amazonaws\\.com[\\s\\S]*sns:Publish[\\s\\S]*aws:SourceArn[\\s\\S]*aws:SourceAccount[\\s\\S]*123456789012',
      ),
    );
  });
});
