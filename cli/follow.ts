/**
 * Following one invalidation or deployment from the command line until it is done: the
 * functions' own code, one watch at a time. Each check is `checkWork` (the same Get call, the
 * same reading of CloudFront's answers and failures, the same per-call time limits); checks
 * come as often as the notifier's schedule says (every 4 s by default) and no more often than
 * the account budget allows (the checker's AIMD token bucket: throttling cuts the rate); after
 * a check that CloudFront throttled or did not answer, the next waits longer (doubling, with
 * jitter, up to {@link FAILURE_BACKOFF}'s ceiling), so a crowd of pipelines slows down together
 * and a blip costs one late check, never the wait. Only a refusal (not found, access denied)
 * ends it early; without a timeout it never gives up.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { adjust, grant, newBudget, type BudgetState } from '../lambda/shared/budget';
import { CALL_LIMITS } from '../lambda/shared/cloudfront-client';
import { ErrorNames, NOT_TRACKABLE_ERRORS } from '../lambda/shared/errors';
import { checkWork, type CheckedWork } from '../lambda/shared/invalidation-status';
import { DEFAULT_POLL_SCHEDULE, intervalAt, type PollSchedule } from '../lambda/shared/schedule';
import { DONE_STATUSES, type InvalidationStatus, type StatusResult } from '../lambda/shared/status-result';
import type { Clock } from './clock';

/** How the wait grows after checks that failed in a row (throttled, no answer): doubling from the schedule's interval up to this. */
export const FAILURE_BACKOFF = { rate: 2, maxSeconds: 60 } as const;

/** Where a follow stands, after each check. */
export interface Progress {
  readonly elapsedSeconds: number;
  /** The last answer's status; `Unknown` before the first answer and after a failed check. */
  readonly status: InvalidationStatus;
  /** Get calls made, failed ones included. */
  readonly checks: number;
  /** Of those, how many CloudFront throttled. */
  readonly throttled: number;
  /** Why the last check failed (throttled, no answer), while it is the last. */
  readonly lastError?: string;
  /** Seconds until the next check. */
  readonly nextCheckSeconds?: number;
}

export type FollowOutcome = 'completed' | 'timed-out' | 'could-not-track' | 'interrupted';

export interface FollowResult {
  readonly outcome: FollowOutcome;
  readonly progress: Progress;
  /** The last status CloudFront answered (Completed or Deployed when completed). */
  readonly status?: StatusResult;
  /** Could not track: the refusal, named (InvalidationNotTrackable, DeploymentNotTrackable, NoCredentials). */
  readonly error?: { readonly name: string; readonly message: string; readonly code?: string };
}

export interface FollowOptions {
  readonly work: CheckedWork;
  /** Give up after this long (in the clock's time). @default never */
  readonly timeoutMs?: number;
  readonly schedule?: PollSchedule;
}

export interface FollowDeps {
  readonly client: CloudFrontClient;
  readonly clock: Clock;
  /** Aborted on Ctrl-C: the follow ends `interrupted` at once, even in the middle of a check. */
  readonly signal?: AbortSignal;
  readonly random?: () => number;
  readonly onProgress?: (progress: Progress) => void;
}

/** The SDK's names for "no credentials could be found or refreshed": asking again will not help. */
const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'TokenProviderError']);

const done = (status: InvalidationStatus) => (DONE_STATUSES as readonly string[]).includes(status);

