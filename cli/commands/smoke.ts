import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CliContext } from '../context';
import { invalidationClient } from './invalidate';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from '../exit-codes';
import { addCommonOptions, addTargetOptions, parseDuration, targetOf, type CommonOptions, type TargetOptions } from '../options';
import {
  DEFAULT_SMOKE_PATH,
  DEFAULT_STACK_NAME,
  SmokeUsageError,
  WATCHER_OUTPUT,
  checkSmokePath,
  describeReport,
  runSmoke,
  type SmokeOutcome,
} from '../smoke';

const EXIT_OF: Record<SmokeOutcome, ExitCode> = {
  passed: EXIT.completed,
  failed: EXIT.couldNotTrack,
  'timed-out': EXIT.timedOut,
  interrupted: EXIT.interrupted,
};

const DEFAULT_TIMEOUT = '30m';

/** --path, checked as it is parsed: a usage error naming it. */
const pathOf = (value: string): string => {
  try {
    return checkSmokePath(value);
  } catch (error) {
    if (error instanceof SmokeUsageError) throw new InvalidArgumentError(error.message);
    throw error;
  }
};

interface SmokeOptions extends TargetOptions, CommonOptions {
  readonly path: string;
  readonly stackName: string;
  readonly stateMachineArn?: string;
  readonly timeout: number;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:[A-Za-z0-9_-]+$/;

/** `smoke`: proves a deployed notifier end to end with one harmless invalidation. */
export function smokeCommand(context: CliContext): Command {
  const command = new Command('smoke')
    .summary("prove a deployed notifier works: one harmless invalidation, followed through the notifier's execution")
    .description(
      'After `cdk deploy`: creates an invalidation of one harmless path (its caller reference says it is a smoke test), ' +
        "waits for the notifier's execution for it (CloudTrail delivers the event in about 5 minutes, sometimes 15), " +
        'follows it to its end and prints, per destination, delivered or not and why (from the execution history), ' +
        'and whether the event reached the bus. It costs one invalidation path (free within the first 1,000 a month, then $0.005) ' +
        'and one watch (a fraction of a cent).',
    );
  addTargetOptions(command)
    .addOption(
      new Option('--path <path>', 'the one exact path to invalidate (a path nobody serves)').default(DEFAULT_SMOKE_PATH).argParser(pathOf),
    )
    .addOption(
      new Option('--stack-name <name>', `the notifier's stack, whose output ${WATCHER_OUTPUT} names the watcher`).default(
        DEFAULT_STACK_NAME,
      ),
    )
    .addOption(
      new Option(
        '--state-machine-arn <arn>',
        "the watcher state machine's ARN, instead of reading the stack (its region is the notifier's)",
      ).argParser((value: string) => {
        if (!STATE_MACHINE_ARN.test(value))
          throw new InvalidArgumentError('not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME).');
        return value;
      }),
    )
    .addOption(
      new Option('--timeout <duration>', "give up after this long, from the invalidation to the end of the notifier's execution")
        .default(parseDuration(DEFAULT_TIMEOUT), DEFAULT_TIMEOUT)
        .argParser(parseDuration),
    );
  addCommonOptions(command)
    .addHelpText(
      'after',
      `
The --timeout bounds the whole test: the execution appears only once CloudTrail has delivered the event.
A failure says which destination was not delivered and why (exit ${EXIT.couldNotTrack}); no execution at all says what to check.
The region is the notifier's (AWS_REGION or the profile's; with --state-machine-arn, the ARN's).

Examples:
  $ npx cloudfront-invalidation-notifier smoke --distribution-id E2QWRUHAPOMQZL
  $ npx cloudfront-invalidation-notifier smoke --tenant-id dt_2abc --path /smoke-test --json
  $ npx cloudfront-invalidation-notifier smoke --distribution-id E2QWRUHAPOMQZL --state-machine-arn arn:aws:states:us-east-1:123456789012:stateMachine:Watcher
${EXIT_CODES_HELP}
  (smoke: ${EXIT.completed} every destination delivered; ${EXIT.couldNotTrack} a destination not delivered, the execution failed or never appeared)`,
    )
    .action(async (options: SmokeOptions) => {
      const target = targetOf(command, options);
      const profile = options.profile ? { profile: options.profile } : {};
      const region = options.stateMachineArn ? { region: STATE_MACHINE_ARN.exec(options.stateMachineArn)![1]! } : {};
      const clients = {
        // CloudFront's API lives in us-east-1 whatever the notifier's region.
        cloudFront: invalidationClient(options.profile),
        sfn: new SFNClient({ ...region, ...profile }),
        cloudFormation: new CloudFormationClient({ ...region, ...profile }),
      };
      try {
        const report = await runSmoke(
          {
            target,
            path: options.path,
            stackName: options.stackName,
            timeoutMs: options.timeout,
            ...(options.stateMachineArn ? { stateMachineArn: options.stateMachineArn } : {}),
          },
          {
            ...clients,
            now: () => context.clock.now(),
            sleep: (ms, signal) => context.clock.sleep(ms, signal),
            log: (line) => context.stderr.write(`${line}\n`),
            signal: context.signal,
          },
        );
        for (const line of describeReport(report)) context.stderr.write(`${line}\n`);
        if (options.json) context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        context.exitCode = EXIT_OF[report.outcome];
      } finally {
        for (const client of Object.values(clients)) client.destroy();
      }
    });
  return command;
}
