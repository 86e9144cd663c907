import { parseRouting } from '../../../lib/config';

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
      'destinations.email: unknown key "topicArm": did you mean "topicArn"?',
    ],
    [
      'a misspelled match key',
      { routes: [{ match: { distributionId: ['E2QWRUHAPOMQZL'] }, destinations: ['email'] }] },
      'routes[0].match: unknown key "distributionId": did you mean "distributionIds"?',
    ],
    [
      'an unknown destination type',
      { destinations: { ...DESTINATIONS, email: { type: 'teams-webhook', secretName: 'x' } } },
      'destinations.email.type: must have a type, one of slack, slack-app, teams, google-chat, sns, eventbridge (got "teams-webhook"; did you mean "teams"?)',
    ],
    [
      'a bad secret name',
      { destinations: { ...DESTINATIONS, 'web-teams': { type: 'teams', secretName: 'has space' } } },
      'destinations.web-teams.secretName "has space" is not the name of the Secrets Manager secret',
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
      "is in eu-west-1, but the notifier is in us-east-1 and SNS accepts a publish only in the topic's own region",
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
      'destinations.web-teams and destinations.ops-chat read the same secret',
    ],
    ['routes without defaultDestinations', { defaultDestinations: undefined }, 'defaultDestinations is missing'],
    [
      'a malformed distribution ID',
      { routes: [{ match: { distributionIds: ['e2qw'] }, destinations: ['email'] }] },
      'does not look like a distribution ID',
    ],
    ['an empty match', { routes: [{ match: {}, destinations: ['email'] }] }, 'routes[0].match: must be an object with at least one of'],
    [
      'tags that are not strings',
      { routes: [{ match: { tags: { team: 1 } }, destinations: ['email'] }] },
      'routes[0].match.tags.team: must be a string',
    ],
    [
      'a kind of work that does not exist',
      { routes: [{ match: { kinds: ['deployments'] }, destinations: ['email'] }] },
      'routes[0].match.kinds[0]: "deployments" is not a kind of work: write "invalidation" or "deployment"',
    ],
    [
      'an empty list of kinds',
      { routes: [{ match: { kinds: [] }, destinations: ['email'] }] },
      'routes[0].match.kinds: must be a non-empty list of kinds of work',
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
    expect(problems).toEqual([
      expect.stringMatching(/^routes\[0\].match.tenantIds\[0\]: "nope" does not look like a distribution tenant ID/),
      expect.stringMatching(/^routes\[0\].destinations: unknown destination "nowhere"/),
      expect.stringMatching(/^destinations.payments-slack is not used/),
      expect.stringMatching(/^destinations.web-teams is not used/),
      expect.stringMatching(/^destinations.email.topicArn "bad" is not an SNS topic ARN/),
      expect.stringMatching(/^destinations.automation is not used/),
    ]);
  });
});

