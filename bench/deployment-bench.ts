/**
 * The deployments part of `npm run bench` (run after the invalidations by bench/schedule-bench.ts;
 * alone: `npx tsx bench/deployment-bench.ts`): how quickly and how cheaply the product notices a
 * deployed distribution or tenant, against `aws cloudfront wait distribution-deployed` (60 s,
 * 35 tries) built as the cheapest state machine (bench/comparison-designs.ts). A seeded
 * population of deployments (bench/deployment-configs.ts), each watched alone, each design in
 * its own process (bench/schedule-worker.ts --work deployment), priced by bench/costs.ts.
 * Prints the tables and writes bench/results/deployments.json.
 */
import { performance } from 'node:perf_hooks';
import { chargesOf, chargesPer1000, totalOf, chargesTableRows, usd } from './costs';
import { DEPLOYMENT_WAITER } from './comparison-designs';
import {
  DEPLOYMENT_CONFIGS,
  DEPLOYMENT_POPULATION,
  type DeploymentConfigName,
  type DeploymentMeasure,
  type DeploymentWorkerResult,
} from './deployment-configs';
import { DEFAULT_POLL_SCHEDULE } from '../lambda/shared/schedule';
import { fixed, max, mean, median, runWorker, table, treeState, writeResult } from './support';

/** The waiter's last check: after it, a deployment still in progress ends "still in progress". */
const WAITER_LAST_CHECK_SECONDS = (DEPLOYMENT_WAITER.checks - 1) * DEPLOYMENT_WAITER.intervalSeconds;

/** The durations the tables break the population into (upper bounds, seconds). */
const DURATION_BANDS = [
  { label: '2-5 min', upTo: 300 },
  { label: '5-15 min', upTo: 900 },
  { label: `15-${WAITER_LAST_CHECK_SECONDS / 60} min`, upTo: WAITER_LAST_CHECK_SECONDS },
  { label: `over ${WAITER_LAST_CHECK_SECONDS / 60} min`, upTo: Infinity },
] as const;

/** Intervals a per-kind schedule for deployments could use, for the estimate in the notes. */
const PER_KIND_INTERVALS_SECONDS = [15, 30, 60] as const;

const costOf = (executions: readonly DeploymentMeasure[], memoryMb: Readonly<Record<string, number>>) =>
  totalOf(
    chargesPer1000(
      executions.map((execution) => execution.usage),
      memoryMb,
    ),
  );

function summarize(result: DeploymentWorkerResult) {
  const { executions } = result;
  const detected = executions.filter((execution) => execution.detected);
  const delays = detected.map((execution) => execution.detectionDelaySeconds!);
  const charges = chargesPer1000(
    executions.map((execution) => execution.usage),
    result.functionMemoryMb,
  );
  const perWatch = (pick: (execution: DeploymentMeasure) => number) => mean(executions.map(pick));
  return {
    config: result.config,
    label: DEPLOYMENT_CONFIGS[result.config].label,
    description: DEPLOYMENT_CONFIGS[result.config].description,
    design: DEPLOYMENT_CONFIGS[result.config].design,
    functionMemoryMb: result.functionMemoryMb,
    deployments: executions.length,
    detected: detected.length,
    stillInProgress: executions.filter((execution) => execution.gaveUp).length,
    couldNotTrack: executions.filter((execution) => execution.couldNotTrack).length,
    /** Ended any other way (expected 0). */
    otherEndings: executions.filter((execution) => !execution.detected && !execution.gaveUp && !execution.couldNotTrack).length,
    meanDetectionDelaySeconds: mean(delays),
    medianDetectionDelaySeconds: median(delays),
    maxDetectionDelaySeconds: max(delays),
    perWatch: {
      getDistributionCalls: perWatch((e) => e.getDistributionCalls),
      standardTransitions: perWatch((e) => e.usage.standardTransitions),
      lambdaCalls: perWatch((e) => Object.values(e.usage.lambdaCalls).reduce((sum, n) => sum + n, 0)),
      sdkIntegrationCalls: perWatch((e) => e.usage.sdkIntegrationCalls),
      sqsRequests: perWatch((e) => e.usage.sqsRequests),
      dynamoDbReadUnits: perWatch((e) => e.usage.dynamoDbReadUnits),
      dynamoDbWriteUnits: perWatch((e) => e.usage.dynamoDbWriteUnits),
    },
    chargesPer1000: charges,
    costPer1000Usd: totalOf(charges),
    byDuration: DURATION_BANDS.map((band, index) => {
      const from = index === 0 ? 0 : DURATION_BANDS[index - 1]!.upTo;
      const runs = executions.filter((execution) => execution.deploysAtSecond > from && execution.deploysAtSecond <= band.upTo);
      const found = runs.filter((execution) => execution.detected);
      return {
        band: band.label,
        deployments: runs.length,
        detected: found.length,
        meanDetectionDelaySeconds: mean(found.map((execution) => execution.detectionDelaySeconds!)),
        costPer1000Usd: costOf(runs, result.functionMemoryMb),
      };
    }),
    clockCheckMaxGapSeconds: result.clockCheckMaxGapSeconds,
    workerRealSeconds: result.realSeconds,
  };
}
type Summary = ReturnType<typeof summarize>;

