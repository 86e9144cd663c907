import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { runPreview } from '../../local/preview';
import type { CliContext } from '../context';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes';

interface PreviewOptions {
  readonly out: string;
  readonly png?: string;
  readonly sample?: string[];
  readonly platform?: ('slack' | 'teams' | 'google-chat')[];
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
            `preview --png needs playwright-core: npm install --no-save playwright-core (${(error as Error).message.split('\n')[0]})\n`,
          );
          context.exitCode = EXIT.couldNotTrack;
          return;
        }
        try {
          pictures.plannedPictures(chosen);
        } catch (error) {
          command.error(`error: option '--sample <names...>': ${(error as Error).message}`);
        }
      }
      runPreview(['--out', resolve(options.out)], (line) => context.stdout.write(`${line}\n`));
      if (!pictures || !options.png) return;
      try {
        const written = await pictures.writePictures({ outDir: resolve(options.png), ...chosen });
        context.stdout.write(`\n${written.length} pictures written to ${options.png}\n`);
      } catch (error) {
        context.stderr.write(`Could not draw the pictures: ${(error as Error).message}\n`);
        context.exitCode = EXIT.couldNotTrack;
      }
    });
  return command;
}
