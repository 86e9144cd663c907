/**
 * The account-wide budget of CloudFront Get calls: a token bucket whose rate the checker learns
 * by AIMD (additive increase, multiplicative decrease), one per account (each member account of
 * an organization has its own CloudFront limit).
 *
 * CloudFront does not publish its limit ("a few calls per second", bursts allowed) and it is
 * shared with whatever else the account runs, so the rate is found, not configured: a tick
 * whose calls were all accepted while the budget held due watches back asks for a little more
 * next time (+`increasePerTick` calls per second), a tick with any throttling answer cuts the
 * rate (x`decreaseFactor`) and drains the bucket. Against a limiter of R calls per second with
 * a burst, the rate saw-tooths just around R and the limiter's own burst absorbs the overshoot,
 * so almost every second's allowance is used and few calls are throttled (the tests measure it).
 *
 * A tick only grows the rate when the budget was what held it back: a lone watch checked every
 * few seconds uses its whole grant every time, but that says nothing about the limit, and a
 * rate inflated that way would let the next crowd's first tick burst into throttling.
 *
 * Pure: time comes in as `nowMs`, the state is plain JSON that travels in the checker's tick
 * message (see chain-state.ts).
 */
import * as v from 'valibot';

const finite = v.pipe(v.number(), v.finite());

export const BudgetStateSchema = v.object({
  /** The learned rate: calls per second the bucket refills with. */
  perSecond: v.pipe(finite, v.gtValue(0, 'must be more than 0')),
  /** Calls available now (fractional: the refill is continuous, a grant takes whole calls). */
  tokens: v.pipe(finite, v.minValue(0)),
  /** When `tokens` was last brought up to date (epoch milliseconds). */
  atMs: v.pipe(finite, v.minValue(0)),
});
export type BudgetState = v.InferOutput<typeof BudgetStateSchema>;

export const BudgetSettingsSchema = v.pipe(
  v.object({
    /** The rate of a budget that has learned nothing yet (a cold chain, a new account). */
    startPerSecond: v.pipe(finite, v.gtValue(0, 'must be more than 0')),
    /** The rate throttling never pushes below: the checker never stops calling altogether. */
    minPerSecond: v.pipe(finite, v.gtValue(0, 'must be more than 0')),
    /** The ceiling the rate grows toward while CloudFront accepts everything. */
    maxPerSecond: v.pipe(finite, v.gtValue(0, 'must be more than 0')),
    /** The bucket holds this many seconds of calls: the most one tick can spend after a pause. */
    burstSeconds: v.pipe(finite, v.minValue(1, 'must be at least 1 (a tick comes about every second)')),
    /** Calls per second added after a tick held back by the budget in which nothing was throttled. */
    increasePerTick: v.pipe(finite, v.gtValue(0, 'must be more than 0')),
    /** The rate is multiplied by this after a tick with a throttling answer. */
    decreaseFactor: v.pipe(finite, v.gtValue(0, 'must be more than 0'), v.ltValue(1, 'must be less than 1')),
  }),
  v.check(
    (s) => s.minPerSecond <= s.startPerSecond && s.startPerSecond <= s.maxPerSecond,
    'needs minPerSecond <= startPerSecond <= maxPerSecond',
  ),
  v.check(
    (s) => s.minPerSecond * s.burstSeconds >= 1,
    'needs minPerSecond * burstSeconds >= 1: at the lowest rate the bucket must still hold one whole call, or no call is ever granted',
  ),
);
export type BudgetSettings = v.InferOutput<typeof BudgetSettingsSchema>;

/**
 * Suited to CloudFront's unpublished limit ("a few per second"; the offline emulator allows 5
 * per second with a burst of 10):
 * - a cold start at 2 per second with a 2 s bucket: its first tick spends at most 4 calls,
 *   well within any burst CloudFront allows, and +0.2 per tick reaches 5 per second in 15 s;
 * - x0.7 on throttling: after an overshoot to about 6-7 per second the rate drops just under
 *   5, where the limiter's bucket refills, so the next overshoot is again absorbed by it;
 * - at 0.5 per second at least one call every 2 s, whatever CloudFront answers;
 * - at most 10 per second: twice what CloudFront has been seen to allow, so a higher limit is
 *   still found, but a runaway is not.
 */
export const DEFAULT_BUDGET_SETTINGS: BudgetSettings = {
  startPerSecond: 2,
  minPerSecond: 0.5,
  maxPerSecond: 10,
  burstSeconds: 2,
  increasePerTick: 0.2,
  decreaseFactor: 0.7,
};

