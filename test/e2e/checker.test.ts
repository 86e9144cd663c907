/**
 * The account's checker, end to end through the synthesized watcher (waiting on its task
 * token), the tick queue and its event source mapping, the watchdog's schedule and DynamoDB, in
 * virtual time: a token it never answers, watches sharing its ticks, a duplicate event.
 */
import { SAMPLE_DISTRIBUTION, SAMPLE_TENANT, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../../local/events';
import type { LocalExecution } from '../../local/local-watcher';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';
import { TOKEN_GRACE, WatcherFailures } from '../../lib/watcher';

const MAX_WAIT_SECONDS = 300;

/** While true, every checker invocation fed by the queue or the watchdog fails: the checker never answers a token. */
let checkerDown = false;
/** Checker invocations fed by the tick queue. */
let ticks = 0;
/** Register watch invocations, by invalidation ID. */
const registrations: string[] = [];
/** Runs at the start of the next tick (once). */
let onNextTick: (() => Promise<void>) | undefined;

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({
    schedule: { maxWaitSeconds: MAX_WAIT_SECONDS },
    beforeInvoke: async (functionDir, input) => {
      if (functionDir === 'register-watch') {
        registrations.push((input as { request: { invalidationId: string } }).request.invalidationId);
      }
      if (functionDir !== 'checker' || !input || typeof input !== 'object') return;
      const fromClock = 'Records' in input || 'watchdog' in input;
      if (fromClock && checkerDown) throw Object.assign(new Error('the checker is down'), { name: 'Error' });
      if ('Records' in input) {
        ticks += 1;
        const run = onNextTick;
        onNextTick = undefined;
        await run?.();
      }
    },
  });
});
afterAll(() => pipeline.stop());
afterEach(() => {
  checkerDown = false;
});

const executionFor = (invalidationId: string): LocalExecution =>
  [...pipeline.watcher.executions.values()].find((e) => e.name.includes(invalidationId))!;
const slackFor = (id: string) => pipeline.slack.messages.filter((m) => m.text.includes(id));

describe('a token the checker never answers', () => {
  it('ends at the maximum wait plus the grace with the final check: completed meanwhile -> "completed", else "still in progress", each told once', async () => {
    // Prepare
    checkerDown = true;
    const completed: SampleInvalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'INEVERANSWERED1' };
    const stillGoing: SampleInvalidation = { ...SAMPLE_TENANT, invalidationId: 'INEVERANSWERED2' };
    pipeline.cloudFront.add(emulatedInvalidation(completed, { completesAtSecond: 60 }));
    pipeline.cloudFront.add(emulatedInvalidation(stillGoing, { completesAtSecond: 24 * 3600 }));

    // Act
    await Promise.all([pipeline.deliver(cloudTrailEvent(completed)), pipeline.deliver(cloudTrailEvent(stillGoing))]);
    await pipeline.idle();

    // Assert
    for (const sample of [completed, stillGoing]) {
      const execution = executionFor(sample.invalidationId);
      expect(execution.invocations).toMatchObject({ 'Watch until completed': 1, 'Final check': 1 });
      // Only the final check asked CloudFront: the checker's ticks all failed.
      expect(pipeline.cloudFront.callsFor(sample.invalidationId)).toHaveLength(1);
      expect(execution.virtualSeconds).toBeGreaterThanOrEqual(MAX_WAIT_SECONDS + TOKEN_GRACE.toSeconds());
      expect(execution.virtualSeconds).toBeLessThan(MAX_WAIT_SECONDS + TOKEN_GRACE.toSeconds() + 60);
    }
    const [done, ...moreDone] = slackFor(completed.invalidationId);
    expect(moreDone).toEqual([]);
    expect(done!.text).toMatch(/completed/i);
    expect(done!.text).not.toMatch(/still in progress/i);
    expect(executionFor(completed.invalidationId).status).toBe('SUCCEEDED');
    // "Still in progress" ends the execution failed, by name, after the team was told.
    expect(executionFor(stillGoing.invalidationId)).toMatchObject({ status: 'FAILED', error: { name: WatcherFailures.stillInProgress } });
    const [going, ...moreGoing] = slackFor(stillGoing.invalidationId);
    expect(moreGoing).toEqual([]);
    expect(going!.text).toMatch(/still in progress/i);
  });
});

it('two invalidations of one distribution and a tenant at once: all completed, each told once, the ticks shared', async () => {
  // Prepare
  const samples: SampleInvalidation[] = [
    { ...SAMPLE_DISTRIBUTION, invalidationId: 'ISHARED00000001' },
    { ...SAMPLE_DISTRIBUTION, invalidationId: 'ISHARED00000002' },
    { ...SAMPLE_TENANT, invalidationId: 'ISHARED00000003' },
  ];
  for (const sample of samples) pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 3 }));
  const ticksBefore = ticks;

  // Act
  await Promise.all(samples.map((sample) => pipeline.deliver(cloudTrailEvent(sample))));
  await pipeline.idle();

  // Assert
  for (const sample of samples) {
    expect(executionFor(sample.invalidationId).status).toBe('SUCCEEDED');
    const [message, ...more] = slackFor(sample.invalidationId);
    expect(more).toEqual([]);
    expect(message!.text).toMatch(/completed/i);
  }
  const checksEach = samples.map((sample) => pipeline.cloudFront.callsFor(sample.invalidationId).length);
  expect(checksEach).toEqual([4, 4, 4]);
  const ticksTaken = ticks - ticksBefore;
  // Alone, each watch would take a tick per check; together they share them.
  expect(ticksTaken).toBeLessThan(checksEach.reduce((sum, n) => sum + n, 0));
  expect(ticksTaken).toBeLessThanOrEqual(Math.max(...checksEach) + 1);
});

it('a duplicate CloudTrail event delivered while the watch is in flight: one execution, one registration, one message', async () => {
  // Prepare: the duplicate arrives at the checker's first tick, the watch registered and waiting on its token.
  const sample: SampleInvalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IDUPINFLIGHT001' };
  pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 2 }));
  const event = cloudTrailEvent(sample);
  let duplicate: unknown;
  onNextTick = async () => {
    expect(executionFor(sample.invalidationId).status).toBe('RUNNING');
    duplicate = await pipeline.deliver(event);
  };

  // Act
  const first = await pipeline.deliver(event);
  await pipeline.idle();

  // Assert
  expect(duplicate).toBeDefined();
  expect(duplicate).toEqual(first);
  expect([...pipeline.watcher.executions.keys()].filter((name) => name.includes(sample.invalidationId))).toHaveLength(1);
  expect(registrations.filter((id) => id === sample.invalidationId)).toHaveLength(1);
  expect(slackFor(sample.invalidationId)).toHaveLength(1);
});
