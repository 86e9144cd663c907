import { Command, Option } from 'commander';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { runPreview } from '../../local/preview';
import type { CliContext } from '../context';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes';
import { safe } from '../progress';

interface PreviewOptions {
  readonly out: string;
  readonly png?: string;
  readonly sample?: string[];
  readonly platform?: ('slack' | 'teams' | 'google-chat')[];
}

/** `dir` made (with its parents) when missing, as an absolute path; a usage error naming `option` when it cannot be a folder. */
function folder(command: Command, option: '--out' | '--png', dir: string): string {
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
    if (!statSync(path).isDirectory()) throw new Error('a file is there');
    accessSync(path, constants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'a file is there' : (error as Error).message;
    command.error(`error: option '${option} <dir>': ${path} is not a folder that can be written (${reason}): give another`);
  }
  return path;
}

/** `preview`: every platform's payload for the sample messages (npm run preview), and with --png, pictures of them. */
export function previewCommand(context: CliContext): Command {
  const command = new Command('preview')
    .summary("write each platform's message for sample invalidations and deployments, and with --png draw them")
    .description(
      'Writes the payload each destination type would receive for sample invalidations and deployments (JSON for Slack, Teams ' +
        'and Google Chat, text for e-mail and SMS). With --png, also draws the chat messages to PNG in headless Chromium: Teams ' +
        "through Microsoft's adaptivecards renderer, Slack and Google Chat as captioned approximations.",
    )
    .option('--out <dir>', 'where the payloads go', 'preview')
    .option('--png <dir>', 'also draw the chat messages to PNG files in this folder (needs Chromium and playwright-core)')
    .option('--sample <names...>', 'with --png: only these samples (folder names of --out)')
    .addOption(new Option('--platform <names...>', 'with --png: only these platforms').choices(['slack', 'teams', 'google-chat']))
    .addHelpText(
      'after',
      `
Examples:
  $ npx cloudfront-invalidation-notifier preview --png preview/png
  $ npx cloudfront-invalidation-notifier preview --png pictures --sample completed --platform teams
${EXIT_CODES_HELP}`,
    )
    .action(async (options: PreviewOptions) => {
      if ((options.sample || options.platform) && !options.png) command.error('error: --sample and --platform go with --png');
      // Loaded only for pictures: the browser driver is not part of the command line's bundle.
      let pictures: typeof import('../../local/pictures/write') | undefined;
      const chosen = {
        ...(options.sample ? { samples: options.sample } : {}),
        ...(options.platform ? { platforms: options.platform } : {}),
      };
      if (options.png) {
        try {
          pictures = await import('../../local/pictures/write');
        } catch (error) {
          context.stderr.write(
            `preview --png needs playwright-core: npm install --no-save playwright-core (${safe((error as Error).message, 300)})\n`,
          );
          context.exitCode = EXIT.couldNotTrack;
          return;
        }
        let planned: ReturnType<typeof pictures.plannedPictures>;
        try {
          planned = pictures.plannedPictures(chosen);
        } catch (error) {
          return command.error(`error: option '--sample <names...>': ${(error as Error).message}`);
        }
        if (planned.length === 0) {
          const samples = pictures.pictureSamples().filter((sample) => options.sample!.includes(sample.name));
          const goesTo = (sample: (typeof samples)[number]) =>
            pictures!.PLATFORMS.filter((platform) => (platform === 'google-chat' ? sample.googleChat : sample[platform])).join(', ');
          command.error(
            `error: no picture to draw: ${samples.map((sample) => `${sample.name} goes to ${goesTo(sample)}`).join('; ')}, ` +
              `not to ${options.platform!.join(', ')}`,
          );
        }
      }
      // Both folders made before anything is written: a wrong one costs nothing.
      const outDir = folder(command, '--out', options.out);
      const pngDir = options.png === undefined ? undefined : folder(command, '--png', options.png);
      runPreview(['--out', outDir], (line) => context.stdout.write(`${line}\n`));
      if (!pictures || !pngDir) return;
      try {
        const written = await pictures.writePictures({ outDir: pngDir, ...chosen, signal: context.signal });
        if (context.signal.aborted) {
          context.stderr.write(
            `Stopped drawing: ${written.length} ${written.length === 1 ? 'picture' : 'pictures'} written to ${safe(pngDir)}\n`,
          );
          context.exitCode = EXIT.interrupted;
          return;
        }
        context.stdout.write(`\n${written.length} pictures written to ${options.png}\n`);
      } catch (error) {
        context.stderr.write(`Could not draw the pictures: ${safe((error as Error).message, 1000)}\n`);
        context.exitCode = EXIT.couldNotTrack;
      }
    });
  return command;
}
