/**
 * End to end, offline: CloudTrail events cut for size (a batch of thousands of long paths), from
 * the real Start watch handler through the synthesized state machine, the real Check status and
 * Notify handlers, CloudFront (List calls included) and Slack on loopback servers.
 *
 * The cases share one emulated account, so each lives at its own time, an hour apart: the
 * windows in which a cut event's invalidation is looked for never overlap.
 */
import cutDistributionFixture from '../../local/fixtures/create-invalidation-cut.json';
import cutTenantFixture from '../../local/fixtures/create-invalidation-for-tenant-cut.json';
import requestCutFixture from '../../local/fixtures/create-invalidation-request-cut.json';
import { WatcherFailures } from '../../lib/watcher';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline();
});
afterAll(() => pipeline.stop());

const HOUR = 3600;
/** A cut event from a fixture, made `secondsAgo` seconds ago. */
function cutEvent(fixture: object, eventId: string, secondsAgo: number): Record<string, unknown> {
  const event = structuredClone(fixture) as { id: string; detail: { eventID: string; eventTime: string } };
  event.id = `${eventId}-eb`;
  event.detail.eventID = eventId;
  event.detail.eventTime = new Date(Date.now() - secondsAgo * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return event;
}
const slackMessagesWith = (text: string) => pipeline.slack.messages.filter((message) => JSON.stringify(message).includes(text));
const paths = Array.from({ length: 3000 }, (_, i) => `/assets/build-2026-11-21/chunk-${String(i).padStart(5, '0')}-abcdef.js`);

describe('a distribution event with requestParameters and responseElements both cut', () => {
  beforeAll(async () => {
    pipeline.cloudFront.add({
      kind: 'distribution',
      targetId: 'ECUTBOTH000001',
      invalidationId: 'ICUTBOTH000001',
      paths,
      createdSecondsBeforeWatch: 1 * HOUR + 2,
      inProgressChecks: 2,
    });
    // Another distribution's invalidation of the same hour, outside the window.
    pipeline.cloudFront.add({
      kind: 'distribution',
      targetId: 'ECUTOTHER00001',
      invalidationId: 'ICUTOTHER00001',
      paths: ['/x'],
      createdSecondsBeforeWatch: 1 * HOUR + 300,
    });
    await pipeline.deliver(cutEvent(cutDistributionFixture, 'evt-cut-both', 1 * HOUR));
    await pipeline.idle();
  });

  it('is found by listing, watched until Completed, under its own name', () => {
    const execution = pipeline.watcher.executions.get('ECUTBOTH000001-ICUTBOTH000001')!;
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ outcome: 'completed' });
    expect(pipeline.cloudFront.lookups.map((lookup) => lookup.operation)).toEqual(
      expect.arrayContaining(['ListDistributions', 'ListInvalidations']),
    );
  });

  it('tells Slack once, saying the event was cut and how the invalidation was found, with the path count from CloudFront', () => {
    const [message, ...others] = slackMessagesWith('ICUTBOTH000001');
    expect(others).toHaveLength(0);
    const text = JSON.stringify(message);
    expect(text).toContain('Found by');
    expect(text).toContain(
      'the CloudTrail event was cut (too large); found invalidation ICUTBOTH000001 of distribution ECUTBOTH000001 created at',
    );
    expect(text).toContain('3000');
  });
});

describe('a tenant event with both fields cut', () => {
  beforeAll(async () => {
    pipeline.cloudFront.add({
      kind: 'tenant',
      targetId: 'dt_cutTenant000000000000001',
      invalidationId: 'ICUTTENANT0001',
      paths,
      createdSecondsBeforeWatch: 2 * HOUR + 1,
    });
    await pipeline.deliver(cutEvent(cutTenantFixture, 'evt-cut-tenant', 2 * HOUR));
    await pipeline.idle();
  });

  it('is found among the tenants with the tenant calls and watched', () => {
    expect(pipeline.watcher.executions.get('dt_cutTenant000000000000001-ICUTTENANT0001')?.status).toBe('SUCCEEDED');
    expect(pipeline.cloudFront.lookups.map((lookup) => lookup.operation)).toEqual(
      expect.arrayContaining(['ListDistributionTenants', 'ListInvalidationsForDistributionTenant']),
    );
    expect(JSON.stringify(slackMessagesWith('ICUTTENANT0001'))).toContain('found invalidation ICUTTENANT0001 of distribution tenant');
  });
});

