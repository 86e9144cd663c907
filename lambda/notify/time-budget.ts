/**
 * How long this invocation may still spend on deliveries. Inline waits (Retry-After) and
 * request timeouts are cut to fit it, so the function ends with a named error the state
 * machine can retry, instead of being killed by Lambda's timeout (which says nothing about why).
 */
export interface TimeBudget {
  /** Milliseconds left, never negative. */
  remainingMs(): number;
}

/**
 * Kept back from Lambda's remaining time: enough to log, return the named error and let the
 * runtime report it, and to absorb a request timeout that fires a little late.
 */
export const DEFAULT_SAFETY_MARGIN_MS = 3_000;

/** When no Lambda context says how long is left (local scripts, tests): the functions' 30 s timeout. */
export const DEFAULT_REMAINING_MS = 30_000;

/** A budget of `totalMs` from now, on the given clock. */
export function timeBudget(totalMs: number, now: () => number = Date.now): TimeBudget {
  const deadline = now() + Math.max(0, totalMs);
  return { remainingMs: () => Math.max(0, deadline - now()) };
}

export interface LambdaContextLike {
  readonly getRemainingTimeInMillis?: () => number;
}

/** The invocation's budget: what Lambda says is left, less a safety margin. */
export function budgetFromLambdaContext(
  context: LambdaContextLike | undefined,
  options: { safetyMarginMs?: number; defaultRemainingMs?: number; now?: () => number } = {},
): TimeBudget {
  const { safetyMarginMs = DEFAULT_SAFETY_MARGIN_MS, defaultRemainingMs = DEFAULT_REMAINING_MS, now = Date.now } = options;
  const reported = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Number.NaN;
  const remaining = Number.isFinite(reported) && reported >= 0 ? reported : defaultRemainingMs;
  return timeBudget(remaining - safetyMarginMs, now);
}
