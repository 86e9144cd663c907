/**
 * One configuration of `npm run bench`, in its own process (the handlers read POLL_SCHEDULE
 * at module load): `tsx bench/schedule-worker.ts --config <name>`. Synthesizes the app with
 * that configuration's context, runs the reference mix through the real state machine and
 * handlers in virtual time, and reports the measures to the parent (bench/schedule-bench.ts).
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { StateNames } from '../lib/watcher';
import { startLocalPipeline, type LocalPipeline } from '../local/pipeline';
import type { LocalExecution } from '../local/local-watcher';
import { SAMPLE_DISTRIBUTION, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../local/events';
import type { StartWatchResult } from '../lambda/start-watch/start-watch';
import {
  COMPLETION_TIMES_SECONDS,
  CONFIGS,
  PHASE_OFFSETS_SECONDS,
  isConfigName,
  type ExecutionMeasure,
  type HandlerDurations,
  type WorkerResult,
} from './schedule-configs';
import { mean, reportToParent } from './support';

/** Executions running at once: enough to keep the CPU busy, few enough that calls do not queue. */
const CONCURRENT_EXECUTIONS = 4;

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** What the calibration needs from a finished watch: its request and final state. */
interface FinishedWatch {
  readonly event: unknown;
  readonly execution: LocalExecution;
}

async function main() {
  const flag = process.argv.indexOf('--config');
  const name = flag >= 0 ? process.argv[flag + 1] : undefined;
  if (!isConfigName(name)) throw new Error(`Usage: tsx bench/schedule-worker.ts --config <${Object.keys(CONFIGS).join('|')}>`);
  const config = CONFIGS[name];
  const started = performance.now();
  const pipeline = await startLocalPipeline({ context: config.context, schedule: { checkStyle: config.checkStyle } });

  // Each execution runs in its own virtual time (msPerVirtualSecond is 0), so the mix takes
  // seconds of real time however long the invalidations "take".
  const planned: { completionSeconds: number; offsetSeconds: number; invalidationId: string; event: unknown }[] = [];
  for (const completionSeconds of COMPLETION_TIMES_SECONDS) {
    for (const offsetSeconds of PHASE_OFFSETS_SECONDS) {
      // The fixture's distribution and paths, a distinct invalidation ID (which names the execution).
      const invalidation: SampleInvalidation = {
        ...SAMPLE_DISTRIBUTION,
        invalidationId: `IBENCH${String(planned.length).padStart(3, '0')}`,
      };
      pipeline.cloudFront.add(emulatedInvalidation(invalidation, { completesAtSecond: completionSeconds + offsetSeconds }));
      planned.push({ completionSeconds, offsetSeconds, invalidationId: invalidation.invalidationId, event: cloudTrailEvent(invalidation) });
    }
  }
  // A few executions at a time: the check handler reads the REAL clock (its startedAt is
  // shifted by the virtual time), so real time a call spends queued behind many others leaks
  // into its elapsedSeconds. Virtual time makes running them together unnecessary anyway.
  const executionNames: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < planned.length) {
      const index = next++;
      const { executionName } = (await pipeline.deliver(planned[index]!.event)) as StartWatchResult;
      executionNames[index] = executionName;
      await pipeline.watcher.executions.get(executionName)?.done;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_EXECUTIONS }, lane));

  let clockCheckMaxGapSeconds = 0;
  const finished: FinishedWatch[] = [];
  const executions = planned.map(({ completionSeconds, offsetSeconds, invalidationId, event }, index): ExecutionMeasure => {
    const execution = pipeline.watcher.executions.get(executionNames[index]!);
    if (!execution) throw new Error(`No execution for ${invalidationId}`);
    const completesAtSecond = completionSeconds + offsetSeconds;
    const output = execution.output as { outcome?: string; status?: { status?: string; elapsedSeconds?: number } } | undefined;
    const detected = execution.status === 'SUCCEEDED' && output?.status?.status === 'Completed';
    const gaveUp = execution.error?.name === 'InvalidationStillInProgress';
    if (detected) {
      // Notifying adds no virtual time, so the execution's clock at the end is the time of the
      // check that saw Completed; the check's own elapsedSeconds (rounded) must agree.
      clockCheckMaxGapSeconds = Math.max(
        clockCheckMaxGapSeconds,
        Math.abs(execution.virtualSeconds - (output.status?.elapsedSeconds ?? NaN)),
      );
      finished.push({ event, execution });
    }
    const checkInvocations = execution.invocations[StateNames.check] ?? 0;
    return {
      completionSeconds,
      offsetSeconds,
      completesAtSecond,
      status: execution.status,
      ...(execution.error ? { errorName: execution.error.name } : {}),
      ...(output?.outcome ? { outcome: output.outcome } : {}),
      detected,
      gaveUp,
      ...(detected ? { detectionDelaySeconds: execution.virtualSeconds - completesAtSecond } : {}),
      watchSeconds: execution.virtualSeconds,
      getInvalidationCalls: pipeline.cloudFront.callsFor(invalidationId).length,
      transitions: execution.transitions,
      lambdaInvocations: Object.values(execution.invocations).reduce((sum, count) => sum + count, 0) + 1,
      checkInvocations,
    };
  });

  const durations = await measureDurations(pipeline, finished);
  await pipeline.stop();
  const result: WorkerResult = {
    config: name,
    label: config.label,
    context: config.context,
    executions,
    durations,
    clockCheckMaxGapSeconds,
    realSeconds: (performance.now() - started) / 1000,
  };
  reportToParent(result);
}

