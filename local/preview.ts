/**
 * `npm run preview`: what each destination would receive, without an AWS account or a chat
 * workspace. Renders sample invalidations (completed, still in progress, could not track, 3,000
 * paths) for every destination type, writes each payload to a file under `preview/` (or the
 * folder given with `--out`), and says where to paste them to see them as people will.
 *
 *   npm run preview [-- --out <folder>]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildNotification, type Notification, type WatchState } from '../lambda/shared/notification';
import { samplePaths, type StatusResult } from '../lambda/shared/status-result';
import { parseWatchRequest } from '../lambda/shared/watch-request';
import { renderSlack, SLACK_LIMITS } from '../lambda/notify/render-slack';
import { SNS_LIMITS, renderAmazonQ, renderSms, renderSubject, renderText } from '../lambda/notify/render-sns';
import { renderTeams, TEAMS_LIMITS } from '../lambda/notify/render-teams';
import { GOOGLE_CHAT_LIMITS, renderGoogleChat } from '../lambda/notify/render-google-chat';
import { SAMPLE_DISTRIBUTION, SAMPLE_TENANT, cloudTrailEvent } from './events';

export interface PreviewSample {
  /** Folder name under the output folder. */
  readonly name: string;
  readonly description: string;
  readonly notification: Notification;
}

const CREATED = '2026-11-21T18:02:27.000Z';

function status(overrides: Partial<StatusResult> & Pick<StatusResult, 'paths'>): StatusResult {
  return {
    status: 'Completed',
    createTime: CREATED,
    checkedAt: '2026-11-21T18:05:39.000Z',
    elapsedSeconds: 190,
    ...overrides,
  };
}

/** What a real deploy of a large site invalidates: pages, assets, and some cache tags. */
function manyPaths(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i % 10 === 9 ? `#product-${1000 + i}` : `/catalog/category-${Math.floor(i / 50)}/product-${1000 + i}/index.html`,
  );
}

/** The sample invalidations, built the way the notify function builds them. */
export function previewSamples(): PreviewSample[] {
  const distribution = parseWatchRequest(cloudTrailEvent(SAMPLE_DISTRIBUTION));
  const tenant = parseWatchRequest(cloudTrailEvent(SAMPLE_TENANT));
  const large = manyPaths(3_000);
  const states: [string, string, WatchState][] = [
    [
      'completed',
      'a distribution invalidation that completed',
      { outcome: 'completed', request: distribution, status: status({ paths: samplePaths(SAMPLE_DISTRIBUTION.paths) }) },
    ],
    [
      'still-in-progress',
      'a tenant invalidation still in progress when the watch gave up',
      {
        outcome: 'still-in-progress',
        request: tenant,
        status: status({
          status: 'InProgress',
          checkedAt: '2026-11-21T19:02:27.000Z',
          elapsedSeconds: 3_600,
          paths: samplePaths(SAMPLE_TENANT.paths),
        }),
      },
    ],
    [
      'could-not-track',
      'a watch that ended because CloudFront refused the status check',
      {
        outcome: 'could-not-track',
        request: distribution,
        error: {
          Error: 'CloudFrontAccessDenied',
          Cause: JSON.stringify({
            errorType: 'CloudFrontAccessDenied',
            errorMessage: 'The notifier is not allowed to call cloudfront:GetInvalidation on this distribution.',
          }),
        },
      },
    ],
    [
      'completed-3000-paths',
      'a completed invalidation of 3,000 paths and cache tags',
      { outcome: 'completed', request: distribution, status: status({ paths: samplePaths(large, large.length) }) },
    ],
  ];
  return states.map(([name, description, state]) => ({ name, description, notification: buildNotification(state) }));
}

