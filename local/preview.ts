/**
 * `npm run preview`: what each destination would receive, without an AWS account or a chat
 * workspace. Renders sample invalidations (completed, still in progress, could not track, 3,000
 * paths) and deployments (deployed, deployed together with a later change, could not track: the
 * distribution was deleted) for every destination type, and the messages that live (a Slack app's "in progress"
 * message and its update, a burst's live message in progress and done, its failure reply, a
 * digest of 300 with a cut list), writes each payload to a file under `preview/` (or the folder
 * given with `--out`), and says where to paste them to see them as people will.
 *
 *   npm run preview [-- --out <folder>]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildBurstNotification, burstMemberOf, type BurstMember, type BurstNotification } from '../lambda/shared/burst-notification';
import { buildNotification, buildProgressNotification, type Notification, type WatchState } from '../lambda/shared/notification';
import { samplePaths, type StatusResult } from '../lambda/shared/status-result';
import { parseWatchRequest, type DeploymentRequest } from '../lambda/shared/watch-request';
import { renderSlack, renderSlackBurst, renderSlackFailureReply, SLACK_LIMITS, type SlackMessage } from '../lambda/notify/render-slack';
import {
  SNS_LIMITS,
  renderAmazonQ,
  renderBurstAmazonQ,
  renderBurstSms,
  renderBurstSubject,
  renderBurstText,
  renderSms,
  renderSubject,
  renderText,
} from '../lambda/notify/render-sns';
import { renderTeams, renderTeamsBurst, TEAMS_LIMITS, type TeamsMessage } from '../lambda/notify/render-teams';
import { GOOGLE_CHAT_LIMITS, renderGoogleChat, renderGoogleChatBurst, type GoogleChatMessage } from '../lambda/notify/render-google-chat';
import {
  SAMPLE_DISTRIBUTION,
  SAMPLE_DISTRIBUTION_UPDATE,
  SAMPLE_TENANT,
  SAMPLE_TENANT_CREATION,
  cloudTrailEvent,
  deploymentEvent,
} from './events';

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

/** A deployment's last check: Deployed, 4 min 38 s after its change (a deployment has no paths). */
function deployed(request: DeploymentRequest, overrides: Partial<StatusResult> = {}): StatusResult {
  const changedAtMs = Date.parse(request.eventTime);
  return status({
    status: 'Deployed',
    createTime: new Date(changedAtMs).toISOString(),
    checkedAt: new Date(changedAtMs + 278_000).toISOString(),
    elapsedSeconds: 278,
    paths: { total: 0, sample: [] },
    ...overrides,
  });
}

/** What a real deploy of a large site invalidates: pages, assets, and some cache tags. */
function manyPaths(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i % 10 === 9 ? `#product-${1000 + i}` : `/catalog/category-${Math.floor(i / 50)}/product-${1000 + i}/index.html`,
  );
}

/** A deployment event's request, read as the notifier reads it. */
function deploymentRequest(event: Record<string, unknown>): DeploymentRequest {
  const request = parseWatchRequest(event);
  if (request.work !== 'deployment') throw new Error(`the sample event ${String(event.id)} must read as a deployment`);
  return request;
}

/**
 * Sample deployments, from the recorded CloudTrail events: an update of the sample distribution
 * (its whole configuration sent again: enabled, two aliases, two origins, four cache behaviours),
 * and a tenant created.
 */
function sampleDeployments(): { update: DeploymentRequest; tenant: DeploymentRequest } {
  return {
    update: deploymentRequest(
      deploymentEvent('UpdateDistribution', SAMPLE_DISTRIBUTION_UPDATE, { distribution: { cacheBehaviors: 3, webACLId: '' } }),
    ),
    tenant: deploymentRequest(
      deploymentEvent('CreateDistributionTenant', SAMPLE_TENANT_CREATION, {
        tenant: { name: 'customer-42', domains: ['customer-42.example.com'] },
      }),
    ),
  };
}

