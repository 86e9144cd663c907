/**
 * The options the commands share, declared once: which distribution or tenant, how long to wait,
 * how to print, which credentials. Values are checked as they are parsed, so a wrong one is a
 * usage error that names the option (commander prints it and the command exits EXIT.usage).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import * as v from 'valibot';
import { WatchTargetSchema, type WatchTarget } from '../lambda/shared/watch-request';

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

/** An ID CloudFront gave: what the watch request accepts, without spaces (a pasted ID with a line break, a quote). */
export function parseId(text: string): string {
  const parsed = v.safeParse(WatchTargetSchema, { kind: 'distribution', id: text });
  if (!parsed.success || /[\s"'<>]/u.test(text)) {
    throw new InvalidArgumentError(`${JSON.stringify(text.slice(0, 80))} is not a CloudFront ID (one word of letters, digits, _ and -).`);
  }
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
