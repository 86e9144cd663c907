/**
 * The retired Express check loop's own state and schedule arithmetic (the product's checker
 * does not use them): its pace of slow-down steps, its counters, when each run ends, and the
 * bound its runs put on a watch's history. Kept for `npm run bench`'s comparison design.
 */
import * as v from 'valibot';
import type { Outcome } from '../../lambda/shared/notification';
import { intervalAt, type PollSchedule } from '../../lambda/shared/schedule';
import type { StatusResult } from '../../lambda/shared/status-result';

const count = v.pipe(v.number(), v.integer(), v.minValue(0));

/**
 * The longest an Express run goes on checking: no check starts later than this into a run,
 * and no single wait is longer (a wait must fit in a run).
 * Express executions stop at 5 minutes; the rest is room for the last check (its CloudFront
 * call ends within 12 s, the function's timeout is 30 s). A run that would have to wait past
 * it ends, handing its state (pace, counters, the wait still to do) to the next run. Longer
 * runs mean fewer of them, and each costs the watcher two transitions.
 */
export const EXPRESS_RUN_SECONDS = 270;

/** A slow-down step doubles the interval; the doubling stops after this many steps (32x). */
export const MAX_PACE = 5;
export type NextCheck = { readonly kind: 'wait'; readonly seconds: number } | { readonly kind: 'give-up' };

/**
 * Decides what follows a check that found the invalidation still in progress.
 * `crowdIntervalSeconds`, when CloudFront has been throttling the crowd of watches, is the
 * interval that would let them all fit (see CrowdEstimator): no check comes sooner.
 */
export function planNextCheck(schedule: PollSchedule, elapsedSeconds: number, pace: number, crowdIntervalSeconds?: number): NextCheck {
  const remaining = schedule.maxWaitSeconds - elapsedSeconds;
  if (remaining <= 0) return { kind: 'give-up' };
  const steps = Math.min(Math.max(0, Math.floor(pace)), MAX_PACE);
  const interval = Math.max(
    steps === 0 ? intervalAt(schedule, elapsedSeconds) : slowedInterval(schedule, steps),
    crowdIntervalSeconds ?? 0,
  );
  return { kind: 'wait', seconds: Math.max(1, Math.ceil(Math.min(interval, EXPRESS_RUN_SECONDS, remaining))) };
}

/** The interval after `steps` slow-down steps: doubled each time, at most one Express run. */
export function slowedInterval(schedule: PollSchedule, steps: number): number {
  return Math.min(schedule.maxIntervalSeconds * 2 ** Math.min(steps, MAX_PACE), EXPRESS_RUN_SECONDS);
}

/**
 * After a throttled (or 5xx) check: one more slow-down step, and a wait drawn uniformly from
 * 1 s to the slowed interval ("full jitter"), so throttled watchers do not retry together.
 */
export function planBackoff(
  schedule: PollSchedule,
  elapsedSeconds: number,
  pace: number,
  random: () => number,
  crowdIntervalSeconds = 0,
): { pace: number; seconds: number } {
  const steps = Math.min(Math.max(0, Math.floor(pace)) + 1, MAX_PACE);
  const remaining = Math.max(1, schedule.maxWaitSeconds - elapsedSeconds);
  // Spread over at least twice the crowd's fair interval: a crowd that was just throttled
  // together comes back spread out, not together.
  const window = Math.min(Math.max(slowedInterval(schedule, steps), 2 * crowdIntervalSeconds), EXPRESS_RUN_SECONDS);
  const seconds = Math.max(1, Math.ceil(Math.min(random() * window, remaining)));
  return { pace: steps, seconds };
}

/**
 * Worst-case Express runs of one watch. A run ends when its next wait would cross
 * EXPRESS_RUN_SECONDS and the next run starts with that wait, so two runs in a row always
 * cover more than EXPRESS_RUN_SECONDS of the watch (one run alone may cover less when the
 * waits are long, under throttling).
 */
export function worstCaseExpressRuns(schedule: PollSchedule): number {
  return Math.ceil(schedule.maxWaitSeconds / (EXPRESS_RUN_SECONDS / 2)) + 2;
}

/**
 * Worst-case history events of one Standard execution: an Express run writes about 8 (the
 * task's entered, scheduled, started, submitted, succeeded, exited, and the choice's two).
 * The Express runs' own events are not in it.
 */
export function estimateHistoryEvents(schedule: PollSchedule): number {
  return 8 * worstCaseExpressRuns(schedule) + 100;
}

/** The check loop's own state (`$.loop` of the watch state): the loop's Choice and Wait states read it. */
export const LoopStateSchema = v.object({
  /** Slow-down steps taken after throttling or 5xx (0 = the normal schedule). */
  pace: v.pipe(count, v.maxValue(MAX_PACE)),
  /** CloudFront calls made for this watch so far, over every run. */
  checks: count,
  /** How many of those CloudFront throttled. */
  throttledChecks: count,
  /** Seconds the Wait state waits before the next check (0 when no further check follows). */
  nextCheckInSeconds: count,
  /** The watch has reached its maximum wait and the invalidation is still in progress. */
  deadlinePassed: v.boolean(),
  /**
   * The next check would start past this run's budget, so the run ends here and the next run
   * begins by waiting `nextCheckInSeconds`.
   */
  runOver: v.boolean(),
  /**
   * This first check did not call CloudFront, which is throttling the crowd of watches; it
   * waits this many seconds, its turn, instead (status Unknown).
   */
  deferredSeconds: v.optional(count),
});
export type LoopState = v.InferOutput<typeof LoopStateSchema>;

/** What one check writes into the watch state: the loop's state and the check's answer, side by side. */
export interface CheckStep {
  readonly loop: LoopState;
  readonly status: StatusResult;
}

/** How the check ended the watch, or undefined while it goes on. */
export function endingOf({ loop, status }: CheckStep): Outcome | undefined {
  if (status.status === 'Completed') return 'completed';
  if (loop.deadlinePassed) return 'still-in-progress';
  return undefined;
}
