/**
 * One crowd of `npm run scale`, in its own process (fresh handler state: the check function
 * keeps what it has seen of throttling for the life of its container):
 * `tsx bench/scale-worker.ts --watches N [--ms-per-virtual-second M]`.
 *
 * N distribution tenants each get one invalidation of one path, all watched at once, against a
 * CloudFront emulator that allows a few Get calls per virtual second and answers Throttling
 * beyond. Time is compressed and shared by all executions (LocalWatcher with
 * msPerVirtualSecond > 0): waits are really slept, scaled, so watches overlap as in AWS, and
 * the emulator's token bucket is set to refill at the rate limit per virtual second.
 */
import { CheckLoopStateNames } from '../lib/check-loop';
import { performance } from 'node:perf_hooks';
import type { CloudFrontCall } from '../local/cloudfront-emulator';
import { SAMPLE_TENANT, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../local/events';
import { startLocalPipeline, type LocalPipeline } from '../local/pipeline';
import type { StartWatchResult } from '../lambda/start-watch/start-watch';
import { max, mean, reportToParent, seededRandom } from './support';

/**
 * Real milliseconds per virtual second. Lower, the CPU paces the run: starting 1,000 watches
 * in-process takes a few real seconds, which at 50 ms is one or two virtual minutes, so the
 * burst is less and less "at once" (the output shows how long starting them took). Higher,
 * the run takes longer (each Express run is slept whole inside its parent's Task, whose
 * 6-minute TimeoutSeconds the local interpreter counts in real time: at most ~1,300 ms).
 */
const DEFAULT_MS_PER_VIRTUAL_SECOND = 50;
/** CloudFront's Get limit is not published and low ("bursts of a few calls per second"). */
const CALLS_PER_VIRTUAL_SECOND = 5;
const BURST = 10;
/** Each invalidation completes at a uniformly random virtual time within this many seconds. */
const COMPLETION_WINDOW_SECONDS = 300;
const SEED = 20261121;

function numberArgument(name: string, fallback?: number): number {
  const flag = process.argv.indexOf(name);
  const value = flag < 0 ? fallback : Number(process.argv[flag + 1]);
  if (value === undefined || !(value > 0)) throw new Error(`Usage: tsx bench/scale-worker.ts --watches N [--ms-per-virtual-second M]`);
  return value;
}

/**
 * Why a watch failed, from the notification it sent (the Fail state's cause is generic): the
 * message's first line with the watch's own IDs taken out, so that equal reasons group.
 */
function failureReason(pipeline: LocalPipeline, sample: SampleInvalidation, fallback: string): string {
  const message = pipeline.aws.published.find((published) => published.attributes.targetId === sample.targetId);
  if (!message) return fallback;
  const email = (JSON.parse(message.message) as { email?: string }).email ?? message.subject ?? fallback;
  return (email.split('\n')[0] ?? fallback).replaceAll(sample.invalidationId, '<invalidation>').replaceAll(sample.targetId, '<tenant>');
}

/**
 * Whether the harness compresses the process's Date once the pipeline is up (so that handlers,
 * the SDK and the emulators share the virtual clock), or keeps it real. The emulator's token
 * bucket and call times use Date, so the rate limit and the per-second counts depend on it.
 */
async function processClockIsCompressed(): Promise<boolean> {
  const [date, real] = [Date.now(), performance.now()];
  await new Promise((resolve) => setTimeout(resolve, 200));
  return (Date.now() - date) / (performance.now() - real) > 1.5;
}

async function main() {
  const watches = numberArgument('--watches');
  const msPerVirtualSecond = numberArgument('--ms-per-virtual-second', DEFAULT_MS_PER_VIRTUAL_SECOND);
  // Its refill rate is set below, once the clock is known: the emulator reads it at each call.
  const rateLimit = { perSecond: 0, burst: BURST };
  const pipeline = await startLocalPipeline({
    // SNS only: Slack's own limit (about 1 message per second per webhook) is another
    // question than CloudFront's, and the Slack emulator does not enforce it.
    slack: false,
    cloudFrontRateLimit: rateLimit,
    random: seededRandom(SEED + 1),
  });
  // Date milliseconds per virtual second: with a real Date, 5 calls per virtual second of
  // 50 ms is 100 per (real) second; with a compressed Date, it is 5 per (virtual) second.
  const compressedClock = await processClockIsCompressed();
  const dateMsPerVirtualSecond = compressedClock ? 1000 : msPerVirtualSecond;
  rateLimit.perSecond = CALLS_PER_VIRTUAL_SECOND * (1000 / dateMsPerVirtualSecond);
  const random = seededRandom(SEED);
  const samples = Array.from({ length: watches }, (_, index): SampleInvalidation & { completesAtSecond: number } => {
    const id = String(index).padStart(5, '0');
    return {
      ...SAMPLE_TENANT,
      targetId: `dt_scale${id}`,
      invalidationId: `ISCALE${id}`,
      paths: [`/tenant/${index}/*`],
      callerReference: `scale-${id}`,
      completesAtSecond: random() * COMPLETION_WINDOW_SECONDS,
    };
  });
  for (const sample of samples) pipeline.cloudFront.add(emulatedInvalidation(sample, { completesAtSecond: sample.completesAtSecond }));
  const utilizationBefore = performance.eventLoopUtilization();
  const startedAt = Date.now();
  const startedReal = performance.now();

  // All at once, as EventBridge would invoke Start watch for a burst of CloudTrail events.
  const started = (await Promise.all(samples.map((sample) => pipeline.deliver(cloudTrailEvent(sample))))) as StartWatchResult[];
  const allStartedMs = performance.now() - startedReal;
  const executions = started.map(({ executionName }) => pipeline.watcher.executions.get(executionName)!);
  await Promise.all(executions.map((execution) => execution.done));
  const wallMs = performance.now() - startedReal;
  const utilization = performance.eventLoopUtilization(utilizationBefore).utilization;

  const { calls } = pipeline.cloudFront;
  const throttled = calls.filter((call) => call.answer === 'Throttling').length;
  const callsPerVirtualSecond = new Map<number, number>();
  const callsByInvalidation = new Map<string, CloudFrontCall[]>();
  for (const call of calls) {
    const second = Math.floor((call.at - startedAt) / dateMsPerVirtualSecond);
    callsPerVirtualSecond.set(second, (callsPerVirtualSecond.get(second) ?? 0) + 1);
    const list = callsByInvalidation.get(call.invalidationId) ?? [];
    list.push(call);
    callsByInvalidation.set(call.invalidationId, list);
  }

  // When first calls happen and how they are answered: a burst of first calls is where a crowd's throttling comes from.
  const firstCalls = new Map<number, { accepted: number; throttled: number }>();
  for (const list of callsByInvalidation.values()) {
    const bucket = Math.floor((list[0]!.at - startedAt) / dateMsPerVirtualSecond / 20) * 20;
    const entry = firstCalls.get(bucket) ?? { accepted: 0, throttled: 0 };
    entry[list[0]!.answer === 'Throttling' ? 'throttled' : 'accepted'] += 1;
    firstCalls.set(bucket, entry);
  }
  const delays: number[] = [];
  const failures = new Map<string, number>();
  executions.forEach((execution, index) => {
    const status = (execution.output as { status?: { status?: string; elapsedSeconds?: number } } | undefined)?.status;
    if (execution.status === 'SUCCEEDED' && status?.status === 'Completed') {
      // The detecting check's own reading of the watch's age (whole seconds); the execution's
      // clock at its end would add the time the notify states took to get going.
      delays.push(status.elapsedSeconds! - samples[index]!.completesAtSecond);
      return;
    }
    const ending =
      execution.error?.name ?? `${execution.status} (${(execution.output as { outcome?: string } | undefined)?.outcome ?? 'no outcome'})`;
    const reason = `${ending}: ${failureReason(pipeline, samples[index]!, execution.error?.cause ?? 'no cause')}`;
    failures.set(reason, (failures.get(reason) ?? 0) + 1);
  });
  await pipeline.stop();

  reportToParent({
    watches,
    msPerVirtualSecond,
    rateLimit: {
      callsPerVirtualSecond: CALLS_PER_VIRTUAL_SECOND,
      burst: BURST,
      perRealSecond: CALLS_PER_VIRTUAL_SECOND * (1000 / msPerVirtualSecond),
    },
    /** Whether the handlers saw real or compressed (virtual) time on their own clock. */
    processClock: compressedClock ? 'compressed' : 'real',
    completionWindowSeconds: COMPLETION_WINDOW_SECONDS,
    seed: SEED,
    notified: executions.filter((execution) => execution.status === 'SUCCEEDED').length,
    failed: executions.filter((execution) => execution.status === 'FAILED').length,
    failures: Object.fromEntries(failures),
    getCalls: calls.length,
    throttledCalls: throttled,
    /** Watches whose very first check (made as soon as the watch starts) was throttled. */
    throttledFirstChecks: [...callsByInvalidation.values()].filter((list) => list[0]?.answer === 'Throttling').length,
    maxCallsForOneWatch: max([...callsByInvalidation.values()].map((list) => list.length)),
    peakCallsPerVirtualSecond: max([...callsPerVirtualSecond.values()]),
    acceptedCallsPerVirtualSecond: (calls.length - throttled) / (wallMs / msPerVirtualSecond),
    meanDetectionDelaySeconds: mean(delays),
    maxDetectionDelaySeconds: max(delays),
    transitionsPerWatch: mean(executions.map((execution) => execution.transitions)),
    expressRunsPerWatch: mean(executions.map((execution) => execution.runs.length)),
    /** First calls of the watches by 20 virtual seconds from the start, accepted and throttled. */
    firstCallsBy20Seconds: Object.fromEntries([...firstCalls.entries()].sort(([a], [b]) => a - b)),
    checksPerWatch: mean(executions.map((execution) => execution.invocations[CheckLoopStateNames.check] ?? 0)),
    /** Until the last Start watch call returned: how "at once" the harness could start them. */
    startSpreadVirtualSeconds: allStartedMs / msPerVirtualSecond,
    wallSeconds: wallMs / 1000,
    virtualSeconds: wallMs / msPerVirtualSecond,
    /** Share of the wall time the event loop was busy: near 1, the CPU rather than the waits paced the run. */
    eventLoopUtilization: utilization,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
