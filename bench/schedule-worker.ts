/**
 * One configuration of `npm run bench`, in its own process (the handlers read POLL_SCHEDULE
 * at module load): `tsx bench/schedule-worker.ts --config <name>`. Synthesizes the app, puts
 * the configuration's design in its watcher (bench/comparison-designs.ts; the product as is),
 * runs the reference mix through the state machines (the Standard watcher and, for the Express
 * loop, its nested runs) and handlers in virtual time, and reports the measures to the parent
 * (bench/schedule-bench.ts).
 */
import { CheckLoopStateNames } from '../lib/check-loop';
import { performance } from 'node:perf_hooks';
import { FUNCTION_DIR_METADATA } from '../lib/notifier-function';
import { LOCAL_SLACK_SECRET_NAME, startLocalPipeline, synthTemplate } from '../local/pipeline';
import { allStates, checkLoopDefinition, localFunctions, watcherDefinition } from '../local/template';
import { SAMPLE_DISTRIBUTION, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../local/events';
import type { StartWatchResult } from '../lambda/start-watch/start-watch';
import {
  COMPLETION_TIMES_SECONDS,
  CONFIGS,
  PHASE_OFFSETS_SECONDS,
  isConfigName,
  type ExecutionMeasure,
  type WorkerResult,
} from './schedule-configs';
import { RETRY_CHECK_FUNCTION_ARN, RETRY_CHECK_PRICED_AS, SDK_GET_INVALIDATION, designHandlers, templateFor } from './comparison-designs';
import { reportToParent } from './support';

/** Executions running at once: enough to keep the CPU busy, few enough that calls do not queue. */
const CONCURRENT_EXECUTIONS = 4;

async function main() {
  const flag = process.argv.indexOf('--config');
  const name = flag >= 0 ? process.argv[flag + 1] : undefined;
  if (!isConfigName(name)) throw new Error(`Usage: tsx bench/schedule-worker.ts --config <${Object.keys(CONFIGS).join('|')}>`);
  const config = CONFIGS[name];
  const started = performance.now();
  // The app's simple setup, an SNS topic and a Slack webhook: two notifications per watch, the same in every configuration.
  const template = templateFor(config.design, synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false));
  const pipeline = await startLocalPipeline({ template, taskHandlers: designHandlers(config.design) });

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

  // Which function each Task state calls, and each function's memory, from the template.
  const functions = localFunctions(pipeline.template, FUNCTION_DIR_METADATA);
  const functionDirByArn = new Map([
    ...functions.map((fn) => [fn.arn, fn.functionDir] as const),
    [RETRY_CHECK_FUNCTION_ARN, RETRY_CHECK_PRICED_AS],
  ]);
  const loop = checkLoopDefinition(pipeline.template);
  const states = { ...allStates(watcherDefinition(pipeline.template).definition), ...(loop ? allStates(loop.definition) : {}) };
  const functionMemoryMb = Object.fromEntries(
    functions.map((fn) => [fn.functionDir, Number(pipeline.template.Resources[fn.logicalId]?.Properties?.MemorySize ?? 128)]),
  );
  const isSdkCall = (stateName: string) => states[stateName]?.Resource === SDK_GET_INVALIDATION;
  const lambdaCalls = (invocations: Record<string, number>) => {
    const calls: Record<string, number> = { 'start-watch': 1 };
    for (const [stateName, count] of Object.entries(invocations)) {
      if (isSdkCall(stateName)) continue;
      const dir = functionDirByArn.get(states[stateName]?.Resource ?? '') ?? `unknown:${stateName}`;
      calls[dir] = (calls[dir] ?? 0) + count;
    }
    return calls;
  };
  /** Every check: the check function's Task, or each of the waiter's SDK-integration Tasks. */
  const checksOf = (invocations: Record<string, number>) =>
    Object.entries(invocations)
      .filter(([stateName]) => stateName === CheckLoopStateNames.check || isSdkCall(stateName))
      .reduce((sum, [, count]) => sum + count, 0);

  let clockCheckMaxGapSeconds = 0;
  const executions = planned.map(({ completionSeconds, offsetSeconds, invalidationId }, index): ExecutionMeasure => {
    const execution = pipeline.watcher.executions.get(executionNames[index]!);
    if (!execution) throw new Error(`No execution for ${invalidationId}`);
    const completesAtSecond = completionSeconds + offsetSeconds;
    const output = execution.output as { status?: { status?: string; elapsedSeconds?: number } } | undefined;
    const detected = execution.status === 'SUCCEEDED' && output?.status?.status === 'Completed';
    const gaveUp = execution.error?.name === 'InvalidationStillInProgress';
    const checkedSeconds = output?.status?.elapsedSeconds;
    if (detected && checkedSeconds !== undefined) {
      // Notifying adds no virtual time, so the execution's clock at the end is the time of the
      // check that saw Completed; the check's own elapsedSeconds (rounded) must agree. (The
      // waiter's answer comes from the API, without one.)
      clockCheckMaxGapSeconds = Math.max(clockCheckMaxGapSeconds, Math.abs(execution.virtualSeconds - checkedSeconds));
    }
    return {
      completionSeconds,
      offsetSeconds,
      completesAtSecond,
      status: execution.status,
      ...(execution.error ? { errorName: execution.error.name } : {}),
      detected,
      gaveUp,
      ...(detected ? { detectionDelaySeconds: execution.virtualSeconds - completesAtSecond } : {}),
      watchSeconds: execution.virtualSeconds,
      getInvalidationCalls: pipeline.cloudFront.callsFor(invalidationId).length,
      standardTransitions: execution.transitions,
      expressRuns: execution.runs.map((run) => ({ seconds: run.virtualSeconds, checks: run.invocations[CheckLoopStateNames.check] ?? 0 })),
      lambdaCalls: lambdaCalls(execution.invocations),
      sdkIntegrationCalls: Object.entries(execution.invocations)
        .filter(([stateName]) => isSdkCall(stateName))
        .reduce((sum, [, count]) => sum + count, 0),
      checkInvocations: checksOf(execution.invocations),
    };
  });
  await pipeline.stop();
  const result: WorkerResult = {
    config: name,
    functionMemoryMb,
    executions,
    clockCheckMaxGapSeconds,
    realSeconds: (performance.now() - started) / 1000,
  };
  reportToParent(result);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
