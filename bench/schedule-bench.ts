/**
 * `npm run bench`: how quickly and how cheaply the notifier notices a completed invalidation,
 * in one run: the design before the Express loop (a Standard workflow, checks by the Task's
 * Retry), the new default (the Express check loop) and the AWS CLI waiter's schedule (every
 * 20 s, giving up at 10 minutes) written as the classic Standard job poller.
 *
 * Each configuration runs in its own process (bench/schedule-worker.ts): the handlers read
 * POLL_SCHEDULE at module load, so one process can run one synthesized configuration only.
 * The workers run one after the other. Prints the tables, writes bench/results/schedule.json
 * and the chart bench/results/schedule.svg (and .png).
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeChart } from './chart';
import { PRICES, PRICES_COPIED_ON, PRICE_SOURCES, describePrices } from './prices';
import {
  COMPLETION_TIMES_SECONDS,
  CONFIGS,
  PHASE_OFFSETS_SECONDS,
  type ConfigName,
  type ExecutionMeasure,
  type WorkerResult,
} from './schedule-configs';
import { fixed, max, mean, runWorker, table, treeState, writeResult } from './support';

/** The goals for the new design, against the waiter in the same run. */
const GOALS = { meanDelaySeconds: 2.5, maxDelaySeconds: 6, costRatioToWaiter: 0.75, costBelowUsd: 1.37 } as const;

interface Cost {
  readonly standard: number;
  readonly expressRequests: number;
  readonly expressDuration: number;
  readonly lambdaRequests: number;
  readonly lambdaDuration: number;
  readonly sdkIntegrationCalls: number;
  readonly total: number;
}

/** What one execution costs, in dollars, at PRICES. */
function costOf(execution: ExecutionMeasure, memoryMb: Readonly<Record<string, number>>): Cost & { expressGbSeconds: number } {
  const calls = Object.values(execution.lambdaCalls).reduce((sum, count) => sum + count, 0);
  // Each run's duration includes its checks' own time, at the assumed billed time per call, rounded up as Express bills.
  const expressGbSeconds = execution.expressRuns.reduce((sum, run) => {
    const seconds = run.seconds + (run.checks * PRICES.lambdaBilledMsPerCall) / 1000;
    return sum + Math.ceil(seconds / PRICES.expressRoundingSeconds - 1e-9) * PRICES.expressRoundingSeconds * PRICES.expressGb;
  }, 0);
  const lambdaDuration = Object.entries(execution.lambdaCalls).reduce(
    (sum, [dir, count]) => sum + count * PRICES.lambdaBilledMsPerCall * PRICES.lambdaMsAt128Mb * ((memoryMb[dir] ?? 128) / 128),
    0,
  );
  const parts = {
    standard: execution.standardTransitions * PRICES.standardTransition,
    expressRequests: execution.expressRuns.length * PRICES.expressRequest,
    expressDuration: expressGbSeconds * PRICES.expressGbSecond,
    lambdaRequests: calls * PRICES.lambdaRequest,
    lambdaDuration,
    sdkIntegrationCalls: execution.sdkIntegrationCalls * PRICES.sdkIntegrationCall,
  };
  return { ...parts, total: Object.values(parts).reduce((sum, value) => sum + value, 0), expressGbSeconds };
}

