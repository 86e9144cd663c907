/**
 * Blips, end to end through the synthesized state machine: an answer cut short, a reset
 * connection, an answer that never comes, a function that runs out of time. None of them is
 * CloudFront refusing, so none may end a watch as "could not track": the watch slows down or
 * the task is retried, and the team hears "completed" once.
 *
 * The checker gets a 3 s timeout here (Lambda's is 20 s) so that a hang past the CloudFront
 * call's budget costs about a second of real time, not ten.
 */
import { LAMBDA_TIMEOUT_ERRORS } from '../../lambda/shared/errors';
import { SAMPLE_DISTRIBUTION, SAMPLE_TENANT, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../../local/events';
import type { LocalExecution } from '../../local/local-watcher';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

/**
 * The checker's (real) timeout here: short, so a stalled tick is quick to test, yet far above a
 * tick's time alone (tens of ms), so a tick slowed by the whole suite on two cores does not time
 * out by accident (with 3 s, a watch of this file failed once beside the burst test).
 */
const FUNCTION_TIMEOUT_MS = 6_000;

/** What the next ticks of the checker do before running the handler (one watch at a time in this file). */
const tickFaults: (() => Promise<void>)[] = [];

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({
    functionTimeoutsMs: { checker: FUNCTION_TIMEOUT_MS },
    beforeInvoke: async (functionDir, input) => {
      if (functionDir === 'checker' && input && typeof input === 'object' && 'Records' in input) await tickFaults.shift()?.();
    },
  });
});
afterAll(() => pipeline.stop());

async function watch(sample: SampleInvalidation): Promise<LocalExecution> {
  pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 1 }));
  await pipeline.deliver(cloudTrailEvent(sample));
  await pipeline.idle();
  return [...pipeline.watcher.executions.values()].find((e) => e.name.includes(sample.invalidationId))!;
}
const slackFor = (id: string) => pipeline.slack.messages.filter((m) => m.text.includes(id));
const snsFor = (id: string) => pipeline.aws.published.filter((p) => p.subject?.includes(id) || p.message.includes(id));

describe('CloudFront blips', () => {
  it('a truncated 200, a reset connection and a hang past the call budget slow the watch down; it completes, told once', async () => {
    // Prepare
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IBLIPS0000001' };
    pipeline.cloudFront.forceNext({ blip: 'truncated' }, { blip: 'truncated-xml' }, { blip: 'reset' }, { blip: 'hang' });

    // Act
    const execution = await watch(sample);

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(pipeline.cloudFront.callsFor('IBLIPS0000001').map((c) => c.answer)).toEqual([
      'truncated',
      'truncated-xml',
      'reset',
      'hang',
      'InProgress',
      'Completed',
    ]);
    // The hang ended inside the function (a failed call), not by running out of time.
    expect(pipeline.functionTimeouts).toEqual([]);
    const [message, ...more] = slackFor('IBLIPS0000001');
    expect(more).toHaveLength(0);
    expect(message!.text).toMatch(/completed/i);
    expect(message!.text).not.toMatch(/Could not track/);
    expect(snsFor('IBLIPS0000001')).toHaveLength(1);
  });

  it('a tenant watch survives the same blips', async () => {
    // Prepare
    const sample = { ...SAMPLE_TENANT, invalidationId: 'IBLIPSTENANT01' };
    pipeline.cloudFront.forceNext({ blip: 'reset' }, { blip: 'truncated' });

    // Act
    const execution = await watch(sample);

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(slackFor('IBLIPSTENANT01')).toHaveLength(1);
  });
});

describe('a checker that runs out of time or fails', () => {
  const stall = (count: { stalled: number; over?: Promise<void> }) => () => {
    count.stalled += 1;
    count.over = new Promise<void>((resolve) => setTimeout(resolve, FUNCTION_TIMEOUT_MS + 1_000).unref());
    return count.over;
  };

  it('a tick that runs out of time (Sandbox.Timedout) is delivered again: the watch completes, told once', async () => {
    // Prepare: the first tick stalls past the function's timeout, as a stuck cold start would.
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: 'ITIMEDOUT00001' };
    const count: { stalled: number; over?: Promise<void> } = { stalled: 0 };
    tickFaults.push(stall(count));
    const timeoutsBefore = pipeline.functionTimeouts.length;

    // Act
    const execution = await watch(sample);

    // Assert
    expect(count.stalled).toBe(1);
    expect(pipeline.functionTimeouts.slice(timeoutsBefore)).toEqual(['checker']);
    expect(execution.status).toBe('SUCCEEDED');
    expect(pipeline.queues.counters.messagesRedelivered).toBeGreaterThanOrEqual(1);
    expect(slackFor('ITIMEDOUT00001')).toHaveLength(1);
    expect(slackFor('ITIMEDOUT00001')[0]!.text).not.toMatch(/Could not track/);

    // And the timed-out invocation stays dead, as Lambda's frozen sandbox does: when its stall
    // ends, its handler does not run on with the old tick (a second chain that once broke the next tests).
    const requestsBefore = pipeline.dynamoDb.consumed.total.requests;
    const checksBefore = pipeline.cloudFront.calls.length;
    await count.over;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pipeline.dynamoDb.consumed.total.requests).toBe(requestsBefore);
    expect(pipeline.cloudFront.calls.length).toBe(checksBefore);
  });

  it.each(LAMBDA_TIMEOUT_ERRORS)('a tick failing with %s reported by the runtime is delivered again', async (errorName) => {
    // Prepare
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: `ITIMEOUT${errorName.replace(/\W/g, '')}`.slice(0, 20) };
    tickFaults.push(() =>
      Promise.reject(Object.assign(new Error(`Task timed out after ${FUNCTION_TIMEOUT_MS / 1000}.00 seconds`), { name: errorName })),
    );

    // Act
    const execution = await watch(sample);

    // Assert (the error first: what went wrong, if anything did)
    expect(execution.error).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    expect(slackFor(sample.invalidationId)).toHaveLength(1);
  });

  it('a tick that fails at every delivery goes to the dead-letter queue; the watchdog starts a new chain and the watch completes, told once', async () => {
    // Prepare: every delivery of the first tick fails, so the chain dies with it.
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: 'ICHAINDIED0001' };
    for (let i = 0; i < 5; i++) tickFaults.push(() => Promise.reject(Object.assign(new Error('boom'), { name: 'Error' })));

    // Act
    const execution = await watch(sample);

    // Assert
    expect(tickFaults).toHaveLength(0);
    expect(pipeline.queues.counters.messagesDeadLettered).toBe(1);
    expect(execution.error).toBeUndefined();
    expect(execution.status).toBe('SUCCEEDED');
    expect(slackFor('ICHAINDIED0001')).toHaveLength(1);
    // Late, not lost: five deliveries 30 s apart, then the watchdog's next minute.
    expect(execution.virtualSeconds).toBeGreaterThan(120);
  });
});
