import fc from 'fast-check';
import { FAILURE_BACKOFF, nextWaitSeconds } from '../../cli/follow';
import { DEFAULT_POLL_SCHEDULE } from '../../lambda/shared/schedule';

describe('nextWaitSeconds', () => {
  it('is the schedule while checks are answered', () => {
    expect(nextWaitSeconds(DEFAULT_POLL_SCHEDULE, 100, 0, () => 0.5)).toBe(DEFAULT_POLL_SCHEDULE.firstIntervalSeconds);
  });

  it('after failures in a row, grows by doubling, half of it random, never below the schedule nor above the ceiling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (failures, random) => {
        const wait = nextWaitSeconds(DEFAULT_POLL_SCHEDULE, 0, failures, () => random);
        const backoff = Math.min(FAILURE_BACKOFF.maxSeconds, DEFAULT_POLL_SCHEDULE.firstIntervalSeconds * FAILURE_BACKOFF.rate ** failures);
        expect(wait).toBeGreaterThanOrEqual(Math.max(DEFAULT_POLL_SCHEDULE.firstIntervalSeconds, backoff / 2));
        expect(wait).toBeLessThanOrEqual(backoff);
      }),
    );
    expect(nextWaitSeconds(DEFAULT_POLL_SCHEDULE, 0, 3, () => 0)).toBe(16);
    expect(nextWaitSeconds(DEFAULT_POLL_SCHEDULE, 0, 10, () => 0.999999)).toBeCloseTo(FAILURE_BACKOFF.maxSeconds, 3);
  });
});
