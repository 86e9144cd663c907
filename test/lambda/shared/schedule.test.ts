import {
  DEFAULT_POLL_SCHEDULE,
  EXPRESS_RUN_SECONDS,
  RETRY_POLL_SCHEDULE,
  HISTORY_EVENT_BUDGET,
  MAX_PACE,
  MAX_SINGLE_WAIT_SECONDS,
  estimateHistoryEvents,
  intervalAt,
  parsePollSchedule,
  planNextCheck,
  retryCheckAttempts,
  validatePollSchedule,
  worstCaseExpressRuns,
  type PollSchedule,
} from '../../../lambda/shared/schedule';

const WAIT_LOOP: PollSchedule = { ...RETRY_POLL_SCHEDULE, checkStyle: 'wait-loop' };

/** The retrier's delays for `retries` retries: min(first * rate^k, cap). */
function coveredByRetries(schedule: PollSchedule, retries: number): number {
  let covered = 0;
  for (let k = 0; k < retries; k++) {
    covered += Math.min(schedule.firstIntervalSeconds * schedule.backoffRate ** k, schedule.maxIntervalSeconds);
  }
  return covered;
}

describe('planNextCheck', () => {
  it('leaves the next check to the Task Retry in the default retry style', () => {
    // Act
    const next = planNextCheck(RETRY_POLL_SCHEDULE, 120, 0);

    // Assert
    expect(next).toEqual({ kind: 'retry' });
  });

  it.each([
    ['exactly at', 3600],
    ['after', 3601],
    ['long after', 90_000],
  ])('gives up %s the maximum wait', (_when, elapsed) => {
    // Act
    const retryStyle = planNextCheck(RETRY_POLL_SCHEDULE, elapsed, 0);
    const waitLoop = planNextCheck(WAIT_LOOP, elapsed, 0);
    const slowedDown = planNextCheck(RETRY_POLL_SCHEDULE, elapsed, 2);

    // Assert
    expect(retryStyle).toEqual({ kind: 'give-up' });
    expect(waitLoop).toEqual({ kind: 'give-up' });
    expect(slowedDown).toEqual({ kind: 'give-up' });
  });

  it('keeps checking one second before the maximum wait', () => {
    // Act
    const next = planNextCheck(RETRY_POLL_SCHEDULE, 3599, 0);

    // Assert
    expect(next).toEqual({ kind: 'retry' });
  });

  it('in wait-loop style starts at the first interval and grows to the cap as intervalAt says', () => {
    // Prepare
    const elapsedTimes = [0, 2, 4, 10, 20, 60, 600];

    // Act
    const waits = elapsedTimes.map((elapsed) => planNextCheck(WAIT_LOOP, elapsed, 0));

    // Assert
    expect(waits[0]).toEqual({ kind: 'wait', seconds: WAIT_LOOP.firstIntervalSeconds });
    expect(waits.at(-1)).toEqual({ kind: 'wait', seconds: WAIT_LOOP.maxIntervalSeconds });
    waits.forEach((next, i) => {
      expect(next).toEqual({ kind: 'wait', seconds: Math.ceil(intervalAt(WAIT_LOOP, elapsedTimes[i]!)) });
    });
    const seconds = waits.map((next) => (next.kind === 'wait' ? next.seconds : NaN));
    expect([...seconds].sort((a, b) => a - b)).toEqual(seconds);
  });

  it('in wait-loop style follows the geometric series 5, 7.5, 11.25 then the cap', () => {
    // Prepare: the checks of the default series happen at 0, 5, 12.5 and 23.75 s.

    // Act
    const intervals = [0, 5, 12.5, 23.75].map((elapsed) => intervalAt(WAIT_LOOP, elapsed));

    // Assert
    expect(intervals).toEqual([5, 7.5, 11.25, 15]);
  });

  it('never waits past the maximum wait in wait-loop style', () => {
    // Act
    const next = planNextCheck(WAIT_LOOP, 3597, 0);

    // Assert
    expect(next).toEqual({ kind: 'wait', seconds: 3 });
  });

  it.each([
    [1, 30],
    [2, 60],
    [3, 120],
    [4, 240],
  ])('after %i slow-down step(s) waits maxInterval * 2^pace = %i s, in either style', (pace, expected) => {
    // Act
    const retryStyle = planNextCheck(RETRY_POLL_SCHEDULE, 100, pace);
    const waitLoop = planNextCheck(WAIT_LOOP, 100, pace);

    // Assert
    expect(retryStyle).toEqual({ kind: 'wait', seconds: expected });
    expect(waitLoop).toEqual({ kind: 'wait', seconds: expected });
  });

  it('caps the slow-down wait at MAX_SINGLE_WAIT_SECONDS', () => {
    // Prepare: 60 * 2^5 = 1920 s, over the cap.
    const schedule: PollSchedule = { ...RETRY_POLL_SCHEDULE, maxIntervalSeconds: 60, maxWaitSeconds: 86_400 };

    // Act
    const next = planNextCheck(schedule, 100, MAX_PACE);

    // Assert
    expect(next).toEqual({ kind: 'wait', seconds: MAX_SINGLE_WAIT_SECONDS });
  });

  it('stops doubling after MAX_PACE steps', () => {
    // Prepare
    const schedule: PollSchedule = { ...RETRY_POLL_SCHEDULE, maxIntervalSeconds: 15, maxWaitSeconds: 86_400 };

    // Act
    const atMax = planNextCheck(schedule, 100, MAX_PACE);
    const beyondMax = planNextCheck(schedule, 100, MAX_PACE + 10);

    // Assert
    expect(atMax).toEqual({ kind: 'wait', seconds: 15 * 2 ** MAX_PACE });
    expect(beyondMax).toEqual(atMax);
  });

  it('in express style waits the interval (never leaves the check to a Retry) and no wait outlasts a run', () => {
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
    const next = planNextCheck(RETRY_POLL_SCHEDULE, 3590, 3);

    // Assert
    expect(next).toEqual({ kind: 'wait', seconds: 10 });
  });
});

