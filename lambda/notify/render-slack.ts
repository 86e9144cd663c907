import {
  buildBurstNotification,
  describeCounts,
  memberLabel,
  memberStatus,
  phaseOf,
  worstPhase,
  WORK_NOUNS,
  type BurstMember,
  type BurstNotification,
} from '../shared/burst-notification';
import { IN_PROGRESS, type MessagePhase, type Notification, type ProgressNotification } from '../shared/notification';
import type { WorkKind } from '../shared/watch-request';
import { clipEscaped, inertMarkup, jsonUnits, oneLine } from '../shared/text';
import { countsLine, fitMembers } from './burst-list';
import { fitPaths } from './path-list';

/** Slack's documented limits for incoming webhooks and Block Kit. */
export const SLACK_LIMITS = {
  headerChars: 150,
  sectionChars: 3000,
  fieldChars: 2000,
  fields: 10,
  blocks: 50,
  /** Practical budget for all blocks together (Slack truncates near 13k characters). */
  totalChars: 12_000,
} as const;

/**
 * Our shares of {@link SLACK_LIMITS.totalChars}, counted as JSON text (what the request carries,
 * `"` and `\` twice), so that together they stay under it whatever callers put in the text:
 * header 150 + summary 2,000 + facts 2,400 (plus labels) + paths 3,000 + console link ~1,100
 * + structure ~700 is about 9,500.
 */
const BUDGETS = {
  summaryChars: 2_000,
  factsChars: 2_400,
  pathsChars: SLACK_LIMITS.sectionChars,
} as const;

/** A notification has about ten facts; more than this come only from a bug, and are not shown. */
const MAX_FACTS = 2 * SLACK_LIMITS.fields;

/** Slack needs exactly these three characters escaped in text. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** What the console link opens: the invalidation's page, or the deployed distribution's or tenant's. */
export function consoleLinkLabel(notification: Pick<Notification, 'work' | 'targetKind'>): string {
  const page =
    notification.work !== 'deployment' ? 'invalidation' : notification.targetKind === 'tenant' ? 'distribution tenant' : 'distribution';
  return `Open the ${page} in the CloudFront console`;
}

const EMOJI: Record<MessagePhase, string> = {
  [IN_PROGRESS]: ':arrows_counterclockwise:',
  completed: ':white_check_mark:',
  'still-in-progress': ':hourglass_flowing_sand:',
  'could-not-track': ':warning:',
};

/**
 * Escapes, then cuts to `max` (UTF-16 units by default) between characters of the source, so
 * neither an `&...;` entity nor a surrogate pair is split.
 */
export function escapeAndClip(text: string, max: number, measure?: (text: string) => number): string {
  return clipEscaped(text, max, { escape: escapeSlack, ...(measure ? { measure } : {}) });
}

/**
 * A one-line mrkdwn field: no emphasis, code or link from caller text ({@link inertMarkup}),
 * escaped and bounded as JSON text (never trusting the notification's own bounds).
 */
const slackLine = (text: string, max: number) => escapeAndClip(inertMarkup(oneLine(text, Number.MAX_SAFE_INTEGER)), max, jsonUnits);

/**
 * `<url|label>`, or undefined for a URL that is not a plain https link: a `|` or `>` in it would
 * change the label or end the link early.
 */
export function slackLink(url: string | undefined, label: string): string | undefined {
  return url && /^https:\/\/[^\s<>|]+$/.test(url) ? `<${url}|${escapeSlack(label)}>` : undefined;
}