function summarize(result: WorkerResult) {
  const { executions } = result;
  const detected = executions.filter((execution) => execution.detected);
  const delays = detected.map((execution) => execution.detectionDelaySeconds!);
  const costs = executions.map((execution) => costOf(execution, result.functionMemoryMb));
  const per1000 = (pick: (cost: Cost) => number) => 1000 * mean(costs.map(pick));
  return {
    config: result.config,
    label: CONFIGS[result.config].label,
    description: CONFIGS[result.config].description,
    design: CONFIGS[result.config].design,
    functionMemoryMb: result.functionMemoryMb,
    invalidations: executions.length,
    detected: detected.length,
    gaveUp: executions.filter((execution) => execution.gaveUp).length,
    /** Ended any other way than detected or gave up (expected 0). */
    otherEndings: executions.filter((execution) => !execution.detected && !execution.gaveUp).length,
    meanDetectionDelaySeconds: mean(delays),
    maxDetectionDelaySeconds: max(delays),
    getInvalidationCallsPerInvalidation: mean(executions.map((execution) => execution.getInvalidationCalls)),
    standardTransitionsPerInvalidation: mean(executions.map((execution) => execution.standardTransitions)),
    expressRunsPerInvalidation: mean(executions.map((execution) => execution.expressRuns.length)),
    expressGbSecondsPerInvalidation: mean(costs.map((cost) => cost.expressGbSeconds)),
    lambdaCallsPerInvalidation: mean(executions.map((execution) => Object.values(execution.lambdaCalls).reduce((sum, n) => sum + n, 0))),
    sdkIntegrationCallsPerInvalidation: mean(executions.map((execution) => execution.sdkIntegrationCalls)),
    costPer1000Usd: {
      standardTransitions: per1000((cost) => cost.standard),
      expressRequests: per1000((cost) => cost.expressRequests),
      expressDuration: per1000((cost) => cost.expressDuration),
      lambdaRequests: per1000((cost) => cost.lambdaRequests),
      lambdaDuration: per1000((cost) => cost.lambdaDuration),
      sdkIntegrationCalls: per1000((cost) => cost.sdkIntegrationCalls),
      total: per1000((cost) => cost.total),
    },
    clockCheckMaxGapSeconds: result.clockCheckMaxGapSeconds,
    workerRealSeconds: result.realSeconds,
  };
}
type Summary = ReturnType<typeof summarize>;

function byCompletionTime(result: WorkerResult) {
  return COMPLETION_TIMES_SECONDS.map((completionSeconds) => {
    const runs = result.executions.filter((execution) => execution.completionSeconds === completionSeconds);
    const detected = runs.filter((execution) => execution.detected);
    return {
      completionSeconds,
      detected: detected.length,
      total: runs.length,
      meanDetectionDelaySeconds: mean(detected.map((execution) => execution.detectionDelaySeconds!)),
      costPer1000Usd: 1000 * mean(runs.map((execution) => costOf(execution, result.functionMemoryMb).total)),
    };
  });
}

const minutes = (seconds: number) => (seconds < 60 ? `${seconds} s` : `${seconds / 60} min`);
const usd = (value: number) => `$${fixed(value, 3)}`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');

