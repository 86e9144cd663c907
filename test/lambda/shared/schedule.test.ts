import {
  DEFAULT_POLL_SCHEDULE,
  MAX_INTERVAL_SECONDS,
  parsePollSchedule,
  validatePollSchedule,
  type PollSchedule,
} from '../../../lambda/shared/schedule';

/** A schedule whose interval grows: 5 s by 1.5x to 15 s. */
const GROWING: PollSchedule = { firstIntervalSeconds: 5, backoffRate: 1.5, maxIntervalSeconds: 15, maxWaitSeconds: 3600 };

describe('validatePollSchedule', () => {
  it.each<[string, PollSchedule]>([
    ['the default schedule', DEFAULT_POLL_SCHEDULE],
    ['a growing schedule', GROWING],
  ])('accepts %s', (_name, schedule) => {
    // Act
    const problems = validatePollSchedule(schedule);

    // Assert
    expect(problems).toEqual([]);
  });

  it('rejects a maxIntervalSeconds over MAX_INTERVAL_SECONDS, naming the bound', () => {
    const problems = validatePollSchedule({ ...DEFAULT_POLL_SCHEDULE, maxIntervalSeconds: MAX_INTERVAL_SECONDS + 1 });

    expect(problems).toEqual([expect.stringMatching(new RegExp(`maxIntervalSeconds.*${MAX_INTERVAL_SECONDS}`))]);
  });

  it('accepts the longest wait, 7 days, with any interval: the watcher waits on a token, whose history does not grow with the wait', () => {
    const sevenDays = { ...DEFAULT_POLL_SCHEDULE, maxWaitSeconds: 7 * 24 * 3600 };

    expect(validatePollSchedule(sevenDays)).toEqual([]);
    expect(validatePollSchedule({ ...sevenDays, maxWaitSeconds: 7 * 24 * 3600 + 60 })).toEqual([
      expect.stringMatching(/between 1 minute and 7 days/),
    ]);
  });

  it.each<[string, Partial<PollSchedule>, string]>([
    ['firstIntervalSeconds of 0', { firstIntervalSeconds: 0 }, 'firstIntervalSeconds'],
    ['fractional firstIntervalSeconds', { firstIntervalSeconds: 2.5 }, 'firstIntervalSeconds'],
    ['backoffRate below 1', { backoffRate: 0.5 }, 'backoffRate'],
    ['backoffRate above 3', { backoffRate: 4 }, 'backoffRate'],
    ['backoffRate NaN', { backoffRate: NaN }, 'backoffRate'],
    ['maxIntervalSeconds below firstIntervalSeconds', { firstIntervalSeconds: 10, maxIntervalSeconds: 5 }, 'maxIntervalSeconds'],
    ['maxWaitSeconds under a minute', { maxWaitSeconds: 59 }, 'maxWait'],
    ['maxWaitSeconds over 7 days', { maxWaitSeconds: 7 * 24 * 3600 + 1 }, 'maxWait'],
  ])('rejects %s with a message naming the field', (_name, change, field) => {
    // Prepare
    const schedule: PollSchedule = { ...GROWING, ...change };

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
    };

    // Act
    const problems = validatePollSchedule(schedule);

    // Assert
    expect(problems).toHaveLength(4);
  });
});

describe('parsePollSchedule', () => {
  it('fills what the JSON leaves out from the default schedule', () => {
    // Act
    const schedule = parsePollSchedule('{"maxWaitSeconds": 1800}');

    // Assert
    expect(schedule).toEqual({ ...DEFAULT_POLL_SCHEDULE, maxWaitSeconds: 1800 });
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
