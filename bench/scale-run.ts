/**
 * `npm run scale`: a SaaS back end invalidates one path on each of many distribution tenants
 * at once, against a CloudFront that allows only a few GetInvalidationForDistributionTenant
 * calls per second and answers Throttling beyond. Goal (product owner): 1,000 of 1,000 watches
 * notified, none failed, and throttling per watch that does not grow with the crowd; the same
 * run with 100 watches shows the trend. Each crowd runs in its own process
 * (bench/scale-worker.ts); `--ms-per-virtual-second M` is passed on to both.
 */
import { performance } from 'node:perf_hooks';
import { fixed, runWorker, table, treeState, writeResult } from './support';

/** The small crowd every run compares with; the large one is the first argument (`npm run scale -- 1000`). */
const SMALL_CROWD = 100;
const DEFAULT_LARGE_CROWD = 1000;

/** What bench/scale-worker.ts reports for one crowd. */
interface Crowd {
  readonly watches: number;
  readonly msPerVirtualSecond: number;
  readonly rateLimit: { readonly callsPerVirtualSecond: number; readonly burst: number; readonly perRealSecond: number };
  readonly processClock: 'real' | 'compressed';
  readonly completionWindowSeconds: number;
  readonly notified: number;
  readonly failed: number;
  readonly failures: Record<string, number>;
  readonly getCalls: number;
  readonly throttledCalls: number;
  readonly throttledFirstChecks: number;
  readonly maxCallsForOneWatch: number;
  readonly peakCallsPerVirtualSecond: number;
  readonly acceptedCallsPerVirtualSecond: number;
  readonly meanDetectionDelaySeconds: number;
  readonly maxDetectionDelaySeconds: number;
  readonly transitionsPerWatch: number;
  readonly expressRunsPerWatch: number;
  readonly checksPerWatch: number;
  readonly startSpreadVirtualSeconds: number;
  readonly wallSeconds: number;
  readonly virtualSeconds: number;
  readonly eventLoopUtilization: number;
}

