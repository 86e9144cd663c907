/**
 * The retired Express check loop's schedule arithmetic (bench/express-loop/express-loop-state.ts),
 * kept with the comparison design `npm run bench` runs.
 */
import { DEFAULT_POLL_SCHEDULE, intervalAt, type PollSchedule } from '../../../lambda/shared/schedule';
import {
  EXPRESS_RUN_SECONDS,
  MAX_PACE,
  estimateHistoryEvents,
  planNextCheck,
  worstCaseExpressRuns,
} from '../../../bench/express-loop/express-loop-state';

/** A schedule whose interval grows: 5 s by 1.5x to 15 s. */
const GROWING: PollSchedule = { firstIntervalSeconds: 5, backoffRate: 1.5, maxIntervalSeconds: 15, maxWaitSeconds: 3600 };

describe('planNextCheck', () => {
  it.each([
    ['exactly at', 3600],
    ['after', 3601],
    ['long after', 90_000],
  ])('gives up %s the maximum wait', (_when, elapsed) => {
    // Act
    const normal = planNextCheck(GROWING, elapsed, 0);
    const slowedDown = planNextCheck(GROWING, elapsed, 2);

    // Assert
    expect(normal).toEqual({ kind: 'give-up' });
    expect(slowedDown).toEqual({ kind: 'give-up' });
  });

  it('keeps checking one second before the maximum wait', () => {
    // Act
    const next = planNextCheck(GROWING, 3599, 0);

    // Assert
    expect(next).toEqual({ kind: 'wait', seconds: 1 });
  });

  it('starts at the first interval and grows to the cap as intervalAt says', () => {
    // Prepare
    const elapsedTimes = [0, 2, 4, 10, 20, 60, 600];

    // Act
    const waits = elapsedTimes.map((elapsed) => planNextCheck(GROWING, elapsed, 0));

    // Assert
    expect(waits[0]).toEqual({ kind: 'wait', seconds: GROWING.firstIntervalSeconds });
    expect(waits.at(-1)).toEqual({ kind: 'wait', seconds: GROWING.maxIntervalSeconds });
    waits.forEach((next, i) => {
      expect(next).toEqual({ kind: 'wait', seconds: Math.ceil(intervalAt(GROWING, elapsedTimes[i]!)) });
    });
    const seconds = waits.map((next) => (next.kind === 'wait' ? next.seconds : NaN));
    expect([...seconds].sort((a, b) => a - b)).toEqual(seconds);
  });

  it('follows the geometric series 5, 7.5, 11.25 then the cap', () => {
    // Prepare: the checks of the default series happen at 0, 5, 12.5 and 23.75 s.

    // Act
    const intervals = [0, 5, 12.5, 23.75].map((elapsed) => intervalAt(GROWING, elapsed));

    // Assert
    expect(intervals).toEqual([5, 7.5, 11.25, 15]);
  });

  it('never waits past the maximum wait', () => {
    // Act
    const next = planNextCheck(GROWING, 3597, 0);

    // Assert
    expect(next).toEqual({ kind: 'wait', seconds: 3 });
  });

  it.each([
    [1, 30],
    [2, 60],
    [3, 120],
    [4, 240],
  ])('after %i slow-down step(s) waits maxInterval * 2^pace = %i s', (pace, expected) => {
    // Act
    const next = planNextCheck(GROWING, 100, pace);

    // Assert
    expect(next).toEqual({ kind: 'wait', seconds: expected });
  });

  it('caps the slow-down wait at one Express run', () => {
    // Prepare: 60 * 2^5 = 1920 s, over the cap.
    const schedule: PollSchedule = { ...GROWING, maxIntervalSeconds: 60, maxWaitSeconds: 86_400 };

    // Act
    const next = planNextCheck(schedule, 100, MAX_PACE);

    // Assert
    expect(next).toEqual({ kind: 'wait', seconds: EXPRESS_RUN_SECONDS });
  });

  it('stops doubling after MAX_PACE steps', () => {
    // Prepare
    const schedule: PollSchedule = { ...GROWING, maxIntervalSeconds: 5, maxWaitSeconds: 86_400 };

    // Act
    const atMax = planNextCheck(schedule, 100, MAX_PACE);
    const beyondMax = planNextCheck(schedule, 100, MAX_PACE + 10);

    // Assert
    expect(atMax).toEqual({ kind: 'wait', seconds: 5 * 2 ** MAX_PACE });
    expect(beyondMax).toEqual(atMax);
  });

  it('waits the interval, and no wait outlasts a run', () => {
    // Act
    const normal = planNextCheck(DEFAULT_POLL_SCHEDULE, 100, 0);
    const slowedDown = planNextCheck(DEFAULT_POLL_SCHEDULE, 100, MAX_PACE);
    const crowded = planNextCheck(DEFAULT_POLL_SCHEDULE, 100, 0, 10_000);

    // Assert
    expect(normal).toEqual({ kind: 'wait', seconds: DEFAULT_POLL_SCHEDULE.maxIntervalSeconds });
    expect(slowedDown).toEqual({ kind: 'wait', seconds: DEFAULT_POLL_SCHEDULE.maxIntervalSeconds * 2 ** MAX_PACE });
    expect(crowded).toEqual({ kind: 'wait', seconds: EXPRESS_RUN_SECONDS });
  });

  it('caps the slow-down wait at the time remaining before the maximum wait', () => {
    // Act
    const next = planNextCheck(GROWING, 3590, 3);

    // Assert
    expect(next).toEqual({ kind: 'wait', seconds: 10 });
  });
});

describe('the history bound an Express watch would have', () => {
  it('estimates an Express watch at 8 events per run, two runs covering at least one run budget', () => {
    // Act
    const runs = worstCaseExpressRuns(DEFAULT_POLL_SCHEDULE);
    const events = estimateHistoryEvents(DEFAULT_POLL_SCHEDULE);

    // Assert: an hour at half a run budget per run at worst, plus the first and the last.
    expect(runs).toBe(Math.ceil(3600 / (EXPRESS_RUN_SECONDS / 2)) + 2);
    expect(events).toBe(8 * runs + 100);
  });
});
