import {
  WORK_NOUNS,
  describeCounts,
  memberLabel,
  memberStatus,
  type BurstMember,
  type BurstNotification,
} from '../shared/burst-notification';
import { formatDuration, laterChangesText, workKeyOf, type Notification } from '../shared/notification';
import type { WorkKind } from '../shared/watch-request';
import { WORD_JOINER, clipEscaped, inertMarkup, jsonUtf8Bytes, oneLine, toAscii, utf8Bytes } from '../shared/text';
import { fitMembers } from './burst-list';
import { fitPaths } from './path-list';
import { consoleLinkLabel, escapeSlack, slackLink } from './render-slack';

/** SNS limits: the whole message (all protocols together) and the subject line. */
export const SNS_LIMITS = {
  messageBytes: 262_144,
  subjectChars: 100,
  /**
   * The e-mail's path list, in bytes of the final Message (UTF-8, JSON-escaped): with every
   * other field bounded below, the whole Message stays far under `messageBytes`.
   */
  emailPathBytes: 150_000,
  /** Each free-text line of the e-mail (summary, a fact, the reason). */
  emailLineChars: 1_000,
  /** Amazon Q shows descriptions in chat; keep them readable. */
  chatDescriptionChars: 3_500,
  /** One SMS segment is 160 GSM characters; stay inside it with room for a sender prefix. */
  smsChars: 140,
} as const;

/** A notification has about seven facts; more than this come only from a bug, and are not shown. */
const MAX_FACTS = 20;

/** Shares of the Amazon Q description for text other than paths, so the paths always get room. */
const AMAZON_Q = {
  summaryChars: 600,
  factsChars: 1_500,
  reasonChars: 400,
  labelChars: 60,
  /** Below this a path list says too little; the heading still gives the count. */
  minPathListChars: 50,
  metadataSummaryChars: 200,
  idChars: 128,
} as const;

/** Amazon Q's event type names the kind of work: `CloudFrontInvalidation.completed`, `CloudFrontDeploymentBurst.digest`. */
const EVENT_TYPE_PREFIXES: Readonly<Record<WorkKind, string>> = {
  invalidation: 'CloudFrontInvalidation',
  deployment: 'CloudFrontDeployment',
};

/** SNS subjects must be ASCII, single-line and at most 100 characters. */
export function renderSubject(notification: Notification): string {
  const ids = [notification.targetId, notification.invalidationId ?? notification.change?.call].filter(Boolean).join(' ');
  const ascii = toAscii(oneLine(`${notification.title}${ids ? `: ${ids}` : ''}`, 1_000));
  return ascii.length <= SNS_LIMITS.subjectChars ? ascii : `${ascii.slice(0, SNS_LIMITS.subjectChars - 3)}...`;
}

const emailLine = (text: string) => oneLine(text, SNS_LIMITS.emailLineChars);

/**
 * Plain text for e-mail and other human-read subscriptions. Every line but the paths is one
 * bounded line, so no caller text can forge a "Console:" line; `pathBytes` bounds the path list.
 */
export function renderText(notification: Notification, pathBytes: number = SNS_LIMITS.emailPathBytes): string {
  const lines = [emailLine(notification.summary), ''];
  for (const fact of notification.facts.slice(0, MAX_FACTS)) lines.push(`${emailLine(fact.label)}: ${emailLine(fact.value)}`);
  if (notification.reason && notification.outcome !== 'could-not-track') lines.push('', emailLine(notification.reason));
  if (notification.paths.total > 0) {
    lines.push('', `Paths (${notification.paths.total}):`);
    const list = fitPaths(notification.paths, { maxChars: pathBytes, measure: jsonUtf8Bytes });
    if (list) lines.push(list);
  }
  if (notification.consoleUrl) lines.push('', `Console: ${emailLine(notification.consoleUrl)}`);
  return lines.join('\n');
}

/*
 * Amazon Q renders Slack markup from the text it relays, to Slack, Teams and Chime, through a
 * bot the team trusts. From caller text, links and mentions hurt most: `<!channel>`, `<@U...>`,
 * `<http://x|label>` (escaped as the Slack channel does), a Markdown link `[label](http://x)`
 * and emphasis (made inert by {@link inertMarkup}), and plain `@here` (pings where the bot posts
 * with name linking), which a WORD JOINER breaks without changing what people read.
 */
const PLAIN_MENTION = /@(here|channel|everyone)\b/gi;

const breakChatMarkup = (text: string) => inertMarkup(text).replace(PLAIN_MENTION, `@${WORD_JOINER}$1`);

/** A one-line field for Amazon Q: on one line, markup broken, escaped, bounded on code points. */
const chatLine = (text: string, max: number) =>
  clipEscaped(breakChatMarkup(oneLine(text, Number.MAX_SAFE_INTEGER)), max, { escape: escapeSlack });

/**
 * A path inside the description's code block. Escaping must go character by character (so a
 * long path can be cut), so every `@` and `]` gets the joiner; a code block keeps Markdown
 * inert where Amazon Q honours it, this keeps it inert where it does not.
 */
