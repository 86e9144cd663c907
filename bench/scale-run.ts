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

const CROWD_SIZES = [100, 1000] as const;

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
  const crowds: Crowd[] = [];
  for (const watches of CROWD_SIZES) {
    process.stderr.write(`running ${watches} concurrent watches ...\n`);
    crowds.push(await runWorker<Crowd>('scale-worker.ts', ['--watches', String(watches), ...passOn]));
  }
  const [small, large] = [crowds[0]!, crowds[1]!];
  const { msPerVirtualSecond, rateLimit } = large;

  console.log(
    `Scale run: N distribution tenants, one invalidation of one path each, all watches started at once, each invalidation ` +
      `completing at a seeded random time within ${large.completionWindowSeconds / 60} minutes. CloudFront emulator: ` +
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
        row('state transitions per watch', (c) => fixed(c.transitionsPerWatch)),
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
  const ratio = large.throttledCalls / large.watches / (small.throttledCalls / small.watches);
  console.log(
    `\nThrottled calls per watch: ${per(small.throttledCalls, small)} with ${small.watches} watches, ${per(large.throttledCalls, large)} ` +
      `with ${large.watches} (x${fixed(ratio, 2)}; x1 would be throttling that does not grow with the crowd).`,
  );
  console.log('\nNotes:');
  console.log("- Detection delay: the detecting check's own reading of the watch's age (whole seconds) minus the completion time.");
  console.log(
    '- A first check is made as soon as a watch starts: with N watches starting together, about N minus what the bucket ' +
      'allows in that time are throttled whatever happens next.',
  );
  console.log('- The check function draws its jitter with Math.random, so runs differ somewhat; the completion times are seeded.');
  console.log(
    '- Harness limits: all handlers run in one process, so unlike separate Lambda environments their SDK clients share one ' +
      'pool of 50 sockets (the SDK warns when calls queue for it) and one event loop.',
  );
  console.log(
    large.processClock === 'real'
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
