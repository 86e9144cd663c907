/**
 * Pictures of the messages: the payloads of `npm run preview` drawn in headless Chromium, one PNG
 * per sample and platform. Teams through Microsoft's own Adaptive Cards renderer; Slack and Google
 * Chat as HTML approximations of their clients (each picture's caption says which).
 *
 *   npm run pictures      writes the README's pictures to docs/pictures/
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { GoogleChatMessage } from '../../lambda/notify/render-google-chat';
import type { SlackMessage } from '../../lambda/notify/render-slack';
import type { TeamsMessage } from '../../lambda/notify/render-teams';
import { previewMessages, previewSamples, renderPreviewFiles, type PreviewFile } from '../preview';
import { launchChromium } from './browser';
import { googleChatPage } from './google-chat';
import { PICTURE_WIDTH, type Caption } from './html';
import { slackPage } from './slack';
import { drawTeamsCard, teamsPage } from './teams';

export const PLATFORMS = ['slack', 'teams', 'google-chat'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** One sample's payloads, for the platforms that receive it. */
export interface PictureSample {
  readonly name: string;
  readonly description: string;
  readonly slack?: SlackMessage;
  readonly teams?: TeamsMessage;
  readonly googleChat?: GoogleChatMessage;
}

const payload = <T>(files: readonly PreviewFile[], file: string): T | undefined => {
  const found = files.find((candidate) => candidate.file === file);
  return found ? (JSON.parse(found.content) as T) : undefined;
};

const fromFiles = (name: string, description: string, files: readonly PreviewFile[]): PictureSample => ({
  name,
  description,
  slack: payload<SlackMessage>(files, 'slack.json'),
  teams: payload<TeamsMessage>(files, 'teams.json'),
  googleChat: payload<GoogleChatMessage>(files, 'google-chat.json'),
});

/** Every sample of `npm run preview` that a chat platform receives, with its payloads exactly as the preview writes them. */
export function pictureSamples(): PictureSample[] {
  return [
    ...previewSamples().map((sample) => fromFiles(sample.name, sample.description, renderPreviewFiles(sample.notification))),
    ...previewMessages()
      .map((message) => fromFiles(message.name, message.description, message.files))
      .filter((sample) => sample.slack || sample.teams || sample.googleChat),
  ];
}

/**
 * The samples the README shows (`npm run pictures`): completed, could not track, 3,000 paths, a
 * deployment, a Slack app's live message in progress and updated, a burst's live message, a digest.
 */
export const README_SAMPLES = [
  'completed',
  'could-not-track',
  'completed-3000-paths',
  'deployment-deployed',
  'slack-app-in-progress',
  'slack-app-updated',
  'slack-app-burst-in-progress',
  'digest-300',
] as const;

export const README_PICTURES_DIR = join(__dirname, '..', '..', 'docs', 'pictures');

/** A picture's file name: `slack-completed.png`, `teams-digest-300.png`, `slack-app-updated.png`. */
export const pictureFile = (platform: Platform, sample: string) =>
  `${sample.startsWith(`${platform}-`) ? sample : `${platform}-${sample}`}.png`;

export interface PictureOptions {
  /** The names of the samples to draw (see {@link pictureSamples}); all of them when not given. */
  readonly samples?: readonly string[];
  /** The platforms to draw; all three when not given. */
  readonly platforms?: readonly Platform[];
}

interface PlannedPicture extends PictureJob {
  readonly file: string;
}

/** The pictures that {@link writePictures} would draw, without drawing them. Unknown sample names are an error. */
export function plannedPictures({ samples: names, platforms = PLATFORMS }: PictureOptions = {}): PlannedPicture[] {
  const all = pictureSamples();
  const unknown = (names ?? []).filter((name) => !all.some((sample) => sample.name === name));
  if (unknown.length > 0)
    throw new Error(`no preview sample named ${unknown.join(', ')}: the samples are ${all.map((sample) => sample.name).join(', ')}`);
  const chosen = names ? names.map((name) => all.find((sample) => sample.name === name)!) : all;
  const has = (sample: PictureSample, platform: Platform) =>
    platform === 'slack' ? sample.slack : platform === 'teams' ? sample.teams : sample.googleChat;
  return chosen.flatMap((sample) =>
    platforms
      .filter((platform) => has(sample, platform))
      .map((platform) => ({ file: pictureFile(platform, sample.name), platform, sample })),
  );
}

const SENDER = 'CloudFront notifier';

/** A picture longer than this (a list of 3,000 paths) is cut, and its caption says so. */
export const MAX_PICTURE_HEIGHT = 900;