const chatPath = (text: string) => escapeSlack(text).replace(/`/g, 'ˋ').replace(/[@\]]/g, `$&${WORD_JOINER}`);

function amazonQDescription(notification: Notification): string {
  const lines = [chatLine(notification.summary, AMAZON_Q.summaryChars)];
  const facts = notification.facts.slice(0, MAX_FACTS);
  const perFact = Math.floor(AMAZON_Q.factsChars / Math.max(1, facts.length));
  for (const fact of facts) lines.push(`*${chatLine(fact.label, AMAZON_Q.labelChars)}:* ${chatLine(fact.value, perFact)}`);
  if (notification.reason && notification.outcome !== 'could-not-track') lines.push(chatLine(notification.reason, AMAZON_Q.reasonChars));
  if (notification.paths.total > 0) {
    lines.push(`*Paths (${notification.paths.total}):*`);
    const fence = '```';
    const used = lines.join('\n').length;
    const budget = SNS_LIMITS.chatDescriptionChars - used - 2 * (fence.length + 1) - 1;
    const list = budget >= AMAZON_Q.minPathListChars ? fitPaths(notification.paths, { maxChars: budget, escape: chatPath }) : '';
    if (list) lines.push(fence, list, fence);
  }
  return lines.join('\n');
}

/**
 * Amazon Q Developer in chat applications (formerly AWS Chatbot) relays SNS messages to
 * Slack, Teams and Chime only in its custom-notification shape; anything else is dropped.
 */
export function renderAmazonQ(notification: Notification): string {
  const ids = [notification.targetId, notification.invalidationId]
    .filter((id): id is string => Boolean(id))
    .map((id) => chatLine(id, AMAZON_Q.idChars));
  // Amazon Q threads a watch's messages by it: the invalidation's ID, or the deployment's target and change.
  const workKey = workKeyOf(notification);
  const workId = workKey ? chatLine(workKey, AMAZON_Q.idChars) : undefined;
  const link = slackLink(notification.consoleUrl, consoleLinkLabel(notification));
  return JSON.stringify({
    version: '1.0',
    source: 'custom',
    id: workId,
    content: {
      textType: 'client-markdown',
      title: chatLine(notification.title, 250),
      description: amazonQDescription(notification),
      ...(link ? { nextSteps: [link] } : {}),
      keywords: [notification.outcome, ...(notification.targetId ? [chatLine(notification.targetId, AMAZON_Q.idChars)] : [])],
    },
    metadata: {
      threadId: workId ?? `cloudfront-${notification.work}`,
      summary: chatLine(notification.summary, AMAZON_Q.metadataSummaryChars),
      eventType: `${EVENT_TYPE_PREFIXES[notification.work]}.${notification.outcome}`,
      relatedResources: ids,
      additionalContext: { outcome: notification.outcome },
    },
  });
}