describe('retryCheckAttempts', () => {
  it.each<[string, PollSchedule]>([
    ['the default schedule', RETRY_POLL_SCHEDULE],
    [
      'a constant interval',
      { ...RETRY_POLL_SCHEDULE, firstIntervalSeconds: 10, backoffRate: 1, maxIntervalSeconds: 10, maxWaitSeconds: 600 },
    ],
    [
      'a long wait with a large cap',
      { ...RETRY_POLL_SCHEDULE, firstIntervalSeconds: 2, backoffRate: 2, maxIntervalSeconds: 300, maxWaitSeconds: 7 * 24 * 3600 },
    ],
    [
      'a wait that is not a multiple of the interval',
      { ...RETRY_POLL_SCHEDULE, firstIntervalSeconds: 7, backoffRate: 1, maxIntervalSeconds: 7, maxWaitSeconds: 100 },
    ],
  ])('allows enough retries for the delays to cover the maximum wait with %s', (_name, schedule) => {
    // Act
    const attempts = retryCheckAttempts(schedule);

    // Assert
    expect(coveredByRetries(schedule, attempts - 2)).toBeGreaterThanOrEqual(schedule.maxWaitSeconds);
    expect(coveredByRetries(schedule, attempts - 3)).toBeLessThan(schedule.maxWaitSeconds);
  });

  it('returns 244 for the default schedule: 242 delays (5, 7.5, 11.25, then 15 s up to an hour) plus 2', () => {
    // Prepare: 5 + 7.5 + 11.25 = 23.75 s, then ceil((3600 - 23.75) / 15) = 239 more delays.

    // Act
    const attempts = retryCheckAttempts(RETRY_POLL_SCHEDULE);

    // Assert
    expect(attempts).toBe(3 + 239 + 2);
  });
});

