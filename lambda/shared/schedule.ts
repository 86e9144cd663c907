/**
 * When to check an invalidation again. Shared by the constructs (which validate the schedule at
 * synth) and the checker (which picks, each tick, the watches that are due: lambda/checker/selection.ts).
 *
 * The first check happens as soon as the watch starts (a quick invalidation may be done
 * before its CloudTrail event arrives). Then the interval grows from `firstIntervalSeconds` by
 * `backoffRate` per check up to `maxIntervalSeconds`, until `maxWaitSeconds`. When more watches
 * are due than CloudFront's rate allows, the checker's budget decides (lambda/shared/budget.ts):
 * the schedule is how often a watch is checked at most.
 */
export interface PollSchedule {
  readonly firstIntervalSeconds: number;
  readonly backoffRate: number;
  readonly maxIntervalSeconds: number;
  /** After this many seconds the watcher reports "still in progress" and ends. */
  readonly maxWaitSeconds: number;
}

/**
 * A check every 4 s: a completion is seen about 2 s after it happens on average, at most about
 * 4 s (plus the check's own round trip), for less than the AWS CLI waiter's 20 s schedule costs
 * as a Standard loop (`npm run bench`).
 */
export const DEFAULT_POLL_SCHEDULE: PollSchedule = {
  firstIntervalSeconds: 4,
  backoffRate: 1,
  maxIntervalSeconds: 4,
  maxWaitSeconds: 3600,
};

/** The schedule's interval after `elapsedSeconds` (the geometric series, written in elapsed time). */
export function intervalAt(schedule: PollSchedule, elapsedSeconds: number): number {
  return Math.min(schedule.maxIntervalSeconds, schedule.firstIntervalSeconds + (schedule.backoffRate - 1) * elapsedSeconds);
}

/**
 * The longest interval a schedule may set: a watch is checked at least every 15 minutes. (The
 * checker's ticks come at least every 30 s whatever the interval: lambda/shared/checker-clock.ts.)
 */
export const MAX_INTERVAL_SECONDS = 900;

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
        schedule.maxIntervalSeconds <= MAX_INTERVAL_SECONDS,
      `maxIntervalSeconds must be a whole number between firstIntervalSeconds and ${MAX_INTERVAL_SECONDS} ` +
        `(got ${schedule.maxIntervalSeconds})`,
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
