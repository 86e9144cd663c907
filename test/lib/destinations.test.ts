import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction, Code, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { BURST_DEFAULTS, parseRuntimeDestinations } from '../../lambda/shared/routing';
import { ConfigError, parseRouting } from '../../lib/config';
import { Destinations } from '../../lib/destinations';
import { InvalidationNotifier } from '../../lib/invalidation-notifier';
import { FUNCTION_DIR_METADATA } from '../../lib/notifier-function';
import { synthTemplate } from '../../local/pipeline';
import { localFunctions, resourcesOfType } from '../../local/template';
import { actionsOf, statementsOfFunction } from '../support/function-policies';

const CONTEXT = {
  destinations: {
    'web-slack': { type: 'slack', secretName: 'cf/web-slack' },
    'web-teams': { type: 'teams', secretName: 'cf/web-teams', burst: false },
    'ops-chat': { type: 'google-chat', secretName: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cf/ops-chat-AbCdEf' },
    email: { type: 'sns', burst: { windowSeconds: 30, by: 'caller-reference-prefix' } },
    existing: { type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:deploys' },
    // One Slack app, one token, two channels.
    'deploys-app': { type: 'slack-app', secretName: 'cf/slack-bot', channel: 'C0123ABCD', burst: { maxSeparate: 0 } },
    'payments-app': { type: 'slack-app', secretName: 'cf/slack-bot', channel: 'C0456EFGH' },
    automation: { type: 'eventbridge' },
    'ops-bus': { type: 'eventbridge', bus: 'ops' },
  },
  routes: [
    { name: 'website', match: { distributionIds: ['E2QWRUHAPOMQZL'] }, destinations: ['web-slack', 'web-teams', 'automation'] },
    { name: 'payments', match: { tags: { team: 'payments' } }, destinations: ['existing', 'ops-bus', 'payments-app'] },
  ],
  defaultDestinations: ['ops-chat', 'email', 'deploys-app'],
};
const json = synthTemplate(CONTEXT, false);
const template = Template.fromJSON(json);

describe('destinations, least privilege', () => {
  it('lets Notify read exactly the secrets of its webhook and Slack app destinations (a shared token once), and no other secret', () => {
    const reads = statementsOfFunction(json, 'notify').filter((s) => actionsOf([s]).includes('secretsmanager:GetSecretValue'));
    const resources = JSON.stringify(reads.map((s) => s.Resource));
    expect(resources).toContain(':secret:cf/web-slack-??????');
    expect(resources).toContain(':secret:cf/web-teams-??????');
    expect(resources).toContain('arn:aws:secretsmanager:us-east-1:123456789012:secret:cf/ops-chat-AbCdEf');
    expect(resources).toContain(':secret:cf/slack-bot-??????');
    expect(reads.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))).toHaveLength(4);
  });

  it('lets Notify put events only on the configured buses, and only as the notifier', () => {
    const [putEvents, ...others] = statementsOfFunction(json, 'notify').filter((s) => actionsOf([s]).includes('events:PutEvents'));
    expect(others).toHaveLength(0);
    const buses = JSON.stringify(putEvents!.Resource);
    expect(buses).toContain('event-bus/default');
    expect(buses).toContain('event-bus/ops');
    expect((putEvents!.Resource as unknown[]).length).toBe(2);
    expect(putEvents!.Condition).toEqual({ StringEquals: { 'events:source': 'cloudfront-invalidation-notifier' } });
  });

  it('lets Notify publish to the created and the existing topic only', () => {
    const publish = statementsOfFunction(json, 'notify').filter((s) => actionsOf([s]).includes('sns:Publish'));
    const topics = JSON.stringify(publish.map((s) => s.Resource));
    expect(topics).toContain('arn:aws:sns:us-east-1:123456789012:deploys');
    expect(topics).toMatch(/"Ref":"NotifierDestinationsemailTopic/);
    expect(publish.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))).toHaveLength(2);
  });

  it('lets Start watch read names and, because a route matches on tags, tags: read-only and on the account only', () => {
    // The List calls that find a cut CloudTrail event's invalidation have their own test (cut-event-permissions.test.ts).
    const lookups = statementsOfFunction(json, 'start-watch').filter((s) =>
      actionsOf([s]).some(
        (a) => a.startsWith('cloudfront:') && (!a.startsWith('cloudfront:List') || a === 'cloudfront:ListTagsForResource'),
      ),
    );
    expect(actionsOf(lookups)).toEqual([
      'cloudfront:GetDistribution',
      'cloudfront:GetDistributionTenant',
      'cloudfront:ListTagsForResource',
    ]);
    const resources = JSON.stringify(lookups.map((s) => s.Resource));
    expect(resources).toContain(':distribution/*');
    expect(resources).toContain(':distribution-tenant/*');
    expect(resources).not.toContain('"*"');
  });

  it('gives Start watch no tag permission when no route matches on tags', () => {
    const simple = synthTemplate({}, false);
    const actions = actionsOf(statementsOfFunction(simple, 'start-watch'));
    expect(actions).toContain('cloudfront:GetDistribution');
    expect(actions).not.toContain('cloudfront:ListTagsForResource');
  });

  it('gives the checker no secret, topic or bus, and Notify no CloudFront call', () => {
    expect(actionsOf(statementsOfFunction(json, 'checker')).filter((a) => /^(secretsmanager|sns|events):/.test(a))).toEqual([]);
    expect(actionsOf(statementsOfFunction(json, 'notify')).filter((a) => a.startsWith('cloudfront:'))).toEqual([]);
  });

  it('creates one encrypted topic for the created SNS destination (and one for alarms), none for the existing one', () => {
    expect(resourcesOfType(json, 'AWS::SNS::Topic')).toHaveLength(2);
    template.hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'CloudFront invalidations (email)' });
  });
});