describe('validatePollSchedule', () => {
  it.each<[string, PollSchedule]>([
    ['the default (express) schedule', DEFAULT_POLL_SCHEDULE],
    ['the retry schedule', RETRY_POLL_SCHEDULE],
  ])('accepts %s', (_name, schedule) => {
    // Act
    const problems = validatePollSchedule(schedule);

    // Assert
    expect(problems).toEqual([]);
  });

  it('rejects an Express maxIntervalSeconds that does not fit in a run, and accepts it in the Standard styles', () => {
    // Prepare
    const change = { maxIntervalSeconds: EXPRESS_RUN_SECONDS + 1 };

    // Act
    const express = validatePollSchedule({ ...DEFAULT_POLL_SCHEDULE, ...change });
    const retry = validatePollSchedule({ ...RETRY_POLL_SCHEDULE, ...change });

    // Assert
    expect(express).toEqual([expect.stringMatching(new RegExp(`maxIntervalSeconds.*${EXPRESS_RUN_SECONDS}.*Express run`))]);
    expect(retry).toEqual([]);
  });

  it('bounds an Express maxWait by the watcher history its runs would write: 3 days fit, 7 do not', () => {
    // Act
    const threeDays = validatePollSchedule({ ...DEFAULT_POLL_SCHEDULE, maxWaitSeconds: 3 * 24 * 3600 });
    const sevenDays = validatePollSchedule({ ...DEFAULT_POLL_SCHEDULE, maxWaitSeconds: 7 * 24 * 3600 });

    // Assert
    expect(threeDays).toEqual([]);
    expect(sevenDays).toEqual([expect.stringMatching(/history events.*shorten maxWait/)]);
  });

  it('accepts the default schedule in wait-loop style', () => {
    // Act
    const problems = validatePollSchedule(WAIT_LOOP);

    // Assert
    expect(problems).toEqual([]);
  });

  it.each<[string, Partial<PollSchedule>, string]>([
    ['firstIntervalSeconds of 0', { firstIntervalSeconds: 0 }, 'firstIntervalSeconds'],
    ['fractional firstIntervalSeconds', { firstIntervalSeconds: 2.5 }, 'firstIntervalSeconds'],
    ['backoffRate below 1', { backoffRate: 0.5 }, 'backoffRate'],
    ['backoffRate above 3', { backoffRate: 4 }, 'backoffRate'],
    ['backoffRate NaN', { backoffRate: NaN }, 'backoffRate'],
    ['maxIntervalSeconds below firstIntervalSeconds', { firstIntervalSeconds: 10, maxIntervalSeconds: 5 }, 'maxIntervalSeconds'],
    ['maxIntervalSeconds above the single-wait cap', { maxIntervalSeconds: MAX_SINGLE_WAIT_SECONDS + 1 }, 'maxIntervalSeconds'],
    ['maxWaitSeconds under a minute', { maxWaitSeconds: 59 }, 'maxWait'],
    ['maxWaitSeconds over 7 days', { maxWaitSeconds: 7 * 24 * 3600 + 1 }, 'maxWait'],
    ['an unknown checkStyle', { checkStyle: 'poll' as PollSchedule['checkStyle'] }, 'checkStyle'],
  ])('rejects %s with a message naming the field', (_name, change, field) => {
    // Prepare
    const schedule: PollSchedule = { ...RETRY_POLL_SCHEDULE, ...change };

    // Act
    const problems = validatePollSchedule(schedule);

    // Assert
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(field);
  });

  it('reports every bad field at once', () => {
    // Prepare
    const schedule: PollSchedule = {
      firstIntervalSeconds: -1,
      backoffRate: 9,
      maxIntervalSeconds: 5000,
      maxWaitSeconds: 1,
      checkStyle: 'x' as PollSchedule['checkStyle'],
    };

    // Act
    const problems = validatePollSchedule(schedule);

    // Assert
    expect(problems).toHaveLength(5);
  });

  it('rejects a schedule that would write more history events than the budget', () => {
    // Prepare: a check every second for 7 days.
    const schedule: PollSchedule = {
      ...RETRY_POLL_SCHEDULE,
      firstIntervalSeconds: 1,
      maxIntervalSeconds: 1,
      maxWaitSeconds: 7 * 24 * 3600,
    };
    expect(estimateHistoryEvents(schedule)).toBeGreaterThan(HISTORY_EVENT_BUDGET);

    // Act
    const problems = validatePollSchedule(schedule);

    // Assert
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('history events');
    expect(problems[0]).toContain(String(HISTORY_EVENT_BUDGET));
  });

  it('estimates an Express watch at 8 events per run, two runs covering at least one run budget', () => {
    // Act
    const runs = worstCaseExpressRuns(DEFAULT_POLL_SCHEDULE);
    const events = estimateHistoryEvents(DEFAULT_POLL_SCHEDULE);

    // Assert: an hour at half a run budget per run at worst, plus the first and the last.
    expect(runs).toBe(Math.ceil(3600 / (EXPRESS_RUN_SECONDS / 2)) + 2);
    expect(events).toBe(8 * runs + 100);
  });

  it('estimates the wait loop at three times the history events of the retry style (plus the fixed part)', () => {
    // Act
    const retryStyle = estimateHistoryEvents(RETRY_POLL_SCHEDULE);
    const waitLoop = estimateHistoryEvents(WAIT_LOOP);

    // Assert
    expect(waitLoop - 100).toBe(3 * (retryStyle - 100));
  });
});

describe('parsePollSchedule', () => {
  it('fills what the JSON leaves out from the default schedule', () => {
    // Act
    const schedule = parsePollSchedule('{"maxWaitSeconds": 1800, "checkStyle": "wait-loop"}');

    // Assert
    expect(schedule).toEqual({ ...DEFAULT_POLL_SCHEDULE, maxWaitSeconds: 1800, checkStyle: 'wait-loop' });
  });

  it('throws on text that is not JSON', () => {
    // Act
    const parse = () => parsePollSchedule('{maxWaitSeconds: 1800');

    // Assert
    expect(parse).toThrow('The poll schedule is not valid JSON');
  });

  it('throws on invalid values, naming each problem', () => {
    // Act
    const parse = () => parsePollSchedule('{"backoffRate": 0, "maxWaitSeconds": 10}');

    // Assert
    expect(parse).toThrow(/^Invalid poll schedule: .*backoffRate.*; .*maxWait/);
  });
});
