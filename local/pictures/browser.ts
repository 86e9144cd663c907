/**
 * The headless browser the pictures are drawn in: Debian's Chromium, driven by playwright-core
 * (which downloads no browser of its own). `bash scripts/install-chromium.sh` installs it.
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_INSTALL_COMMAND = 'bash scripts/install-chromium.sh';

/** Where Debian and Ubuntu put the browser (`chromium`, and `chromium-browser` on older releases). */
const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The Chromium executable: `CHROMIUM_PATH` when set, else the first of Debian's paths found; undefined when none is. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  return CHROMIUM_PATHS.find(isExecutable);
}

/** Launches headless Chromium, or says what to run when it is missing. */
export async function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  const executablePath = findChromium(env);
  if (!executablePath)
    throw new Error(
      `Chromium is not installed (looked at CHROMIUM_PATH, then ${CHROMIUM_PATHS.join(', ')}). ` +
        `Install it with \`${CHROMIUM_INSTALL_COMMAND}\`, or set CHROMIUM_PATH to a Chromium executable.`,
    );
  if (!isExecutable(executablePath))
    throw new Error(`CHROMIUM_PATH is ${executablePath}, which is not an executable file: correct it or unset it.`);
  // Fixed rendering: no GPU differences, no font hinting from the desktop, no animations.
  // Signals are the caller's: the command line stops between pictures at Ctrl-C and closes the
  // browser itself (Playwright's own handlers would close it under the picture being drawn).
  return chromium.launch({
    executablePath,
    args: ['--disable-gpu', '--font-render-hinting=none', '--disable-lcd-text'],
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}