/**
 * The product's cost per deployment as a line in its checks (least squares over the measured
 * deployments): what a watch costs whatever its length (start, delivery, registration) and what
 * each check adds (a tick of the checker: its Lambda call, SQS requests, DynamoDB units).
 */
function costPerCheck(result: DeploymentWorkerResult) {
  const points = result.executions.map((execution) => ({
    x: execution.getDistributionCalls,
    y: totalOf(chargesOf(execution.usage, result.functionMemoryMb)),
  }));
  const [mx, my] = [mean(points.map((p) => p.x)), mean(points.map((p) => p.y))];
  const slope =
    points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0) /
    Math.max(
      1e-12,
      points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0),
    );
  return { perWatchUsd: my - slope * mx, perCheckUsd: slope };
}

/**
 * What the product would cost with deployments checked every `intervalSeconds` (a per-kind
 * schedule, not built): checks at 0, T, 2T, ... until the first after Deployed, priced by the
 * measured line. An estimate, labelled as one.
 */
function perKindEstimate(result: DeploymentWorkerResult, intervalSeconds: number) {
  const { perWatchUsd, perCheckUsd } = costPerCheck(result);
  const checks = mean(result.executions.map((execution) => Math.ceil(execution.deploysAtSecond / intervalSeconds) + 1));
  return { intervalSeconds, checks, costPer1000Usd: 1000 * (perWatchUsd + perCheckUsd * checks), meanDelaySeconds: intervalSeconds / 2 };
}