const CAPTIONS: Record<Platform, { readonly name: string; readonly note: string }> = {
  slack: { name: 'Slack', note: "An approximation of Slack's rendering (HTML drawn by this project), not a screenshot of Slack." },
  teams: {
    name: 'Microsoft Teams',
    note: "Drawn by Microsoft's adaptivecards renderer with a Teams-like host config, not a screenshot of Teams.",
  },
  'google-chat': {
    name: 'Google Chat',
    note: "An approximation of Google Chat's rendering (HTML drawn by this project), not a screenshot of Google Chat.",
  },
};

/** What {@link drawPicture} draws: a platform's payload of one sample. */
export interface PictureJob {
  readonly platform: Platform;
  readonly sample: PictureSample;
}

/** A browser context that draws every picture alike: scale 1, no motion, UTC, one locale, whatever the machine's settings. */
export function pictureContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: PICTURE_WIDTH, height: 600 },
    deviceScaleFactor: 1,
    reducedMotion: 'reduce',
    timezoneId: 'UTC',
    locale: 'en-US',
    colorScheme: 'light',
  });
}

/**
 * One picture as PNG, cut at {@link MAX_PICTURE_HEIGHT}. `inspect` sees the page as drawn, before
 * it is closed (the tests read what it shows).
 */
export async function drawPicture(
  context: BrowserContext,
  { platform, sample }: PictureJob,
  inspect?: (page: Page) => Promise<void>,
): Promise<Buffer> {
  const caption: Caption = { title: `${CAPTIONS[platform].name}: ${sample.description}`, note: CAPTIONS[platform].note };
  const payload = platform === 'slack' ? sample.slack : platform === 'teams' ? sample.teams : sample.googleChat;
  if (!payload) throw new Error(`the sample ${sample.name} has no ${CAPTIONS[platform].name} payload`);
  const page = await context.newPage();
  try {
    if (platform === 'slack') await page.setContent(slackPage(sample.slack!, caption, SENDER));
    else if (platform === 'google-chat') await page.setContent(googleChatPage(sample.googleChat!, caption, SENDER));
    else {
      await page.setContent(teamsPage(caption, SENDER));
      await drawTeamsCard(page, sample.teams!);
    }
    await page.waitForFunction('document.fonts.status === "loaded"');
    let height = Math.ceil((await page.locator('#picture').boundingBox())!.height);
    if (height > MAX_PICTURE_HEIGHT) {
      const note = ` Cut at ${MAX_PICTURE_HEIGHT.toLocaleString('en-US')} of ${height.toLocaleString('en-US')} pixels: the message goes on.`;
      await page.locator('.caption .note').evaluate((element, text) => {
        element.textContent += text;
      }, note);
      height = MAX_PICTURE_HEIGHT;
    }
    const png = await page.screenshot({
      fullPage: true,
      clip: { x: 0, y: 0, width: PICTURE_WIDTH, height },
      animations: 'disabled',
      caret: 'hide',
    });
    await inspect?.(page);
    return png;
  } finally {
    await page.close();
  }
}

/**
 * Draws each chosen sample for each chosen platform that receives it, as `<outDir>/<platform>-<sample>.png`
 * (see {@link pictureFile}), in headless Chromium ({@link launchChromium} says how to install it).
 * Returns the paths written.
 */
export async function writePictures({
  outDir,
  signal,
  ...options
}: PictureOptions & {
  readonly outDir: string;
  /** Stops between pictures (Ctrl-C): the pictures written so far are returned. */
  readonly signal?: AbortSignal;
}): Promise<string[]> {
  const planned = plannedPictures(options);
  mkdirSync(outDir, { recursive: true });
  const browser = await launchChromium();
  try {
    const context = await pictureContext(browser);
    const written: string[] = [];
    for (const picture of planned) {
      if (signal?.aborted) break;
      const path = join(outDir, picture.file);
      writeFileSync(path, await drawPicture(context, picture));
      written.push(path);
    }
    return written;
  } finally {
    await browser.close();
  }
}

/** `npm run pictures`: the README's pictures, and no stale picture left beside them. */
export async function writeReadmePictures(log: (line: string) => void = console.log): Promise<string[]> {
  const keep = new Set(plannedPictures({ samples: README_SAMPLES }).map((picture) => picture.file));
  mkdirSync(README_PICTURES_DIR, { recursive: true });
  for (const file of readdirSync(README_PICTURES_DIR))
    if (file.endsWith('.png') && !keep.has(file)) rmSync(join(README_PICTURES_DIR, file));
  const written = await writePictures({ outDir: README_PICTURES_DIR, samples: README_SAMPLES });
  for (const path of written) log(`${relative(process.cwd(), path).padEnd(52)} ${Math.round(statSync(path).size / 1024)} KB`);
  return written;
}

if (require.main === module)
  writeReadmePictures().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
