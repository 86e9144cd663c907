import { closestKey } from '../../../lambda/shared/did-you-mean';
import { parseRouting, route, routeMatches, type RoutingConfig } from '../../../lambda/shared/routing';

const DESTINATIONS = {
  'payments-slack': { type: 'slack', secretName: 'cf/payments-slack' },
  'web-teams': { type: 'teams', secretName: 'cf/web-teams' },
  'ops-chat': { type: 'google-chat', secretName: 'cf/ops-chat' },
  email: { type: 'sns' },
  automation: { type: 'eventbridge' },
};

const RAW = {
  destinations: DESTINATIONS,
  routes: [
    { name: 'website', match: { distributionIds: ['E2QWRUHAPOMQZL'] }, destinations: ['web-teams', 'automation'] },
    { name: 'payments', match: { tags: { team: 'payments' } }, destinations: ['payments-slack', 'automation'] },
    { name: 'payments CI', match: { createdBy: ['payments-ci-*'] }, destinations: ['payments-slack'] },
  ],
  defaultDestinations: ['ops-chat', 'email'],
};

const parsed = () => {
  const { config, problems } = parseRouting(structuredClone(RAW), { region: 'us-east-1' });
  expect(problems).toEqual([]);
  return config!;
};

describe('route', () => {
  let config: RoutingConfig;
  beforeAll(() => {
    config = parsed();
  });

  it('sends an invalidation once to every destination any matching route names, in order of first mention', () => {
    const decision = route(config, {
      targetKind: 'distribution',
      targetId: 'E2QWRUHAPOMQZL',
      tags: { team: 'payments' },
      creators: ['alice'],
    });
    expect(decision).toEqual({ destinations: ['web-teams', 'automation', 'payments-slack'], routes: ['website', 'payments'] });
  });

  it('sends an unmatched invalidation to the default destinations only', () => {
    expect(route(config, { targetKind: 'distribution', targetId: 'EOTHER12345', tags: { team: 'web' }, creators: ['alice'] })).toEqual({
      destinations: ['ops-chat', 'email'],
      routes: [],
    });
  });

  it('matches a creator glob against any of the principal name or ARN', () => {
    const decision = route(config, {
      targetKind: 'tenant',
      targetId: 'dt_1',
      creators: ['payments-ci-role/run-7', 'arn:aws:sts::123456789012:assumed-role/payments-ci-role/run-7'],
    });
    expect(decision.destinations).toEqual(['payments-slack']);
  });

  it('never matches a tag route when the tags could not be read', () => {
    expect(routeMatches({ tags: { team: 'payments' } }, { targetKind: 'distribution', targetId: 'E1', creators: [] })).toBe(false);
  });

  it('does not match a distribution ID route for a tenant with the same ID, nor the reverse', () => {
    expect(routeMatches({ distributionIds: ['E2QWRUHAPOMQZL'] }, { targetKind: 'tenant', targetId: 'E2QWRUHAPOMQZL', creators: [] })).toBe(
      false,
    );
    expect(routeMatches({ tenantIds: ['dt_abc'] }, { targetKind: 'distribution', targetId: 'dt_abc', creators: [] })).toBe(false);
  });

  it('requires every key of a match, and treats glob metacharacters other than * literally', () => {
    const match = { distributionIds: ['E2QWRUHAPOMQZL'], createdBy: ['deploy.role'] };
    expect(routeMatches(match, { targetKind: 'distribution', targetId: 'E2QWRUHAPOMQZL', creators: ['deploy.role'] })).toBe(true);
    expect(routeMatches(match, { targetKind: 'distribution', targetId: 'E2QWRUHAPOMQZL', creators: ['deployXrole'] })).toBe(false);
    expect(routeMatches(match, { targetKind: 'distribution', targetId: 'EOTHER12345', creators: ['deploy.role'] })).toBe(false);
  });

  it('drops unmatched invalidations when defaultDestinations is empty', () => {
    const { config: minimal, problems } = parseRouting({
      destinations: { 'web-teams': DESTINATIONS['web-teams'] },
      routes: [{ match: { distributionIds: ['E2QWRUHAPOMQZL'] }, destinations: ['web-teams'] }],
      defaultDestinations: [],
    });
    expect(problems).toEqual([]);
    expect(route(minimal!, { targetKind: 'distribution', targetId: 'EOTHER12345', creators: [] }).destinations).toEqual([]);
  });

  it('without routes, sends everything to every destination', () => {
    const { config: simple } = parseRouting({ destinations: { email: { type: 'sns' }, chat: { type: 'slack', secretName: 's' } } });
    expect(route(simple!, { creators: [] }).destinations).toEqual(['email', 'chat']);
  });
});

