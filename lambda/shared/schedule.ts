/**
 * When to check an invalidation again. Shared by the watcher constructs (which turn the
 * schedule into states and Retry rules and validate it at synth) and the Check status
 * function (which decides, after each check, what comes next).
 *
 * The first check happens as soon as the watch starts (a quick invalidation may be done
 * before its CloudTrail event arrives). Then the interval grows from `firstIntervalSeconds` by
 * `backoffRate` per check up to `maxIntervalSeconds`, until `maxWaitSeconds`.
 *
 * How a check is repeated matters for cost: Standard workflows bill every state transition,
 * Express workflows bill duration and requests instead.
 * - `express` (default): the checks run in an Express state machine (Check -> Completed? ->
 *   Wait), started by the Standard watcher with startExecution.sync:2 for runs of at most
 *   {@link EXPRESS_RUN_SECONDS}; the Standard watcher pays two transitions per run, not per
 *   check, so checking every few seconds costs little more than checking every 20.
 * - `retry`: the function throws `InvalidationInProgress` and the Standard Task's own Retry
 *   calls it again (IntervalSeconds, BackoffRate, MaxDelaySeconds): one transition per check.
 *   The design before Express runs ({@link RETRY_POLL_SCHEDULE}); kept for comparison.
 * - `wait-loop`: Check -> Completed? -> Wait in the Standard workflow: three transitions per
 *   check. The classic job poller (the AWS CLI waiter's shape in `npm run bench`).
 * When CloudFront throttles a check (or answers 5xx), the watcher takes a "slow down" step:
 * it waits a random time up to `maxIntervalSeconds * 2^steps` (exponential backoff with full
 * jitter) and from then on checks at about that interval. A crowd of watchers that together
 * exceed CloudFront's rate limit thus spreads out and slows down until it fits, without
 * giving up.
 */
export interface PollSchedule {
  readonly firstIntervalSeconds: number;
  readonly backoffRate: number;
  readonly maxIntervalSeconds: number;
  /** After this many seconds the watcher reports "still in progress" and ends. */
  readonly maxWaitSeconds: number;
  readonly checkStyle: CheckStyle;
}

export const CHECK_STYLES = ['express', 'retry', 'wait-loop'] as const;
export type CheckStyle = (typeof CHECK_STYLES)[number];

/**
 * A check every 4 s in an Express loop: a completion is seen about 2 s after it happens on
 * average, at most about 4 s (plus the check's own round trip), for less than the AWS CLI
 * waiter's 20 s schedule costs as a Standard loop (`npm run bench`).
 */
export const DEFAULT_POLL_SCHEDULE: PollSchedule = {
  firstIntervalSeconds: 4,
  backoffRate: 1,
  maxIntervalSeconds: 4,
  maxWaitSeconds: 3600,
  checkStyle: 'express',
};

/** The schedule before the Express check loop (5 s growing by 1.5x to 15 s, by the Task's Retry): `npm run bench` compares it. */
export const RETRY_POLL_SCHEDULE: PollSchedule = {
  firstIntervalSeconds: 5,
  backoffRate: 1.5,
  maxIntervalSeconds: 15,
  maxWaitSeconds: 3600,
  checkStyle: 'retry',
};

/**
 * The longest an Express run goes on checking: no check starts later than this into a run.
 * Express executions stop at 5 minutes; the rest is room for the last check (its CloudFront
 * call ends within 12 s, the function's timeout is 30 s). A run that would have to wait past
 * it ends, handing its state (pace, counters, the wait still to do) to the next run. Longer
 * runs mean fewer of them, and each costs the watcher two transitions.
 */
export const EXPRESS_RUN_SECONDS = 270;

/** A slow-down step doubles the interval; the doubling stops after this many steps (32x). */
export const MAX_PACE = 5;
/** No single wait is longer than this, whatever the pace (an Express run's waits: {@link EXPRESS_RUN_SECONDS}). */
export const MAX_SINGLE_WAIT_SECONDS = 900;

/** The longest single wait the schedule's check style allows: a wait must fit in an Express run. */
export function longestWaitSeconds(schedule: PollSchedule): number {
  return schedule.checkStyle === 'express' ? EXPRESS_RUN_SECONDS : MAX_SINGLE_WAIT_SECONDS;
}

export type NextCheck = { readonly kind: 'retry' } | { readonly kind: 'wait'; readonly seconds: number } | { readonly kind: 'give-up' };

/** The schedule's interval after `elapsedSeconds` (the geometric series, written in elapsed time). */
export function intervalAt(schedule: PollSchedule, elapsedSeconds: number): number {
  return Math.min(schedule.maxIntervalSeconds, schedule.firstIntervalSeconds + (schedule.backoffRate - 1) * elapsedSeconds);
}

/**
 * Decides what follows a check that found the invalidation still in progress.
 * `crowdIntervalSeconds`, when CloudFront has been throttling the crowd of watches, is the
 * interval that would let them all fit (see CrowdEstimator): no check comes sooner.
 */
