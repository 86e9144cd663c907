import {
  CloudFrontClient,
  CreateInvalidationCommand,
  CreateInvalidationForDistributionTenantCommand,
  type CreateInvalidationCommandOutput,
} from '@aws-sdk/client-cloudfront';
import { Command, InvalidArgumentError, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { CALL_LIMITS, createCloudFrontClient } from '../../lambda/shared/cloudfront-client';
import type { WatchTarget } from '../../lambda/shared/watch-request';
import { adviceFor } from '../advice';
import type { CliContext } from '../context';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes';
import {
  addCommonOptions,
  addTargetOptions,
  addTimeoutOption,
  parseRequestText,
  targetOf,
  type CommonOptions,
  type TargetOptions,
} from '../options';
import { safe } from '../progress';
import { followAndReport, watchSettingsOf } from '../watch';

/** CloudFront's limit on the paths of one invalidation. */
export const MAX_PATHS = 3000;

interface InvalidateOptions extends TargetOptions, CommonOptions {
  readonly paths: string[];
  readonly callerReference?: string;
  readonly wait?: boolean;
  readonly timeout?: number;
}

function collectPath(path: string, previous: string[] = []): string[] {
  parseRequestText(path);
  if (!path.startsWith('/'))
    throw new InvalidArgumentError(`${JSON.stringify(safe(path, 80))} does not start with "/" (quote wildcards: "/images/*").`);
  return [...previous, path];
}

/**
 * The client that creates invalidations: the checks' time limits, with the SDK's standard
 * retries (safe here: see {@link createInvalidation}).
 */
export function invalidationClient(profile?: string): CloudFrontClient {
  return createCloudFrontClient(CALL_LIMITS, { maxAttempts: 3, ...(profile ? { profile } : {}) });
}

/**
 * CreateInvalidation or CreateInvalidationForDistributionTenant. The SDK's standard retries are
 * safe here: the caller reference makes a repeated request return the same invalidation.
 */
export async function createInvalidation(
  client: CloudFrontClient,
  target: WatchTarget,
  paths: readonly string[],
  callerReference: string,
): Promise<string> {
  const InvalidationBatch = { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: [...paths] } };
  const output: CreateInvalidationCommandOutput =
    target.kind === 'tenant'
      ? await client.send(new CreateInvalidationForDistributionTenantCommand({ Id: target.id, InvalidationBatch }))
      : await client.send(new CreateInvalidationCommand({ DistributionId: target.id, InvalidationBatch }));
  const id = output.Invalidation?.Id;
  if (!id) throw new Error('CloudFront answered CreateInvalidation without an invalidation ID');
  return id;
}

/** `invalidate`: creates an invalidation, prints its ID (stdout), and with --wait follows it like `wait`. */
export function invalidateCommand(context: CliContext): Command {
  const command = new Command('invalidate')
    .summary('create an invalidation, and with --wait wait until it completes')
    .description(
      'Creates an invalidation of the paths and prints its ID on stdout. With --wait, then follows it like `wait` ' +
        "(the exit status is then the wait's).",
    );
  addTargetOptions(command)
    .addOption(
      new Option('--paths <paths...>', `the paths to invalidate, each starting with "/" (up to ${MAX_PATHS}; quote wildcards)`)
        .argParser(collectPath)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        '--caller-reference <text>',
        'a unique reference for the request (default: cloudfront-invalidation-notifier-<time>-<random>)',
      ).argParser(parseRequestText),
    )
    .option('--wait', 'wait until it completes');
  addTimeoutOption(command, 'the invalidation');
  addCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudfront-invalidation-notifier invalidate --distribution-id E2QWRUHAPOMQZL --paths "/index.html" "/assets/*" --wait
  $ ID=$(npx cloudfront-invalidation-notifier invalidate --tenant-id dt_2abc --paths "/*")
${EXIT_CODES_HELP}`,
    )
    .action(async (options: InvalidateOptions) => {
      const target = targetOf(command, options);
      if (options.paths.length > MAX_PATHS)
        command.error(`error: option '--paths' has ${options.paths.length} paths; CloudFront takes at most ${MAX_PATHS}`);
      if (options.timeout !== undefined && !options.wait) command.error('error: --timeout goes with --wait');
      const callerReference =
        options.callerReference ??
        `cloudfront-invalidation-notifier-${new Date(context.clock.now()).toISOString()}-${randomUUID().slice(0, 8)}`;
      const client = invalidationClient(options.profile);
      let invalidationId: string;
      try {
        invalidationId = await createInvalidation(client, target, options.paths, callerReference);
      } catch (error) {
        const code = (error as Error).name;
        const advice = adviceFor(code, { work: 'invalidation', target, invalidationId: '(new)' }, options.profile, 'create');
        context.stderr.write(
          `Could not create the invalidation on ${target.kind === 'tenant' ? 'distribution tenant' : 'distribution'} ${safe(target.id, 200)}: ` +
            `${safe((error as Error).message, 500)} (${safe(code, 100)})\n` +
            (advice ? `${advice}\n` : ''),
        );
        context.exitCode = EXIT.couldNotTrack;
        return;
      } finally {
        client.destroy();
      }
      context.stderr.write(
        `Created invalidation ${safe(invalidationId, 200)} of ${options.paths.length} ${options.paths.length === 1 ? 'path' : 'paths'} ` +
          `(caller reference ${safe(callerReference, 200)}).\n`,
      );
      // The ID first, wait or not: a script that captures it has it even when the wait times out.
      // (With --json and --wait, the wait's report carries it: stdout holds one JSON object.)
      if (!options.json) context.stdout.write(`${invalidationId}\n`);
      if (!options.wait) {
        if (options.json)
          context.stdout.write(`${JSON.stringify({ invalidationId, target, callerReference, paths: options.paths }, null, 2)}\n`);
        context.exitCode = EXIT.completed;
        return;
      }
      context.exitCode = await followAndReport(context, { work: 'invalidation', target, invalidationId }, watchSettingsOf(options));
    });
  return command;
}
