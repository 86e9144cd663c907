/**
 * The command line: `npx cloudfront-invalidation-notifier <command>`. For pipelines (`wait`,
 * `invalidate --wait`: the notifier's schedule and CloudFront handling, no fixed limit), for
 * whoever deployed the notifier (`smoke`), and for whoever configures it (`preview`).
 * Commands are in cli/commands/; exit statuses in cli/exit-codes.ts.
 */
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { clockFromEnv } from './clock';
import { invalidateCommand } from './commands/invalidate';
import { previewCommand } from './commands/preview';
import { smokeCommand } from './commands/smoke';
import { waitCommand } from './commands/wait';
import type { CliContext } from './context';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from './exit-codes';
import { safe } from './progress';

export const PROGRAM_NAME = 'cloudfront-invalidation-notifier';

/**
 * How commander's errors reach stderr: they quote the command line's values ("argument 'x' is
 * invalid", "unknown option 'x'"), which may hold escape sequences or be 10 KB long.
 */
const outputError = (text: string, write: (text: string) => void) => write(`${safe(text, 400)}\n`);

export function program(context: CliContext): Command {
  // Added subcommands inherit neither the output nor the error handling: each is told.
  const told = (command: Command) =>
    command
      .showHelpAfterError('(add --help for usage)')
      .configureOutput({ writeOut: (text) => context.stdout.write(text), writeErr: (text) => context.stderr.write(text), outputError })
      .exitOverride();
  const root = told(
    new Command(PROGRAM_NAME)
      .description('Waits for CloudFront invalidations and deployments, and checks a deployed notifier.')
      .version(version)
      .addHelpText('after', EXIT_CODES_HELP),
  );
  for (const command of [waitCommand(context), invalidateCommand(context), smokeCommand(context), previewCommand(context)]) {
    root.addCommand(told(command));
  }
  return root;
}

/** Runs the command line with `argv` (without node and the script), returns the exit status. */
export async function run(argv: readonly string[], context: CliContext): Promise<ExitCode> {
  try {
    await program(context).parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, successfully.
      return error.exitCode === 0 ? EXIT.completed : EXIT.usage;
    }
    throw error;
  }
}

/** The process around {@link run}: signals, exit status, broken pipes (cli/bin.ts calls it). */
export async function main(): Promise<void> {
  const controller = new AbortController();
  let clock;
  try {
    clock = clockFromEnv();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(EXIT.usage);
  }
  const context: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    clock,
    signal: controller.signal,
    exitCode: EXIT.completed,
  };
  const stop = () => {
    // A second Ctrl-C does not wait for the command to say goodbye.
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
  };
  // A reader that went away (`| head`) is not an error of the command's.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(context.exitCode);
      throw error;
    });
  }
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let code: number;
  try {
    code = await run(process.argv.slice(2), context);
  } catch (error) {
    process.stderr.write(`Unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    code = EXIT.couldNotTrack;
  }
  // Exits once stdout is flushed, whatever sockets the SDK keeps open.
  process.stdout.write('', () => process.exit(code));
}