async function main() {
  const started = performance.now();
  const flag = process.argv.indexOf('--ms-per-virtual-second');
  const passOn = flag >= 0 ? ['--ms-per-virtual-second', process.argv[flag + 1] ?? ''] : [];
  const positional = process.argv.slice(2).find((arg, index, args) => /^\d+$/.test(arg) && args[index - 1] !== '--ms-per-virtual-second');
  const large = positional === undefined ? DEFAULT_LARGE_CROWD : Number(positional);
  if (!(large > SMALL_CROWD)) throw new Error(`Usage: npm run scale -- [N > ${SMALL_CROWD}] [--ms-per-virtual-second M]`);
  const crowds: Crowd[] = [];
  for (const watches of [SMALL_CROWD, large]) {
    process.stderr.write(`running ${watches} concurrent watches ...\n`);
    crowds.push(await runWorker<Crowd>('scale-worker.ts', ['--watches', String(watches), ...passOn]));
  }
  const [small, big] = [crowds[0]!, crowds[1]!];
  const { msPerVirtualSecond, rateLimit } = big;

  console.log(
    `Scale run: N distribution tenants, one invalidation of one path each, all watches started at once, each invalidation ` +
      `completing at a seeded random time within ${big.completionWindowSeconds / 60} minutes. CloudFront emulator: ` +
      `${rateLimit.callsPerVirtualSecond} Get calls per virtual second, burst ${rateLimit.burst}, Throttling beyond. Time compressed: ` +
      `${msPerVirtualSecond} ms real = 1 virtual second, so the token bucket refills at ${rateLimit.perRealSecond} calls per real second. ` +
      `Notifications to SNS only.\n`,
  );
  const per = (count: number, crowd: Crowd) => fixed(count / crowd.watches, 2);
  const row = (label: string, value: (crowd: Crowd) => string) => [label, ...crowds.map(value)];
  console.log(
    table(
      ['', ...crowds.map((crowd) => `${crowd.watches} watches`)],
      [
        row('notified (SUCCEEDED)', (c) => `${c.notified}/${c.watches}`),
        row('failed', (c) => String(c.failed)),
        row('Get calls', (c) => String(c.getCalls)),
        row('throttled calls', (c) => String(c.throttledCalls)),
        row('throttled calls per watch', (c) => per(c.throttledCalls, c)),
        row('  of which first checks', (c) => per(c.throttledFirstChecks, c)),
        row('Get calls per watch', (c) => per(c.getCalls, c)),
        row('most Get calls for one watch', (c) => String(c.maxCallsForOneWatch)),
        row('peak calls in a virtual second', (c) => String(c.peakCallsPerVirtualSecond)),
        row('accepted calls per virtual second', (c) => fixed(c.acceptedCallsPerVirtualSecond, 2)),
        row('mean detection delay (virtual s)', (c) => fixed(c.meanDetectionDelaySeconds)),
        row('max detection delay (virtual s)', (c) => fixed(c.maxDetectionDelaySeconds)),
        row('checks per watch', (c) => fixed(c.checksPerWatch)),
        row('Standard transitions per watch', (c) => fixed(c.transitionsPerWatch)),
        row('Express runs per watch', (c) => fixed(c.expressRunsPerWatch, 2)),
        row('all started within (virtual s)', (c) => fixed(c.startSpreadVirtualSeconds)),
        row('virtual duration (s)', (c) => fixed(c.virtualSeconds, 0)),
        row('wall time (real s)', (c) => fixed(c.wallSeconds)),
        row('event loop busy', (c) => `${fixed(c.eventLoopUtilization * 100, 0)}%`),
      ],
    ),
  );
  for (const crowd of crowds) {
    for (const [reason, count] of Object.entries(crowd.failures)) console.log(`\n${crowd.watches} watches: ${count} failed with ${reason}`);
  }
  const ratio = big.throttledCalls / big.watches / (small.throttledCalls / small.watches);
  console.log(
    `\nThrottled calls per watch: ${per(small.throttledCalls, small)} with ${small.watches} watches, ${per(big.throttledCalls, big)} ` +
      `with ${big.watches} (x${fixed(ratio, 2)}; x1 or less: throttling that does not grow with the crowd).`,
  );
  console.log('\nNotes:');
  console.log("- Detection delay: the detecting check's own reading of the watch's age (whole seconds) minus the completion time.");
  console.log(
    "- A watch's first call is made as soon as it starts, unless the container has seen CloudFront throttle in the last " +
      "minute: then it waits for its place in the crowd's fair interval. Watches whose first checks are decided together, " +
      'before any answer came back (a burst), all call: first calls by 20 virtual s are in bench/results/scale.json.',
  );
  console.log('- The check function draws its jitter with Math.random, so runs differ somewhat; the completion times are seeded.');
  console.log(
    '- Harness limits: all handlers run in one process, so unlike separate Lambda environments their SDK clients share one ' +
      'pool of 50 sockets (the SDK warns when calls queue for it) and one event loop.',
  );
  console.log(
    big.processClock === 'real'
      ? `- The handlers read the real clock (only the watch start time they are given is shifted): whatever a handler measures ` +
          `in seconds of its own clock, such as the check function's estimate of the crowd, passes ${fixed(1000 / msPerVirtualSecond, 0)} ` +
          'times faster than virtual time here.'
      : '- The harness compresses the whole process clock: handlers, SDK and emulators all see virtual time.',
  );
  const totalSeconds = (performance.now() - started) / 1000;
  const file = writeResult('scale', {
    generatedAt: new Date().toISOString(),
    node: process.version,
    tree: treeState(),
    crowds,
    throttledPerWatchGrowth: ratio,
    totalRealSeconds: totalSeconds,
  });
  console.log(`\nWrote ${file} (whole run, both crowds, synth included: ${fixed(totalSeconds)} s real).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
