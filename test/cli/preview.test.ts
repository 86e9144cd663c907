/** `preview` as a user runs it: the payloads, and with --png the pictures (drawn in headless Chromium). */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXIT } from '../../cli/exit-codes';
import { CHROMIUM_INSTALL_COMMAND, findChromium } from '../../local/pictures/browser';
import { plannedPictures } from '../../local/pictures/write';
import { cliEnv, runCli, startCli } from './run-cli';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// As test/local/pictures.test.ts: without Chromium skipped (saying so), except under CI, which installs it.
const inBrowser = findChromium() || process.env.CI ? it : it.skip;
if (!findChromium() && !process.env.CI)
  console.warn(`preview --png: SKIPPED, Chromium is not installed (run \`${CHROMIUM_INSTALL_COMMAND}\`)`);

inBrowser('writes the payloads and, with --png, a picture per chosen sample and platform', async () => {
  // Arrange
  const out = mkdtempSync(path.join(tmpdir(), 'cli-preview-'));

  // Act
  const run = await runCli(
    [
      'preview',
      '--out',
      path.join(out, 'payloads'),
      '--png',
      path.join(out, 'png'),
      '--sample',
      'completed',
      'could-not-track',
      '--platform',
      'teams',
    ],
    cliEnv(),
  );

  // Assert
  expect(run.stderr).toBe('');
  expect(run.code).toBe(EXIT.completed);
  expect(readdirSync(path.join(out, 'png')).sort()).toEqual(['teams-completed.png', 'teams-could-not-track.png']);
  for (const file of readdirSync(path.join(out, 'png')))
    expect(readFileSync(path.join(out, 'png', file)).subarray(0, 8)).toEqual(PNG_SIGNATURE);
  expect(readdirSync(path.join(out, 'payloads'))).toContain('digest-300');
  expect(run.stdout).toContain('2 pictures written to');
});

it.each([
  [['preview', '--png', 'x', '--sample', 'nope'], "option '--sample <names...>': no preview sample named nope"],
  [['preview', '--sample', 'completed'], '--sample and --platform go with --png'],
  [['preview', '--png', 'x', '--platform', 'irc'], "option '--platform <names...>' argument 'irc' is invalid"],
])('%j is a usage error naming the argument', async (args, message) => {
  // Act
  const run = await runCli(args, cliEnv());

  // Assert
  expect(run.stderr).toContain(message);
  expect(run.code).toBe(EXIT.usage);
});

describe('folders it cannot write, and choices that draw nothing', () => {
  const scratch = () => mkdtempSync(path.join(tmpdir(), 'cli-preview-'));

  it.each([
    ['--out', (file: string, out: string) => ['preview', '--out', file, '--png', path.join(out, 'png')]],
    ['--png', (file: string, out: string) => ['preview', '--out', path.join(out, 'payloads'), '--png', file]],
  ])('%s naming a file is a usage error that names it, before anything is written', async (option, args) => {
    // Arrange
    const out = scratch();
    const file = path.join(out, 'a-file');
    writeFileSync(file, '');

    // Act
    const run = await runCli(args(file, out), cliEnv());

    // Assert
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain(`error: option '${option} <dir>': ${file} is not a folder`);
    expect(run.stderr).not.toContain('Unexpected error');
    expect(existsSync(path.join(out, 'payloads', 'completed'))).toBe(false);
    expect(existsSync(path.join(out, 'png'))).toBe(false);
  });

  it('a sample and platform that make no picture is a usage error saying which platforms the sample goes to', async () => {
    // Act
    const run = await runCli(
      ['preview', '--png', path.join(scratch(), 'png'), '--sample', 'slack-app-updated', '--platform', 'teams'],
      cliEnv(),
    );

    // Assert
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('no picture to draw: slack-app-updated goes to slack, not to teams');
  });
});

inBrowser('stops drawing at SIGTERM (or Ctrl-C) with exit 130, saying how many pictures it wrote', async () => {
  // Arrange: every sample on every platform, several seconds of drawing
  const png = path.join(mkdtempSync(path.join(tmpdir(), 'cli-preview-')), 'png');
  const cli = startCli(['preview', '--out', path.join(png, '..', 'payloads'), '--png', png], cliEnv());
  const start = Date.now();
  while (!existsSync(png) || readdirSync(png).length === 0) {
    if (Date.now() - start > 30_000) throw new Error('no picture was drawn in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  // Act
  cli.child.kill('SIGTERM');
  const run = await cli.done;

  // Assert
  expect(run.code).toBe(EXIT.interrupted);
  expect(run.stderr).toMatch(/Stopped drawing: \d+ pictures? written to /);
  expect(readdirSync(png).length).toBeLessThan(plannedPictures().length);
});
