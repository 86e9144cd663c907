/**
 * Following a piece of work and saying how it ended: what `wait` and `invalidate --wait` share.
 * Progress on stderr (createReporter); the outcome on stderr, and with `--json` on stdout as
 * {@link FollowReport}; the exit status from EXIT.
 */
import { createCloudFrontClient, CALL_LIMITS } from '../lambda/shared/cloudfront-client';
import { DEFAULT_POLL_SCHEDULE } from '../lambda/shared/schedule';
import type { CheckedWork } from '../lambda/shared/invalidation-status';
import type { StatusResult } from '../lambda/shared/status-result';
import { adviceFor } from './advice';
import type { CliContext } from './context';
import { EXIT, type ExitCode } from './exit-codes';
import { follow, type FollowOutcome } from './follow';
import { formatDuration } from '../lambda/shared/notification';
import { createReporter, describeOutcome } from './progress';

/** `--json`'s document: one object, the same keys for every outcome. */
export interface FollowReport {
  readonly outcome: FollowOutcome;
  readonly exitCode: ExitCode;
  readonly work: 'invalidation' | 'deployment';
  readonly target: CheckedWork['target'];
  readonly invalidationId?: string;
  /** The last status CloudFront answered (the status result the notifier's messages and events are made from), or null before any answer. */
  readonly status: StatusResult | null;
  readonly elapsedSeconds: number;
  readonly checks: number;
  readonly throttled: number;
  /** Why it could not be tracked, or why the last check failed. */
  readonly error?: { readonly name: string; readonly message: string; readonly code?: string; readonly advice?: string };
}

const EXIT_BY_OUTCOME: Record<FollowOutcome, ExitCode> = {
  completed: EXIT.completed,
  'could-not-track': EXIT.couldNotTrack,
  'timed-out': EXIT.timedOut,
  interrupted: EXIT.interrupted,
};

export interface WatchSettings {
  readonly timeoutMs?: number;
  readonly json?: boolean;
  readonly profile?: string;
}

/** The settings as the commands' options give them (`--timeout`, `--json`, `--profile`). */
export function watchSettingsOf(options: { readonly timeout?: number; readonly json?: boolean; readonly profile?: string }): WatchSettings {
  return {
    ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
    ...(options.json ? { json: true } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  };
}

export async function followAndReport(context: CliContext, work: CheckedWork, settings: WatchSettings): Promise<ExitCode> {
  const client = createCloudFrontClient(CALL_LIMITS, settings.profile ? { profile: settings.profile } : {});
  const reporter = createReporter({ stream: context.stderr, clock: context.clock, work });
  const every = DEFAULT_POLL_SCHEDULE.firstIntervalSeconds;
  reporter.start(
    `a check every ${every} s, ${settings.timeoutMs === undefined ? 'no time limit' : `giving up after ${formatDuration(settings.timeoutMs / 1000)}`}`,
  );
  try {
    const result = await follow(
      { work, ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }) },
      { client, clock: context.clock, signal: context.signal, onProgress: (progress) => reporter.update(progress) },
    );
    reporter.stop();
    const advice = result.outcome === 'could-not-track' ? adviceFor(result.error?.code, work, settings.profile) : undefined;
    context.stderr.write(`${describeOutcome(work, result, advice)}\n`);
    const exitCode = EXIT_BY_OUTCOME[result.outcome];
    if (settings.json) {
      const error =
        result.error ?? (result.progress.lastError ? { name: 'LastCheckFailed', message: result.progress.lastError } : undefined);
      const report: FollowReport = {
        outcome: result.outcome,
        exitCode,
        work: work.work === 'deployment' ? 'deployment' : 'invalidation',
        target: work.target,
        ...(work.work === 'deployment' ? {} : { invalidationId: work.invalidationId }),
        status: result.status ?? null,
        elapsedSeconds: Math.round(result.progress.elapsedSeconds * 10) / 10,
        checks: result.progress.checks,
        throttled: result.progress.throttled,
        ...(error ? { error: { ...error, ...(advice ? { advice } : {}) } } : {}),
      };
      context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    }
    return exitCode;
  } finally {
    reporter.stop();
    client.destroy();
  }
}
