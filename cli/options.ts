/**
 * The options the commands share, declared once: which distribution or tenant, how long to wait,
 * how to print, which credentials. Values are checked as they are parsed, so a wrong one is a
 * usage error that names the option (commander prints it and the command exits EXIT.usage).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import * as v from 'valibot';
import { WatchTargetSchema, type WatchTarget } from '../lambda/shared/watch-request';
import { safe } from './progress';

/** "90s", "5m", "1h30m", "2h", or plain seconds ("300"). */
const DURATION = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/;

/** A duration option's value in milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const plain = /^\d+(?:\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1000 : undefined;
  const match = plain === undefined && trimmed !== '' ? DURATION.exec(trimmed) : null;
  const ms = plain ?? (match ? (Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)) * 1000 : NaN);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new InvalidArgumentError('give a duration such as 90s, 5m, 1h30m or a number of seconds, above 0.');
  }
  return ms;
}

/** What CloudFront's IDs and versions are made of: `E2QWRUHAPOMQZL`, `I2J0I21PCUYOIK`, `dt_2wjDZi3hD1ivOXf6rpZJO1AB`. */
const ID_WORD = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * A parser for an ID CloudFront gave (`what` names it in the error): one word of letters, digits,
 * `_` and `-`, as long as the watch request accepts. So a pasted ID with a line break or a quote,
 * a path (`../`, `%2F`), a query, or the next option (`--distribution-id --invalidation-id`) is a
 * usage error, never part of a request.
 */
function cloudFrontWord(what: string): (text: string) => string {
  return (text) => {
    if (!ID_WORD.test(text) || !v.safeParse(WatchTargetSchema, { kind: 'distribution', id: text }).success) {
      throw new InvalidArgumentError(`${JSON.stringify(safe(text, 80))} is not ${what} (one word of letters, digits, _ and -).`);
    }
    return text;
  };
}

/** An ID CloudFront gave (distribution, tenant, invalidation). */
export const parseId = cloudFrontWord('a CloudFront ID');

/** A version of a distribution or tenant, its ETag. */
export const parseVersion = cloudFrontWord('a version (the ETag CloudFront answers)');

/** Text that goes to CloudFront as written (a path, a caller reference): not empty, no control character. */
export function parseRequestText(text: string): string {
  if (text === '') throw new InvalidArgumentError('it is empty.');
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(text))
    throw new InvalidArgumentError(`${JSON.stringify(safe(text, 80))} has a control character (a line break, a tab, an escape).`);
  return text;
}

export interface TargetOptions {
  readonly distributionId?: string;
  readonly tenantId?: string;
}

export interface CommonOptions {
  readonly json?: boolean;
  readonly profile?: string;
}

/** --distribution-id or --tenant-id (one of them: checked by {@link targetOf}). */
export function addTargetOptions(command: Command): Command {
  return command
    .addOption(new Option('--distribution-id <id>', 'the distribution (E...)').argParser(parseId).conflicts('tenantId'))
    .addOption(new Option('--tenant-id <id>', 'or the distribution tenant (dt_...)').argParser(parseId));
}

export function addTimeoutOption(command: Command, what: string): Command {
  return command.addOption(
    new Option(
      '--timeout <duration>',
      `give up after this long (e.g. 30m, 1h30m); ${what} goes on in CloudFront (default: no limit)`,
    ).argParser(parseDuration),
  );
}

export function addCommonOptions(command: Command): Command {
  return command
    .option('--json', 'print the outcome as JSON on stdout (progress stays on stderr)')
    .option('--profile <name>', 'the AWS profile to use (default: the standard chain: environment, AWS_PROFILE, SSO, instance role)');
}

/** The target the options name; a usage error when they name none. */
export function targetOf(command: Command, options: TargetOptions): WatchTarget {
  if (options.distributionId !== undefined) return { kind: 'distribution', id: options.distributionId };
  if (options.tenantId !== undefined) return { kind: 'tenant', id: options.tenantId };
  return command.error('error: give the distribution (--distribution-id E...) or the distribution tenant (--tenant-id dt_...)');
}
