import * as v from 'valibot';
import {
  BudgetStateSchema,
  DEFAULT_BUDGET_SETTINGS,
  MAX_CLOCK_SKEW_MS,
  adjust,
  grant,
  grantable,
  newBudget,
  parseBudgetSettings,
  refill,
  type BudgetSettings,
  type BudgetState,
} from '../../../lambda/shared/budget';

/** CloudFront's limit as the offline emulator models it: a token bucket answering Throttling beyond it. */
class Limiter {
  private tokens: number;
  private atMs = 0;
  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {
    this.tokens = burst;
  }
  call(nowMs: number): 'accepted' | 'throttled' {
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.atMs) / 1000) * this.perSecond);
    this.atMs = nowMs;
    if (this.tokens < 1) return 'throttled';
    this.tokens -= 1;
    return 'accepted';
  }
}

/** Ticks with more due watches than any budget allows: every tick wants everything it can get. */
function runUnlimitedDemand(limiter: Limiter, seconds: number, tickMs: number, settings: BudgetSettings = DEFAULT_BUDGET_SETTINGS) {
  let budget = newBudget(0, settings);
  let accepted = 0;
  let throttled = 0;
  const grants: number[] = [];
  for (let nowMs = 0; nowMs < seconds * 1000; nowMs += tickMs) {
    const taken = grant(budget, Number.MAX_SAFE_INTEGER, nowMs, settings);
    grants.push(taken.granted);
    let throttledNow = 0;
    for (let i = 0; i < taken.granted; i++) {
      if (limiter.call(nowMs) === 'accepted') accepted++;
      else throttledNow++;
    }
    throttled += throttledNow;
    budget = adjust(taken.budget, { calls: taken.granted, throttled: throttledNow, heldBack: 1 }, settings);
  }
  return { acceptedPerSecond: accepted / seconds, throttledShare: throttled / (accepted + throttled), grants, budget };
}

describe('budget against a limiter of 5 calls per second with a burst of 10', () => {
  // A tick every second when the checker is quick, every 1.3 s with the calls' own time added.
  it.each([1000, 1300])('uses at least 0.9x the limit over 10 minutes of %i ms ticks, with few calls throttled', (tickMs) => {
    const limiter = new Limiter(5, 10);

    const run = runUnlimitedDemand(limiter, 600, tickMs);

    expect(run.acceptedPerSecond).toBeGreaterThanOrEqual(0.9 * limiter.perSecond);
    expect(run.throttledShare).toBeLessThan(0.05);
    // The rate it learned stays around the limit, never at the ceiling.
    expect(run.budget.perSecond).toBeGreaterThan(3);
    expect(run.budget.perSecond).toBeLessThan(8);
  });

  it('finds a limit it was not told, higher or lower', () => {
    for (const [perSecond, burst] of [
      [3, 6],
      [8, 16],
    ] as const) {
      const run = runUnlimitedDemand(new Limiter(perSecond, burst), 600, 1000);

      expect(run.acceptedPerSecond).toBeGreaterThanOrEqual(0.9 * perSecond);
      expect(run.throttledShare).toBeLessThan(0.05);
    }
  });

  it('does not burst on the first tick of a cold chain: every call of it is accepted', () => {
    const run = runUnlimitedDemand(new Limiter(5, 10), 1, 1000);

    expect(run.grants[0]).toBe(DEFAULT_BUDGET_SETTINGS.startPerSecond * DEFAULT_BUDGET_SETTINGS.burstSeconds);
    expect(run.grants[0]).toBeLessThanOrEqual(10);
    expect(run.throttledShare).toBe(0);
  });

  it('would throttle without AIMD: a fixed rate above the limit loses most calls (the test can fail)', () => {
    const fixed = { ...DEFAULT_BUDGET_SETTINGS, startPerSecond: 8, minPerSecond: 8, maxPerSecond: 8 };

    const run = runUnlimitedDemand(new Limiter(5, 10), 600, 1000, fixed);

    expect(run.throttledShare).toBeGreaterThan(0.3);
  });
});

