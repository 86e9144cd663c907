/**
 * Blips, end to end through the synthesized state machine: an answer cut short, a reset
 * connection, an answer that never comes, a function that runs out of time. None of them is
 * CloudFront refusing, so none may end a watch as "could not track": the watch slows down or
 * the task is retried, and the team hears "completed" once.
 *
 * Check status gets a 3 s timeout here (Lambda's is 30 s) so that a hang past the CloudFront
 * call's budget costs about a second of real time, not ten.
 */
import { LAMBDA_TIMEOUT_ERRORS } from '../../lambda/shared/errors';
import { StateNames } from '../../lib/watcher';
import { SAMPLE_DISTRIBUTION, SAMPLE_TENANT, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../../local/events';
import type { LocalExecution } from '../../local/local-watcher';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';
import { allStates, checkLoopDefinition } from '../../local/template';

const FUNCTION_TIMEOUT_MS = 3_000;

/** Per invalidation ID: what the next invocations of Check status do before running the handler. */
const checkFaults = new Map<string, (() => Promise<void>)[]>();

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({
    functionTimeoutsMs: { 'check-status': FUNCTION_TIMEOUT_MS },
    beforeInvoke: async (functionDir, input) => {
      // The Express check loop passes the whole watch state, the Standard loops the request.
      type Request = { request?: { invalidationId?: string } };
      const checkInput = input as (Request & { watch?: Request }) | null;
      const id = (checkInput?.watch ?? checkInput)?.request?.invalidationId;
      if (functionDir === 'check-status' && id) await checkFaults.get(id)?.shift()?.();
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

describe('a function that runs out of time', () => {
  it('the Check task retries a function timeout (Sandbox.Timedout) and the watch completes, told once', async () => {
    // Prepare: the first check stalls past the function's timeout, as a stuck cold start would.
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: 'ITIMEDOUT00001' };
    let stalled = 0;
    checkFaults.set(sample.invalidationId, [
      () =>
        new Promise<void>((resolve) => {
          stalled += 1;
          setTimeout(resolve, FUNCTION_TIMEOUT_MS + 1_000).unref();
        }),
    ]);
    const timeoutsBefore = pipeline.functionTimeouts.length;

    // Act
    const execution = await watch(sample);

    // Assert
    expect(stalled).toBe(1);
    expect(pipeline.functionTimeouts.slice(timeoutsBefore)).toEqual(['check-status']);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.invocations[StateNames.check]).toBeGreaterThanOrEqual(3);
    expect(slackFor('ITIMEDOUT00001')).toHaveLength(1);
    expect(slackFor('ITIMEDOUT00001')[0]!.text).not.toMatch(/Could not track/);
  });

  it.each(LAMBDA_TIMEOUT_ERRORS)('the Check task retries %s reported by the runtime', async (errorName) => {
    // Prepare
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: `ITIMEOUT${errorName.replace(/\W/g, '')}`.slice(0, 20) };
    checkFaults.set(sample.invalidationId, [
      () => Promise.reject(Object.assign(new Error(`Task timed out after ${FUNCTION_TIMEOUT_MS / 1000}.00 seconds`), { name: errorName })),
    ]);

    // Act
    const execution = await watch(sample);

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(slackFor(sample.invalidationId)).toHaveLength(1);
  });

  it('the retry is jittered and bounded', () => {
    const states = allStates(checkLoopDefinition(pipeline.template)!.definition);
    const retrier = states[StateNames.check]!.Retry!.find((r) => r.ErrorEquals.includes('Sandbox.Timedout'));
    expect(retrier).toMatchObject({ ErrorEquals: [...LAMBDA_TIMEOUT_ERRORS], JitterStrategy: 'FULL' });
    expect(retrier!.MaxAttempts).toBeGreaterThan(0);
    expect(retrier!.MaxAttempts).toBeLessThanOrEqual(3);
  });
});