export function planNextCheck(schedule: PollSchedule, elapsedSeconds: number, pace: number, crowdIntervalSeconds?: number): NextCheck {
  const remaining = schedule.maxWaitSeconds - elapsedSeconds;
  if (remaining <= 0) return { kind: 'give-up' };
  const steps = Math.min(Math.max(0, Math.floor(pace)), MAX_PACE);
  if (steps === 0 && schedule.checkStyle === 'retry' && crowdIntervalSeconds === undefined) return { kind: 'retry' };
  const interval = Math.max(
    steps === 0 ? intervalAt(schedule, elapsedSeconds) : slowedInterval(schedule, steps),
    crowdIntervalSeconds ?? 0,
  );
  return { kind: 'wait', seconds: Math.max(1, Math.ceil(Math.min(interval, longestWaitSeconds(schedule), remaining))) };
}

/** The interval after `steps` slow-down steps: doubled each time, at most the longest single wait. */
export function slowedInterval(schedule: PollSchedule, steps: number): number {
  return Math.min(schedule.maxIntervalSeconds * 2 ** Math.min(steps, MAX_PACE), longestWaitSeconds(schedule));
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
  const window = Math.min(Math.max(slowedInterval(schedule, steps), 2 * crowdIntervalSeconds), longestWaitSeconds(schedule));
  const seconds = Math.max(1, Math.ceil(Math.min(random() * window, remaining)));
  return { pace: steps, seconds };
}

/**
 * Retries the Check task's Retry must allow so that retry-driven checks cover the whole
 * maximum wait (the function, not the retrier, decides when to stop).
 */
export function retryCheckAttempts(schedule: PollSchedule): number {
  let covered = 0;
  let attempts = 0;
  while (covered < schedule.maxWaitSeconds) {
    covered += Math.min(schedule.firstIntervalSeconds * schedule.backoffRate ** attempts, schedule.maxIntervalSeconds);
    attempts += 1;
  }
  return attempts + 2;
}

/** Step Functions stops an execution at 25,000 history events; keep a margin for the rest. */
export const HISTORY_EVENT_BUDGET = 20_000;

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
 * Worst-case history events of one Standard execution: a retry-driven check writes about 3
 * events (scheduled, started, failed), a Wait-loop check about 9 (task, choice and wait
 * states), an Express run about 8 (the task's entered, scheduled, started, submitted,
 * succeeded, exited, and the choice's two). The Express runs' own events are not in it.
 */
export function estimateHistoryEvents(schedule: PollSchedule): number {
  if (schedule.checkStyle === 'express') return 8 * worstCaseExpressRuns(schedule) + 100;
  const checks = retryCheckAttempts(schedule);
  return (schedule.checkStyle === 'retry' ? 3 : 9) * checks + 100;
}

/** Problems with a schedule, each saying what to change; empty when it is valid. */
export function validatePollSchedule(schedule: PollSchedule): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  const isWhole = (n: number) => Number.isInteger(n) && n > 0;
  check(
    isWhole(schedule.firstIntervalSeconds),
    `firstIntervalSeconds must be a whole number of seconds >= 1 (got ${schedule.firstIntervalSeconds})`,
  );
  check(
    Number.isFinite(schedule.backoffRate) && schedule.backoffRate >= 1 && schedule.backoffRate <= 3,
    `backoffRate must be between 1 and 3 (got ${schedule.backoffRate})`,
  );
  const longest = longestWaitSeconds(schedule);
  check(
    isWhole(schedule.maxIntervalSeconds) &&
      schedule.maxIntervalSeconds >= schedule.firstIntervalSeconds &&
      schedule.maxIntervalSeconds <= longest,
    `maxIntervalSeconds must be a whole number between firstIntervalSeconds and ${longest}` +
      `${schedule.checkStyle === 'express' ? ' (a wait must fit in an Express run)' : ''} (got ${schedule.maxIntervalSeconds})`,
  );
  check(
    isWhole(schedule.maxWaitSeconds) && schedule.maxWaitSeconds >= 60 && schedule.maxWaitSeconds <= 7 * 24 * 3600,
    `maxWait (maxWaitMinutes) must be between 1 minute and 7 days (got ${schedule.maxWaitSeconds} s)`,
  );
  check(
    (CHECK_STYLES as readonly string[]).includes(schedule.checkStyle),
    `checkStyle must be one of ${CHECK_STYLES.map((style) => `"${style}"`).join(', ')} (got "${String(schedule.checkStyle)}")`,
  );
  if (problems.length === 0) {
    const events = estimateHistoryEvents(schedule);
    if (events > HISTORY_EVENT_BUDGET) {
      // The longest whole-minute wait that fits, so the message says what to set.
      let fits = 1;
      for (let step = 2 ** 16; step >= 1; step /= 2) {
        if (estimateHistoryEvents({ ...schedule, maxWaitSeconds: (fits + step) * 60 }) <= HISTORY_EVENT_BUDGET) fits += step;
      }
      problems.push(
        `this schedule could write about ${events} history events per execution, over the budget of ${HISTORY_EVENT_BUDGET} (Step Functions stops at 25,000): ` +
          `shorten maxWait to ${fits} minutes or less${schedule.checkStyle === 'express' ? '' : ', or raise maxIntervalSeconds'}`,
      );
    }
  }
  return problems;
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