/** Printable ASCII within `max`, "..." when cut (a backtick is not in the GSM 7-bit alphabet): SMS and burst subjects. */
const asciiLine = (text: string, max: number) => {
  const line = toAscii(oneLine(text, Number.MAX_SAFE_INTEGER)).replace(/`/g, "'");
  return line.length <= max ? line : `${line.slice(0, max - 3)}...`;
};

/**
 * One short line for SMS subscribers, who would otherwise get the Amazon Q JSON: printable
 * ASCII (anything else makes the carrier switch to 70-character UCS-2 segments), one segment.
 */
export function renderSms(notification: Notification): string {
  const id = (value: string | undefined) => (value ? ` ${asciiLine(value, 40)}` : '');
  const deployment = notification.work === 'deployment';
  const kind = notification.targetKind === 'tenant' ? 'tenant' : 'distribution';
  // "UpdateDistribution of CloudFront distribution E2ABC", "CloudFront invalidation I2J0 on E2ABC".
  const what = deployment
    ? `${notification.change ? `${asciiLine(notification.change.call, 40)} of ` : ''}CloudFront ${kind}${id(notification.targetId)}`
    : `CloudFront invalidation${id(notification.invalidationId)}${notification.targetId ? ` on${id(notification.targetId)}` : ''}`;
  let text: string;
  switch (notification.outcome) {
    case 'completed':
      text = `${what} ${deployment ? 'deployed' : 'completed'}${notification.durationSeconds !== undefined ? ` in about ${formatDuration(notification.durationSeconds)}` : ''}${deployment && notification.laterChanges !== undefined ? `, ${laterChangesText(notification.laterChanges)}` : ''}`;
      break;
    case 'still-in-progress':
      text = `${what} still ${deployment ? 'deploying' : 'in progress'}${notification.waitedSeconds !== undefined ? ` after ${formatDuration(notification.waitedSeconds)}` : ''}; no longer watched`;
      break;
    case 'could-not-track':
      text = `Could not track ${what}${notification.reason ? `: ${notification.reason}` : ''}`;
      break;
  }
  return asciiLine(text, SNS_LIMITS.smsChars);
}

/**
 * The SNS `Message` with `MessageStructure: json`: Amazon Q's shape by default (HTTPS
 * subscriptions, which is how Amazon Q subscribes), plain text for e-mail, one line for SMS.
 * SNS's 262,144-byte limit is for all of them together. Every field but the e-mail's path list
 * is bounded, so that list is what gives way if the total comes near the limit.
 */
export function renderSnsMessage(notification: Notification): string {
  const chat = renderAmazonQ(notification);
  const sms = renderSms(notification);
  const encode = (email: string) => JSON.stringify({ default: chat, email, sms });
  for (const pathBytes of [SNS_LIMITS.emailPathBytes, SNS_LIMITS.emailPathBytes / 4, 0]) {
    const message = encode(renderText(notification, pathBytes));
    if (utf8Bytes(message) < SNS_LIMITS.messageBytes) return message;
  }
  // Not reachable with the bounds above; kept so the limit holds whatever a future field adds.
  const room = SNS_LIMITS.messageBytes - utf8Bytes(encode('')) - 1;
  return encode(clipEscaped(renderText(notification, 0), room, { measure: jsonUtf8Bytes }));
}

const reported = (burst: BurstNotification) => Object.values(burst.counts).reduce((sum, n) => sum + n, 0);

/** "CloudFront invalidations: digest 2 (last): 37 of 300": ASCII, one line, at most 100 characters. */
export function renderBurstSubject(burst: BurstNotification): string {
  return asciiLine(`${burst.title}: ${reported(burst)} of ${burst.total}`, SNS_LIMITS.subjectChars);
}

const memberWords = (member: BurstMember) => `${memberLabel(member)}: ${memberStatus(member)}`;

/**
 * Plain text of a burst for e-mail: the summary, the counts, the slowest, then one line per
 * member (failures first) within `listBytes`, the rest counted by state. Every line is one
 * bounded line, so no caller text can forge another.
 */
export function renderBurstText(burst: BurstNotification, listBytes: number = SNS_LIMITS.emailPathBytes): string {
  const lines = [emailLine(burst.summary)];
  const counts = describeCounts(burst.counts, burst.work);
  if (counts) lines.push('', `Counts: ${counts}`);
  if (burst.slowest) lines.push(`Slowest: ${emailLine(memberWords(burst.slowest))}`);
  const list = fitMembers(burst, { line: (member) => `- ${emailLine(memberWords(member))}`, maxChars: listBytes, measure: jsonUtf8Bytes });
  if (list.lines.length > 0) lines.push('', `${WORK_NOUNS[burst.work].heading}:`, ...list.lines);
  return lines.join('\n');
}

/** A burst for Amazon Q: the custom-notification shape, the members in the description as far as it reads well. */
export function renderBurstAmazonQ(burst: BurstNotification): string {
  const head = [chatLine(burst.summary, AMAZON_Q.summaryChars)];
  const counts = describeCounts(burst.counts, burst.work);
  if (counts) head.push(`*Counts:* ${chatLine(counts, AMAZON_Q.factsChars)}`);
  if (burst.slowest) head.push(`*Slowest:* ${chatLine(memberWords(burst.slowest), AMAZON_Q.reasonChars)}`);
  const used = head.join('\n').length;
  const budget = SNS_LIMITS.chatDescriptionChars - used - 1;
  const list = fitMembers(burst, { line: (member) => `• ${chatLine(memberWords(member), AMAZON_Q.reasonChars)}`, maxChars: budget });
  const description = [...head, ...list.lines].join('\n');
  return JSON.stringify({
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: chatLine(burst.title, 250),
      description,
      keywords: [
        burst.kind,
        ...(['completed', 'still-in-progress', 'could-not-track'] as const).filter((outcome) => burst.counts[outcome] > 0),
      ],
    },
    metadata: {
      threadId: `cloudfront-${burst.work}-burst`,
      summary: chatLine(burst.summary, AMAZON_Q.metadataSummaryChars),
      eventType: `${EVENT_TYPE_PREFIXES[burst.work]}Burst.${burst.kind}`,
      relatedResources: [],
      additionalContext: Object.fromEntries(Object.entries(burst.counts).map(([phase, n]) => [phase, String(n)])),
    },
  });
}

/** One SMS segment of printable ASCII: the summary. */
export function renderBurstSms(burst: BurstNotification): string {
  return asciiLine(burst.summary, SNS_LIMITS.smsChars);
}

/** A burst's SNS `Message` (`MessageStructure: json`), as {@link renderSnsMessage} for one invalidation. */
export function renderSnsBurstMessage(burst: BurstNotification): string {
  const encode = (email: string) => JSON.stringify({ default: renderBurstAmazonQ(burst), email, sms: renderBurstSms(burst) });
  for (const listBytes of [SNS_LIMITS.emailPathBytes, SNS_LIMITS.emailPathBytes / 4, 0]) {
    const message = encode(renderBurstText(burst, listBytes));
    if (utf8Bytes(message) < SNS_LIMITS.messageBytes) return message;
  }
  // Not reachable with the bounds above; kept so the limit holds whatever a future field adds.
  const room = SNS_LIMITS.messageBytes - utf8Bytes(encode('')) - 1;
  return encode(clipEscaped(renderBurstText(burst, 0), room, { measure: jsonUtf8Bytes }));
}
