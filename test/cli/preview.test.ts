/** `preview` as a user runs it: the payloads, and with --png the pictures (drawn in headless Chromium). */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXIT } from '../../cli/exit-codes';
import { CHROMIUM_INSTALL_COMMAND, findChromium } from '../../local/pictures/browser';
import { cliEnv, runCli } from './run-cli';

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