export async function follow(options: FollowOptions, deps: FollowDeps): Promise<FollowResult> {
  const { clock, signal } = deps;
  const schedule = options.schedule ?? DEFAULT_POLL_SCHEDULE;
  const random = deps.random ?? Math.random;
  const startMs = clock.now();
  const deadlineMs = options.timeoutMs === undefined ? Infinity : startMs + options.timeoutMs;
  const elapsedSeconds = () => Math.max(0, (clock.now() - startMs) / 1000);
  let budget: BudgetState = newBudget(startMs);
  let progress: Progress = { elapsedSeconds: 0, status: 'Unknown', checks: 0, throttled: 0 };
  let last: StatusResult | undefined;
  let failuresInARow = 0;
  const interrupted = (): FollowResult => ({
    outcome: 'interrupted',
    progress: { ...progress, elapsedSeconds: elapsedSeconds() },
    ...(last ? { status: last } : {}),
  });

  for (;;) {
    // The budget first: after throttling it holds the next call back until it refills.
    let granted = grant(budget, 1, clock.now());
    while (granted.granted === 0) {
      await clock.sleep(Math.ceil(((1 - (granted.budget.tokens % 1)) / granted.budget.perSecond) * 1000), signal);
      if (signal?.aborted) return interrupted();
      granted = grant(granted.budget, 1, clock.now());
    }
    budget = granted.budget;

    const checkedAt = clock.now();
    const answer = await untilAborted(
      checkWork(deps.client, options.work, new Date(checkedAt), (checkedAt - startMs) / 1000, CALL_LIMITS.callBudgetMs).then(
        (value) => ({ value }),
        (error: unknown) => ({ error: error as Error }),
      ),
      signal,
    );
    if (answer === undefined) return interrupted();

    if ('value' in answer) {
      failuresInARow = 0;
      budget = adjust(budget, { calls: 1, throttled: 0, heldBack: 0 });
      const status =
        answer.value.laterVersion && done(answer.value.status.status) ? { ...answer.value.status, laterChanges: 1 } : answer.value.status;
      last = status;
      progress = { elapsedSeconds: elapsedSeconds(), status: status.status, checks: progress.checks + 1, throttled: progress.throttled };
      if (done(status.status)) return { outcome: 'completed', progress, status };
    } else {
      const error = answer.error;
      const cause = (error.cause ?? {}) as { name?: string; message?: string };
      if (NOT_TRACKABLE_ERRORS.includes(error.name) || CREDENTIAL_ERRORS.has(cause.name ?? '')) {
        progress = { ...progress, elapsedSeconds: elapsedSeconds(), status: 'Unknown', checks: progress.checks + 1 };
        return {
          outcome: 'could-not-track',
          progress,
          ...(last ? { status: last } : {}),
          error: CREDENTIAL_ERRORS.has(cause.name ?? '')
            ? { name: 'NoCredentials', message: (cause.message ?? error.message).split('\n')[0]!, code: cause.name! }
            : { name: error.name, message: error.message, ...(cause.name ? { code: cause.name } : {}) },
        };
      }
      const throttled = error.name === ErrorNames.CloudFrontThrottled;
      failuresInARow += 1;
      budget = adjust(budget, { calls: 1, throttled: throttled ? 1 : 0, heldBack: 0 });
      progress = {
        elapsedSeconds: elapsedSeconds(),
        status: 'Unknown',
        checks: progress.checks + 1,
        throttled: progress.throttled + (throttled ? 1 : 0),
        lastError: `${error.name}: ${error.message}`,
      };
    }

    if (clock.now() >= deadlineMs) return { outcome: 'timed-out', progress, ...(last ? { status: last } : {}) };
    const waitMs = nextWaitSeconds(schedule, elapsedSeconds(), failuresInARow, random) * 1000;
    const nextAtMs = Math.min(clock.now() + waitMs, deadlineMs);
    progress = { ...progress, nextCheckSeconds: Math.max(0, (nextAtMs - clock.now()) / 1000) };
    deps.onProgress?.(progress);
    // At the deadline itself, one last check: a completion right at the end is still seen.
    await clock.sleep(nextAtMs - clock.now(), signal);
    if (signal?.aborted) return interrupted();
  }
}

/**
 * The schedule's interval; after `failuresInARow` failed checks, that interval doubled per
 * failure up to {@link FAILURE_BACKOFF}.maxSeconds, with "equal jitter" (half fixed, half
 * random) so that pipelines throttled together do not come back together, and never sooner
 * than the schedule.
 */
export function nextWaitSeconds(schedule: PollSchedule, elapsedSeconds: number, failuresInARow: number, random: () => number): number {
  const interval = intervalAt(schedule, elapsedSeconds);
  if (failuresInARow === 0) return interval;
  const backoff = Math.min(FAILURE_BACKOFF.maxSeconds, interval * FAILURE_BACKOFF.rate ** failuresInARow);
  return Math.max(interval, backoff / 2 + (random() * backoff) / 2);
}

/** The promise's value, or undefined as soon as `signal` aborts (the promise is left to settle unseen). */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}
