import type { Notification, Outcome } from '../shared/notification';
import { clipEscaped, inertMarkup, jsonUnits, oneLine } from '../shared/text';
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

/** Slack needs exactly these three characters escaped in text. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const CONSOLE_LINK_LABEL = 'Open the invalidation in the CloudFront console';

const EMOJI: Record<Outcome, string> = {
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

export function renderSlack(notification: Notification): SlackMessage {
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
  const facts = notification.facts.slice(0, SLACK_LIMITS.fields);
  if (facts.length > 0) {
    const perFact = Math.min(SLACK_LIMITS.fieldChars - 100, Math.floor(BUDGETS.factsChars / facts.length));
    blocks.push({
      type: 'section',
      fields: facts.map((fact) => ({ type: 'mrkdwn', text: `*${slackLine(fact.label, 60)}*\n${slackLine(fact.value, perFact)}` })),
    });
  }
  if (notification.paths.total > 0) {
    const heading = `*Paths (${notification.paths.total})*\n`;
    const fence = '```';
    const budget = BUDGETS.pathsChars - heading.length - 2 * fence.length - 2;
    const list = fitPaths(notification.paths, { maxChars: budget, escape: inCodeBlock, measure: jsonUnits });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${heading}${fence}\n${list}${fence}` } });
  }
  const link = slackLink(notification.consoleUrl, CONSOLE_LINK_LABEL);
  if (link) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: link }] });
  return { text: slackLine(notification.summary, SLACK_LIMITS.sectionChars), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}
