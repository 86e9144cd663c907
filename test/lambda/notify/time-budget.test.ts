import { budgetFromLambdaContext, timeBudget } from '../../../lambda/notify/time-budget';

/** A clock that moves only when told. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('timeBudget', () => {
  it('counts down with the clock and never goes below zero', () => {
    // Prepare
    const clock = fakeClock();
    const budget = timeBudget(10_000, clock.now);

    // Act
    clock.advance(4_000);
    const afterFour = budget.remainingMs();
    clock.advance(20_000);
    const afterTwentyFour = budget.remainingMs();

    // Assert
    expect(afterFour).toBe(6_000);
    expect(afterTwentyFour).toBe(0);
  });
});

describe('budgetFromLambdaContext', () => {
  it('is the time Lambda says is left, less a safety margin', () => {
    // Prepare
    const clock = fakeClock();

    // Act
    const budget = budgetFromLambdaContext({ getRemainingTimeInMillis: () => 30_000 }, { safetyMarginMs: 3_000, now: clock.now });

    // Assert
    expect(budget.remainingMs()).toBe(27_000);
  });

  it('is zero, not negative, when less than the margin is left', () => {
    // Act
    const budget = budgetFromLambdaContext({ getRemainingTimeInMillis: () => 1_000 }, { safetyMarginMs: 3_000 });

    // Assert
    expect(budget.remainingMs()).toBe(0);
  });

  it.each<[string, unknown]>([
    ['no context', undefined],
    ['a context without getRemainingTimeInMillis', {}],
    ['a context whose clock answers nonsense', { getRemainingTimeInMillis: () => Number.NaN }],
  ])('falls back to a default below the function timeout with %s', (_name, context) => {
    // Act
    const budget = budgetFromLambdaContext(context as never, { safetyMarginMs: 3_000, defaultRemainingMs: 30_000 });

    // Assert
    expect(budget.remainingMs()).toBe(27_000);
  });
});
