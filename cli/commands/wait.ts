import { Command, Option } from 'commander';
import type { CheckedWork } from '../../lambda/shared/invalidation-status';
import type { CliContext } from '../context';
import { EXIT_CODES_HELP } from '../exit-codes';
import {
  addCommonOptions,
  addTargetOptions,
  addTimeoutOption,
  parseId,
  parseVersion,
  targetOf,
  type CommonOptions,
  type TargetOptions,
} from '../options';
import { followAndReport, watchSettingsOf } from '../watch';

interface WaitOptions extends TargetOptions, CommonOptions {
  readonly invalidationId?: string;
  readonly deployment?: boolean;
  readonly etag?: string;
  readonly timeout?: number;
}

/** `wait`: until an invalidation is Completed, or a distribution or tenant is Deployed. */
export function waitCommand(context: CliContext): Command {
  const command = new Command('wait')
    .summary('wait until an invalidation completes or a deployment is deployed')
    .description(
      "Checks CloudFront with the notifier's own schedule (every 4 s; slower while CloudFront throttles) until the invalidation is " +
        'Completed or the distribution or tenant is Deployed. No time limit unless --timeout is given.',
    );
  addTargetOptions(command)
    .addOption(new Option('--invalidation-id <id>', 'the invalidation (I...)').argParser(parseId).conflicts('deployment'))
    .addOption(new Option('--deployment', 'wait for the distribution or tenant to be Deployed instead'))
    .addOption(
      new Option(
        '--etag <version>',
        "with --deployment: the version (ETag) to wait for; a later version's deployment counts too",
      ).argParser(parseVersion),
    );
  addTimeoutOption(command, 'the work');
  addCommonOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudfront-invalidation-notifier wait --distribution-id E2QWRUHAPOMQZL --invalidation-id I2J0I21PCUYOIK
  $ npx cloudfront-invalidation-notifier wait --tenant-id dt_2abc --invalidation-id I3K1 --timeout 30m --json
  $ npx cloudfront-invalidation-notifier wait --distribution-id E2QWRUHAPOMQZL --deployment
${EXIT_CODES_HELP}`,
    )
    .action(async (options: WaitOptions) => {
      const target = targetOf(command, options);
      if (options.etag !== undefined && !options.deployment) command.error('error: --etag goes with --deployment');
      let work: CheckedWork;
      if (options.deployment) {
        work = {
          work: 'deployment',
          target,
          eventId: 'command line',
          eventTime: new Date(context.clock.now()).toISOString(),
          change: options.etag === undefined ? {} : { eTag: options.etag },
        };
      } else if (options.invalidationId !== undefined) {
        work = { work: 'invalidation', target, invalidationId: options.invalidationId };
      } else {
        return command.error('error: give the invalidation (--invalidation-id I...) or --deployment');
      }
      context.exitCode = await followAndReport(context, work, watchSettingsOf(options));
    });
  return command;
}
