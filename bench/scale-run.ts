/**
 * `npm run scale -- N [--seed S]`: a SaaS back end invalidates one path on each of N
 * distribution tenants at once, against a CloudFront that allows only a few Get calls per
 * second (R) and answers Throttling beyond; the account's one checker works the whole crowd.
 * Issue 13's goals: at 1,000, mean detection delay within 1.2x of N/2R (a watch can be checked
 * every N/R s at best) and none lost; at 10,000, all notified, none failed, within 1.5x; a watch
 * in a crowd of 1,000 costs at most half a lone watch's; throttled calls per watch no higher at
 * 1,000 than at 100. Each crowd (100 for the trend, then N) runs in its own process
 * (bench/scale-worker.ts), which also measures a lone watch; costs come from bench/costs.ts.
 * Writes bench/results/scale-<N>.json.
 */
import { performance } from 'node:perf_hooks';
import { chargesOf, totalOf, type Usage } from './costs';
import type { CrowdResult } from './scale-worker';
import { fixed, runWorker, table, treeState, writeResult } from './support';

/** The small crowd every run compares with. */
const SMALL_CROWD = 100;
/** Issue 13's goals: mean delay against N/2R, by crowd size (the largest size not above N applies). */
const DELAY_GOALS: readonly { readonly atLeast: number; readonly withinBound: number }[] = [
  { atLeast: 10_000, withinBound: 1.5 },
  { atLeast: 1, withinBound: 1.2 },
];
const COST_GOAL_TO_LONE = 0.5;

const perWatchUsd = (usage: Usage, watches: number, memoryMb: Readonly<Record<string, number>>) =>
  totalOf(chargesOf(usage, memoryMb)) / watches;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');

function usage(): never {
  throw new Error(`Usage: npm run scale -- N [--seed S]   (N > ${SMALL_CROWD}, S a whole number, default 1)`);
}

