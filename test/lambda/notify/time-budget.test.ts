import middy from '@middy/core';
import { budgetOfInvocation, timeBudget, type TimeBudget } from '../../../lambda/notify/time-budget';
import { handlerOptions, TIMEOUT_EARLY_MS } from '../../../lambda/shared/handler-options';
import { failureOf } from '../../support/failure-of';

/** A clock that moves only when told. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const neverAborted = { signal: new AbortController().signal };

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

  it('is aborted with the signal it is given', () => {
    // Prepare
    const outer = new AbortController();
    const budget = timeBudget(10_000, Date.now, outer.signal);

    // Act
    outer.abort();

    // Assert
    expect(budget.signal.aborted).toBe(true);
  });
});

describe('budgetOfInvocation', () => {
  it("is middy's signal, and the time Lambda says is left less middy's early timeout", () => {
    // Prepare
    const clock = fakeClock();

    // Act
    const budget = budgetOfInvocation({ getRemainingTimeInMillis: () => 30_000 }, neverAborted, clock.now);
    clock.advance(5_000);

    // Assert
    expect(budget.signal).toBe(neverAborted.signal);
    expect(budget.remainingMs()).toBe(30_000 - TIMEOUT_EARLY_MS - 5_000);
  });

  it('is zero, not negative, when less than the early timeout is left', () => {
    // Act
    const budget = budgetOfInvocation({ getRemainingTimeInMillis: () => TIMEOUT_EARLY_MS / 2 }, neverAborted);

    // Assert
    expect(budget.remainingMs()).toBe(0);
  });

  it.each<[string, unknown]>([
    ['no context', undefined],
    ['a context without getRemainingTimeInMillis', {}],
    ['a context whose clock answers nonsense', { getRemainingTimeInMillis: () => Number.NaN }],
  ])('falls back to a default below the function timeout with %s', (_name, context) => {
    // Prepare
    const clock = fakeClock();

    // Act
    const budget = budgetOfInvocation(context as never, neverAborted, clock.now);

    // Assert
    expect(budget.remainingMs()).toBe(30_000 - TIMEOUT_EARLY_MS);
    expect(budget.signal).not.toBe(neverAborted.signal);
  });

  it("ends what is still waiting when middy's early timeout passes, which answers FunctionTimedOut", async () => {
    // Prepare: 30 ms left before the early timeout; the handler waits on its budget's signal.
    let seen: TimeBudget | undefined;
    const handler = middy<unknown, unknown>(handlerOptions('Notify')).handler(async (_event, context, { signal }) => {
      seen = budgetOfInvocation(context, { signal });
      await new Promise((resolve) => seen!.signal.addEventListener('abort', resolve));
      return 'too late';
    });
    const context = { getRemainingTimeInMillis: () => TIMEOUT_EARLY_MS + 30 } as never;

    // Act
    const error = await failureOf(() => handler({}, context));

    // Assert
    expect(error.name).toBe('FunctionTimedOut');
    expect(seen!.signal.aborted).toBe(true);
    expect(seen!.remainingMs()).toBe(0);
  });
});