/**
 * Mean real duration of each handler, called directly and one at a time (in the run above,
 * executions interleave, which would inflate each call with the others' work). These are the
 * handlers' own CPU and a loopback round trip: an estimate, below what Lambda would bill with
 * a real network between it and CloudFront.
 */
async function measureDurations(pipeline: LocalPipeline, finished: readonly FinishedWatch[]): Promise<HandlerDurations> {
  const sample = finished[0];
  if (!sample) throw new Error('No invalidation was detected; nothing to calibrate the handlers with');
  // The same module instances the pipeline loaded (same path, so the require cache answers).
  const load = (functionDir: string): Handler =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(path.join(__dirname, '..', 'lambda', functionDir, 'handler')) as { handler: Handler }).handler;
  const context = {
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    memoryLimitInMB: '256',
    awsRequestId: 'bench',
    getRemainingTimeInMillis: () => 30_000,
  };
  const time = async (handler: Handler, event: unknown): Promise<number> => {
    const runs = 60;
    const warmUp = 10;
    const samples: number[] = [];
    for (let run = 0; run < runs + warmUp; run++) {
      const start = performance.now();
      // In-progress checks throw on purpose (the Task's Retry catches it); that is a normal call.
      await handler(event, context).catch(() => undefined);
      if (run >= warmUp) samples.push(performance.now() - start);
    }
    return mean(samples);
  };

  // Invalidations no execution watches, so the emulator's clock reads 0 for them: one stays
  // in progress (the common check), one is completed.
  const request = (sample.execution.input as { request: object }).request;
  const checkInput = (invalidationId: string, completesAtSecond: number) => {
    pipeline.cloudFront.add(emulatedInvalidation({ ...SAMPLE_DISTRIBUTION, invalidationId }, { completesAtSecond }));
    return { request: { ...request, invalidationId }, pace: 0, startedAt: new Date().toISOString() };
  };
  const check = load('check-status');

  const notify = load('notify');
  const { delivery: _delivery, ...watch } = sample.execution.output as Record<string, unknown>;
  const notifyMs = mean([await time(notify, { channel: 'sns', watch }), await time(notify, { channel: 'slack', watch })]);

  // Start watch on an event already watched: the full parse and StartExecution round trip,
  // answered ExecutionAlreadyExists, so no new execution starts.
  const startWatchMs = await time(load('start-watch'), sample.event);
  return {
    checkInProgressMs: await time(check, checkInput('ICALIBINPROGRESS', 1)),
    checkCompletedMs: await time(check, checkInput('ICALIBCOMPLETED', 0)),
    notifyMs,
    startWatchMs,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