describe('a distribution event with requestParameters alone cut', () => {
  const listed = () => pipeline.cloudFront.lookups.filter((lookup) => lookup.operation.startsWith('ListInvalidations')).length;
  let listedBefore = 0;
  beforeAll(async () => {
    listedBefore = listed();
    // The fixture's responseElements still names E2QWRUHAPOMQZL / I2J0I21PCUYOIK.
    pipeline.cloudFront.add({
      kind: 'distribution',
      targetId: 'E2QWRUHAPOMQZL',
      invalidationId: 'I2J0I21PCUYOIK',
      paths,
      inProgressChecks: 1,
    });
    await pipeline.deliver(cutEvent(requestCutFixture, 'evt-cut-request', 3 * HOUR));
    await pipeline.idle();
  });

  it('is watched as usual from the IDs in responseElements, without listing anything', () => {
    expect(pipeline.watcher.executions.get('E2QWRUHAPOMQZL-I2J0I21PCUYOIK')?.status).toBe('SUCCEEDED');
    const [message, ...others] = slackMessagesWith('I2J0I21PCUYOIK');
    expect(others).toHaveLength(0);
    expect(JSON.stringify(message)).not.toContain('Found by');
    expect(listed()).toBe(listedBefore);
  });
});

describe('a cut event with two invalidations created within the window', () => {
  beforeAll(async () => {
    for (const [targetId, invalidationId, seconds] of [
      ['ECUTTWO0000001', 'ICUTTWOA000001', 4 * HOUR + 3],
      ['ECUTTWO0000002', 'ICUTTWOB000001', 4 * HOUR - 4],
    ] as const) {
      pipeline.cloudFront.add({ kind: 'distribution', targetId, invalidationId, paths: ['/a'], createdSecondsBeforeWatch: seconds });
    }
    await pipeline.deliver(cutEvent(cutDistributionFixture, 'evt-cut-two', 4 * HOUR));
    await pipeline.idle();
  });

  it('watches neither, and ends in one "could not track" naming both', () => {
    const execution = pipeline.watcher.executions.get('rejected-evt-cut-two')!;
    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe(WatcherFailures.couldNotTrack);
    expect(pipeline.watcher.executions.has('ECUTTWO0000001-ICUTTWOA000001')).toBe(false);
    expect(pipeline.watcher.executions.has('ECUTTWO0000002-ICUTTWOB000001')).toBe(false);
    const messages = slackMessagesWith('ICUTTWOA000001');
    expect(messages).toHaveLength(1);
    const text = JSON.stringify(messages[0]);
    expect(text).toMatch(/Could not track/);
    expect(text).toContain('ICUTTWOA000001 of distribution ECUTTWO0000001');
    expect(text).toContain('ICUTTWOB000001 of distribution ECUTTWO0000002');
    expect(text).toContain('none is watched');
  });
});

describe('a cut event whose invalidation cannot be found', () => {
  beforeAll(async () => {
    await pipeline.deliver(cutEvent(cutDistributionFixture, 'evt-cut-none', 5 * HOUR));
    await pipeline.idle();
  });

  it('ends in one "could not track" saying nothing was created at its time', () => {
    const execution = pipeline.watcher.executions.get('rejected-evt-cut-none')!;
    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe(WatcherFailures.couldNotTrack);
    const messages = pipeline.slack.messages.filter((message) => JSON.stringify(message).includes('was created within 30 s'));
    expect(messages).toHaveLength(1);
    expect(JSON.stringify(messages[0])).toMatch(
      /the CloudTrail event was cut \(too large: CloudTrail omitted requestParameters and responseElements\)/,
    );
    expect(JSON.stringify(messages[0])).toMatch(/no invalidation of the account's \d+ distributions was created within 30 s/);
  });
});
