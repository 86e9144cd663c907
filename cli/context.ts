/** What a command runs with: its streams, environment, clock, the Ctrl-C signal, and where it leaves its exit status. */
import type { Clock } from './clock';
import type { ExitCode } from './exit-codes';

export interface CliContext {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  readonly signal: AbortSignal;
  /** Set by the command's action. */
  exitCode: ExitCode;
}
