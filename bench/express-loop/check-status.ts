import type { CloudFrontClient, Invalidation } from '@aws-sdk/client-cloudfront';
import * as v from 'valibot';
import { describeIssues } from '../../lambda/shared/schema-issues';
import { ErrorNames, NamedError } from '../../lambda/shared/errors';
import { type PollSchedule } from '../../lambda/shared/schedule';
import { EXPRESS_RUN_SECONDS, planBackoff, planNextCheck } from './express-loop-state';
import type { CrowdEstimator } from './crowd-estimator';
import { LAST_ERROR_MAX_CHARS, StatusResultSchema, type StatusResult } from '../../lambda/shared/status-result';
import { LoopStateSchema, type CheckStep, type LoopState } from './express-loop-state';
import { clip } from '../../lambda/shared/text';
import { CheckedRequestSchema, getInvalidation, statusOf } from '../../lambda/shared/invalidation-status';

const isoTime = v.pipe(
  v.string(),
  v.check((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 time'),
);

/**
 * The one input of "Check invalidation status", as the Express check loop sends it:
 * `{ watch, startedAt, runStartedAt }`. `watch` is the watcher's whole state: the request, the
 * loop's own state and the last check's answer (both absent at the first check: a state
 * machine cannot default a missing field, so the function does), and fields the check does not
 * read (the audience), which pass through it unchanged.
 */
export const CheckInputSchema = v.object({
  watch: v.looseObject({
    // The fields of the watch request a check reads; Start watch wrote and checked the rest.
    request: CheckedRequestSchema,
    loop: v.optional(LoopStateSchema),
    status: v.optional(StatusResultSchema),
  }),
  /** The watch's start (the Standard execution's `$$.Execution.StartTime`), the origin of the schedule. */
  startedAt: isoTime,
  /** This run's start (the Express execution's `$$.Execution.StartTime`). */
  runStartedAt: isoTime,
});
export type CheckInput = v.InferOutput<typeof CheckInputSchema>;

/** Parses the input at the edge; a bad one is refused with the field named and what is wrong with it. */
export function parseCheckInput(event: unknown): CheckInput {
  const parsed = v.safeParse(CheckInputSchema, event);
  if (parsed.success) return parsed.output;
  throw new NamedError(ErrorNames.InvalidWatcherInput, `Check status input: ${describeIssues(parsed.issues)}`);
}

/** The watch state after a check: the input's watch with the loop's state and the check's answer replaced. */
export function nextWatchState(input: CheckInput, step: CheckStep): CheckInput['watch'] & CheckStep {
  return { ...input.watch, ...step };
}

const isTransient = (error: unknown) =>
  error instanceof NamedError && (error.name === ErrorNames.CloudFrontThrottled || error.name === ErrorNames.CloudFrontUnavailable);

export interface CheckOptions {
  readonly now?: () => Date;
  /** For the jitter of slow-down waits. */
  readonly random?: () => number;
  /** What this container has seen of the crowd of watches; shared by its invocations. */
  readonly crowd?: CrowdEstimator;
  /** How long the CloudFront call may take in all (see `callBudgetMs`). @default no limit beyond the client's */
  readonly callTimeoutMs?: number;
}

/**
 * One check: the loop's next state and the check's answer ({@link nextWatchState} puts them
 * in the watch state).
 * - Completed: the answer; no further check.
 * - In progress: the wait before the next check; past the maximum wait, `deadlinePassed`.
 *   Never thrown, so the function's Lambda `Errors` count real errors only.
 * - Throttled, 5xx or a blip (reset, timeout, an answer cut short): status `Unknown` with one
 *   more slow-down step and a jittered wait (the watch goes on, slower). A refusal (not found,
 *   access denied) is thrown.
 * While the container sees CloudFront throttling the crowd, no wait is shorter than the
 * crowd's fair interval. The loop state says when the run is over: the next check would start
 * past EXPRESS_RUN_SECONDS into it.
 */
export async function checkStatus(
  /** The client, or how to get it for the invalidation's account (organization mode: an assumed role). */
  client: CloudFrontClient | (() => Promise<CloudFrontClient>),
  input: CheckInput,
  schedule: PollSchedule,
  { now = () => new Date(), random = Math.random, crowd, callTimeoutMs }: CheckOptions = {},
): Promise<CheckStep> {
  const { request, loop: previous, status: lastStatus } = input.watch;
  // A comparison design from before deployments were watched: it checks invalidations only.
  if (request.work === 'deployment') throw new NamedError(ErrorNames.InvalidWatcherInput, 'the Express loop checks invalidations only');
  const pace = previous?.pace ?? 0;
  const key = `${request.target.kind}/${request.target.id}/${request.invalidationId}`;
  // While CloudFront throttles the crowd: the interval that lets every watch fit, jittered.
  const crowdInterval = () => {
    const estimate = crowd?.estimate(now().getTime());
    return estimate ? estimate.fairIntervalSeconds * (0.5 + random()) : undefined;
  };
  /** The loop's next state; the run ends when the next check would start past its budget, and the next run waits first. */
  const loop = (
    checkedAt: Date,
    next: { pace: number; nextCheckInSeconds: number; deadlinePassed: boolean; ending: boolean; called: boolean; throttled: boolean },
  ): LoopState => ({
    pace: next.pace,
    checks: (previous?.checks ?? 0) + (next.called ? 1 : 0),
    throttledChecks: (previous?.throttledChecks ?? 0) + (next.throttled ? 1 : 0),
    nextCheckInSeconds: next.nextCheckInSeconds,
    deadlinePassed: next.deadlinePassed,
    runOver: !next.ending && (checkedAt.getTime() - Date.parse(input.runStartedAt)) / 1000 + next.nextCheckInSeconds > EXPRESS_RUN_SECONDS,
  });
  // A watch's first call while CloudFront is throttling the crowd would most likely be
  // throttled too, and make it worse: the watch waits its turn without calling, until its
  // place in the crowd's fair interval (a fixed share of it, drawn from its key, so that the
  // crowd's first calls spread evenly). The interval is read again each time, since it grows
  // while a burst of watches arrives.
  const noCallYet = previous === undefined || previous.checks === 0;
  const estimate = noCallYet ? crowd?.estimate(now().getTime()) : undefined;
  const turnSeconds = estimate ? estimate.fairIntervalSeconds * (0.5 + unitOf(key)) : 0;
  if (estimate && secondsSince(input.startedAt, now()) + 1 < turnSeconds) {
    const checkedAt = now();
    const elapsedSeconds = secondsSince(input.startedAt, checkedAt);
    const next = planNextCheck(schedule, elapsedSeconds, pace, turnSeconds - elapsedSeconds);
    const nextCheckInSeconds = next.kind === 'wait' ? next.seconds : 1;
    crowd?.record(key, 'deferred', checkedAt.getTime());
    return {
      // No call made: the counters start at the first real one.
      loop: {
        ...loop(checkedAt, { pace, nextCheckInSeconds, deadlinePassed: false, ending: false, called: false, throttled: false }),
        deferredSeconds: nextCheckInSeconds,
      },
      status: { status: 'Unknown', checkedAt: checkedAt.toISOString(), elapsedSeconds, paths: { total: 0, sample: [] } },
    };
  }
  let invalidation: Invalidation;
  try {
    // Inside the try: a role that cannot be assumed now is a blip, one that is refused a refusal.
    const resolved = typeof client === 'function' ? await client() : client;
    invalidation = await getInvalidation(resolved, request, callTimeoutMs);
    crowd?.record(key, 'accepted', now().getTime());
  } catch (error) {
    if (!isTransient(error)) throw error;
    const throttled = (error as Error).name === ErrorNames.CloudFrontThrottled;
    if (throttled) crowd?.record(key, 'throttled', now().getTime());
    const checkedAt = now();
    const elapsedSeconds = secondsSince(input.startedAt, checkedAt);
    const deadlinePassed = elapsedSeconds >= schedule.maxWaitSeconds;
    const backoff = planBackoff(schedule, elapsedSeconds, pace, random, crowdInterval());
    const nextCheckInSeconds = deadlinePassed ? 0 : backoff.seconds;
    return {
      loop: loop(checkedAt, { pace: backoff.pace, nextCheckInSeconds, deadlinePassed, ending: deadlinePassed, called: true, throttled }),
      status: {
        status: 'Unknown',
        lastError: clip(`${(error as Error).name}: ${(error as Error).message}`, LAST_ERROR_MAX_CHARS),
        checkedAt: checkedAt.toISOString(),
        elapsedSeconds,
        paths: { total: 0, sample: [] },
      },
    };
  }
  const checkedAt = now();
  const elapsedSeconds = secondsSince(input.startedAt, checkedAt);
  const pressure = crowdInterval();
  // Accepted while the crowd is no longer throttled: one slow-down step is undone.
  const nextPace = pressure === undefined ? Math.max(0, pace - 1) : pace;
  const answer = (status: StatusResult['status'], extra: Partial<StatusResult> = {}): StatusResult => ({
    ...statusOf(invalidation, checkedAt, elapsedSeconds, extra),
    status,
  });
  const ended = { nextCheckInSeconds: 0, ending: true, called: true, throttled: false };
  if (invalidation.Status === 'Completed') {
    crowd?.finish(key);
    const lastCheckedAt = lastStatus?.checkedAt ?? input.startedAt;
    return {
      loop: loop(checkedAt, { ...ended, pace: nextPace, deadlinePassed: false }),
      status: answer('Completed', { detectionBoundSeconds: Math.max(0, (checkedAt.getTime() - Date.parse(lastCheckedAt)) / 1000) }),
    };
  }
  const next = planNextCheck(schedule, elapsedSeconds, nextPace, pressure);
  if (next.kind === 'give-up') {
    crowd?.finish(key);
    return { loop: loop(checkedAt, { ...ended, pace: nextPace, deadlinePassed: true }), status: answer('InProgress') };
  }
  return {
    loop: loop(checkedAt, {
      pace: nextPace,
      nextCheckInSeconds: next.seconds,
      deadlinePassed: false,
      ending: false,
      called: true,
      throttled: false,
    }),
    status: answer('InProgress'),
  };
}

/** A number in [0, 1) fixed by the key (FNV-1a): the same watch draws the same share every time. */
function unitOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) / 2 ** 32;
}

const secondsSince = (startedAt: string, at: Date) => Math.max(0, Math.round((at.getTime() - Date.parse(startedAt)) / 1000));