/** Reads settings (from the environment, a test), every problem named with the key to change. */
export function parseBudgetSettings(input: unknown): BudgetSettings {
  const parsed = v.safeParse(BudgetSettingsSchema, input);
  if (parsed.success) return parsed.output;
  const problems = parsed.issues.map((issue) => {
    const path = v.getDotPath(issue);
    return path ? `${path} ${issue.message}` : issue.message;
  });
  throw new Error(`Invalid budget settings: ${problems.join('; ')}`);
}

/** Kept short in the tick message; a thousandth of a call is below anything that matters. */
const round = (x: number) => Math.round(x * 1000) / 1000;
const capacity = (perSecond: number, settings: BudgetSettings) => perSecond * settings.burstSeconds;

/**
 * A budget that has learned nothing: the start rate with a full bucket, so the first tick
 * checks right away but spends at most `startPerSecond * burstSeconds` calls (no cold burst).
 */
export function newBudget(nowMs: number, settings: BudgetSettings = DEFAULT_BUDGET_SETTINGS): BudgetState {
  return { perSecond: settings.startPerSecond, tokens: capacity(settings.startPerSecond, settings), atMs: nowMs };
}

/**
 * How far ahead of the reading clock a budget's time may be and still be another container's
 * skew. Further ahead, it is no clock's (a forged or corrupted tick): it counts as now, or the
 * bucket would not refill until that time came.
 */
export const MAX_CLOCK_SKEW_MS = 60_000;

/**
 * The bucket refilled up to `nowMs`, never beyond its capacity (a pause does not save up a
 * burst). A clock behind `atMs` (another container's) adds nothing and moves nothing back,
 * unless `atMs` is more than {@link MAX_CLOCK_SKEW_MS} ahead.
 */
export function refill(budget: BudgetState, nowMs: number, settings: BudgetSettings = DEFAULT_BUDGET_SETTINGS): BudgetState {
  const perSecond = clampRate(budget.perSecond, settings);
  const atMs = budget.atMs > nowMs + MAX_CLOCK_SKEW_MS ? nowMs : budget.atMs;
  const elapsedSeconds = Math.max(0, nowMs - atMs) / 1000;
  const tokens = Math.min(capacity(perSecond, settings), budget.tokens + elapsedSeconds * perSecond);
  return { perSecond, tokens: round(tokens), atMs: Math.max(atMs, nowMs) };
}

/** Whole calls the budget allows at `nowMs`. */
export function grantable(budget: BudgetState, nowMs: number, settings: BudgetSettings = DEFAULT_BUDGET_SETTINGS): number {
  return Math.floor(refill(budget, nowMs, settings).tokens);
}

/** Takes up to `wanted` whole calls at `nowMs`: how many were granted, and the budget without them. */
export function grant(
  budget: BudgetState,
  wanted: number,
  nowMs: number,
  settings: BudgetSettings = DEFAULT_BUDGET_SETTINGS,
): { granted: number; budget: BudgetState } {
  const refilled = refill(budget, nowMs, settings);
  const granted = Math.max(0, Math.min(Math.floor(wanted), Math.floor(refilled.tokens)));
  return { granted, budget: { ...refilled, tokens: round(refilled.tokens - granted) } };
}

/** What one tick did with an account's grant. */
export interface TickOutcome {
  /** CloudFront calls made. */
  readonly calls: number;
  /** How many of them CloudFront answered with throttling. */
  readonly throttled: number;
  /** Due watches of the account left waiting because the budget granted no more. */
  readonly heldBack: number;
}

/**
 * The rate after a tick: throttling shrinks it (and empties the bucket, so the next tick waits
 * for the shrunk rate to refill it); a tick held back by the budget whose calls were all
 * accepted grows it toward the ceiling; anything else leaves it.
 */
export function adjust(budget: BudgetState, outcome: TickOutcome, settings: BudgetSettings = DEFAULT_BUDGET_SETTINGS): BudgetState {
  const perSecond = clampRate(budget.perSecond, settings);
  if (outcome.throttled > 0) {
    return { ...budget, perSecond: round(clampRate(perSecond * settings.decreaseFactor, settings)), tokens: 0 };
  }
  if (outcome.calls > 0 && outcome.heldBack > 0) {
    return { ...budget, perSecond: round(clampRate(perSecond + settings.increasePerTick, settings)) };
  }
  return { ...budget, perSecond };
}

/** Settings may change between deployments while a budget travels: the rate always obeys the current ones. */
function clampRate(perSecond: number, settings: BudgetSettings): number {
  return Math.min(settings.maxPerSecond, Math.max(settings.minPerSecond, perSecond));
}
