/**
 * The command line as a user runs it: a child process (`node --import tsx cli/bin.ts ...`)
 * with AWS's standard environment pointing the SDK at loopback emulators
 * (AWS_ENDPOINT_URL_<SERVICE>), fake credentials, nothing from this machine's AWS
 * configuration, and time compressed by NOTIFIER_CLI_TIME_SCALE.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TIME_SCALE_ENV } from '../../cli/clock';

export const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'cli', 'bin.ts');

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliEnvOptions {
  /** AWS_ENDPOINT_URL_<SERVICE> values, e.g. `{ CLOUDFRONT: url }`. */
  readonly endpoints?: Readonly<Record<string, string>>;
  /** How many times faster than real time the command's clock runs. @default 1 */
  readonly timeScale?: number;
  /** Leave the credentials out (the SDK then finds none). @default false */
  readonly noCredentials?: boolean;
}

/** An environment with nothing of this machine's AWS setup: no profile, no config files, no instance metadata. */
export function cliEnv(options: CliEnvOptions = {}): NodeJS.ProcessEnv {
  const empty = mkdtempSync(path.join(tmpdir(), 'cli-aws-'));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && key !== TIME_SCALE_ENV));
  return {
    ...inherited,
    AWS_CONFIG_FILE: path.join(empty, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(empty, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    ...(options.noCredentials ? {} : { AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local-secret' }),
    ...Object.fromEntries(Object.entries(options.endpoints ?? {}).map(([service, url]) => [`AWS_ENDPOINT_URL_${service}`, url])),
    ...(options.timeScale ? { [TIME_SCALE_ENV]: String(options.timeScale) } : {}),
  };
}

/** The node and arguments that run the command line from source. */
export function cliCommand(args: readonly string[]): [string, string[]] {
  return [process.execPath, ['--import', 'tsx', BIN, ...args]];
}

/** Starts the command; `done` resolves with how it ended and what it printed. */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; done: Promise<CliRun>; output: () => CliRun } {
  const [node, nodeArgs] = cliCommand(args);
  const child = spawn(node, nodeArgs, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, output: () => ({ code: null, signal: null, stdout, stderr }) };
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return startCli(args, env).done;
}
