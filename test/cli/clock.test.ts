/** NOTIFIER_CLI_TIME_SCALE: a number the clock can run at, or a clear error. */
import { TIME_SCALE_ENV, clockFromEnv } from '../../cli/clock';

describe('clockFromEnv', () => {
  it.each(['abc', '0', '-1', 'Infinity', '1e308', '1e6'])('refuses %j, naming the variable and the range', (text) => {
    expect(() => clockFromEnv({ [TIME_SCALE_ENV]: text })).toThrow(/NOTIFIER_CLI_TIME_SCALE must be a number above 0 and at most 10000/);
  });

  it('runs the scale it is given, and real time without it', () => {
    const scaled = clockFromEnv({ [TIME_SCALE_ENV]: '10000' });
    const real = clockFromEnv({});
    expect(Number.isFinite(scaled.now())).toBe(true);
    expect(Math.abs(real.now() - Date.now())).toBeLessThan(1000);
  });
});