describe('refill and grant', () => {
  const settings = DEFAULT_BUDGET_SETTINGS;

  it('refills at the rate, never past the burst, however long the pause', () => {
    const budget: BudgetState = { perSecond: 5, tokens: 0, atMs: 1_000 };

    expect(refill(budget, 1_500).tokens).toBe(2.5);
    expect(refill(budget, 3_600_000).tokens).toBe(5 * settings.burstSeconds);
    expect(grantable(budget, 3_600_000)).toBe(10);
  });

  it('takes whole calls and keeps the fraction for the next tick', () => {
    const budget: BudgetState = { perSecond: 4.5, tokens: 0, atMs: 0 };

    const first = grant(budget, 100, 1000);
    const second = grant(first.budget, 100, 2000);

    expect(first.granted).toBe(4);
    expect(first.budget.tokens).toBe(0.5);
    expect(second.granted).toBe(5);
  });

  it('grants no more than wanted, and nothing for nothing wanted', () => {
    const budget = newBudget(0);

    expect(grant(budget, 1, 0)).toEqual({ granted: 1, budget: { ...budget, tokens: budget.tokens - 1 } });
    expect(grant(budget, 0, 0).granted).toBe(0);
  });

  it('adds nothing for a clock behind the budget (another container) and does not move it back', () => {
    const budget: BudgetState = { perSecond: 5, tokens: 1, atMs: 10_000 };

    expect(refill(budget, 9_000)).toEqual(budget);
  });

  it('takes a time further ahead than any skew (a forged or corrupted budget) as now, so the bucket refills from there', () => {
    const budget: BudgetState = { perSecond: 5, tokens: 0, atMs: 10_000 + MAX_CLOCK_SKEW_MS + 1 };

    expect(refill(budget, 10_000)).toEqual({ ...budget, atMs: 10_000 });
    expect(refill(refill(budget, 10_000), 11_000).tokens).toBe(5);
  });
});

describe('adjust', () => {
  const settings = DEFAULT_BUDGET_SETTINGS;
  const budget: BudgetState = { perSecond: 5, tokens: 3, atMs: 0 };

  it('shrinks the rate multiplicatively and drains the bucket on any throttling answer', () => {
    const after = adjust(budget, { calls: 5, throttled: 1, heldBack: 10 });

    expect(after.perSecond).toBe(3.5);
    expect(after.tokens).toBe(0);
  });

  it('never shrinks below the floor, however long CloudFront throttles', () => {
    let state = budget;
    for (let i = 0; i < 50; i++) state = adjust(state, { calls: 1, throttled: 1, heldBack: 1 });

    expect(state.perSecond).toBe(settings.minPerSecond);
    // The floor still grants a call every 1 / minPerSecond seconds.
    expect(grant(state, 10, 2000).granted).toBe(1);
  });

  it('grows additively toward the ceiling only while the budget holds due watches back', () => {
    expect(adjust(budget, { calls: 5, throttled: 0, heldBack: 3 }).perSecond).toBe(5.2);

    let state = budget;
    for (let i = 0; i < 100; i++) state = adjust(state, { calls: 5, throttled: 0, heldBack: 3 });
    expect(state.perSecond).toBe(settings.maxPerSecond);
  });

  it('does not grow for a tick that wanted no more than it got (a lone watch says nothing about the limit)', () => {
    let state = budget;
    for (let i = 0; i < 100; i++) state = adjust(state, { calls: 1, throttled: 0, heldBack: 0 });

    expect(state.perSecond).toBe(5);
    expect(adjust(budget, { calls: 0, throttled: 0, heldBack: 5 }).perSecond).toBe(5);
  });

  it('brings a rate from older settings within the current ones', () => {
    expect(adjust({ ...budget, perSecond: 50 }, { calls: 0, throttled: 0, heldBack: 0 }).perSecond).toBe(settings.maxPerSecond);
    expect(refill({ ...budget, perSecond: 0.01 }, 0).perSecond).toBe(settings.minPerSecond);
  });
});

describe('budget state and settings at the boundary', () => {
  it('travels as JSON and parses back', () => {
    const budget = adjust(grant(newBudget(1_700_000_000_000), 3, 1_700_000_000_700).budget, { calls: 3, throttled: 0, heldBack: 2 });

    expect(v.parse(BudgetStateSchema, JSON.parse(JSON.stringify(budget)))).toEqual(budget);
    expect(JSON.stringify(budget).length).toBeLessThan(80);
  });

  it('refuses a state with a rate of 0 or negative tokens, naming the field', () => {
    const parsed = v.safeParse(BudgetStateSchema, { perSecond: 0, tokens: -1, atMs: 0 });

    expect(parsed.success).toBe(false);
    expect(parsed.issues!.map((issue) => v.getDotPath(issue))).toEqual(['perSecond', 'tokens']);
  });

  it('accepts the defaults and names every problem in bad settings', () => {
    expect(parseBudgetSettings(DEFAULT_BUDGET_SETTINGS)).toEqual(DEFAULT_BUDGET_SETTINGS);
    expect(() => parseBudgetSettings({ ...DEFAULT_BUDGET_SETTINGS, decreaseFactor: 1.5, burstSeconds: 0.5 })).toThrow(
      /burstSeconds must be at least 1.*decreaseFactor must be less than 1/,
    );
    expect(() => parseBudgetSettings({ ...DEFAULT_BUDGET_SETTINGS, startPerSecond: 20 })).toThrow(
      /minPerSecond <= startPerSecond <= maxPerSecond/,
    );
    expect(() => parseBudgetSettings({ ...DEFAULT_BUDGET_SETTINGS, minPerSecond: 0.2 })).toThrow(/bucket must still hold one whole call/);
  });
});