async function main() {
  const started = performance.now();
  const names = Object.keys(CONFIGS) as ConfigName[];
  const results: WorkerResult[] = [];
  for (const config of names) {
    process.stderr.write(`running ${CONFIGS[config].label} ...\n`);
    results.push(await runWorker<WorkerResult>('schedule-worker.ts', ['--config', config]));
  }
  const summaries = results.map(summarize);
  const of = (name: ConfigName) => summaries[names.indexOf(name)]!;
  const [before, express, waiter] = [of('today'), of('express'), of('waiter')];

  console.log(
    "Poll schedule benchmark: the synthesized watcher and the real handlers, run locally in virtual time; the comparison designs' " +
      'checking states are defined in bench/comparison-designs.ts.',
  );
  for (const s of summaries) console.log(`  ${s.label}: ${s.description}.`);
  console.log(
    `Mix: invalidations completing ${COMPLETION_TIMES_SECONDS.map(minutes).join(', ')} after the watch starts, each at ` +
      `${PHASE_OFFSETS_SECONDS.length} phases (+${PHASE_OFFSETS_SECONDS[0]}, +${PHASE_OFFSETS_SECONDS[1]}, ... +${PHASE_OFFSETS_SECONDS.at(-1)} s, ` +
      `the midpoints of equal steps across one 20 s period): ${results[0]!.executions.length} invalidations per configuration, ` +
      `notified to an SNS topic and a Slack webhook. Detection delay = virtual time of the check that saw Completed minus the completion time.\n`,
  );
  console.log(
    table(
      [
        'configuration',
        'mean delay s',
        'max delay s',
        'detected',
        'gave up',
        'Std transitions',
        'Express runs',
        'Express GB-s',
        'Lambda calls',
        'SDK calls',
        '$ / 1,000',
      ],
      summaries.map((s) => [
        s.label,
        fixed(s.meanDetectionDelaySeconds, 2),
        fixed(s.maxDetectionDelaySeconds, 2),
        `${s.detected}/${s.invalidations}`,
        String(s.gaveUp),
        fixed(s.standardTransitionsPerInvalidation),
        fixed(s.expressRunsPerInvalidation, 2),
        fixed(s.expressGbSecondsPerInvalidation, 1),
        fixed(s.lambdaCallsPerInvalidation),
        fixed(s.sdkIntegrationCallsPerInvalidation),
        usd(s.costPer1000Usd.total),
      ]),
    ),
  );
  console.log('\nWhere the money goes, $ per 1,000 invalidations:');
  console.log(
    table(
      [
        'configuration',
        'Std transitions',
        'Express requests',
        'Express duration',
        'Lambda requests',
        'Lambda duration',
        'SDK calls',
        'total',
      ],
      summaries.map((s) => [
        s.label,
        usd(s.costPer1000Usd.standardTransitions),
        usd(s.costPer1000Usd.expressRequests),
        usd(s.costPer1000Usd.expressDuration),
        usd(s.costPer1000Usd.lambdaRequests),
        usd(s.costPer1000Usd.lambdaDuration),
        usd(s.costPer1000Usd.sdkIntegrationCalls),
        usd(s.costPer1000Usd.total),
      ]),
    ),
  );
  console.log(describePrices(express.functionMemoryMb));
  for (const s of summaries.filter((summary) => summary.otherEndings > 0)) {
    console.log(
      `WARNING: ${s.label}: ${s.otherEndings} executions neither detected completion nor gave up (see bench/results/schedule.json).`,
    );
  }

  const costRatio = express.costPer1000Usd.total / waiter.costPer1000Usd.total;
  // Delay against the waiter over the invalidations both detect (it gives up on the longer ones).
  const key = (execution: ExecutionMeasure) => `${execution.completionSeconds}+${execution.offsetSeconds}`;
  const waiterResult = results[names.indexOf('waiter')]!;
  const waiterByKey = new Map(waiterResult.executions.map((execution) => [key(execution), execution]));
  const both = results[names.indexOf('express')]!.executions.filter(
    (execution) => execution.detected && waiterByKey.get(key(execution))?.detected,
  );
  const delayRatio =
    mean(both.map((execution) => execution.detectionDelaySeconds!)) /
    mean(both.map((execution) => waiterByKey.get(key(execution))!.detectionDelaySeconds!));
  const goals = {
    meanDelay: express.meanDetectionDelaySeconds <= GOALS.meanDelaySeconds,
    maxDelay: express.maxDetectionDelaySeconds <= GOALS.maxDelaySeconds,
    costRatio: costRatio <= GOALS.costRatioToWaiter,
    costBelow: express.costPer1000Usd.total < GOALS.costBelowUsd,
    noGiveUp: express.gaveUp === 0 && express.detected === express.invalidations,
  };
  console.log(`\nGoals for ${express.label}, against ${waiter.label} in this run:`);
  console.log(
    `  mean delay <= ${GOALS.meanDelaySeconds} s: ${fixed(express.meanDetectionDelaySeconds, 2)} s (${fixed(delayRatio, 2)}x the waiter's over the ${both.length} invalidations both detect) ${verdict(goals.meanDelay)}`,
  );
  console.log(`  max delay <= ${GOALS.maxDelaySeconds} s: ${fixed(express.maxDetectionDelaySeconds, 2)} s ${verdict(goals.maxDelay)}`);
  console.log(
    `  cost <= ${GOALS.costRatioToWaiter}x the waiter's: ${usd(express.costPer1000Usd.total)} / ${usd(waiter.costPer1000Usd.total)} = ${fixed(costRatio, 3)}x ${verdict(goals.costRatio)}`,
  );
  console.log(
    `  cost below $${GOALS.costBelowUsd} (and below the design before it, ${usd(before.costPer1000Usd.total)} in this run): ${usd(express.costPer1000Usd.total)} ${verdict(goals.costBelow && express.costPer1000Usd.total < before.costPer1000Usd.total)}`,
  );
  console.log(
    `  no give-up before maxWait: ${express.detected}/${express.invalidations} detected, ${express.gaveUp} gave up ${verdict(goals.noGiveUp)}`,
  );

  const rows = results.map(byCompletionTime);
  console.log('\nBy completion time (mean delay over the detected; $ per 1,000 over all):');
  console.log(
    table(
      ['completes after', ...summaries.flatMap((s) => [`${s.label.slice(0, 2)} delay s`, `${s.label.slice(0, 2)} $/1,000`])],
      COMPLETION_TIMES_SECONDS.map((completionSeconds, index) => [
        minutes(completionSeconds),
        ...rows.flatMap((row) => {
          const cell = row[index]!;
          return [cell.detected === 0 ? 'gave up' : fixed(cell.meanDetectionDelaySeconds, 2), usd(cell.costPer1000Usd)];
        }),
      ]),
    ),
  );

  const chartBase = path.join(__dirname, 'results', 'schedule');
  const colors: Record<ConfigName, string> = { today: '#888888', express: '#1f6fd1', waiter: '#d1491f' };
  const chart = writeChart(
    {
      title: 'Detection delay and cost by completion time',
      subtitle: `npm run bench: ${results[0]!.executions.length} invalidations per configuration; the waiter gives up at 10 min`,
      x: COMPLETION_TIMES_SECONDS.map((seconds) => seconds / 60),
      xLabels: COMPLETION_TIMES_SECONDS.map((seconds) => (seconds < 60 ? '0.5' : String(seconds / 60))),
      xTitle: 'invalidation completes after (minutes, log scale)',
      panels: [
        {
          title: 'Mean detection delay',
          yLabel: 'seconds',
          goal: { value: GOALS.meanDelaySeconds, label: `goal: mean <= ${GOALS.meanDelaySeconds} s` },
          series: results.map((result, i) => ({
            label: summaries[i]!.label,
            color: colors[result.config],
            dashed: result.config === 'waiter',
            values: rows[i]!.map((cell) => (cell.detected === 0 ? NaN : cell.meanDetectionDelaySeconds)),
          })),
        },
        {
          title: 'Cost per 1,000 invalidations',
          yLabel: 'US dollars',
          yDecimals: 1,
          series: results.map((result, i) => ({
            label: summaries[i]!.label,
            color: colors[result.config],
            dashed: result.config === 'waiter',
            values: rows[i]!.map((cell) => cell.costPer1000Usd),
          })),
        },
      ],
    },
    chartBase,
  );

  console.log('\nNotes:');
  console.log(
    '- Standard transitions count every state entered plus every Retry attempt of the watcher, as billed (start, checks or runs, ' +
      "marks, delivery). The Express runs' own states are not billed per transition; their duration and count are.",
  );
  console.log(
    `- The waiter checks at 0, 20, ..., 600 s (31 checks) and gives up at 600 s; the CLI waiter itself makes 30 checks (0 ... 580 s), ` +
      `so it is, if anything, slightly favoured here. Its delay ratio is taken over the invalidations it detects.`,
  );
  console.log(
    "- The waiter calls GetInvalidation through Step Functions' SDK integration: no Lambda, nothing billed but its transitions " +
      '(three per check). Its 31 checks are written out as states, which prices it as a loop with a free counter.',
  );
  console.log(
    '- The design before the Express loop runs a bench stand-in for its check function (bench/comparison-designs.ts) that makes the ' +
      "product's own CloudFront call and is priced as the product's check function; this mix has no throttling, where it also slowed down.",
  );
  console.log(
    `- Detection time is the execution's virtual clock at its end (notifying adds no waiting), checked against the detecting ` +
      `check's own elapsedSeconds (whole seconds): largest gap ${summaries.map((s) => fixed(s.clockCheckMaxGapSeconds, 2)).join(' / ')} s.`,
  );
  console.log(
    `- In AWS each check also takes its round trip (tens of ms) and each state a few ms, which virtual time leaves out: the real delays are that much longer.`,
  );

  const file = writeResult('schedule', {
    generatedAt: new Date().toISOString(),
    node: process.version,
    tree: treeState(),
    completionTimesSeconds: COMPLETION_TIMES_SECONDS,
    phaseOffsetsSeconds: PHASE_OFFSETS_SECONDS,
    prices: { copiedOn: PRICES_COPIED_ON, sources: PRICE_SOURCES, ...PRICES },
    goals: GOALS,
    goalsMet: goals,
    expressVsWaiter: {
      costRatio,
      meanDelayRatioBothDetected: delayRatio,
      bothDetected: both.length,
    },
    summaries: summaries satisfies Summary[],
    byCompletionTime: Object.fromEntries(results.map((result, i) => [result.config, rows[i]])),
    executions: Object.fromEntries(results.map((result) => [result.config, result.executions])),
  });
  console.log(
    `\nWrote ${file} and ${chart.files.map((f) => path.relative(process.cwd(), f)).join(', ')} ` +
      `(real time ${fixed((performance.now() - started) / 1000)} s).`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
