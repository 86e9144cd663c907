/**
 * `npm run bench`: how quickly and how cheaply the notifier's default poll schedule notices
 * a completed invalidation, compared with the AWS CLI waiter's schedule (every 20 s, giving
 * up at 10 minutes) written as the classic Step Functions job poller.
 *
 * Each configuration runs in its own process (bench/schedule-worker.ts): the handlers read
 * POLL_SCHEDULE at module load, so one process can run one synthesized configuration only.
 * The workers run one after the other so that the handler durations they measure are not
 * inflated by each other's CPU use.
 */
import { performance } from 'node:perf_hooks';
import {
  COMPLETION_TIMES_SECONDS,
  CONFIGS,
  PHASE_OFFSETS_SECONDS,
  type ConfigName,
  type ExecutionMeasure,
  type HandlerDurations,
  type WorkerResult,
} from './schedule-configs';
import { PRICES, fixed, max, mean, runWorker, table, treeState, writeResult } from './support';

/** A duration assumed for the sensitivity line: a check waiting on a real CloudFront round trip. */
const ASSUMED_REAL_INVOCATION_MS = 100;

/**
 * Lambda milliseconds billed for one execution (plus its Start watch call): each invocation
 * at its function's measured mean, rounded up to the whole millisecond as Lambda bills.
 */
function billedLambdaMs(execution: ExecutionMeasure, durations: HandlerDurations): number {
  const completedChecks = execution.detected ? 1 : 0;
  const notifyInvocations = execution.lambdaInvocations - execution.checkInvocations - 1;
  return (
    (execution.checkInvocations - completedChecks) * Math.ceil(durations.checkInProgressMs) +
    completedChecks * Math.ceil(durations.checkCompletedMs) +
    notifyInvocations * Math.ceil(durations.notifyMs) +
    Math.ceil(durations.startWatchMs)
  );
}

const costPerThousand = (transitions: number, invocations: number, lambdaMs: number) =>
  1000 * (transitions * PRICES.perTransition + invocations * PRICES.perLambdaRequest + lambdaMs * PRICES.perLambdaMs256);

function summarize(result: WorkerResult) {
  const { executions, durations } = result;
  const detected = executions.filter((execution) => execution.detected);
  const delays = detected.map((execution) => execution.detectionDelaySeconds!);
  const transitions = mean(executions.map((execution) => execution.transitions));
  const invocations = mean(executions.map((execution) => execution.lambdaInvocations));
  return {
    config: result.config,
    label: result.label,
    context: result.context,
    invalidations: executions.length,
    detected: detected.length,
    gaveUp: executions.filter((execution) => execution.gaveUp).length,
    /** Ended any other way than detected or gave up (expected 0). */
    otherEndings: executions.filter((execution) => !execution.detected && !execution.gaveUp).length,
    meanDetectionDelaySeconds: mean(delays),
    maxDetectionDelaySeconds: max(delays),
    getInvalidationCallsPerInvalidation: mean(executions.map((execution) => execution.getInvalidationCalls)),
    transitionsPerInvalidation: transitions,
    lambdaInvocationsPerInvalidation: invocations,
    measuredHandlerMs: durations,
    costPer1000InvalidationsUsd: costPerThousand(
      transitions,
      invocations,
      mean(executions.map((execution) => billedLambdaMs(execution, durations))),
    ),
    costPer1000InvalidationsAt100msUsd: costPerThousand(transitions, invocations, invocations * ASSUMED_REAL_INVOCATION_MS),
    clockCheckMaxGapSeconds: result.clockCheckMaxGapSeconds,
    workerRealSeconds: result.realSeconds,
  };
}

function byCompletionTime(result: WorkerResult) {
  return COMPLETION_TIMES_SECONDS.map((completionSeconds) => {
    const runs = result.executions.filter((execution) => execution.completionSeconds === completionSeconds);
    const detected = runs.filter((execution) => execution.detected);
    return {
      completionSeconds,
      detected: detected.length,
      total: runs.length,
      meanDetectionDelaySeconds: mean(detected.map((execution) => execution.detectionDelaySeconds!)),
      transitionsPerInvalidation: mean(runs.map((execution) => execution.transitions)),
    };
  });
}

const key = (execution: ExecutionMeasure) => `${execution.completionSeconds}+${execution.offsetSeconds}`;

const minutes = (seconds: number) => (seconds < 60 ? `${seconds} s` : `${seconds / 60} min`);