async function main() {
  const started = performance.now();
  const args = process.argv.slice(2);
  const seedFlag = args.indexOf('--seed');
  const seed = seedFlag < 0 ? 1 : Number(args[seedFlag + 1]);
  const positional = args.filter((arg, index) => /^\d+$/.test(arg) && (seedFlag < 0 || index !== seedFlag + 1));
  const large = Number(positional[0] ?? usage());
  if (!(large > SMALL_CROWD) || !Number.isInteger(seed) || seed < 0) usage();

  const crowds: CrowdResult[] = [];
  for (const watches of [SMALL_CROWD, large]) {
    process.stderr.write(`running ${watches} concurrent watches (seed ${seed}) ...\n`);
    crowds.push(await runWorker<CrowdResult>('scale-worker.ts', ['--watches', String(watches), '--seed', String(seed)]));
  }
  const [small, big] = [crowds[0]!, crowds[1]!];
  const R = big.rateLimit.callsPerSecond;
  const bound = (crowd: CrowdResult) => crowd.watches / (2 * R);
  const cost = (crowd: CrowdResult) => perWatchUsd(crowd.usage, crowd.watches, crowd.functionMemoryMb);
  const loneCost = (crowd: CrowdResult) => perWatchUsd(crowd.loneUsage, 1, crowd.functionMemoryMb);
  const throttledPerWatch = (crowd: CrowdResult) => crowd.throttledCalls / crowd.watches;

  console.log(
    `Scale run (seed ${seed}): N distribution tenants, one invalidation of one path each, all watches started at once, each ` +
      `invalidation completing at a seeded uniform time within ${big.completionWindowSeconds / 60} minutes. CloudFront emulator: ` +
      `${R} Get calls per second, burst ${big.rateLimit.burst}, Throttling beyond. One virtual clock for everything (handlers, SDK, ` +
      `emulators). Told to an SNS topic, a Slack webhook (one message a second, 429 beyond) and a Slack app channel. N/2R: with R calls per second a watch can be checked every N/R s, so the mean ` +
      `detection delay is at least N/2R.\n`,
  );
  const row = (label: string, value: (crowd: CrowdResult) => string) => [label, ...crowds.map(value)];
  console.log(
    table(
      ['', ...crowds.map((crowd) => `${crowd.watches} watches`)],
      [
        row('notified (SUCCEEDED)', (c) => `${c.notified}/${c.watches}`),
        row('failed', (c) => String(c.failed)),
        row('mean detection delay (s)', (c) => fixed(c.meanDetectionDelaySeconds)),
        row('p95 detection delay (s)', (c) => fixed(c.p95DetectionDelaySeconds)),
        row('max detection delay (s)', (c) => fixed(c.maxDetectionDelaySeconds)),
        row('N/2R bound (s)', (c) => fixed(bound(c))),
        row('told after detection, mean / max (s)', (c) => `${fixed(c.meanTellingDelaySeconds)} / ${fixed(c.maxTellingDelaySeconds)}`),
        row('mean / bound', (c) => `${fixed(c.meanDetectionDelaySeconds / bound(c), 2)}x`),
        row('p95 / bound', (c) => `${fixed(c.p95DetectionDelaySeconds / bound(c), 2)}x`),
        row('Get calls per watch', (c) => fixed(c.getCalls / c.watches, 2)),
        row('throttled calls', (c) => String(c.throttledCalls)),
        row('throttled calls per watch', (c) => fixed(throttledPerWatch(c), 3)),
        row('most Get calls for one watch', (c) => String(c.maxCallsForOneWatch)),
        row('peak calls in a second', (c) => String(c.peakCallsInASecond)),
        row('calls one ListInvalidations could save', (c) => String(c.sharedTargetCalls)),
        row('accepted calls per second', (c) => fixed(c.acceptedCallsPerSecond, 2)),
        row('$ per watch (crowd)', (c) => `$${fixed(cost(c), 6)}`),
        row('$ per lone watch (150 s)', (c) => `$${fixed(loneCost(c), 6)}`),
        row('crowd / lone', (c) => `${fixed(cost(c) / loneCost(c), 2)}x`),
        ...Object.keys(big.destinations).flatMap((name) => [
          row(
            `messages to ${name}`,
            (c) =>
              `${c.destinations[name]!.messages}${c.destinations[name]!.updates !== undefined ? ` (+${c.destinations[name]!.updates} updates)` : ''}`,
          ),
          row(`lost / told twice at ${name}`, (c) => `${c.destinations[name]!.lost} / ${c.destinations[name]!.toldTwice}`),
          row(`429 answers from ${name}`, (c) => String(c.destinations[name]!.rateLimited)),
        ]),
        row('virtual duration (s)', (c) => fixed(c.virtualSeconds, 0)),
        row('wall time (real s)', (c) => fixed(c.wallSeconds)),
      ],
    ),
  );
  for (const crowd of crowds) {
    for (const [reason, count] of Object.entries(crowd.failures))
      console.log(`${crowd.watches} watches: ${count} not notified of completion (${reason})`);
  }
  for (const crowd of crowds.filter((c) => c.stalledCount > 0)) {
    console.log(
      `HARNESS STALLED at ${crowd.watches} watches: the virtual clock stood still for minutes with ${crowd.stalledCount} ` +
        `watches running (work that never ended, not a watch the product dropped); they count as not notified here. ` +
        `First: ${crowd.stalledWatches.slice(0, 3).join(', ')}.`,
    );
  }
  console.log(`\nWhere a watch's money goes in the crowd of ${big.watches}, $ per watch:`);
  const crowdCharges = chargesOf(big.usage, big.functionMemoryMb);
  const loneCharges = chargesOf(big.loneUsage, big.functionMemoryMb);
  console.log(
    table(
      ['charge', `crowd of ${big.watches}`, 'lone watch', 'price'],
      crowdCharges.map((charge) => [
        charge.item,
        `$${fixed(charge.usd / big.watches, 7)}`,
        `$${fixed(loneCharges.find((c) => c.item === charge.item)?.usd ?? 0, 7)}`,
        charge.price,
      ]),
    ),
  );

  const delayGoal = DELAY_GOALS.find((goal) => big.watches >= goal.atLeast)!;
  const goals = {
    noneLost:
      big.notified === big.watches && big.failed === 0 && Object.values(big.destinations).every((d) => d.lost === 0 && d.toldTwice === 0),
    meanDelay: big.meanDetectionDelaySeconds <= delayGoal.withinBound * bound(big),
    cost: cost(big) <= COST_GOAL_TO_LONE * loneCost(big),
    throttling: throttledPerWatch(big) <= throttledPerWatch(small),
  };
  console.log(`\nGoals at ${big.watches} watches:`);
  const lostMessages = Object.values(big.destinations).reduce((sum, d) => sum + d.lost + d.toldTwice, 0);
  console.log(
    `  all notified, none failed, none lost or told twice: ${big.notified}/${big.watches} notified, ${big.failed} failed, ` +
      `${lostMessages} lost or twice over ${Object.keys(big.destinations).length} destinations ${verdict(goals.noneLost)}`,
  );
  console.log(
    `  mean delay within ${delayGoal.withinBound}x of N/2R = ${fixed(bound(big))} s: ${fixed(big.meanDetectionDelaySeconds)} s = ` +
      `${fixed(big.meanDetectionDelaySeconds / bound(big), 2)}x ${verdict(goals.meanDelay)}`,
  );
  console.log(
    `  cost per watch at most ${COST_GOAL_TO_LONE}x a lone watch's: $${fixed(cost(big), 6)} / $${fixed(loneCost(big), 6)} = ` +
      `${fixed(cost(big) / loneCost(big), 2)}x ${verdict(goals.cost)}`,
  );
  console.log(
    `  throttled calls per watch no higher than at ${small.watches}: ${fixed(throttledPerWatch(big), 3)} vs ${fixed(throttledPerWatch(small), 3)} ` +
      verdict(goals.throttling),
  );
  if (!goals.meanDelay || !goals.throttling || !goals.noneLost) {
    console.log(
      '  What limits delay and throttling: the budget (lambda/shared/budget.ts: AIMD rate, its ceiling and how fast it grows ' +
        "back), the selection (lambda/checker/selection.ts: youth weighting over the crowd's round robin) and the tick's pace " +
        '(nextTickDelaySeconds there). See bench/results/scale-<N>.json.',
    );
  }
  if (!goals.cost) {
    // What a crowd cannot share: the charges that are the same per watch, alone or not.
    const biggest = [...crowdCharges].sort((a, b) => b.usd - a.usd)[0]!;
    console.log(
      `  What limits the cost: ${biggest.item}, $${fixed(biggest.usd / big.watches, 7)} per watch (${fixed((100 * biggest.usd) / totalOf(crowdCharges), 0)}% ` +
        `of a crowd watch's bill, ${fixed((100 * biggest.usd) / big.watches / loneCost(big), 0)}% of a lone watch's), is paid per watch whatever the ` +
        'crowd: the checker shares its ticks, not the watcher each watch runs. Below half a lone watch only with fewer charges per watch there.',
    );
  }
  console.log(
    `\nNotes:\n- The lone watch completes at ${big.completionWindowSeconds / 2} s (the middle of the window), measured alone before the crowd; ` +
      "the watchdog's calls (once a minute) are a fixed cost of the account, left out of both.\n" +
      '- All handlers run in one process: their SDK clients share one socket pool and one event loop, unlike Lambda environments.',
  );
  const totalSeconds = (performance.now() - started) / 1000;
  const file = writeResult(`scale-${big.watches}-seed${seed}`, {
    generatedAt: new Date().toISOString(),
    node: process.version,
    tree: treeState(),
    seed,
    goals: { delayWithinBound: delayGoal.withinBound, costToLone: COST_GOAL_TO_LONE },
    goalsMet: goals,
    crowds: crowds.map((crowd) => ({
      ...crowd,
      boundSeconds: bound(crowd),
      costPerWatchUsd: cost(crowd),
      loneWatchCostUsd: loneCost(crowd),
      throttledPerWatch: throttledPerWatch(crowd),
    })),
    totalRealSeconds: totalSeconds,
  });
  console.log(`\nWrote ${file}. The whole run took ${fixed(totalSeconds)} s real (both crowds, synth included).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
