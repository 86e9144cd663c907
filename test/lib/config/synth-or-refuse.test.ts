/**
 * Every configuration is either refused with a ConfigError naming the key, or synthesized: never a
 * CDK stack trace (issue 17, defects 2, 3 and 4).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { ConfigError, loadConfig } from '../../../lib/config';
import { CloudTrailTrail } from '../../../lib/cloudtrail-trail';
import { EventForwarder } from '../../../lib/event-forwarder';
import { InvalidationNotifier } from '../../../lib/invalidation-notifier';
import { MemberAccount } from '../../../lib/member-account';
import { NotifierStack } from '../../../lib/notifier-stack';
import { OrganizationBus } from '../../../lib/organization-bus';
import { errorOf } from '../../support/failure-of';

const ACCOUNT = '123456789012';
const noBundling = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stackIn = (region = 'us-east-1') => new Stack(noBundling(), 'Other', { env: { account: ACCOUNT, region } });

/** Synthesizes the app with this routing context, or returns the error it was refused with. */
function synthOrError(context: Record<string, unknown>): Error | undefined {
  try {
    const app = noBundling();
    const config = loadConfig({ ...context });
    new NotifierStack(app, 'Notifier', { env: { account: ACCOUNT, region: config.region }, config });
    app.synth();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

const snsEverywhere = (names: readonly string[]) => ({
  destinations: Object.fromEntries(names.map((name) => [name, { type: 'sns' }])),
  routes: [],
  defaultDestinations: [...names],
});

describe('props with unknown keys are refused, with did you mean (defect 2)', () => {
  it.each([
    ['destination', 'destinations'],
    ['route', 'routes'],
    ['defaultDestination', 'defaultDestinations'],
    ['alarmTopc', 'alarmTopic'],
  ])('InvalidationNotifier refuses %s, suggesting %s', (given, known) => {
    const error = errorOf(() => new InvalidationNotifier(stackIn(), 'Notifier', { [given]: [] } as never));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`unknown key in InvalidationNotifier props "${given}": did you mean "${known}"?`);
  });

  it('refuses a misspelled schedule key instead of keeping the default', () => {
    const error = errorOf(() => new InvalidationNotifier(stackIn(), 'Notifier', { schedule: { maxWaitSecond: 600 } } as never));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('unknown key in schedule "maxWaitSecond": did you mean "maxWaitSeconds"?');
  });

  it.each([
    ['EventForwarder', (s: Stack) => new EventForwarder(s, 'F', { targetRegon: 'eu-west-1' } as never), 'targetRegion'],
    ['MemberAccount', (s: Stack) => new MemberAccount(s, 'M', { organisationId: 'o-a1b2c3d4e5' } as never), 'organizationId'],
    [
      'OrganizationBus',
      (s: Stack) => new OrganizationBus(s, 'B', { organizationId: 'o-a1b2c3d4e5', eventBusNam: 'x' } as never),
      'eventBusName',
    ],
    ['CloudTrailTrail', (s: Stack) => new CloudTrailTrail(s, 'T', { retension: 30 } as never), 'retention'],
  ])('%s refuses a misspelled prop', (what, build, known) => {
    const error = errorOf(() => build(stackIn()));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(new RegExp(`unknown key in ${what} props "[^"]+": did you mean "${known}"\\?`));
  });

  it('takes null props as none, or as missing where props are required', () => {
    const stack = stackIn();
    expect(() => new InvalidationNotifier(stack, 'Notifier', null as never)).not.toThrow();
    expect(() => new CloudTrailTrail(stack, 'Trail', null as never)).not.toThrow();
    for (const build of [
      () => new EventForwarder(stackIn(), 'F', null as never),
      () => new MemberAccount(stackIn(), 'M', null as never),
      () => new OrganizationBus(stackIn(), 'B', null as never),
    ]) {
      expect(errorOf(build)).toBeInstanceOf(ConfigError);
    }
  });
});

describe('names that collide once sanitized or with the stack (defect 3)', () => {
  it.each([
    [['team.a', 'team-a'], 'teamaTopicArn'],
    [['Alarm'], 'AlarmTopicArn'],
    [['sns', 'Notification'], 'NotificationTopicArn'],
  ])('refuses SNS destinations %j, naming the output they would share', (names, output) => {
    const error = synthOrError(snsEverywhere(names));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toContain(`output would be named ${output}`);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('refuses or synthesizes a destination named %s', (name) => {
    const error = synthOrError({ destinations: JSON.parse(`{"${name}": {"type": "slack", "secretName": "cf/x"}}`) as object });
    if (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(`destinations.${name}`);
    }
  });

  it.each([
    ['a complete ARN', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cf/chat-AbCdEf', 'secret:cf/chat-AbCdEf"'],
    ['a partial ARN (no 6-character suffix)', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cf/chat', 'secret:cf/chat-??????"'],
  ])('reads a webhook secret given by %s, with the right IAM resource', (_, secretName, resource) => {
    const app = noBundling();
    const config = loadConfig({ destinations: { chat: { type: 'slack', secretName } } });
    const stack = new NotifierStack(app, 'Notifier', { env: { account: ACCOUNT, region: 'us-east-1' }, config });
    expect(JSON.stringify(app.synth().getStackByName(stack.stackName).template)).toContain(resource);
  });

  it('synthesizes or refuses with a ConfigError every set of destination names', () => {
    const awkward = fc.constantFrom(
      'constructor',
      'toString',
      '__proto__',
      'prototype',
      'valueOf',
      'Alarm',
      'Notification',
      'sns',
      'slack',
      'a',
      'A',
    );
    const generated = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,6}$/);
    const name = fc.oneof(awkward, generated, fc.string({ maxLength: 4 }));
    const type = fc.constantFrom('sns', 'slack', 'eventbridge');
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, type), { minLength: 1, maxLength: 4, selector: ([n]) => n }), (destinations) => {
        const context = {
          destinations: Object.fromEntries(
            destinations.map(([n, t], index) => [
              n,
              t === 'slack' ? { type: t, secretName: `cf/s${index}` } : t === 'eventbridge' ? { type: t, bus: `b${index}` } : { type: t },
            ]),
          ),
        };
        const error = synthOrError(JSON.parse(JSON.stringify(context)) as Record<string, unknown>);
        if (error && !(error instanceof ConfigError)) throw error;
      }),
      // Each run synthesizes the whole app (about 0.1 s): 40 runs over names chosen to collide.
      { numRuns: 40 },
    );
  });
});

describe('the 4 KB Lambda environment, in UTF-8 bytes (defect 4)', () => {
  it('refuses 60 SNS destinations, saying how many fit', () => {
    const names = Array.from({ length: 60 }, (_, i) => `destination-${i}`);
    const error = synthOrError(snsEverywhere(names));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toMatch(
      /Notify: its environment takes about \d+ bytes[^\n]*more than the 4096[^\n]*DESTINATIONS[^\n]*so about \d+ fit/,
    );
  });

  it('counts bytes, not characters: routes of multi-byte tag values that fit in characters do not fit in bytes', () => {
    // Each value within AWS's 256-character tag limit: 2,160 characters, 4,320 bytes.
    const tags = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`team${i}`, 'é'.repeat(240)]));
    const error = synthOrError({
      destinations: { email: { type: 'sns' } },
      routes: [{ match: { tags }, destinations: ['email'] }],
      defaultDestinations: [],
    });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message).toMatch(/StartWatch: its environment takes about \d+ bytes[^\n]*ROUTING[^\n]*match on tags/);
  });

  it('accepts 10 destinations', () => {
    expect(synthOrError(snsEverywhere(Array.from({ length: 10 }, (_, i) => `d${i}`)))).toBeUndefined();
  });
});