async function main() {
  const started = performance.now();
  const results: WorkerResult[] = [];
  for (const config of Object.keys(CONFIGS) as ConfigName[]) {
    process.stderr.write(`running ${CONFIGS[config].label} ...\n`);
    results.push(await runWorker<WorkerResult>('schedule-worker.ts', ['--config', config]));
  }
  const [notifier, waiter] = [results[0]!, results[1]!];
  const summaries = results.map(summarize);

  console.log('Poll schedule benchmark: the synthesized state machine and the real handlers, run locally in virtual time.');
  console.log(
    `Mix: invalidations completing ${COMPLETION_TIMES_SECONDS.map(minutes).join(', ')} after the watch starts, each at ` +
      `${PHASE_OFFSETS_SECONDS.length} phases (+${PHASE_OFFSETS_SECONDS[0]}, +${PHASE_OFFSETS_SECONDS[1]}, ... +${PHASE_OFFSETS_SECONDS.at(-1)} s: ` +
      `the midpoints of equal steps across one 20 s period, so that no completion lines up with a check of either grid): ` +
      `${notifier.executions.length} invalidations per configuration, one execution each.`,
  );
  console.log('Detection delay = virtual time of the check that saw Completed minus the completion time.\n');
  console.log(
    table(
      ['configuration', 'mean delay s', 'max delay s', 'detected', 'gave up', 'Get calls', 'transitions', 'Lambda calls', '$ / 1,000'],
      summaries.map((s) => [
        s.label,
        fixed(s.meanDetectionDelaySeconds),
        fixed(s.maxDetectionDelaySeconds),
        `${s.detected}/${s.invalidations}`,
        String(s.gaveUp),
        fixed(s.getInvalidationCallsPerInvalidation),
        fixed(s.transitionsPerInvalidation),
        fixed(s.lambdaInvocationsPerInvalidation),
        fixed(s.costPer1000InvalidationsUsd, 3),
      ]),
    ),
  );
  for (const s of summaries.filter((summary) => summary.otherEndings > 0)) {
    console.log(
      `WARNING: ${s.label}: ${s.otherEndings} executions neither detected completion nor gave up (see bench/results/schedule.json).`,
    );
  }

  const waiterByKey = new Map(waiter.executions.map((execution) => [key(execution), execution]));
  const bothDetected = notifier.executions.filter((execution) => execution.detected && waiterByKey.get(key(execution))?.detected);
  const delayRatio =
    mean(bothDetected.map((execution) => execution.detectionDelaySeconds!)) /
    mean(bothDetected.map((execution) => waiterByKey.get(key(execution))!.detectionDelaySeconds!));
  const transitionRatio = summaries[0]!.transitionsPerInvalidation / summaries[1]!.transitionsPerInvalidation;
  const transitionRatioBothDetected =
    mean(bothDetected.map((execution) => execution.transitions)) /
    mean(bothDetected.map((execution) => waiterByKey.get(key(execution))!.transitions));
  console.log(`\nNotifier default (a) vs AWS CLI waiter as a wait loop (b); < 1 means the notifier is better:`);
  console.log(
    `  mean detection delay ratio:            ${fixed(delayRatio, 2)}  (over the ${bothDetected.length} invalidations both detected; b gives up at 10 min)`,
  );
  console.log(
    `  state transitions per invalidation:    ${fixed(transitionRatio, 2)}  (over the whole mix: a keeps watching past 10 min where b gives up)`,
  );
  console.log(`  same, over the invalidations both detected: ${fixed(transitionRatioBothDetected, 2)}`);

  const rowsA = byCompletionTime(notifier);
  const rowsB = byCompletionTime(waiter);
  console.log('\nBy completion time (means over the phases; delay over the detected ones):');
  console.log(
    table(
      ['completes after', 'a delay s', 'a transitions', 'b delay s', 'b detected', 'b transitions'],
      rowsA.map((a, index) => {
        const b = rowsB[index]!;
        return [
          minutes(a.completionSeconds),
          fixed(a.meanDetectionDelaySeconds),
          fixed(a.transitionsPerInvalidation),
          fixed(b.meanDetectionDelaySeconds),
          `${b.detected}/${b.total}`,
          fixed(b.transitionsPerInvalidation),
        ];
      }),
    ),
  );

  const d = notifier.durations;
  console.log('\nNotes:');
  console.log(
    `- Transitions count every state entered plus every Retry attempt, for the whole execution (start, checks, notify states), ` +
      `as Step Functions bills them. Lambda calls include the Start watch invocation. GetInvalidation calls are free.`,
  );
  console.log(
    `- $ / 1,000 invalidations = transitions x $0.000025 + Lambda requests x $0.0000002 + Lambda ms x $0.0000000034 (arm64, 256 MB). ` +
      `The ms are an ESTIMATE: each handler's mean real duration called in-process against the loopback emulators ` +
      `(a: check ${fixed(d.checkInProgressMs, 2)} ms in progress / ${fixed(d.checkCompletedMs, 2)} ms completed, notify ${fixed(d.notifyMs, 2)} ms, ` +
      `start watch ${fixed(d.startWatchMs, 2)} ms), rounded up per call. In AWS each call also waits on the network; at an assumed ` +
      `${ASSUMED_REAL_INVOCATION_MS} ms per call the costs would be ${summaries.map((s) => `${s.label.slice(0, 2)} $${fixed(s.costPer1000InvalidationsAt100msUsd, 3)}`).join(', ')}: transitions dominate either way.`,
  );
  console.log(
    `- b checks at 0, 20, ..., 600 s (31 checks) and gives up at 600 s; the CLI waiter itself makes 30 checks (0 ... 580 s), ` +
      `so b is, if anything, slightly kinder to the waiter.`,
  );
  console.log(
    `- Detection time is the execution's virtual clock at its end: notifying adds no waiting. Verified against the ` +
      `detecting check's own elapsedSeconds (rounded to whole seconds): largest gap ${results.map((r) => fixed(r.clockCheckMaxGapSeconds, 2)).join(' / ')} s (a / b / c).`,
  );

  const file = writeResult('schedule', {
    generatedAt: new Date().toISOString(),
    node: process.version,
    tree: treeState(),
    completionTimesSeconds: COMPLETION_TIMES_SECONDS,
    phaseOffsetsSeconds: PHASE_OFFSETS_SECONDS,
    prices: PRICES,
    assumedRealInvocationMs: ASSUMED_REAL_INVOCATION_MS,
    summaries,
    defaultVsWaiterWaitLoop: {
      meanDetectionDelayRatio: delayRatio,
      bothDetected: bothDetected.length,
      transitionsPerInvalidationRatio: transitionRatio,
      transitionsPerInvalidationRatioBothDetected: transitionRatioBothDetected,
    },
    byCompletionTime: Object.fromEntries(results.map((result) => [result.config, byCompletionTime(result)])),
    executions: Object.fromEntries(results.map((result) => [result.config, result.executions])),
  });
  console.log(`\nWrote ${file} (real time ${fixed((performance.now() - started) / 1000)} s).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
