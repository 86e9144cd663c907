import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { ConfigError } from '../../lib/config';
import { InvalidationNotifier } from '../../lib/invalidation-notifier';
import { synthTemplate } from '../../local/pipeline';
import { resourcesOfType } from '../../local/template';
import { actionsOf, statementsOfFunction } from '../support/function-policies';

const CONTEXT = {
  destinations: {
    'web-slack': { type: 'slack', secretName: 'cf/web-slack' },
    'web-teams': { type: 'teams', secretName: 'cf/web-teams' },
    'ops-chat': { type: 'google-chat', secretName: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cf/ops-chat-AbCdEf' },
    email: { type: 'sns' },
    existing: { type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:deploys' },
    automation: { type: 'eventbridge' },
    'ops-bus': { type: 'eventbridge', bus: 'ops' },
  },
  routes: [
    { name: 'website', match: { distributionIds: ['E2QWRUHAPOMQZL'] }, destinations: ['web-slack', 'web-teams', 'automation'] },
    { name: 'payments', match: { tags: { team: 'payments' } }, destinations: ['existing', 'ops-bus'] },
  ],
  defaultDestinations: ['ops-chat', 'email'],
};
const json = synthTemplate(CONTEXT, false);
const template = Template.fromJSON(json);

describe('destinations, least privilege', () => {
  it('lets Notify read exactly the secrets of its webhook destinations, and no other secret', () => {
    const reads = statementsOfFunction(json, 'notify').filter((s) => actionsOf([s]).includes('secretsmanager:GetSecretValue'));
    const resources = JSON.stringify(reads.map((s) => s.Resource));
    expect(resources).toContain(':secret:cf/web-slack-??????');
    expect(resources).toContain(':secret:cf/web-teams-??????');
    expect(resources).toContain('arn:aws:secretsmanager:us-east-1:123456789012:secret:cf/ops-chat-AbCdEf');
    expect(reads.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))).toHaveLength(3);
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