describe("the destinations in Notify's environment", () => {
  const notify = localFunctions(json, FUNCTION_DIR_METADATA).find((fn) => fn.functionDir === 'notify')!;
  const runtime = parseRuntimeDestinations(notify.environment.DESTINATIONS!);

  it('gives a Slack app destination its token secret and channel, two channels sharing one secret', () => {
    expect(runtime['deploys-app']).toMatchObject({ type: 'slack-app', secretId: 'cf/slack-bot', channel: 'C0123ABCD' });
    expect(runtime['payments-app']).toMatchObject({ type: 'slack-app', secretId: 'cf/slack-bot', channel: 'C0456EFGH' });
  });

  it('gives every destination but buses its burst settings: the configured ones over the defaults, none with burst: false', () => {
    expect(runtime['web-slack']!).toHaveProperty('burst', BURST_DEFAULTS);
    expect(runtime['ops-chat']!).toHaveProperty('burst', BURST_DEFAULTS);
    expect(runtime.existing!).toHaveProperty('burst', BURST_DEFAULTS);
    expect(runtime['payments-app']!).toHaveProperty('burst', BURST_DEFAULTS);
    expect(runtime.email!).toHaveProperty('burst', { ...BURST_DEFAULTS, windowSeconds: 30, by: 'caller-reference-prefix' });
    expect(runtime['deploys-app']!).toHaveProperty('burst', { ...BURST_DEFAULTS, maxSeparate: 0 });
    expect(runtime['web-teams']!).not.toHaveProperty('burst');
    expect(runtime.automation).toEqual({ type: 'eventbridge', busName: expect.stringContaining('event-bus/default') as unknown });
    expect(runtime['ops-bus']!).not.toHaveProperty('burst');
  });

  it('gives the simple case (no destinations) the default bursts too', () => {
    const simple = localFunctions(synthTemplate({ slackWebhookSecretName: 'cf/slack' }, false), FUNCTION_DIR_METADATA).find(
      (fn) => fn.functionDir === 'notify',
    )!;
    const destinations = Object.values(parseRuntimeDestinations(simple.environment.DESTINATIONS!));
    expect(destinations.map((destination) => destination.type).sort()).toEqual(['slack', 'sns']);
    for (const destination of destinations) expect(destination).toHaveProperty('burst', BURST_DEFAULTS);
  });
});

describe('Destinations with an existing secret', () => {
  it('uses it for a Slack app destination too: read by its own name, granted to the function', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1', account: '123456789012' } });
    const { config } = parseRouting({ destinations: { deploys: { type: 'slack-app', secretName: 'unused', channel: 'C0123ABCD' } } });
    const token = new Secret(stack, 'Token', { secretName: 'team/slack-bot' });
    const destinations = new Destinations(stack, 'D', { routing: config!, existingSecrets: { deploys: token } });
    const fn = new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {};'),
    });
    destinations.bindTo(fn);
    const synthesized = Template.fromStack(stack);

    const variables = Object.values(synthesized.findResources('AWS::Lambda::Function'))[0]!.Properties.Environment.Variables as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(variables.DESTINATIONS)).toContain('"channel\\":\\"C0123ABCD');
    expect(JSON.stringify(variables.DESTINATIONS)).not.toContain('unused');
    synthesized.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: { Ref: stack.getLogicalId(token.node.defaultChild as never) },
          },
        ],
      },
    });
  });
});

describe('InvalidationNotifier props, in the context shape', () => {
  const stackIn = (region: string) => new Stack(new App(), 'S', { env: { region, account: '123456789012' } });

  it('lists every routing problem in one error', () => {
    const build = () =>
      new InvalidationNotifier(stackIn('us-east-1'), 'N', {
        destinations: { chat: { type: 'teams', secretName: 'x' }, spare: { type: 'sns' } },
        routes: [{ match: { distributionIds: ['E2QWRUHAPOMQZL'] }, destinations: ['chats'] }],
        defaultDestinations: ['chat'],
      });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/unknown destination "chats" \(did you mean "chat"\?\)[\s\S]*destinations\.spare is not used/);
  });

  it('refuses the simple-case props mixed with destinations', () => {
    const stack = stackIn('us-east-1');
    const build = () =>
      new InvalidationNotifier(stack, 'N', {
        destinations: { chat: { type: 'teams', secretName: 'x' } },
        notificationTopic: new Topic(stack, 'T'),
      });
    expect(build).toThrow(/notificationTopic and slackWebhookSecret are the simple case/);
  });

  it('refuses routes that would not fit in a Lambda environment, and says to match on tags', () => {
    const ids = Array.from({ length: 400 }, (_, i) => `E${String(i).padStart(13, '0')}`);
    const build = () =>
      new InvalidationNotifier(stackIn('us-east-1'), 'N', {
        destinations: { chat: { type: 'teams', secretName: 'x' } },
        routes: [{ match: { distributionIds: ids }, destinations: ['chat'] }],
        defaultDestinations: [],
      });
    expect(build).toThrow(/match on tags/);
  });
});