describe('parseRouting: one message per channel (defect 1)', () => {
  const routing = (destinations: object, defaultDestinations: string[], routes: object[] = []) =>
    parseRouting({ destinations, routes, defaultDestinations }, { region: 'us-east-1', account: '123456789012' });

  it.each([
    ['defaultDestinations', routing({ email: { type: 'sns' } }, ['email', 'email']), 'defaultDestinations: "email" is listed twice'],
    [
      "one route's destinations",
      routing({ email: { type: 'sns' } }, [], [{ match: { tags: { team: 'a' } }, destinations: ['email', 'email'] }]),
      'routes[0].destinations: "email" is listed twice',
    ],
  ])('refuses a destination listed twice in %s', (_, { config, problems }, expected) => {
    expect(config).toBeUndefined();
    expect(problems).toEqual([expect.stringContaining(expected)]);
  });

  const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cf/web';
  it.each([
    [
      'one secret by name and by complete ARN',
      { type: 'slack', secretName: 'cf/web' },
      { type: 'slack', secretName: `${ARN}-AbCdEf` },
      'read the same secret',
    ],
    [
      'one secret by name and by partial ARN',
      { type: 'teams', secretName: 'cf/web' },
      { type: 'slack', secretName: ARN },
      'read the same secret',
    ],
    [
      'one topic twice',
      { type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:t' },
      { type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:t' },
      'publish to the same topic',
    ],
    ['the default bus as {} and "default"', { type: 'eventbridge' }, { type: 'eventbridge', bus: 'default' }, 'put events on the same bus'],
    [
      'the default bus as {} and its ARN',
      { type: 'eventbridge' },
      { type: 'eventbridge', bus: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
      'put events on the same bus',
    ],
    [
      'a bus by name and by ARN',
      { type: 'eventbridge', bus: 'ops' },
      { type: 'eventbridge', bus: 'arn:aws:events:us-east-1:123456789012:event-bus/ops' },
      'put events on the same bus',
    ],
  ])('refuses two destination names for %s', (_, a, b, expected) => {
    const { config, problems } = routing({ a, b }, ['a', 'b']);
    expect(config).toBeUndefined();
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^destinations.a and destinations.b ${expected}.*merge them into one destination`)),
    ]);
  });

  it.each([
    ['two secrets', { type: 'slack', secretName: 'cf/a' }, { type: 'slack', secretName: 'cf/b' }],
    [
      'a secret of another account',
      { type: 'slack', secretName: 'cf/web' },
      { type: 'slack', secretName: 'arn:aws:secretsmanager:us-east-1:210987654321:secret:cf/web-AbCdEf' },
    ],
    ['two buses', { type: 'eventbridge' }, { type: 'eventbridge', bus: 'ops' }],
    ['two new topics', { type: 'sns' }, { type: 'sns' }],
  ])('accepts %s', (_, a, b) => {
    expect(routing({ a, b }, ['a', 'b']).problems).toEqual([]);
  });
});

describe('parseRouting: places Notify cannot reach (defect 4)', () => {
  it('refuses a webhook secret in another region, as topics and buses are', () => {
    const { problems } = parseRouting(
      {
        destinations: { chat: { type: 'slack', secretName: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cf/chat-AbCdEf' } },
      },
      { region: 'us-east-1' },
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^destinations.chat.secretName is in eu-west-1, but Notify runs in us-east-1 and reads secrets of its own region/,
      ),
    ]);
  });
});

describe('parseRouting: names every JavaScript object has (defect 3)', () => {
  it.each(['constructor', 'prototype', '__proto__'])('refuses a destination named %s, naming it', (name) => {
    const destinations = JSON.parse(`{"${name}": {"type": "sns"}}`) as object;
    const { config, problems } = parseRouting({ destinations, routes: [], defaultDestinations: [name] });
    expect(config).toBeUndefined();
    expect(problems.join('\n')).toContain(`destinations.${name}`);
  });

  it('accepts toString and hasOwnProperty as names, and an unknown destination named like an Object method is unknown', () => {
    expect(parseRouting({ destinations: { toString: { type: 'sns' }, hasOwnProperty: { type: 'eventbridge' } } }).problems).toEqual([]);
    expect(
      parseRouting({ destinations: { email: { type: 'sns' } }, routes: [], defaultDestinations: ['email', 'toString'] }).problems,
    ).toEqual([expect.stringContaining('defaultDestinations: unknown destination "toString"')]);
  });
});

describe('parseRouting: tag keys named like prototype members are conditions like any other', () => {
  const withTags = (tags: string) => ({
    destinations: { payments: { type: 'sns' } },
    routes: [{ match: { tags: JSON.parse(tags) as object }, destinations: ['payments'] }],
    defaultDestinations: [],
  });

  it.each(['constructor', 'prototype', '__proto__', 'toString'])('keeps the condition on tag %s (legal AWS tag keys)', (key) => {
    const { config, problems } = parseRouting(withTags(`{"${key}": "x", "team": "payments"}`));
    expect(problems).toEqual([]);
    const tags = config!.routes[0]!.match.tags!;
    expect(Object.keys(tags)).toEqual([key, 'team']);
    expect(Object.hasOwn(tags, key) && tags[key]).toBe('x');
    // What Start watch gets: the condition survives the environment's JSON.
    expect(JSON.parse(JSON.stringify(config!.routes[0]!.match))).toEqual(JSON.parse(`{"tags": {"${key}": "x", "team": "payments"}}`));
  });
});

describe('parseRouting: tags no AWS resource can have are refused (they could never match)', () => {
  const route = (tags: Record<string, string>) => ({
    destinations: { email: { type: 'sns' } },
    routes: [{ match: { tags }, destinations: ['email'] }],
    defaultDestinations: [],
  });

  it('refuses a key over 128 characters and a value over 256, each at its place', () => {
    const { problems } = parseRouting(route({ ['k'.repeat(129)]: 'x', team: 'v'.repeat(257) }));
    expect(problems).toEqual([
      `routes[0].match.tags.${'k'.repeat(129)}: key is 129 characters long, but a tag key has at most 128, so it could never match`,
      'routes[0].match.tags.team: is 257 characters long, but a tag value has at most 256, so it could never match',
    ]);
  });

  it('accepts a 128-character key with a 256-character value', () => {
    expect(parseRouting(route({ ['k'.repeat(128)]: 'v'.repeat(256) })).problems).toEqual([]);
  });

  it('places a problem of a key with spaces unambiguously', () => {
    expect(parseRouting(route({ ' team': 'a' })).problems).toEqual([
      'routes[0].match.tags[" team"]: key " team" has leading or trailing spaces: tag keys match exactly',
    ]);
  });
});

describe('parseRouting: messages that name the key and the rule', () => {
  it('a webhook destination without secretName says secretName is missing (not "must be an object")', () => {
    const { problems } = parseRouting({ destinations: { chat: { type: 'slack' } } });
    expect(problems).toEqual(['destinations.chat.secretName: is missing: it must name the Secrets Manager secret holding the webhook URL']);
  });

  it("a route destination that is not a string says what to write, not valibot's default English", () => {
    const { problems } = parseRouting({
      destinations: { a: { type: 'sns' } },
      routes: [{ match: { tags: { t: 'x' } }, destinations: [null] }],
      defaultDestinations: ['a'],
    });
    expect(problems).toEqual(['routes[0].destinations[0]: must be a destination name (a key of destinations), e.g. "team-slack"']);
    expect(problems.join('\n')).not.toContain('Invalid type');
  });
});

describe('parseRouting: a partner event bus is no destination', () => {
  it.each(['aws.partner/example.com/123/orders', 'arn:aws:events:us-east-1:123456789012:event-bus/aws.partner/example.com/123/orders'])(
    'refuses bus %s, saying why',
    (bus) => {
      const { problems } = parseRouting({ destinations: { partner: { type: 'eventbridge', bus } } }, { region: 'us-east-1' });
      expect(problems).toEqual([
        expect.stringMatching(
          /^destinations\.partner\.bus "aws\.partner\/example\.com\/123\/orders" is a partner event bus, on which only its SaaS partner can put events/,
        ),
      ]);
    },
  );
});

describe('parseRouting: one mistake, one message (what a new user met)', () => {
  it('does not call a destination unused (and say "remove it") when a misspelled reference meant it', () => {
    const { problems } = parseRouting({
      destinations: { 'web-teams': { type: 'teams', secretName: 'cf/teams' } },
      routes: [{ match: { distributionIds: ['E2QWRUHAPOMQZL'] }, destinations: ['web-team'] }],
      defaultDestinations: [],
    });

    expect(problems).toEqual([
      'routes[0].destinations: unknown destination "web-team" (did you mean "web-teams"?); define it under destinations (known: web-teams)',
    ]);
  });

  it('says once that destinations are missing, not once more for every reference to them', () => {
    const { problems } = parseRouting({
      routes: [{ match: { tags: { team: 'web' } }, destinations: ['a', 'b'] }],
      defaultDestinations: ['c'],
    });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^destinations: must be an object of named destinations/);
  });

  it('says where a webhook URL given as the secret name belongs', () => {
    const { problems } = parseRouting({
      destinations: { chat: { type: 'slack', secretName: 'https://hooks.slack.com/services/T0/B0/x' } },
    });

    expect(problems).toEqual([expect.stringMatching(/^destinations\.chat\.secretName is a URL, but .*aws secretsmanager create-secret/)]);
    expect(problems[0]).not.toContain('hooks.slack.com');
  });
});

describe('parseRouting: a misspelled key is said once', () => {
  it('names the misspelling, not also the key it meant as missing', () => {
    const { problems } = parseRouting({ destinations: { chat: { type: 'slack', secretNme: 'cf/slack' } } });

    expect(problems).toEqual([expect.stringMatching(/unknown key "secretNme".*did you mean "secretName"/)]);
  });

  it('still says a key is missing when nothing spells it', () => {
    const { problems } = parseRouting({ destinations: { chat: { type: 'slack' } } });

    expect(problems).toEqual([expect.stringMatching(/^destinations\.chat\.secretName: is missing/)]);
  });
});

describe('parseRouting: slack-app destinations', () => {
  const app = (extra: object = {}) => ({ type: 'slack-app', secretName: 'cf/slack-bot', channel: 'C0123ABCD', ...extra });
  const parse = (destinations: object) => parseRouting({ destinations }, { region: 'us-east-1', account: '123456789012' });

  it('accepts a channel ID with its token, and one token for several channels', () => {
    const { config, problems } = parse({ deploys: app(), payments: app({ channel: 'G01PAYMENTS9' }), dm: app({ channel: 'D0123ABCDE' }) });
    expect(problems).toEqual([]);
    expect(config!.destinations.deploys).toEqual({ type: 'slack-app', secretName: 'cf/slack-bot', channel: 'C0123ABCD' });
  });

  it.each([
    ['#deploys', 'is a channel name, not its ID'],
    ['deploys', 'is a channel name, not its ID'],
    ['web-deploys', 'is a channel name, not its ID'],
    ['U0123ABCD', "is a person's ID, not a channel's"],
    ['C012', 'is not a Slack channel ID'],
  ])('refuses the channel %j, naming what to use', (channel, expected) => {
    const { config, problems } = parse({ deploys: app({ channel }) });
    expect(config).toBeUndefined();
    expect(problems).toEqual([expect.stringContaining(`destinations.deploys.channel: ${JSON.stringify(channel)} ${expected}`)]);
    expect(problems[0]).toContain("at the bottom of the channel's details in Slack");
  });

  it('says a missing channel is missing and what it holds', () => {
    expect(parse({ deploys: { type: 'slack-app', secretName: 'cf/slack-bot' } }).problems).toEqual([
      `destinations.deploys.channel: is missing: it must be the Slack channel's ID, e.g. "C0123ABCD" (at the bottom of the channel's details in Slack)`,
    ]);
  });

  it('says a missing token secret is missing', () => {
    expect(parse({ deploys: { type: 'slack-app', channel: 'C0123ABCD' } }).problems).toEqual([
      "destinations.deploys.secretName: is missing: it must name the Secrets Manager secret holding the Slack app's bot token (xoxb-...)",
    ]);
  });

  it('refuses two destinations on one channel, whatever their tokens, as one channel twice', () => {
    const { config, problems } = parse({ a: app(), b: app({ secretName: 'cf/other-bot' }) });
    expect(config).toBeUndefined();
    expect(problems).toEqual([
      'destinations.a and destinations.b post to the same Slack channel (C0123ABCD), so it would get every message twice: merge them into one destination',
    ]);
  });

  it('refuses one secret read as a bot token and as a webhook URL (by name and by ARN)', () => {
    const { problems } = parse({
      bot: app(),
      hook: { type: 'slack', secretName: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cf/slack-bot-AbCdEf' },
    });
    expect(problems).toEqual([
      'destinations.bot reads its secret as a bot token and destinations.hook the same secret as a webhook URL, but a secret holds one of them: give each its own secret',
    ]);
  });

  it('refuses a webhook URL as the token secret, and says which type takes a webhook', () => {
    const { problems } = parse({ deploys: app({ secretName: 'https://hooks.slack.com/services/T0/B0/x' }) });
    expect(problems).toEqual([expect.stringMatching(/^destinations\.deploys\.secretName is a URL, .*bot token.*use type "slack"/)]);
    expect(problems[0]).not.toContain('hooks.slack.com');
  });

  it.each([
    ['a slack-app destination', app({ secretName: 'xoxb-1234-5678-secretpart' })],
    ['a webhook destination', { type: 'slack', secretName: 'xoxb-1234-5678-secretpart' }],
  ])('refuses a token given as the secret name of %s, without repeating it', (_, destination) => {
    const { problems } = parse({ deploys: destination });
    expect(problems).toEqual([expect.stringMatching(/^destinations\.deploys\.secretName is a Slack token, .*create-secret/)]);
    expect(problems[0]).not.toContain('secretpart');
  });

  it('refuses a token secret in another region, as webhook secrets are', () => {
    const { problems } = parse({ deploys: app({ secretName: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cf/bot-AbCdEf' }) });
    expect(problems).toEqual([expect.stringMatching(/^destinations\.deploys\.secretName is in eu-west-1, but Notify runs in us-east-1/)]);
  });
});

describe('parseRouting: burst settings', () => {
  const parse = (destinations: object) => parseRouting({ destinations }, { region: 'us-east-1' });
  const slack = (burst: unknown) => ({ chat: { type: 'slack', secretName: 'cf/chat', burst } });

  it.each([
    ['slack', { type: 'slack', secretName: 'cf/a' }],
    ['teams', { type: 'teams', secretName: 'cf/a' }],
    ['google-chat', { type: 'google-chat', secretName: 'cf/a' }],
    ['slack-app', { type: 'slack-app', secretName: 'cf/a', channel: 'C0123ABCD' }],
    ['sns', { type: 'sns' }],
  ])('a %s destination takes burst: false, {} and every setting at its bounds', (_, destination) => {
    for (const burst of [
      false,
      {},
      { windowSeconds: 1, maxSeparate: 0, digestEverySeconds: 60, by: 'creator' },
      { windowSeconds: 300, maxSeparate: 20, digestEverySeconds: 3600, by: 'caller-reference-prefix' },
      { by: 'destination' },
    ]) {
      const { config, problems } = parse({ d: { ...destination, burst } });
      expect(problems).toEqual([]);
      expect(config!.destinations.d).toEqual({ ...destination, burst });
    }
  });

  it.each([
    ['windowSeconds', 0, 'must be a whole number from 1 to 300 (seconds: invalidations starting within this many seconds'],
    ['windowSeconds', 301, 'must be a whole number from 1 to 300'],
    ['windowSeconds', 2.5, 'must be a whole number from 1 to 300'],
    ['maxSeparate', -1, "must be a whole number from 0 to 20 (how many of a burst's invalidations are told on their own"],
    ['maxSeparate', 21, 'must be a whole number from 0 to 20'],
    ['digestEverySeconds', 59, 'must be a whole number from 60 to 3600 (seconds: while a burst runs, how often a digest'],
    ['digestEverySeconds', 3601, 'must be a whole number from 60 to 3600'],
    ['digestEverySeconds', '60', 'must be a whole number from 60 to 3600'],
  ])('refuses %s: %j, naming the key, the range and what it does', (key, value, expected) => {
    const { config, problems } = parse(slack({ [key]: value }));
    expect(config).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^destinations\\.chat\\.burst\\.${key}: `));
    expect(problems[0]).toContain(expected);
    expect(problems[0]).toMatch(new RegExp(`, not ${JSON.stringify(JSON.stringify(value)).slice(1, -1)}$`));
  });

  it('refuses every bad setting of one burst at once, one problem each', () => {
    expect(parse(slack({ windowSeconds: 0.5, maxSeparate: 100, digestEverySeconds: 1 })).problems).toHaveLength(3);
  });

  it('refuses an unknown burst key with "did you mean"', () => {
    expect(parse(slack({ window: 5 })).problems).toEqual(['destinations.chat.burst: unknown key "window": did you mean "windowSeconds"?']);
  });

  it('refuses a misspelled burst key value with "did you mean", listing the keys', () => {
    expect(parse(slack({ by: 'caller-reference' })).problems).toEqual([
      'destinations.chat.burst.by: must be one of creator, caller-reference-prefix, destination (what makes invalidations one burst), not "caller-reference": did you mean "caller-reference-prefix"?',
    ]);
  });

  it.each([true, null, 'off', 10])('refuses burst: %j, saying what it takes', (burst) => {
    expect(parse(slack(burst)).problems).toEqual([
      expect.stringMatching(
        /^destinations\.chat\.burst: must be false \(every invalidation told on its own\) or an object of burst settings/,
      ),
    ]);
  });

  it('refuses burst on an eventbridge destination, saying why (not "did you mean bus")', () => {
    const { config, problems } = parse({ automation: { type: 'eventbridge', burst: { windowSeconds: 10 } } });
    expect(config).toBeUndefined();
    expect(problems).toEqual([
      'destinations.automation: burst does not apply to an eventbridge destination: automation keeps one event per invalidation (rules and their targets see each one); remove burst',
    ]);
  });
});
