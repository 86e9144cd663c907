/**
 * What people see while `wait` runs: on a terminal (a real pseudo-terminal, util-linux
 * `script`) one live line redrawn in place; in a CI log a plain line every minute.
 */
import { spawn } from 'node:child_process';
import { CloudFrontEmulator } from '../../local/cloudfront-emulator';
import type { Clock } from '../../cli/clock';
import { EXIT } from '../../cli/exit-codes';
import { createReporter } from '../../cli/progress';
import { cliCommand, cliEnv, runCli, type CliRun } from './run-cli';

const DISTRIBUTION = 'E2QWRUHAPOMQZL';
const INVALIDATION = 'I2J0I21PCUYOIK';
const ERASE_LINE = '\r\x1b[2K';

let emulator: CloudFrontEmulator;
let url: string;
let scale: number;
let firstCheckAt: number | undefined;

beforeEach(async () => {
  firstCheckAt = undefined;
  emulator = new CloudFrontEmulator({
    clock: () => {
      firstCheckAt ??= Date.now();
      return ((Date.now() - firstCheckAt) * scale) / 1000;
    },
  });
  url = await emulator.start();
});

afterEach(async () => {
  await emulator.stop();
});

const quote = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`;

/** Runs the command line in a pseudo-terminal: stdout and stderr are a TTY, as in a person's shell. */
function runInTerminal(args: readonly string[], env: NodeJS.ProcessEnv, columns = 200): Promise<CliRun> {
  const [node, nodeArgs] = cliCommand(args);
  // A terminal 200 columns wide unless told (a pseudo-terminal starts without a size).
  const child = spawn('script', ['-qec', `stty cols ${columns}; ${[node, ...nodeArgs].map(quote).join(' ')}`, '/dev/null'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr: '' }));
  });
}

it('draws one live line on a terminal (elapsed, status, checks, throttled), then the outcome', async () => {
  // Arrange: 40 s of the command's time in about 4 real seconds, so the line is redrawn by the clock too
  scale = 10;
  emulator.add({ kind: 'distribution', targetId: DISTRIBUTION, invalidationId: INVALIDATION, paths: ['/a'], completesAtSecond: 40 });
  emulator.forceNext({ status: 400, code: 'Throttling', message: 'Rate exceeded' });

  // Act
  const run = await runInTerminal(
    ['wait', '--distribution-id', DISTRIBUTION, '--invalidation-id', INVALIDATION],
    cliEnv({ endpoints: { CLOUDFRONT: url }, timeScale: scale }),
  );

  // Assert
  expect(run.code).toBe(EXIT.completed);
  const redraws = run.stdout.split(ERASE_LINE).slice(1);
  expect(redraws.length).toBeGreaterThan(5);
  const live = new RegExp(
    `^invalidation ${INVALIDATION} of distribution ${DISTRIBUTION}: (checking|InProgress|Unknown) · \\d+ s · \\d+ checks?, [01] throttled`,
  );
  expect(redraws.filter((line) => line !== '' && !line.startsWith('Completed')).every((line) => live.test(line))).toBe(true);
  expect(redraws.some((line) => /: Unknown · \d+ s · 1 check, 1 throttled · last check: CloudFrontThrottled$/.test(line))).toBe(true);
  expect(redraws.some((line) => /: InProgress · [1-3]\d s · \d+ checks, 1 throttled/.test(line))).toBe(true);
  // No redraw leaves a line behind: the live line never reaches a newline, the outcome starts on a clean line.
  expect(run.stdout).toMatch(new RegExp(`${ERASE_LINE.replace('[', '\\[')}Completed: invalidation ${INVALIDATION}`));
  expect(run.stdout.match(/\n/g)).toHaveLength(2);
});

it('keeps the status, the time and the checks on a narrow terminal, and never wraps the live line', async () => {
  // Arrange
  scale = 10;
  emulator.add({ kind: 'distribution', targetId: DISTRIBUTION, invalidationId: INVALIDATION, paths: ['/a'], completesAtSecond: 20 });

  // Act
  const run = await runInTerminal(
    ['wait', '--distribution-id', DISTRIBUTION, '--invalidation-id', INVALIDATION],
    cliEnv({ endpoints: { CLOUDFRONT: url }, timeScale: scale }),
    40,
  );

  // Assert: what changes comes first; the work is named by the line above it
  expect(run.code).toBe(EXIT.completed);
  const redraws = run.stdout
    .split(ERASE_LINE)
    .slice(1)
    .filter((line) => line !== '' && !line.startsWith('Completed'));
  expect(redraws.length).toBeGreaterThan(3);
  expect(redraws.every((line) => [...line].length <= 39)).toBe(true);
  expect(redraws.some((line) => /^InProgress · \d+ s · \d+ checks?/.test(line))).toBe(true);
});

it('writes a plain line every minute in a CI log, no carriage returns', async () => {
  // Arrange
  scale = 100;
  emulator.add({ kind: 'distribution', targetId: DISTRIBUTION, invalidationId: INVALIDATION, paths: ['/a'], completesAtSecond: 150 });

  // Act
  const run = await runCli(
    ['wait', '--distribution-id', DISTRIBUTION, '--invalidation-id', INVALIDATION],
    cliEnv({ endpoints: { CLOUDFRONT: url }, timeScale: scale }),
  );

  // Assert
  expect(run.code).toBe(EXIT.completed);
  expect(run.stderr).not.toContain('\r');
  const lines = run.stderr.trim().split('\n');
  expect(lines[0]).toBe(`Following invalidation ${INVALIDATION} of distribution ${DISTRIBUTION}: a check every 4 s, no time limit.`);
  expect(lines.slice(1, -1)).toEqual([
    expect.stringMatching(/^\[1 min\] InProgress, \d+ checks, 0 throttled$/),
    expect.stringMatching(/^\[2 min\] InProgress, \d+ checks, 0 throttled$/),
  ]);
  expect(lines.at(-1)).toMatch(
    /^Completed: invalidation I2J0I21PCUYOIK of distribution E2QWRUHAPOMQZL, after 2 min 3\d s \(\d+ checks, 0 throttled; 1 path\)\.$/,
  );
});

it('keeps what CloudFront and callers wrote from steering the terminal', async () => {
  // Arrange: a path, as GetInvalidation returns it, that would clear the screen and forge a line
  scale = 100;
  emulator.add({ kind: 'distribution', targetId: DISTRIBUTION, invalidationId: INVALIDATION, paths: ['/a\x1b[2J\nCompleted: forged'] });

  // Act
  const run = await runCli(
    ['wait', '--distribution-id', DISTRIBUTION, '--invalidation-id', INVALIDATION, '--json'],
    cliEnv({ endpoints: { CLOUDFRONT: url }, timeScale: scale }),
  );

  // Assert: stderr never carries the escape; --json carries the path as JSON escapes it
  expect(run.code).toBe(EXIT.completed);
  expect(run.stderr).not.toContain('\x1b');
  expect(run.stdout).not.toContain('\x1b');
  expect(JSON.parse(run.stdout).status.paths.sample).toEqual(['/a\x1b[2J\nCompleted: forged']);
});

it('names each plain line by its minute, even when a busy machine wakes the timer late', async () => {
  // Arrange: a clock whose sleeps end a second late, and a log that is not a terminal
  let now = 0;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) return;
      await new Promise((resolve) => setImmediate(resolve));
      now += Math.max(0, ms) + 1_000;
    },
  };
  const lines: string[] = [];
  const stream = { write: (text: string) => lines.push(text) !== 0 } as unknown as NodeJS.WritableStream;
  const reporter = createReporter({
    stream,
    clock,
    work: { work: 'invalidation', target: { kind: 'distribution', id: DISTRIBUTION }, invalidationId: INVALIDATION },
  });

  // Act
  reporter.start('a check every 4 s, no time limit');
  while (lines.length < 3) await new Promise((resolve) => setImmediate(resolve));
  reporter.stop();

  // Assert
  expect(lines.slice(1, 3)).toEqual(['[1 min] Unknown, 0 checks, 0 throttled\n', '[2 min] Unknown, 0 checks, 0 throttled\n']);
});
