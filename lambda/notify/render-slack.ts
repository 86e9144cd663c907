import type { Notification, Outcome } from '../shared/notification';
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

/** Slack needs exactly these three characters escaped in text. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const EMOJI: Record<Outcome, string> = {
  completed: ':white_check_mark:',
  'still-in-progress': ':hourglass_flowing_sand:',
  'could-not-track': ':warning:',
};

/** Escapes, then cuts to `max` characters without splitting an `&...;` entity. */
export function escapeAndClip(text: string, max: number): string {
  const escaped = escapeSlack(text);
  if (escaped.length <= max) return escaped;
  let cut = escaped.slice(0, max - 1);
  const lastAmpersand = cut.lastIndexOf('&');
  if (lastAmpersand >= 0 && !cut.slice(lastAmpersand).includes(';')) cut = cut.slice(0, lastAmpersand);
  return `${cut}…`;
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

// A path containing ``` would close the code block early.
const inCodeBlock = (text: string) => escapeSlack(text).replace(/`/g, 'ˋ');

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

export function renderSlack(notification: Notification): SlackMessage {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${notification.title}`, SLACK_LIMITS.headerChars), emoji: true } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${EMOJI[notification.outcome]} ${escapeAndClip(notification.summary, SLACK_LIMITS.sectionChars - 30)}`,
      },
    },
  ];
  if (notification.facts.length > 0) {
    blocks.push({
      type: 'section',
      fields: notification.facts.slice(0, SLACK_LIMITS.fields).map((fact) => ({
        type: 'mrkdwn',
        text: `*${escapeSlack(fact.label)}*\n${escapeAndClip(fact.value, SLACK_LIMITS.fieldChars - 100)}`,
      })),
    });
  }
  if (notification.paths.total > 0) {
    const heading = `*Paths (${notification.paths.total})*\n`;
    const fence = '```';
    const budget = SLACK_LIMITS.sectionChars - heading.length - 2 * fence.length - 2;
    const list = fitPaths(notification.paths, { maxChars: budget, escape: inCodeBlock });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${heading}${fence}\n${list}${fence}` } });
  }
  if (notification.consoleUrl) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `<${notification.consoleUrl}|Open the invalidation in the CloudFront console>` }],
    });
  }
  return { text: escapeAndClip(notification.summary, SLACK_LIMITS.sectionChars), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}
