/**
 * When to check an invalidation again. Shared by the watcher construct (which turns the quick
 * phase into a Task `Retry` and validates the schedule at synth) and the Check status function
 * (which decides, after each check, how long to wait).
 *
 * Two phases, because they cost different amounts:
 * - quick checks: the Check Lambda throws `InvalidationInProgress` and the Task's own `Retry`
 *   calls it again after `quickCheckIntervalSeconds`; one state transition per check.
 * - paced checks: the Lambda returns, a Choice and a Wait state loop back; three transitions per
 *   check, but the wait can be computed: it grows with the time already waited, and doubles
 *   with each "slow down" step taken after CloudFront throttled this execution.
 */
export interface PollSchedule {
  /** Seconds between quick checks. */
  readonly quickCheckIntervalSeconds: number;
  /** Quick checks happen during this many seconds after the watch starts. */
  readonly quickPhaseSeconds: number;
  /** Paced checks wait this fraction of the time elapsed since the watch started... */
  readonly intervalGrowth: number;
  /** ...but at least this many seconds... */
  readonly minIntervalSeconds: number;
  /** ...and at most this many (before slow-down steps). */
  readonly maxIntervalSeconds: number;
  /** After this many seconds the watcher reports "still in progress" and ends. */
  readonly maxWaitSeconds: number;
}

export const DEFAULT_POLL_SCHEDULE: PollSchedule = {
  quickCheckIntervalSeconds: 10,
  quickPhaseSeconds: 300,
  intervalGrowth: 0.1,
  minIntervalSeconds: 15,
  maxIntervalSeconds: 30,
  maxWaitSeconds: 3600,
};

/** A slow-down step doubles the paced interval; this many steps at most (32x). */
export const MAX_PACE = 5;
/** No single wait is longer than this, whatever the pace. */
export const MAX_SINGLE_WAIT_SECONDS = 900;

export type NextCheck =
  | { readonly kind: 'quick' }
  | { readonly kind: 'wait'; readonly seconds: number }
  | { readonly kind: 'give-up' };

/** Decides what follows a check that found the invalidation still in progress. */
export function planNextCheck(schedule: PollSchedule, elapsedSeconds: number, pace: number): NextCheck {
  const remaining = schedule.maxWaitSeconds - elapsedSeconds;
  if (remaining <= 0) return { kind: 'give-up' };
  const slowDown = 2 ** Math.min(Math.max(0, Math.floor(pace)), MAX_PACE);
  if (slowDown === 1 && elapsedSeconds + schedule.quickCheckIntervalSeconds <= schedule.quickPhaseSeconds) {
    return { kind: 'quick' };
  }
  const paced = Math.min(
    Math.max(elapsedSeconds * schedule.intervalGrowth, schedule.minIntervalSeconds),
    schedule.maxIntervalSeconds,
  );
  const seconds = Math.min(paced * slowDown, MAX_SINGLE_WAIT_SECONDS, remaining);
  return { kind: 'wait', seconds: Math.max(1, Math.ceil(seconds)) };
}

/** Problems with a schedule, each saying what to change; empty when it is valid. */
export function validatePollSchedule(schedule: PollSchedule): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  const isWhole = (n: number) => Number.isInteger(n) && n > 0;
  check(isWhole(schedule.quickCheckIntervalSeconds), `quickCheckIntervalSeconds must be a whole number of seconds >= 1 (got ${schedule.quickCheckIntervalSeconds})`);
  check(Number.isFinite(schedule.quickPhaseSeconds) && schedule.quickPhaseSeconds >= 0, `quickPhaseSeconds must be >= 0 (got ${schedule.quickPhaseSeconds})`);
  check(Number.isFinite(schedule.intervalGrowth) && schedule.intervalGrowth >= 0 && schedule.intervalGrowth <= 1, `intervalGrowth must be between 0 and 1 (got ${schedule.intervalGrowth})`);
  check(isWhole(schedule.minIntervalSeconds), `minIntervalSeconds must be a whole number of seconds >= 1 (got ${schedule.minIntervalSeconds})`);
  check(isWhole(schedule.maxIntervalSeconds) && schedule.maxIntervalSeconds >= schedule.minIntervalSeconds, `maxIntervalSeconds must be a whole number >= minIntervalSeconds (got ${schedule.maxIntervalSeconds})`);
  check(schedule.maxIntervalSeconds <= MAX_SINGLE_WAIT_SECONDS, `maxIntervalSeconds must be <= ${MAX_SINGLE_WAIT_SECONDS} (got ${schedule.maxIntervalSeconds})`);
  check(isWhole(schedule.maxWaitSeconds) && schedule.maxWaitSeconds >= 60 && schedule.maxWaitSeconds <= 7 * 24 * 3600, `maxWait must be between 1 minute and 7 days (got ${schedule.maxWaitSeconds} s)`);
  if (problems.length === 0) {
    const events = estimateHistoryEvents(schedule);
    check(events <= HISTORY_EVENT_BUDGET, `this schedule could write about ${events} history events per execution, over Step Functions' limit of 25,000 (budget ${HISTORY_EVENT_BUDGET}): raise minIntervalSeconds or shorten maxWait`);
  }
  return problems;
}

/** Step Functions stops an execution at 25,000 history events; keep a margin for retries. */
export const HISTORY_EVENT_BUDGET = 20_000;

/**
 * Worst-case history events of one execution: each quick check writes about 3 events
 * (scheduled, started, failed), each paced check about 9 (task entered/scheduled/started/
 * succeeded/exited, choice entered/exited, wait entered/exited).
 */
export function estimateHistoryEvents(schedule: PollSchedule): number {
  const quickChecks = Math.floor(Math.min(schedule.quickPhaseSeconds, schedule.maxWaitSeconds) / schedule.quickCheckIntervalSeconds);
  const pacedChecks = Math.ceil(
    Math.max(0, schedule.maxWaitSeconds - schedule.quickPhaseSeconds) / schedule.minIntervalSeconds,
  );
  return 3 * quickChecks + 9 * pacedChecks + 50;
}

/** Quick-check retries the Task's `Retry` must allow so the quick phase never runs out early. */
export function quickCheckAttempts(schedule: PollSchedule): number {
  return Math.ceil(schedule.quickPhaseSeconds / schedule.quickCheckIntervalSeconds) + 2;
}

/** Reads the schedule the construct put in the environment, failing at cold start if it is invalid. */
export function parsePollSchedule(json: string): PollSchedule {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('The poll schedule is not valid JSON');
  }
  const schedule = { ...DEFAULT_POLL_SCHEDULE, ...(parsed as Partial<PollSchedule>) };
  const problems = validatePollSchedule(schedule);
  if (problems.length > 0) throw new Error(`Invalid poll schedule: ${problems.join('; ')}`);
  return schedule;
}
