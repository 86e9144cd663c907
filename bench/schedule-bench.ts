/**
 * `npm run bench`: how quickly and how cheaply the notifier notices a completed invalidation,
 * in one run, three designs side by side: the account's checker (the product), the Express
 * check loop it replaced (bench/express-loop/) and the AWS CLI waiter's schedule written as the
 * cheapest Standard job poller (SDK integration, no Lambda).
 *
 * Each configuration runs in its own process (bench/schedule-worker.ts), one after the other,
 * and there each watch of the mix runs alone on the virtual clock, as a lone watch in an
 * account would. Every charge is priced in one place (bench/costs.ts, at bench/prices.ts).
 * Prints the tables, writes bench/results/schedule.json and the chart
 * bench/results/schedule.svg (and .png). Then the deployments, against the
 * `distribution-deployed` waiter (bench/deployment-bench.ts: bench/results/deployments.json).
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeChart } from './chart';
import { runDeploymentBench } from './deployment-bench';
import { chargesPer1000, checkerFixedMonthly, priceSourcesLine, totalOf, type Charge, chargesTableRows, usd } from './costs';
import { PRICES, PRICES_COPIED_ON, PRICE_SOURCES } from './prices';
import {
  COMPLETION_TIMES_SECONDS,
  CONFIGS,
  PHASE_OFFSETS_SECONDS,
  type ConfigName,
  type ExecutionMeasure,
  type WorkerResult,
} from './schedule-configs';
import { fixed, max, mean, runWorker, table, treeState, writeResult } from './support';

/** Issue 13's goals for the checker, against the waiter in the same run. */
const GOALS = { meanDelaySeconds: 2, maxDelaySeconds: 5, costRatioToWaiter: 0.4 } as const;

/** $ per 1,000 watches of these executions, itemized (each charge as if 1,000 such watches ran). */
const per1000 = (executions: readonly ExecutionMeasure[], memoryMb: Readonly<Record<string, number>>): Charge[] =>
  chargesPer1000(
    executions.map((execution) => execution.usage),
    memoryMb,
  );

function summarize(result: WorkerResult) {
  const { executions } = result;
  const detected = executions.filter((execution) => execution.detected);
  const delays = detected.map((execution) => execution.detectionDelaySeconds!);
  const charges = per1000(executions, result.functionMemoryMb);
  const perWatch = (pick: (execution: ExecutionMeasure) => number) => mean(executions.map(pick));
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
    perWatch: {
      getInvalidationCalls: perWatch((e) => e.getInvalidationCalls),
      standardTransitions: perWatch((e) => e.usage.standardTransitions),
      expressRuns: perWatch((e) => e.usage.expressRuns.length),
      lambdaCalls: perWatch((e) => Object.values(e.usage.lambdaCalls).reduce((sum, n) => sum + n, 0)),
      sqsRequests: perWatch((e) => e.usage.sqsRequests),
      dynamoDbReadUnits: perWatch((e) => e.usage.dynamoDbReadUnits),
      dynamoDbWriteUnits: perWatch((e) => e.usage.dynamoDbWriteUnits),
    },
    chargesPer1000: charges,
    costPer1000Usd: totalOf(charges),
    fixedMonthly: result.fixed
      ? checkerFixedMonthly(result.fixed.watchdogCall, result.fixed.idlePollRequestsPerMonth, result.functionMemoryMb)
      : undefined,
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
      costPer1000Usd: totalOf(per1000(runs, result.functionMemoryMb)),
    };
  });
}