export interface PreviewFile {
  /** File name within the sample's folder. */
  readonly file: string;
  readonly content: string;
  /** For a payload: its size as the platform counts it, and the platform's limit. */
  readonly size?: string;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
/** The bytes actually posted: compact JSON, not the pretty-printed file. */
const posted = (payload: unknown, limit: string) =>
  `${bytes(typeof payload === 'string' ? payload : JSON.stringify(payload))} bytes (limit ${limit})`;

/** Every destination type's payload for one notification, as files. */
export function renderPreviewFiles(notification: Notification): PreviewFile[] {
  const slack = renderSlack(notification);
  const teams = renderTeams(notification);
  const googleChat = renderGoogleChat(notification);
  const subject = renderSubject(notification);
  const email = renderText(notification);
  const amazonQ = renderAmazonQ(notification);
  const sms = renderSms(notification);
  return [
    {
      file: 'slack.json',
      content: json(slack),
      size: `${JSON.stringify(slack.blocks).length} characters of blocks (limit about ${SLACK_LIMITS.totalChars})`,
    },
    // Block Kit Builder takes `{"blocks": [...]}`; the webhook's `text` is the notification fallback.
    { file: 'slack-block-kit-builder.json', content: json({ blocks: slack.blocks }) },
    { file: 'teams.json', content: json(teams), size: posted(teams, `${TEAMS_LIMITS.messageBytes} bytes`) },
    // The Adaptive Cards Designer takes the card itself, not the Workflows envelope.
    { file: 'teams-adaptive-card.json', content: json(teams.attachments[0].content) },
    { file: 'google-chat.json', content: json(googleChat), size: posted(googleChat, `about ${GOOGLE_CHAT_LIMITS.messageBytes} bytes`) },
    // SNS carries all three renderings in one message (MessageStructure json), within its limit together.
    {
      file: 'sns-email.txt',
      content: `Subject: ${subject}\n\n${email}\n`,
      size: posted(email, `${SNS_LIMITS.messageBytes} bytes for all three`),
    },
    {
      file: 'sns-amazon-q.json',
      content: json(JSON.parse(amazonQ)),
      size: posted(amazonQ, `${SNS_LIMITS.messageBytes} bytes for all three`),
    },
    { file: 'sns-sms.txt', content: `${sms}\n`, size: `${sms.length} characters (limit ${SNS_LIMITS.smsChars})` },
  ];
}

export interface WrittenSample {
  readonly sample: PreviewSample;
  readonly folder: string;
  readonly files: readonly PreviewFile[];
}

/** Writes every sample's files under `outDir`; returns what it wrote. */
export function writePreview(outDir: string): WrittenSample[] {
  return previewSamples().map((sample) => {
    const folder = join(outDir, sample.name);
    mkdirSync(folder, { recursive: true });
    const files = renderPreviewFiles(sample.notification);
    for (const file of files) writeFileSync(join(folder, file.file), file.content);
    return { sample, folder, files };
  });
}

export const VIEWERS = [
  'How to look at them:',
  '  Slack            https://app.slack.com/block-kit-builder : paste slack-block-kit-builder.json',
  '  Microsoft Teams  https://adaptivecards.io/designer : choose the Microsoft Teams host app,',
  '                   then paste teams-adaptive-card.json into the card payload editor',
  '  Google Chat      the Card Builder linked from Google Chat\'s developer docs ("Build cards"):',
  '                   paste the card from google-chat.json (cardsV2[0].card)',
  '  E-mail and SMS   the .txt files are what SNS subscribers read',
  'Sizes are of what is posted (compact JSON), not of the pretty-printed files.',
];

/** Writes the preview and prints what was written and how to look at it. */
export function runPreview(argv: readonly string[], log: (line: string) => void = console.log): WrittenSample[] {
  const outFlag = argv.indexOf('--out');
  const outDir = resolve(outFlag >= 0 && argv[outFlag + 1] ? argv[outFlag + 1]! : 'preview');
  const written = writePreview(outDir);
  for (const { sample, folder, files } of written) {
    log(`\n${sample.name}: ${sample.description}`);
    log(`  ${sample.notification.summary}`);
    for (const file of files) {
      log(`  ${relative(process.cwd(), join(folder, file.file)).padEnd(52)}${file.size ?? ''}`);
    }
  }
  log(`\n${VIEWERS.join('\n')}`);
  return written;
}

if (require.main === module) runPreview(process.argv.slice(2));