// A path containing ``` would close the code block early.
const inCodeBlock = (text: string) => escapeSlack(text).replace(/`/g, 'ˋ');

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/**
 * One invalidation's or deployment's message: its outcome, or (a Slack app's live message, later
 * updated with `chat.update` to its outcome) that it is in progress. A deployment has no paths,
 * so no paths section.
 */
export function renderSlack(notification: Notification | ProgressNotification): SlackMessage {
  const emoji = EMOJI[notification.outcome];
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        // plain_text: no markup to escape, but bounded in UTF-16 units like the rest.
        text: clipEscaped(oneLine(notification.title, SLACK_LIMITS.headerChars), SLACK_LIMITS.headerChars),
        emoji: true,
      },
    },
    { type: 'section', text: { type: 'mrkdwn', text: `${emoji} ${slackLine(notification.summary, BUDGETS.summaryChars)}` } },
  ];
  // A section holds at most 10 fields: a deployment's facts with an account and a routing note are 11.
  const facts = notification.facts.slice(0, MAX_FACTS);
  const perFact = Math.min(SLACK_LIMITS.fieldChars - 100, Math.floor(BUDGETS.factsChars / Math.max(1, facts.length)));
  for (let start = 0; start < facts.length; start += SLACK_LIMITS.fields) {
    blocks.push({
      type: 'section',
      fields: facts
        .slice(start, start + SLACK_LIMITS.fields)
        .map((fact) => ({ type: 'mrkdwn', text: `*${slackLine(fact.label, 60)}*\n${slackLine(fact.value, perFact)}` })),
    });
  }
  if (notification.paths.total > 0) {
    const heading = `*Paths (${notification.paths.total})*\n`;
    const fence = '```';
    const budget = BUDGETS.pathsChars - heading.length - 2 * fence.length - 2;
    const list = fitPaths(notification.paths, { maxChars: budget, escape: inCodeBlock, measure: jsonUnits });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${heading}${fence}\n${list}${fence}` } });
  }
  const link = slackLink(notification.consoleUrl, consoleLinkLabel(notification));
  if (link) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: link }] });
  return { text: slackLine(notification.summary, SLACK_LIMITS.sectionChars), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/**
 * Shares of {@link SLACK_LIMITS.totalChars} for a burst, in JSON text: header 150 + summary
 * 1,000 + counts about 200 + list 7,000 (in sections of at most 3,000) + slowest about 900 +
 * structure about 600 is about 9,900, whatever callers put in the text.
 */
const BURST_BUDGETS = {
  summaryChars: 1_000,
  listChars: 7_000,
  labelChars: 200,
  statusChars: 300,
  /** A member's console link; a longer one (only from absurd IDs) is left out. */
  linkChars: 300,
} as const;

/**
 * A member on one line: its state, name and IDs, what became of it, and, unless it completed
 * (nothing to look at, and the list of a big burst stays long), its console page as a link.
 */
function memberLine(member: BurstMember): string {
  const link = member.outcome === 'completed' ? undefined : slackLink(member.consoleUrl, 'console');
  return [
    `${EMOJI[phaseOf(member)]} ${slackLine(memberLabel(member), BURST_BUDGETS.labelChars)}`,
    slackLine(memberStatus(member), BURST_BUDGETS.statusChars),
    ...(link && jsonUnits(link) <= BURST_BUDGETS.linkChars ? [link] : []),
  ].join(' · ');
}

/**
 * The list as sections of at most {@link SLACK_LIMITS.sectionChars}: a line is at most about
 * 850 (emoji, label, status and link, each bounded), so each section but the last is more than
 * 2,000 full and the 7,000 of the list take at most four.
 */
function listSections(burst: Pick<BurstNotification, 'listed' | 'omitted' | 'work'>, heading: string): Record<string, unknown>[] {
  const { lines } = fitMembers(burst, {
    line: memberLine,
    moreLine: escapeSlack,
    maxChars: BURST_BUDGETS.listChars - jsonUnits(heading) - 1,
    measure: jsonUnits,
  });
  const sections: string[] = [];
  let current = heading;
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (jsonUnits(next) <= SLACK_LIMITS.sectionChars) current = next;
    else {
      sections.push(current);
      current = line;
    }
  }
  if (current) sections.push(current);
  return sections.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
}

/**
 * Many invalidations in one message: a Slack app's live message ("27 of 40 completed", updated
 * as they end) or a webhook's digest. Header, summary, the counts, the members (failures first,
 * each with its console link; those cut counted by state) and the slowest named.
 */
export function renderSlackBurst(burst: BurstNotification): SlackMessage {
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: clipEscaped(oneLine(burst.title, SLACK_LIMITS.headerChars), SLACK_LIMITS.headerChars),
        emoji: true,
      },
    },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `${EMOJI[worstPhase(burst.counts)]} ${slackLine(burst.summary, BURST_BUDGETS.summaryChars)}` },
    },
  ];
  const counts = countsLine(burst.counts, EMOJI, burst.work);
  if (counts) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: counts }] });
  blocks.push(...listSections(burst, ''));
  if (burst.slowest) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Slowest:* ${memberLine(burst.slowest)}` } });
  return { text: slackLine(burst.summary, SLACK_LIMITS.sectionChars), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** "did not complete", "did not reach Deployed": what the failure reply says of its members. */
const NOT_DONE: Readonly<Record<WorkKind, string>> = { invalidation: 'did not complete', deployment: 'did not reach Deployed' };

/**
 * The thread reply under a live message when invalidations or deployments did not complete (so
 * the channel is notified, which an edit does not do): one line per failure with its reason,
 * bounded; none (undefined) when every member completed or still runs.
 */
export function renderSlackFailureReply(members: readonly BurstMember[]): SlackMessage | undefined {
  const failures = members.filter((member) => member.outcome !== undefined && member.outcome !== 'completed');
  if (failures.length === 0) return undefined;
  const burst = buildBurstNotification({ kind: 'live', members: failures, total: failures.length });
  const noun = WORK_NOUNS[burst.work];
  const summary = `${failures.length} CloudFront ${failures.length === 1 ? noun.one : noun.many} ${NOT_DONE[burst.work]}: ${describeCounts(burst.counts, burst.work)}.`;
  return {
    text: escapeSlack(summary),
    blocks: listSections(burst, `${EMOJI[worstPhase(burst.counts)]} *${escapeSlack(summary)}*`),
  };
}
