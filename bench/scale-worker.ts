/**
 * One crowd of `npm run scale`, in its own process: `tsx bench/scale-worker.ts --watches N
 * [--seed S]`.
 *
 * First one lone watch (completing at the middle of the window), measured alone: what a watch
 * costs when it is the only one in the account. Then N distribution tenants each get one
 * invalidation of one path, all watched at once, completing at seeded uniform times within
 * the window, against a CloudFront emulator that allows R Get calls per second (burst 10) and
 * answers Throttling beyond. Everything runs on the pipeline's one virtual clock (handlers,
 * SDK, emulators), so the watches overlap as in AWS and the account's one checker works the
 * whole crowd. Reports the crowd's delays, calls and usage (priced by the parent with
 * bench/costs.ts).
 */
import { performance } from 'node:perf_hooks';
import { FUNCTION_DIR_METADATA } from '../lib/notifier-function';
import type { CloudFrontCall } from '../local/cloudfront-emulator';
import { SAMPLE_TENANT, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../local/events';
import { startLocalPipeline, type LocalPipeline } from '../local/pipeline';
import { localFunctions } from '../local/template';
import type { StartWatchResult } from '../lambda/start-watch/start-watch';
import { NO_USAGE, addUsage, type Usage } from './costs';
import { InvocationCounter, functionMemoryOf, readMeter, usageBetween } from './metering';
import { max, mean, reportToParent, seededRandom } from './support';
import { accountFor } from '../local/message-accounting';

/** CloudFront's Get limit is not published and low ("bursts of a few calls per second"). */
export const CALLS_PER_SECOND = 5;
export const BURST = 10;
/** Real seconds the virtual clock may stand still before the run is declared stalled. */
const STALL_REAL_SECONDS = 120;
/** Each invalidation completes at a uniformly random time within this many seconds. */
export const COMPLETION_WINDOW_SECONDS = 300;

/**
 * Where the crowd is told: a topic, a Slack webhook limited as Slack's are (one message a
 * second, 429 beyond) and a Slack app channel; every invalidation must reach each once.
 */
const CHANNEL = 'C0SCALE0001';
const DESTINATIONS = {
  email: { type: 'sns' },
  'team-slack': { type: 'slack', secretName: 'scale/team-slack' },
  'team-app': { type: 'slack-app', secretName: 'scale/slack-bot', channel: CHANNEL },
} as const;

/** What one destination received for the crowd. */
export interface DestinationReport {
  readonly messages: number;
  /** Invalidations the messages report (listed or counted): the crowd's size when none is lost. */
  readonly reported: number;
  readonly lost: number;
  readonly toldTwice: number;
  /** Answers 429 from the platform (the pace keeps this at 0). */
  readonly rateLimited: number;
  /** A Slack app: edits of its one message (they notify nobody). */
  readonly updates?: number;
}

export interface CrowdResult {
  readonly watches: number;
  readonly seed: number;
  readonly rateLimit: { readonly callsPerSecond: number; readonly burst: number };
  readonly completionWindowSeconds: number;
  readonly functionMemoryMb: Readonly<Record<string, number>>;
  readonly notified: number;
  readonly failed: number;
  readonly failures: Record<string, number>;
  readonly getCalls: number;
  readonly throttledCalls: number;
  readonly maxCallsForOneWatch: number;
  readonly peakCallsInASecond: number;
  /**
   * Get calls made at the same instant (one tick) as another for the same distribution or
   * tenant: what one ListInvalidations page could have answered instead (it lists a target's
   * invalidations with their status, not their paths).
   */
  readonly sharedTargetCalls: number;
  readonly acceptedCallsPerSecond: number;
  readonly meanDetectionDelaySeconds: number;
  readonly p95DetectionDelaySeconds: number;
  readonly maxDetectionDelaySeconds: number;
  /** From the detecting check to the execution's end, when every destination was told. */
  readonly meanTellingDelaySeconds: number;
  readonly maxTellingDelaySeconds: number;
  /** The crowd's whole usage (all N watches), and the lone watch's. */
  readonly usage: Usage;
  readonly loneUsage: Usage;
  readonly loneDetectionDelaySeconds: number;
  readonly watchdogCalls: number;
  /** What each destination received for the crowd (not the lone watch). */
  readonly destinations: Readonly<Record<string, DestinationReport>>;
  /** Watches still running when the harness stalled (the virtual clock stood still for minutes): not lost by the product, not measured. */
  readonly stalledWatches: readonly string[];
  readonly stalledCount: number;
  readonly virtualSeconds: number;
  readonly wallSeconds: number;
}

function argument(name: string, fallback?: number): number {
  const flag = process.argv.indexOf(name);
  const value = flag < 0 ? fallback : Number(process.argv[flag + 1]);
  if (value === undefined || !Number.isInteger(value) || value < 0)
    throw new Error('Usage: tsx bench/scale-worker.ts --watches N [--seed S]');
  return value;
}

const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** What the executions counted themselves (transitions), summed. */
const ownUsage = (executions: readonly { transitions: number }[]) => ({
  standardTransitions: executions.reduce((sum, execution) => sum + execution.transitions, 0),
  expressRuns: [],
  lambdaCalls: {},
  sdkIntegrationCalls: 0,
});

const tenant = (tag: string, index: number): SampleInvalidation => {
  const id = String(index).padStart(5, '0');
  return {
    ...SAMPLE_TENANT,
    targetId: `dt_${tag}${id}`,
    invalidationId: `I${tag.toUpperCase()}${id}`,
    paths: [`/tenant/${index}/*`],
    callerReference: `${tag}-${id}`,
  };
};

/**
 * When the check that saw Completed was made, in the execution's seconds (its start is 0): the
 * check's own time, not the execution's end, which comes after telling (a digest waits for its
 * burst, a channel's pace lets a message a second through).
 */
function checkedSeconds(execution: { readonly startDate: Date; readonly output?: unknown }): number | undefined {
  const status = (execution.output as { status?: { status?: string; checkedAt?: string } } | undefined)?.status;
  if (status?.status !== 'Completed' || !status.checkedAt) return undefined;
  return (Date.parse(status.checkedAt) - execution.startDate.getTime()) / 1000;
}

/** Why a watch failed, from its error, grouped. */
const failureOf = (execution: { status: string; error?: { name: string } }) => execution.error?.name ?? execution.status;

/** Calls beyond the first to one target at one instant (a tick), over the run. */
function sharedTargetCalls(calls: readonly { readonly at: number; readonly targetId: string }[]): number {
  const perTick = new Map<string, number>();
  for (const call of calls) perTick.set(`${call.at}/${call.targetId}`, (perTick.get(`${call.at}/${call.targetId}`) ?? 0) + 1);
  return [...perTick.values()].reduce((sum, count) => sum + count - 1, 0);
}

/** Start watch invocations run at once while the burst is delivered (real time; the virtual clock stands still). */
const START_CONCURRENCY = 200;

async function main() {
  const watches = argument('--watches');
  const seed = argument('--seed', 1);
  if (watches < 1) throw new Error('--watches must be at least 1');
  const wallStarted = performance.now();
  const invocations = new InvocationCounter();
  const pipeline: LocalPipeline = await startLocalPipeline({
    context: { destinations: DESTINATIONS },
    cloudFrontRateLimit: { perSecond: CALLS_PER_SECOND, burst: BURST },
    random: seededRandom(seed * 7919 + 1),
    beforeInvoke: (functionDir, input) => invocations.count(functionDir, input),
  });
  pipeline.webhooks['team-slack']!.rateLimit({ messages: 1, perMs: 1000 });
  const functionMemoryMb = functionMemoryOf(pipeline, localFunctions(pipeline.template, FUNCTION_DIR_METADATA));

  // A lone watch first: what one watch costs alone in the account.
  const lone = tenant('lone', 0);
  const loneCompletesAt = COMPLETION_WINDOW_SECONDS / 2;
  pipeline.cloudFront.add(emulatedInvalidation(lone, { completesAtSecond: loneCompletesAt }));
  let before = readMeter(pipeline, invocations);
  const { executionName: loneName } = (await pipeline.deliver(cloudTrailEvent(lone))) as StartWatchResult;
  const loneExecution = pipeline.watcher.executions.get(loneName)!;
  await loneExecution.done;
  await pipeline.idle();
  const loneUsage = usageBetween(before, readMeter(pipeline, invocations), ownUsage([loneExecution]));
  const loneDetectionDelaySeconds = (checkedSeconds(loneExecution) ?? Number.NaN) - loneCompletesAt;

  const random = seededRandom(seed);
  const samples = Array.from({ length: watches }, (_, index) => ({
    ...tenant('scale', index),
    completesAtSecond: random() * COMPLETION_WINDOW_SECONDS,
  }));
  for (const sample of samples) pipeline.cloudFront.add(emulatedInvalidation(sample, { completesAtSecond: sample.completesAtSecond }));
  const callsBefore = pipeline.cloudFront.calls.length;
  const sent = () => ({
    email: pipeline.aws.published.length,
    slack: pipeline.webhooks['team-slack']!.messages.length,
    slackAttempts: pipeline.webhooks['team-slack']!.attempts.length,
    appPosts: pipeline.slackApi.posts.length,
    appUpdates: pipeline.slackApi.updates.length,
    appAttempts: pipeline.slackApi.attempts.length,
  });
  const sentBefore = sent();
  before = readMeter(pipeline, invocations);
  const startedAtMs = pipeline.sim.now();
  // All at one virtual instant, as EventBridge would invoke Start watch for a burst of CloudTrail
  // events: the clock stands still while the whole burst is delivered. A few hundred invocations
  // at a time in real time, as Lambda's concurrency would run them: ten thousand at once in one
  // process would queue on the SDK's sockets past Start watch's (real) timeout.
  const started: StartWatchResult[] = [];
  await pipeline.sim.track(async () => {
    for (let from = 0; from < samples.length; from += START_CONCURRENCY) {
      const batch = samples.slice(from, from + START_CONCURRENCY);
      started.push(...((await Promise.all(batch.map((sample) => pipeline.deliver(cloudTrailEvent(sample))))) as StartWatchResult[]));
    }
  });
  const executions = started.map(({ executionName }) => pipeline.watcher.executions.get(executionName)!);
  let ended = 0;
  // The harness can stall: work that never ends (a request lost in the process's one socket
  // pool) holds the virtual clock still. Past STALL_REAL_SECONDS without the clock moving, the
  // run ends and names the watches still running instead of hanging.
  let stalled: () => void = () => undefined;
  const stall = new Promise<void>((resolve) => (stalled = resolve));
  let lastVirtualMs = pipeline.sim.now();
  let lastMoveReal = performance.now();
  const progress = setInterval(() => {
    const now = pipeline.sim.now();
    if (now !== lastVirtualMs) [lastVirtualMs, lastMoveReal] = [now, performance.now()];
    process.stderr.write(
      `  ${watches} watches: ${ended} ended, ${((now - startedAtMs) / 1000).toFixed(0)} virtual s, ${((performance.now() - wallStarted) / 1000).toFixed(0)} real s\n`,
    );
    if (performance.now() - lastMoveReal > STALL_REAL_SECONDS * 1000) stalled();
  }, 10_000);
  const allDone = Promise.all(executions.map((execution) => execution.done.then(() => (ended += 1))));
  await Promise.race([allDone, stall]);
  const virtualSeconds = (pipeline.sim.now() - startedAtMs) / 1000;
  const stalledWatches = executions.filter((execution) => execution.status === 'RUNNING').map((execution) => execution.name);
  if (stalledWatches.length === 0) await pipeline.idle();
  clearInterval(progress);
  const usage = usageBetween(before, readMeter(pipeline, invocations), ownUsage(executions));

  const calls = pipeline.cloudFront.calls.slice(callsBefore);
  const throttled = calls.filter((call) => call.answer === 'Throttling').length;
  const perSecond = new Map<number, number>();
  const byInvalidation = new Map<string, CloudFrontCall[]>();
  for (const call of calls) {
    const second = Math.floor((call.at - startedAtMs) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    // The scale run watches invalidations only; a deployment's check names no invalidation.
    if (call.invalidationId !== undefined)
      byInvalidation.set(call.invalidationId, [...(byInvalidation.get(call.invalidationId) ?? []), call]);
  }
  const delays: number[] = [];
  const tellingDelays: number[] = [];
  const failures: Record<string, number> = {};
  executions.forEach((execution, index) => {
    const checked = checkedSeconds(execution);
    if (execution.status === 'SUCCEEDED' && checked !== undefined) {
      // Detection: the check that saw Completed. Telling may take longer (a digest, a channel's pace): apart.
      delays.push(checked - samples[index]!.completesAtSecond);
      tellingDelays.push(execution.virtualSeconds - checked);
      return;
    }
    const reason = execution.status === 'RUNNING' ? 'still running when the harness stalled' : failureOf(execution);
    failures[reason] = (failures[reason] ?? 0) + 1;
  });
  const crowdIds = new RegExp(`I${'scale'.toUpperCase()}\\d{5}`, 'g');
  const report = (messages: readonly unknown[], rateLimited: number, updates?: number): DestinationReport => {
    const { reported, listedTwice } = accountFor(messages, crowdIds);
    return {
      messages: messages.length,
      reported,
      lost: Math.max(0, watches - reported),
      toldTwice: listedTwice.length,
      rateLimited,
      ...(updates !== undefined ? { updates } : {}),
    };
  };
  const slackWebhook = pipeline.webhooks['team-slack']!;
  // A Slack app keeps one live message: what it shows at the end accounts for the crowd.
  const live = pipeline.slackApi
    .messages(CHANNEL)
    .filter((message) => !message.deleted && message.ts > (pipeline.slackApi.posts[sentBefore.appPosts - 1]?.ts ?? ''));
  // "N of T CloudFront invalidations ... completed; ... R running": the T that are no longer running are told.
  const appReported = live.reduce((sum, message) => {
    // As it stands now: its text and blocks, not its history of updates.
    const text = JSON.stringify({ text: message.text, blocks: message.blocks });
    const total = /(\d+) of (\d+) CloudFront invalidations/.exec(text);
    const running = /(\d+) running/.exec(text);
    return sum + (total ? Number(total[2]) - (running ? Number(running[1]) : 0) : 0);
  }, 0);
  const destinations: Record<string, DestinationReport> = {
    email: report(
      pipeline.aws.published.slice(sentBefore.email).map((published) => published.message),
      0,
    ),
    'team-slack': report(
      slackWebhook.messages.slice(sentBefore.slack),
      slackWebhook.attempts.slice(sentBefore.slackAttempts).filter((attempt) => attempt.status === 429).length,
    ),
    'team-app': {
      messages: pipeline.slackApi.posts.length - sentBefore.appPosts,
      reported: appReported,
      lost: Math.max(0, watches - appReported),
      toldTwice: Math.max(0, appReported - watches),
      rateLimited: pipeline.slackApi.attempts.slice(sentBefore.appAttempts).filter((attempt) => attempt.status === 429).length,
      updates: pipeline.slackApi.updates.length - sentBefore.appUpdates,
    },
  };
  if (stalledWatches.length === 0) await pipeline.stop();

  reportToParent(
    {
      watches,
      seed,
      rateLimit: { callsPerSecond: CALLS_PER_SECOND, burst: BURST },
      completionWindowSeconds: COMPLETION_WINDOW_SECONDS,
      functionMemoryMb,
      notified: executions.filter((execution) => execution.status === 'SUCCEEDED').length,
      failed: executions.filter((execution) => execution.status === 'FAILED').length,
      failures,
      getCalls: calls.length,
      throttledCalls: throttled,
      maxCallsForOneWatch: max([...byInvalidation.values()].map((list) => list.length)),
      peakCallsInASecond: max([...perSecond.values()]),
      sharedTargetCalls: sharedTargetCalls(calls),
      acceptedCallsPerSecond: (calls.length - throttled) / Math.max(1, virtualSeconds),
      meanDetectionDelaySeconds: mean(delays),
      p95DetectionDelaySeconds: percentile(delays, 95),
      maxDetectionDelaySeconds: max(delays),
      meanTellingDelaySeconds: mean(tellingDelays),
      maxTellingDelaySeconds: max(tellingDelays),
      usage: addUsage(NO_USAGE, usage),
      loneUsage,
      loneDetectionDelaySeconds,
      watchdogCalls: invocations.watchdogCalls,
      destinations,
      stalledWatches: stalledWatches.slice(0, 20),
      stalledCount: stalledWatches.length,
      virtualSeconds,
      wallSeconds: (performance.now() - wallStarted) / 1000,
    } satisfies CrowdResult,
    () => process.exit(0),
  );
}

// A stalled pipeline keeps its servers and timers: the process ends once the result is written.
main().then(
  () => undefined,
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