const minutes = (seconds: number) => (seconds < 60 ? `${seconds} s` : `${seconds / 60} min`);
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
  const [checker, waiter] = [of('checker'), of('waiter')];
  const ratio = (s: Pick<Summary, 'costPer1000Usd'>) => s.costPer1000Usd / waiter.costPer1000Usd;

  console.log(
    'Poll schedule benchmark: the synthesized watcher and the real handlers, run locally on one virtual clock; the comparison ' +
      "designs' watching states are defined in bench/comparison-designs.ts and bench/express-loop/.",
  );
  for (const s of summaries) console.log(`  ${s.label}: ${s.description}.`);
  console.log(
    `Mix: invalidations completing ${COMPLETION_TIMES_SECONDS.map(minutes).join(', ')} after the watch starts, each at ` +
      `${PHASE_OFFSETS_SECONDS.length} phases (+${PHASE_OFFSETS_SECONDS[0]}, +${PHASE_OFFSETS_SECONDS[1]}, ... +${PHASE_OFFSETS_SECONDS.at(-1)} s): ` +
      `${results[0]!.executions.length} invalidations per design, EACH WATCHED ALONE (one at a time on the clock, as a lone watch in an ` +
      `account would be), notified to an SNS topic and a Slack webhook. Detection delay = virtual time of the check that saw ` +
      `Completed minus the completion time.\n`,
  );
  console.log(
    table(
      [
        'design',
        'mean delay s',
        'max delay s',
        'detected',
        'gave up',
        'Get calls',
        'Std trans.',
        'Lambda calls',
        'SQS req.',
        'DDB RRU',
        'DDB WRU',
        '$ / 1,000',
        'x waiter',
      ],
      summaries.map((s) => [
        s.label,
        fixed(s.meanDetectionDelaySeconds, 2),
        fixed(s.maxDetectionDelaySeconds, 2),
        `${s.detected}/${s.invalidations}`,
        String(s.gaveUp),
        fixed(s.perWatch.getInvalidationCalls),
        fixed(s.perWatch.standardTransitions),
        fixed(s.perWatch.lambdaCalls),
        fixed(s.perWatch.sqsRequests),
        fixed(s.perWatch.dynamoDbReadUnits),
        fixed(s.perWatch.dynamoDbWriteUnits),
        usd(s.costPer1000Usd),
        fixed(ratio(s), 2),
      ]),
    ),
  );
  console.log('(Counts are per watch; Std trans. = Standard transitions as billed; DDB = DynamoDB request units.)');

  console.log('\nEvery charge, $ per 1,000 watches (each watched alone):');
  console.log(
    table(['charge', ...summaries.map((s) => s.label), 'price'], chargesTableRows(summaries, ratio), 1).replace(/^(.*)$/gm, (line) =>
      line.trimEnd(),
    ),
  );
  if (checker.fixedMonthly) {
    console.log(
      `\n${checker.label}, fixed cost per month whether or not anything is watched (not per watch; once per account and region):`,
    );
    console.log(
      table(
        ['charge', '$ / month', 'price'],
        [...checker.fixedMonthly.charges.map((c) => [c.item, usd(c.usd), c.price]), ['total', usd(checker.fixedMonthly.total), '']],
      ),
    );
  }
  console.log(
    `\nPrices: AWS list prices, us-east-1, on demand, no free tier, as copied on ${PRICES_COPIED_ON} into bench/prices.ts ` +
      `(${priceSourcesLine()}). Lambda at each function's memory (${Object.entries(checker.functionMemoryMb)
        .concat(Object.entries(of('express').functionMemoryMb).filter(([dir]) => !(dir in checker.functionMemoryMb)))
        .map(([dir, mb]) => `${dir} ${mb} MB`)
        .join(', ')}), ${PRICES.lambdaBilledMsPerCall} ms billed per call (assumed).`,
  );
  for (const s of summaries.filter((summary) => summary.otherEndings > 0)) {
    console.log(
      `WARNING: ${s.label}: ${s.otherEndings} executions neither detected completion nor gave up (see bench/results/schedule.json).`,
    );
  }

  // Delay against the waiter over the invalidations both detect (it gives up on the longer ones).
  const key = (execution: ExecutionMeasure) => `${execution.completionSeconds}+${execution.offsetSeconds}`;
  const waiterByKey = new Map(results[names.indexOf('waiter')]!.executions.map((execution) => [key(execution), execution]));
  const both = results[names.indexOf('checker')]!.executions.filter(
    (execution) => execution.detected && waiterByKey.get(key(execution))?.detected,
  );
  const delayRatio =
    mean(both.map((execution) => execution.detectionDelaySeconds!)) /
    mean(both.map((execution) => waiterByKey.get(key(execution))!.detectionDelaySeconds!));
  const goals = {
    meanDelay: checker.meanDetectionDelaySeconds <= GOALS.meanDelaySeconds,
    maxDelay: checker.maxDetectionDelaySeconds <= GOALS.maxDelaySeconds,
    costRatio: ratio(checker) <= GOALS.costRatioToWaiter,
    noGiveUp: checker.gaveUp === 0 && checker.detected === checker.invalidations,
  };
  console.log(`\nGoals for ${checker.label}, against ${waiter.label} in this run:`);
  console.log(
    `  mean delay <= ${GOALS.meanDelaySeconds} s: ${fixed(checker.meanDetectionDelaySeconds, 2)} s (${fixed(delayRatio, 2)}x the waiter's over the ${both.length} invalidations both detect) ${verdict(goals.meanDelay)}`,
  );
  console.log(`  max delay <= ${GOALS.maxDelaySeconds} s: ${fixed(checker.maxDetectionDelaySeconds, 2)} s ${verdict(goals.maxDelay)}`);
  console.log(
    `  cost <= ${GOALS.costRatioToWaiter}x the waiter's: ${usd(checker.costPer1000Usd)} / ${usd(waiter.costPer1000Usd)} = ${fixed(ratio(checker), 3)}x ${verdict(goals.costRatio)}` +
      (checker.fixedMonthly ? ` (plus ${usd(checker.fixedMonthly.total)} a month for the account, above)` : ''),
  );
  console.log(
    `  no give-up before maxWait: ${checker.detected}/${checker.invalidations} detected, ${checker.gaveUp} gave up ${verdict(goals.noGiveUp)}`,
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
  const colors: Record<ConfigName, string> = { checker: '#1f6fd1', express: '#888888', waiter: '#d1491f' };
  const series = (values: (i: number) => readonly number[]) =>
    results.map((result, i) => ({
      label: summaries[i]!.label,
      color: colors[result.config],
      dashed: result.config === 'waiter',
      values: values(i),
    }));
  const chart = writeChart(
    {
      title: 'Detection delay and cost by completion time',
      subtitle: `npm run bench: ${results[0]!.executions.length} invalidations per design, each watched alone; the waiter gives up at 10 min`,
      x: COMPLETION_TIMES_SECONDS.map((seconds) => seconds / 60),
      xLabels: COMPLETION_TIMES_SECONDS.map((seconds) => (seconds < 60 ? '0.5' : String(seconds / 60))),
      xTitle: 'invalidation completes after (minutes, log scale)',
      panels: [
        {
          title: 'Mean detection delay',
          yLabel: 'seconds',
          goal: { value: GOALS.meanDelaySeconds, label: `goal: mean <= ${GOALS.meanDelaySeconds} s` },
          series: series((i) => rows[i]!.map((cell) => (cell.detected === 0 ? NaN : cell.meanDetectionDelaySeconds))),
        },
        {
          title: 'Cost per 1,000 invalidations',
          yLabel: 'US dollars',
          yDecimals: 1,
          series: series((i) => rows[i]!.map((cell) => cell.costPer1000Usd)),
        },
      ],
    },
    chartBase,
  );

  console.log('\nNotes:');
  console.log(
    "- Standard transitions count every state entered plus every Retry attempt of the watcher, as billed. The Express runs' own " +
      'states are not billed per transition; their count and duration are. A Standard wait on a task token costs no transitions.',
  );
  console.log(
    "- The checker's charges per watch are what the pipeline billed while that watch was the only one in flight: its ticks' Lambda " +
      'calls, SQS requests (send, receive, delete; 64 KB chunks) and DynamoDB request units (as dynalite reports them), Register ' +
      "watch, Start watch and Notify. The watchdog's calls and the idle long polls are the fixed monthly cost above.",
  );
  console.log(
    '- The waiter checks at 0, 20, ..., 600 s (31 checks) and gives up at 600 s; it calls GetInvalidation through the SDK ' +
      'integration: no Lambda, nothing billed but its transitions (three per check). Its delay ratio is taken over the invalidations it detects.',
  );
  console.log(
    `- Detection time is the execution's virtual clock at its end (notifying adds no waiting), checked against the detecting ` +
      `check's own elapsedSeconds (whole seconds): largest gap ${summaries.map((s) => fixed(s.clockCheckMaxGapSeconds, 2)).join(' / ')} s.`,
  );
  console.log(
    "- Not counted: CloudWatch Logs ingestion of the functions' and the watcher's logs and EMF metrics (every design logs its ends).",
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
    checkerVsWaiter: { costRatio: ratio(checker), meanDelayRatioBothDetected: delayRatio, bothDetected: both.length },
    summaries: summaries satisfies Summary[],
    byCompletionTime: Object.fromEntries(results.map((result, i) => [result.config, rows[i]])),
    executions: Object.fromEntries(results.map((result) => [result.config, result.executions])),
  });
  console.log(
    `\nWrote ${file} and ${chart.files.map((f) => path.relative(process.cwd(), f)).join(', ')} ` +
      `(real time ${fixed((performance.now() - started) / 1000)} s: ${summaries.map((s) => `${s.config} ${fixed(s.workerRealSeconds)} s`).join(', ')}).`,
  );

  await runDeploymentBench();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
