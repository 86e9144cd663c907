/**
 * The command line's time: real, or compressed for tests. `NOTIFIER_CLI_TIME_SCALE=60` makes a
 * minute of the command's time pass in a real second (its sleeps, its elapsed time, its
 * `--timeout`, its per-minute lines), so a test can follow a 40-minute invalidation as a user
 * would, in a child process, in 40 real seconds or less. CloudFront's answers keep their real
 * time limits (cloudfront-client.ts). Not a user setting: `--help` does not show it.
 */
export interface Clock {
  /** Milliseconds since the epoch, in the command's time. */
  now(): number;
  /** Resolves after `ms` of the command's time, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const TIME_SCALE_ENV = 'NOTIFIER_CLI_TIME_SCALE';

/** Faster than any test needs (they use up to 600), slow enough that the clock's arithmetic stays finite and exact to the millisecond. */
const MAX_TIME_SCALE = 10_000;

export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const text = env[TIME_SCALE_ENV];
  if (text === undefined || text === '') return scaledClock(1);
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale <= 0 || scale > MAX_TIME_SCALE)
    throw new Error(`${TIME_SCALE_ENV} must be a number above 0 and at most ${MAX_TIME_SCALE} (got ${JSON.stringify(text.slice(0, 40))})`);
  return scaledClock(scale);
}

/** `scale` times faster than real time, from the moment it is made. */
export function scaledClock(scale: number): Clock {
  const realStart = Date.now();
  return {
    now: () => realStart + (Date.now() - realStart) * scale,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms / scale));
        signal?.addEventListener('abort', done, { once: true });
      }),
  };
}
