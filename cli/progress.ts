/**
 * What a person or a CI log sees while the command line follows a piece of work, on stderr
 * (stdout is for what scripts capture: an invalidation ID, `--json`).
 * - On a terminal: one live line, redrawn every second: elapsed, status, checks, throttled.
 * - Anywhere else (a CI log): a line when following starts, one every minute of waiting, one
 *   when a check fails after answered ones (throttled, no answer), and the outcome.
 * Every piece of text CloudFront or a caller controls passes through `withoutControls`: a path
 * cannot move the cursor, recolour the terminal or forge a line.
 */
import { formatDuration, laterChangesText } from '../lambda/shared/notification';
import { oneLine } from '../lambda/shared/text';
import type { CheckedWork } from '../lambda/shared/invalidation-status';
import type { Clock } from './clock';
import type { FollowResult, Progress } from './follow';

/** Caller and CloudFront text as it may reach a terminal: one line, no control or invisible characters, bounded. */
export const safe = (text: string, max = 500) => oneLine(text, max);

/** "invalidation I2J0I21PCUYOIK of distribution E2QWRUHAPOMQZL", "deployment of distribution tenant dt_1". */
export function describeWork(work: CheckedWork): string {
  const target = `${work.target.kind === 'tenant' ? 'distribution tenant' : 'distribution'} ${safe(work.target.id, 200)}`;
  if (work.work === 'deployment') return `deployment of ${target}${work.change.eTag ? ` (version ${safe(work.change.eTag, 100)})` : ''}`;
  return `invalidation ${safe(work.invalidationId, 200)} of ${target}`;
}

export interface ReporterOptions {
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly clock: Clock;
  readonly work: CheckedWork;
  /** How often a plain log gets a line while nothing changes, in the clock's time. @default 60 s */
  readonly plainEveryMs?: number;
  /** How often the live line is redrawn, in real time. @default 1 s */
  readonly redrawEveryMs?: number;
}

export interface Reporter {
  /** Says what is followed and how (the schedule, the time limit). */
  start(how: string): void;
  update(progress: Progress): void;
  /** Stops the live line or the per-minute lines; the caller then prints the outcome. */
  stop(): void;
}

export function createReporter(options: ReporterOptions): Reporter {
  return options.stream.isTTY ? liveReporter(options) : plainReporter(options);
}

function counts(progress: Progress): string {
  return `${progress.checks} ${progress.checks === 1 ? 'check' : 'checks'}, ${progress.throttled} throttled`;
}

/** A CI log: a line now and then, never a carriage return. */
function plainReporter({ stream, clock, work, plainEveryMs = 60_000 }: ReporterOptions): Reporter {
  let latest: Progress = { elapsedSeconds: 0, status: 'Unknown', checks: 0, throttled: 0 };
  let failing = false;
  const startMs = clock.now();
  const stopper = new AbortController();
  const write = (line: string) => stream.write(`${line}\n`);
  return {
    start(how) {
      write(`Following ${describeWork(work)}: ${how}.`);
      void (async () => {
        for (let minute = 1; ; minute++) {
          await clock.sleep(startMs + minute * plainEveryMs - clock.now(), stopper.signal);
          if (stopper.signal.aborted) return;
          // The minute it is for (a busy machine wakes the timer a little late): the log reads 1 min, 2 min, ...
          write(
            `[${formatDuration((minute * plainEveryMs) / 1000)}] ${latest.status}, ${counts(latest)}${latest.lastError ? ` (last check: ${safe(latest.lastError, 300)})` : ''}`,
          );
        }
      })();
    },
    update(progress) {
      latest = progress;
      // A failure after answers is news worth a line; the next ones only count.
      if (progress.lastError && !failing) {
        write(
          `[${formatDuration(progress.elapsedSeconds)}] ${safe(progress.lastError, 300)}; next check in ${formatDuration(progress.nextCheckSeconds ?? 0)}`,
        );
      }
      failing = progress.lastError !== undefined;
    },
    stop() {
      stopper.abort();
    },
  };
}

/** A terminal: one line, redrawn in place. */
function liveReporter({ stream, clock, work, redrawEveryMs = 1000 }: ReporterOptions): Reporter {
  let latest: Progress = { elapsedSeconds: 0, status: 'Unknown', checks: 0, throttled: 0 };
  const startMs = clock.now();
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    const elapsed = Math.max(0, (clock.now() - startMs) / 1000);
    const state =
      `${latest.checks === 0 ? 'checking' : latest.status} · ${formatDuration(elapsed)} · ${counts(latest)}` +
      // The error's name only: the whole message would not fit a line (the plain log and --json have it).
      (latest.lastError ? ` · last check: ${safe(latest.lastError.split(':')[0]!, 60)}` : '');
    const width = stream.columns || 120; // 0 on a terminal that never said its size
    // On a narrow terminal the work goes first (the line above names it): what changes stays in sight.
    const full = [...`${describeWork(work)}: ${state}`];
    const line = full.length <= width - 1 ? full : [...state];
    // \r and "erase line": the line is redrawn where it is; cut to the terminal's width so it never wraps.
    stream.write(`\r\x1b[2K${line.length > width - 1 ? `${line.slice(0, Math.max(0, width - 2)).join('')}…` : line.join('')}`);
  };
  return {
    start(how) {
      stream.write(`Following ${describeWork(work)}: ${how}. Ctrl-C stops following (the work goes on).\n`);
      draw();
      timer = setInterval(draw, redrawEveryMs);
    },
    update(progress) {
      latest = progress;
      draw();
    },
    stop() {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
      stream.write('\r\x1b[2K');
    },
  };
}

/** The outcome in one or two lines, for stderr. */
export function describeOutcome(work: CheckedWork, result: FollowResult, advice?: string): string {
  const what = describeWork(work);
  const took = formatDuration(result.progress.elapsedSeconds);
  const tally = counts(result.progress);
  switch (result.outcome) {
    case 'completed': {
      const status = result.status!;
      const together = status.laterChanges ? `, ${laterChangesText(status.laterChanges)}` : '';
      const paths = status.paths.total > 0 ? `; ${status.paths.total} ${status.paths.total === 1 ? 'path' : 'paths'}` : '';
      return `${status.status === 'Deployed' ? 'Deployed' : 'Completed'}: ${what}${together}, after ${took} (${tally}${paths}).`;
    }
    case 'timed-out':
      return (
        `Timed out: ${what} was still ${result.progress.status === 'Unknown' ? 'not answered' : result.progress.status} after ${took} (${tally}). ` +
        `It goes on in CloudFront: run the same command again to keep waiting.`
      );
    case 'interrupted':
      return `Stopped following ${what} after ${took} (${tally}). It goes on in CloudFront.`;
    case 'could-not-track':
      return `Could not track ${what}: ${safe(result.error?.message ?? 'unknown error', 1000)}${advice ? `\n${advice}` : ''}`;
  }
}
