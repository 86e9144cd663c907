import { TIMEOUT_EARLY_MS } from '../shared/handler-options';

/**
 * The time this invocation may still spend on deliveries: middy's abort signal (its early
 * timeout, `handlerOptions`) and the milliseconds until it fires. Requests and the SDK's calls
 * carry the signal; an inline wait (Retry-After) is taken only when it fits, else the named error
 * the state machine retries ends the invocation, instead of Lambda's timeout (which says nothing).
 */
export interface TimeBudget {
  /** Aborted when the time is up. */
  readonly signal: AbortSignal;
  /** Milliseconds until then, never negative. */
  remainingMs(): number;
}

/** When no Lambda context says how long is left (local scripts, tests): the functions' 30 s timeout. */
export const DEFAULT_REMAINING_MS = 30_000;

/** `totalMs` from now on the given clock, its signal aborted then (and with `signal`, if given). */
export function timeBudget(totalMs: number, now: () => number = Date.now, signal?: AbortSignal): TimeBudget {
  const ms = Math.max(0, totalMs);
  const deadline = now() + ms;
  const timeout = AbortSignal.timeout(ms);
  return { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, remainingMs: () => Math.max(0, deadline - now()) };
}

export interface LambdaContextLike {
  readonly getRemainingTimeInMillis?: () => number;
}

/**
 * The handler's budget: middy's signal (its third argument), which aborts at middy's early
 * timeout, that is what Lambda says is left less {@link TIMEOUT_EARLY_MS}.
 */
export function budgetOfInvocation(
  context: LambdaContextLike | undefined,
  { signal }: { readonly signal: AbortSignal },
  now: () => number = Date.now,
): TimeBudget {
  const reported = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Number.NaN;
  // Without Lambda's clock middy sets no early timeout: the signal gets a default one here.
  if (!Number.isFinite(reported) || reported < 0) return timeBudget(DEFAULT_REMAINING_MS - TIMEOUT_EARLY_MS, now, signal);
  const deadline = now() + reported - TIMEOUT_EARLY_MS;
  return { signal, remainingMs: () => Math.max(0, deadline - now()) };
}
