import { formatDuration, type Notification } from '../shared/notification';
import { WORD_JOINER, clipEscaped, inertMarkup, jsonUtf8Bytes, oneLine, toAscii, utf8Bytes } from '../shared/text';
import { fitPaths } from './path-list';
import { CONSOLE_LINK_LABEL, escapeSlack, slackLink } from './render-slack';

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

/** SNS subjects must be ASCII, single-line and at most 100 characters. */
export function renderSubject(notification: Notification): string {
  const ids = [notification.targetId, notification.invalidationId].filter(Boolean).join(' ');
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
  const invalidationId = notification.invalidationId ? chatLine(notification.invalidationId, AMAZON_Q.idChars) : undefined;
  const link = slackLink(notification.consoleUrl, CONSOLE_LINK_LABEL);
  return JSON.stringify({
    version: '1.0',
    source: 'custom',
    id: invalidationId,
    content: {
      textType: 'client-markdown',
      title: chatLine(notification.title, 250),
      description: amazonQDescription(notification),
      ...(link ? { nextSteps: [link] } : {}),
      keywords: [notification.outcome, ...(notification.targetId ? [chatLine(notification.targetId, AMAZON_Q.idChars)] : [])],
    },
    metadata: {
      threadId: invalidationId ?? 'cloudfront-invalidation',
      summary: chatLine(notification.summary, AMAZON_Q.metadataSummaryChars),
      eventType: `CloudFrontInvalidation.${notification.outcome}`,
      relatedResources: ids,
      additionalContext: { outcome: notification.outcome },
    },
  });
}

/**
 * One short line for SMS subscribers, who would otherwise get the Amazon Q JSON: printable
 * ASCII (anything else makes the carrier switch to 70-character UCS-2 segments), one segment.
 */
export function renderSms(notification: Notification): string {
  const ascii = (text: string, max: number) => {
    // A backtick is not in the GSM 7-bit alphabet.
    const line = toAscii(oneLine(text, Number.MAX_SAFE_INTEGER)).replace(/`/g, "'");
    return line.length <= max ? line : `${line.slice(0, max - 3)}...`;
  };
  const id = (value: string | undefined) => (value ? ` ${ascii(value, 40)}` : '');
  const what = `CloudFront invalidation${id(notification.invalidationId)}${notification.targetId ? ` on${id(notification.targetId)}` : ''}`;
  let text: string;
  switch (notification.outcome) {
    case 'completed':
      text = `${what} completed${notification.durationSeconds !== undefined ? ` in about ${formatDuration(notification.durationSeconds)}` : ''}`;
      break;
    case 'still-in-progress':
      text = `${what} still in progress${notification.waitedSeconds !== undefined ? ` after ${formatDuration(notification.waitedSeconds)}` : ''}; no longer watched`;
      break;
    case 'could-not-track':
      text = `Could not track ${what}${notification.reason ? `: ${notification.reason}` : ''}`;
      break;
  }
  return ascii(text, SNS_LIMITS.smsChars);
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