/** The sample invalidations and deployments, built the way the notify function builds them. */
export function previewSamples(): PreviewSample[] {
  const distribution = parseWatchRequest(cloudTrailEvent(SAMPLE_DISTRIBUTION));
  const tenant = parseWatchRequest(cloudTrailEvent(SAMPLE_TENANT));
  const large = manyPaths(3_000);
  const { update, tenant: tenantDeployment } = sampleDeployments();
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
    [
      'deployment-deployed',
      'a distribution update deployed',
      {
        outcome: 'completed',
        request: update,
        audience: { destinations: ['deploys'], routes: [], targetName: 'www.example.com' },
        status: deployed(update),
      },
    ],
    [
      'deployment-with-later-change',
      'a new tenant deployed together with 1 later change of it',
      {
        outcome: 'completed',
        request: tenantDeployment,
        audience: { destinations: ['deploys'], routes: [], targetName: 'customer-42.example.com' },
        status: deployed(tenantDeployment, { laterChanges: 1 }),
      },
    ],
    [
      'deployment-could-not-track',
      'a deployment that could not be tracked: the distribution was deleted while watched',
      {
        outcome: 'could-not-track',
        request: update,
        error: {
          Error: 'DeploymentNotTrackable',
          Cause: JSON.stringify({
            errorType: 'DeploymentNotTrackable',
            errorMessage: `NoSuchDistribution: CloudFront refused the status check for distribution ${update.target.id}, deployment ${update.change.eTag} (HTTP 404): The specified distribution does not exist.`,
          }),
        },
      },
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

const slackFiles = (slack: SlackMessage): PreviewFile[] => [
  {
    file: 'slack.json',
    content: json(slack),
    size: `${JSON.stringify(slack.blocks).length} characters of blocks (limit about ${SLACK_LIMITS.totalChars})`,
  },
  // Block Kit Builder takes `{"blocks": [...]}`; the webhook's `text` is the notification fallback.
  { file: 'slack-block-kit-builder.json', content: json({ blocks: slack.blocks }) },
];

const chatFiles = (teams: TeamsMessage, googleChat: GoogleChatMessage): PreviewFile[] => [
  { file: 'teams.json', content: json(teams), size: posted(teams, `${TEAMS_LIMITS.messageBytes} bytes`) },
  // The Adaptive Cards Designer takes the card itself, not the Workflows envelope.
  { file: 'teams-adaptive-card.json', content: json(teams.attachments[0].content) },
  { file: 'google-chat.json', content: json(googleChat), size: posted(googleChat, `about ${GOOGLE_CHAT_LIMITS.messageBytes} bytes`) },
];

// SNS carries all three renderings in one message (MessageStructure json), within its limit together.
const snsFiles = (subject: string, email: string, amazonQ: string, sms: string): PreviewFile[] => [
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

/** Every destination type's payload for one notification, as files. */
export function renderPreviewFiles(notification: Notification): PreviewFile[] {
  return [
    ...slackFiles(renderSlack(notification)),
    ...chatFiles(renderTeams(notification), renderGoogleChat(notification)),
    ...snsFiles(renderSubject(notification), renderText(notification), renderAmazonQ(notification), renderSms(notification)),
  ];
}

/** Every destination type's digest of a burst, as files. */
export function renderDigestFiles(burst: BurstNotification): PreviewFile[] {
  return [
    ...slackFiles(renderSlackBurst(burst)),
    ...chatFiles(renderTeamsBurst(burst), renderGoogleChatBurst(burst)),
    ...snsFiles(renderBurstSubject(burst), renderBurstText(burst), renderBurstAmazonQ(burst), renderBurstSms(burst)),
  ];
}

/** A message of issue 14: already rendered for the destinations that receive it. */
export interface MessagePreview {
  readonly name: string;
  readonly description: string;
  readonly summary: string;
  readonly files: readonly PreviewFile[];
}

const BURST_START = CREATED;

/**
 * The members of a burst of `count` tenant invalidations by one pipeline: every 15th could not
 * be tracked (access denied), and the first `running` still run; the others completed, each a
 * little later than the one before.
 */
function burstSample(count: number, running = 0): BurstMember[] {
  return Array.from({ length: count }, (_, i) => {
    const tenant = `dt_${(0x2f00a1 + i * 7919).toString(36)}`;
    const request = parseWatchRequest(
      cloudTrailEvent({
        ...SAMPLE_TENANT,
        targetId: tenant,
        invalidationId: `I${(0x51f3c + i * 104_729).toString(36).toUpperCase()}`,
        paths: ['/*'],
      }),
    );
    const audience = { destinations: ['deploys'], routes: [], targetName: `customer-${i + 1}.example.com` };
    if (i >= count - running) return burstMemberOf({ request, audience }, BURST_START);
    if (i % 15 === 14)
      return burstMemberOf(
        {
          outcome: 'could-not-track',
          request,
          audience,
          error: {
            Error: 'CloudFrontAccessDenied',
            Cause: `The notifier may not call cloudfront:GetInvalidationForDistributionTenant on ${tenant}.`,
          },
        },
        BURST_START,
      );
    const checkedAt = new Date(Date.parse(CREATED) + (95 + i * 3 + (i % 7) * 11) * 1000).toISOString();
    return burstMemberOf(
      { outcome: 'completed', request, audience, status: status({ checkedAt, paths: samplePaths(['/*']) }) },
      BURST_START,
    );
  });
}

/** The messages that live and the digests, as the Slack app and each destination would receive them. */
export function previewMessages(): MessagePreview[] {
  const tenant = parseWatchRequest(cloudTrailEvent(SAMPLE_TENANT));
  const paths = samplePaths(SAMPLE_TENANT.paths);
  const progress = buildProgressNotification({ request: tenant, status: status({ status: 'InProgress', paths }) });
  const updated = buildNotification({ outcome: 'completed', request: tenant, status: status({ paths }) });
  const running = burstSample(40, 11);
  const ended = burstSample(40);
  const live = (members: BurstMember[]) => buildBurstNotification({ kind: 'live', members, total: 40, by: 'github-actions-deploy' });
  const digest = buildBurstNotification({
    kind: 'digest',
    members: burstSample(303).slice(3),
    total: 303,
    separately: 3,
    digestNumber: 1,
    final: true,
    by: 'github-actions-deploy',
  });
  const reply = renderSlackFailureReply(ended);
  const slack = (name: string, description: string, summary: string, message: SlackMessage | undefined): MessagePreview => ({
    name,
    description,
    summary,
    files: message ? slackFiles(message) : [],
  });
  return [
    slack(
      'slack-app-in-progress',
      'a Slack app message posted at the first check, the invalidation still running',
      progress.summary,
      renderSlack(progress),
    ),
    slack('slack-app-updated', 'the same message updated (chat.update) to its outcome', updated.summary, renderSlack(updated)),
    slack(
      'slack-app-burst-in-progress',
      'a burst of 40 in one live Slack app message, 11 still running',
      live(running).summary,
      renderSlackBurst(live(running)),
    ),
    slack('slack-app-burst-done', 'the same message when all 40 have ended', live(ended).summary, renderSlackBurst(live(ended))),
    slack('slack-app-failure-reply', "the thread reply listing the burst's failures", reply?.text ?? '', reply),
    {
      name: 'digest-300',
      description: 'a digest of 300 invalidations (3 more told on their own) for every destination type, its list cut',
      summary: digest.summary,
      files: renderDigestFiles(digest),
    },
  ];
}

export interface WrittenSample {
  readonly sample: Pick<PreviewSample, 'name' | 'description'> & { readonly summary: string };
  readonly folder: string;
  readonly files: readonly PreviewFile[];
}

/** Writes every sample's and message's files under `outDir`; returns what it wrote. */
export function writePreview(outDir: string): WrittenSample[] {
  const samples = previewSamples().map((sample) => ({
    sample: { ...sample, summary: sample.notification.summary },
    files: renderPreviewFiles(sample.notification),
  }));
  const messages = previewMessages().map((message) => ({ sample: message, files: message.files }));
  return [...samples, ...messages].map(({ sample, files }) => {
    const folder = join(outDir, sample.name);
    mkdirSync(folder, { recursive: true });
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
    log(`  ${sample.summary}`);
    for (const file of files) {
      log(`  ${relative(process.cwd(), join(folder, file.file)).padEnd(52)} ${file.size ?? ''}`.trimEnd());
    }
  }
  log(`\n${VIEWERS.join('\n')}`);
  return written;
}

if (require.main === module) runPreview(process.argv.slice(2));