export async function runDeploymentBench(): Promise<void> {
  const started = performance.now();
  const names = Object.keys(DEPLOYMENT_CONFIGS) as DeploymentConfigName[];
  const results: DeploymentWorkerResult[] = [];
  for (const config of names) {
    process.stderr.write(`running ${DEPLOYMENT_CONFIGS[config].label} on deployments ...\n`);
    results.push(await runWorker<DeploymentWorkerResult>('schedule-worker.ts', ['--work', 'deployment', '--config', config]));
  }
  const summaries = results.map(summarize);
  const resultOf = (name: DeploymentConfigName) => results[names.indexOf(name)]!;
  const [checker, waiter] = [summaries[names.indexOf('checker')]!, summaries[names.indexOf('deployment-waiter')]!];
  const ratio = (s: Pick<Summary, 'costPer1000Usd'>) => s.costPer1000Usd / waiter.costPer1000Usd;
  const population = resultOf('checker').executions;
  const durations = population.map((execution) => execution.deploysAtSecond);
  const { count, seed, shortShare, short, long, tenantEvery } = DEPLOYMENT_POPULATION;

  console.log(
    `\n\nDeployments: ${count} deployments (seededRandom(${seed}): with probability ${shortShare} log-uniform between ` +
      `${short[0] / 60} and ${short[1] / 60} min, otherwise uniform between ${long[0] / 60} and ${long[1] / 60} min; every ` +
      `${tenantEvery}th a distribution tenant's), deployed ${fixed(Math.min(...durations) / 60, 1)} to ${fixed(Math.max(...durations) / 60, 1)} ` +
      `min after the watch starts (median ${fixed(median(durations) / 60, 1)} min; ${population.filter((e) => e.deploysAtSecond > WAITER_LAST_CHECK_SECONDS).length} ` +
      `past the waiter's last check at ${WAITER_LAST_CHECK_SECONDS / 60} min), EACH WATCHED ALONE, notified to an SNS topic and a ` +
      'Slack webhook. Detection delay = virtual time of the check that saw Deployed minus the time the target deployed.',
  );
  for (const s of summaries) console.log(`  ${s.label}: ${s.description}.`);
  console.log(
    '\n' +
      table(
        [
          'design',
          'mean delay s',
          'max delay s',
          'detected',
          'still in progress',
          'could not track',
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
          `${s.detected}/${s.deployments}`,
          String(s.stillInProgress),
          String(s.couldNotTrack),
          fixed(s.perWatch.getDistributionCalls),
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
  console.log('(Counts are per deployment; Get calls = GetDistribution / GetDistributionTenant checks.)');

  console.log('\nEvery charge, $ per 1,000 deployments (each watched alone):');
  console.log(
    table(['charge', ...summaries.map((s) => s.label), 'price'], chargesTableRows(summaries, ratio), 1).replace(/^(.*)$/gm, (line) =>
      line.trimEnd(),
    ),
  );

  console.log('\nBy duration (mean delay over the detected; $ per 1,000 over all):');
  console.log(
    table(
      [
        'deploys after',
        'deployments',
        ...summaries.flatMap((s) => [
          `${s.label.slice(0, 2)} detected`,
          `${s.label.slice(0, 2)} delay s`,
          `${s.label.slice(0, 2)} $/1,000`,
        ]),
        'a/d cost',
      ],
      DURATION_BANDS.map((band, index) => [
        band.label,
        String(checker.byDuration[index]!.deployments),
        ...summaries.flatMap((s) => {
          const cell = s.byDuration[index]!;
          return [
            `${cell.detected}/${cell.deployments}`,
            cell.detected === 0 ? 'gave up' : fixed(cell.meanDetectionDelaySeconds, 2),
            usd(cell.costPer1000Usd),
          ];
        }),
        `${fixed(checker.byDuration[index]!.costPer1000Usd / waiter.byDuration[index]!.costPer1000Usd, 2)}x`,
      ]),
    ),
  );

  // Delay against the waiter over the deployments both detect (it gives up on the longer ones).
  const waiterByIndex = new Map(resultOf('deployment-waiter').executions.map((execution) => [execution.index, execution]));
  const both = population.filter((execution) => execution.detected && waiterByIndex.get(execution.index)?.detected);
  const delayRatio =
    mean(both.map((execution) => execution.detectionDelaySeconds!)) /
    mean(both.map((execution) => waiterByIndex.get(execution.index)!.detectionDelaySeconds!));
  const costlierBands = checker.byDuration.filter(
    (cell, index) => cell.deployments > 0 && cell.costPer1000Usd > waiter.byDuration[index]!.costPer1000Usd,
  );
  const line = costPerCheck(resultOf('checker'));
  const estimates = PER_KIND_INTERVALS_SECONDS.map((interval) => perKindEstimate(resultOf('checker'), interval));

  console.log(`\n${checker.label} against ${waiter.label}, deployments:`);
  console.log(
    `  mean delay ${fixed(checker.meanDetectionDelaySeconds, 2)} s against ${fixed(waiter.meanDetectionDelaySeconds, 2)} s ` +
      `(${fixed(delayRatio, 2)}x over the ${both.length} both detect); detected ${checker.detected}/${checker.deployments} against ` +
      `${waiter.detected}/${waiter.deployments} (the waiter ends ${waiter.stillInProgress} "still in progress" at ${WAITER_LAST_CHECK_SECONDS / 60} min).`,
  );
  console.log(
    `  cost ${usd(checker.costPer1000Usd)} against ${usd(waiter.costPer1000Usd)} per 1,000 deployments = ${fixed(ratio(checker), 3)}x, with ` +
      `${fixed(checker.perWatch.getDistributionCalls / waiter.perWatch.getDistributionCalls, 1)}x the Get calls ` +
      `(${fixed(checker.perWatch.getDistributionCalls)} against ${fixed(waiter.perWatch.getDistributionCalls)} per deployment).`,
  );
  console.log(
    costlierBands.length === 0
      ? '  The product costs less than the waiter in every duration band, the long deployments included.'
      : `  THE PRODUCT COSTS MORE THAN THE WAITER for deployments of ${costlierBands.map((cell) => cell.band).join(', ')}: it checks every ` +
          `${DEFAULT_POLL_SCHEDULE.firstIntervalSeconds} s where the waiter checks every ${DEPLOYMENT_WAITER.intervalSeconds} s.`,
  );

  console.log('\nNotes:');
  console.log(
    `- The product checks a deployment on the same schedule as an invalidation (DEFAULT_POLL_SCHEDULE: every ` +
      `${DEFAULT_POLL_SCHEDULE.firstIntervalSeconds} s, backoff ${DEFAULT_POLL_SCHEDULE.backoffRate}, up to ${DEFAULT_POLL_SCHEDULE.maxWaitSeconds / 60} min), ` +
      `${fixed(checker.perWatch.getDistributionCalls / waiter.perWatch.getDistributionCalls, 1)}x the waiter's Get calls. Measured here: ` +
      `$${fixed(line.perWatchUsd * 1000, 3)} per 1,000 watches whatever their length, plus $${fixed(line.perCheckUsd * 1e6, 2)} per million checks ` +
      `(a least-squares line through the ${checker.deployments} deployments).`,
  );
  console.log(
    '- A per-kind schedule (NOT built; estimated from that line, same population): deployments checked every ' +
      estimates
        .map(
          (estimate) =>
            `${estimate.intervalSeconds} s: ${fixed(estimate.checks)} checks, ${usd(estimate.costPer1000Usd)} per 1,000 ` +
            `(${fixed(estimate.costPer1000Usd / waiter.costPer1000Usd, 2)}x the waiter, saving ${fixed(100 * (1 - estimate.costPer1000Usd / checker.costPer1000Usd), 0)}%), mean delay about ${fixed(estimate.meanDelaySeconds, 1)} s`,
        )
        .join('; ') +
      '.',
  );
  console.log(
    `- The waiter checks at 0, ${DEPLOYMENT_WAITER.intervalSeconds}, ..., ${WAITER_LAST_CHECK_SECONDS} s (${DEPLOYMENT_WAITER.checks} checks) ` +
      "through the SDK integration after one Choice on the target's kind: no Lambda, 3 transitions per check. Like the CLI it reads only " +
      'Status, so it cannot tell a later change\'s deployment from its own; its messages have no "Took" (no check time in its result).',
  );
  console.log('- Prices, assumptions and what is not counted: as for the invalidations above (bench/prices.ts, bench/costs.ts).');

  const file = writeResult('deployments', {
    generatedAt: new Date().toISOString(),
    node: process.version,
    tree: treeState(),
    population: DEPLOYMENT_POPULATION,
    waiter: { ...DEPLOYMENT_WAITER, lastCheckSeconds: WAITER_LAST_CHECK_SECONDS },
    productSchedule: DEFAULT_POLL_SCHEDULE,
    checkerVsWaiter: {
      costRatio: ratio(checker),
      meanDelayRatioBothDetected: delayRatio,
      bothDetected: both.length,
      getCallsRatio: checker.perWatch.getDistributionCalls / waiter.perWatch.getDistributionCalls,
      productCostlierBands: costlierBands.map((cell) => cell.band),
    },
    productCostLine: line,
    perKindScheduleEstimates: estimates,
    summaries: summaries satisfies Summary[],
    executions: Object.fromEntries(results.map((result) => [result.config, result.executions])),
  });
  console.log(
    `\nWrote ${file} (real time ${fixed((performance.now() - started) / 1000)} s: ${summaries.map((s) => `${s.config} ${fixed(s.workerRealSeconds)} s`).join(', ')}).`,
  );
}

if (require.main === module) {
  runDeploymentBench().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
