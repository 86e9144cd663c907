/**
 * When to check an invalidation again. Shared by the watcher constructs (which validate the
 * schedule at synth) and the Check status function (which decides, after each check, what
 * comes next).
 *
 * The first check happens as soon as the watch starts (a quick invalidation may be done
 * before its CloudTrail event arrives). Then the interval grows from `firstIntervalSeconds` by
 * `backoffRate` per check up to `maxIntervalSeconds`, until `maxWaitSeconds`.
 *
 * The checks run in an Express state machine (Check -> Keep checking? -> Wait), started by the
 * Standard watcher with startExecution.sync:2 for runs of at most {@link EXPRESS_RUN_SECONDS}:
 * Standard workflows bill every state transition, Express ones duration and requests, so the
 * watcher pays two transitions per run, not per check, and checking every few seconds costs
 * little more than checking every 20 (`npm run bench` compares it with the older designs).
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
}

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
};

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
 * Worst-case history events of one Standard execution: an Express run writes about 8 (the
 * task's entered, scheduled, started, submitted, succeeded, exited, and the choice's two).
 * The Express runs' own events are not in it.
 */
export function estimateHistoryEvents(schedule: PollSchedule): number {
  return 8 * worstCaseExpressRuns(schedule) + 100;
}

/**
 * How the longest wait is set: `maxWaitSeconds` in a schedule (construct props, the environment),
 * `maxWaitMinutes` in CDK context. Messages name the key the user wrote, in its unit.
 */
export type MaxWaitKey = 'maxWaitSeconds' | 'maxWaitMinutes';

/** Problems with a schedule, each naming its key and what to change; empty when it is valid. */
export function validatePollSchedule(schedule: PollSchedule, maxWaitKey: MaxWaitKey = 'maxWaitSeconds'): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  // A value of another type comes from JavaScript callers or a hand-edited environment.
  const numeric = (key: keyof PollSchedule): boolean => {
    const value: unknown = schedule[key];
    if (typeof value === 'number' && Number.isFinite(value)) return true;
    problems.push(`${key === 'maxWaitSeconds' ? maxWaitKey : key} must be a number (got ${JSON.stringify(value) ?? String(value)})`);
    return false;
  };
  const isWhole = (n: number) => Number.isInteger(n) && n > 0;
  if (numeric('firstIntervalSeconds')) {
    check(
      isWhole(schedule.firstIntervalSeconds),
      `firstIntervalSeconds must be a whole number of seconds >= 1 (got ${schedule.firstIntervalSeconds})`,
    );
  }
  if (numeric('backoffRate')) {
    check(schedule.backoffRate >= 1 && schedule.backoffRate <= 3, `backoffRate must be between 1 and 3 (got ${schedule.backoffRate})`);
  }
  if (numeric('maxIntervalSeconds')) {
    check(
      isWhole(schedule.maxIntervalSeconds) &&
        schedule.maxIntervalSeconds >= schedule.firstIntervalSeconds &&
        schedule.maxIntervalSeconds <= EXPRESS_RUN_SECONDS,
      `maxIntervalSeconds must be a whole number between firstIntervalSeconds and ${EXPRESS_RUN_SECONDS} ` +
        `(a wait must fit in an Express run) (got ${schedule.maxIntervalSeconds})`,
    );
  }
  if (numeric('maxWaitSeconds')) {
    const seconds = schedule.maxWaitSeconds;
    const minutes = maxWaitKey === 'maxWaitMinutes';
    const given = minutes ? `${seconds / 60} minutes` : `${seconds} s`;
    if (!Number.isInteger(seconds)) {
      problems.push(
        `${maxWaitKey} must come to a whole number of seconds (got ${given}${minutes ? `, which is ${seconds} s` : ''}): ` +
          (minutes ? 'use whole minutes, or a fraction of a minute that is whole seconds (e.g. 1.5)' : 'use a whole number'),
      );
    } else {
      check(
        seconds >= 60 && seconds <= 7 * 24 * 3600,
        `${maxWaitKey} must be between 1 minute and 7 days (${minutes ? '1 to 10080' : '60 to 604800'}) (got ${given})`,
      );
    }
  }
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
          `shorten ${maxWaitKey} to ${maxWaitKey === 'maxWaitMinutes' ? `${fits} minutes` : `${fits * 60} s`} or less`,
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