describe('parseRouting rejects', () => {
  it.each([
    [
      'an unknown destination in a route',
      { routes: [{ match: { distributionIds: ['E2QWRUHAPOMQZL'] }, destinations: ['web-team'] }] },
      'routes[0].destinations: unknown destination "web-team" (did you mean "web-teams"?)',
    ],
    [
      'a misspelled destination key',
      { destinations: { ...DESTINATIONS, email: { type: 'sns', topicArm: 'x' } } },
      'unknown key in destinations.email "topicArm": did you mean "topicArn"?',
    ],
    [
      'a misspelled match key',
      { routes: [{ match: { distributionId: ['E2QWRUHAPOMQZL'] }, destinations: ['email'] }] },
      'unknown key in routes[0].match "distributionId": did you mean "distributionIds"?',
    ],
    [
      'an unknown destination type',
      { destinations: { ...DESTINATIONS, email: { type: 'teams-webhook', secretName: 'x' } } },
      'destinations.email.type must be one of',
    ],
    [
      'a bad secret name',
      { destinations: { ...DESTINATIONS, 'web-teams': { type: 'teams', secretName: 'has space' } } },
      'destinations.web-teams.secretName must name',
    ],
    [
      'a bad topic ARN',
      { destinations: { ...DESTINATIONS, email: { type: 'sns', topicArn: 'arn:aws:sqs:us-east-1:123456789012:q' } } },
      'is not an SNS topic ARN',
    ],
    [
      'a FIFO topic',
      { destinations: { ...DESTINATIONS, email: { type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:n.fifo' } } },
      'is a FIFO topic',
    ],
    [
      'a topic in another region',
      { destinations: { ...DESTINATIONS, email: { type: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:n' } } },
      'is in eu-west-1, but the notifier publishes from us-east-1',
    ],
    [
      'a bus in another region',
      { destinations: { ...DESTINATIONS, automation: { type: 'eventbridge', bus: 'arn:aws:events:eu-west-1:123456789012:event-bus/b' } } },
      'destinations.automation.bus is in eu-west-1',
    ],
    [
      'a destination no route uses',
      { destinations: { ...DESTINATIONS, spare: { type: 'sns' } } },
      'destinations.spare is not used by any route or defaultDestinations',
    ],
    [
      'two destinations with one secret',
      { destinations: { ...DESTINATIONS, 'ops-chat': { type: 'google-chat', secretName: 'cf/web-teams' } } },
      'use the same secret "cf/web-teams"',
    ],
    ['routes without defaultDestinations', { defaultDestinations: undefined }, 'defaultDestinations is missing'],
    [
      'a malformed distribution ID',
      { routes: [{ match: { distributionIds: ['e2qw'] }, destinations: ['email'] }] },
      'does not look like a distribution ID',
    ],
    ['an empty match', { routes: [{ match: {}, destinations: ['email'] }] }, 'routes[0].match must be an object with at least one of'],
    [
      'tags that are not strings',
      { routes: [{ match: { tags: { team: 1 } }, destinations: ['email'] }] },
      'routes[0].match.tags must be an object of tag keys and string values',
    ],
  ])('%s', (_, change, expected) => {
    const { config, problems } = parseRouting({ ...structuredClone(RAW), ...change }, { region: 'us-east-1', organizationMode: false });
    expect(config).toBeUndefined();
    expect(problems.join('\n')).toContain(expected);
  });

  it('lists every problem at once', () => {
    const { problems } = parseRouting(
      {
        destinations: { ...DESTINATIONS, email: { type: 'sns', topicArn: 'bad' } },
        routes: [{ match: { tenantIds: ['nope'] }, destinations: ['nowhere'] }],
        defaultDestinations: ['ops-chat', 'email'],
      },
      { region: 'us-east-1' },
    );
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });
});

describe('closestKey', () => {
  it('suggests a near key and nothing for a far one', () => {
    expect(closestKey('slackWebhookSecretNme', ['slackWebhookSecretName', 'notificationTopicArn'])).toBe('slackWebhookSecretName');
    expect(closestKey('banana', ['slackWebhookSecretName', 'notificationTopicArn'])).toBeUndefined();
  });
});
