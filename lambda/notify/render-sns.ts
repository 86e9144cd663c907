import type { Notification } from '../shared/notification';
import { fitPaths } from './path-list';

/** SNS limits: the whole message (all protocols together) and the subject line. */
export const SNS_LIMITS = {
  messageBytes: 262_144,
  subjectChars: 100,
  /** Budget for the path list in each rendering; the rest of a message is small. */
  pathListChars: 60_000,
  /** Amazon Q shows descriptions in chat; keep them readable. */
  chatDescriptionChars: 3_500,
} as const;

/** SNS subjects must be ASCII, single-line and at most 100 characters. */
export function renderSubject(notification: Notification): string {
  const ids = [notification.targetId, notification.invalidationId].filter(Boolean).join(' ');
  const ascii = `${notification.title}${ids ? `: ${ids}` : ''}`.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= SNS_LIMITS.subjectChars ? ascii : `${ascii.slice(0, SNS_LIMITS.subjectChars - 3)}...`;
}

/** Plain text for e-mail and other human-read subscriptions. */
export function renderText(notification: Notification): string {
  const lines = [notification.summary, ''];
  for (const fact of notification.facts) lines.push(`${fact.label}: ${fact.value}`);
  if (notification.reason && notification.outcome !== 'could-not-track') lines.push('', notification.reason);
  if (notification.paths.total > 0) {
    lines.push('', `Paths (${notification.paths.total}):`, fitPaths(notification.paths, { maxChars: SNS_LIMITS.pathListChars }));
  }
  if (notification.consoleUrl) lines.push('', `Console: ${notification.consoleUrl}`);
  return lines.join('\n');
}

/**
 * Amazon Q Developer in chat applications (formerly AWS Chatbot) relays SNS messages to
 * Slack, Teams and Chime only in its custom-notification shape; anything else is dropped.
 */
export function renderAmazonQ(notification: Notification): string {
  const factLines = notification.facts.map((fact) => `*${fact.label}:* ${fact.value}`).join('\n');
  const head = `${notification.summary}\n${factLines}`;
  const budget = SNS_LIMITS.chatDescriptionChars - head.length - 20;
  const paths = notification.paths.total > 0 && budget > 50 ? `\n*Paths:*\n${fitPaths(notification.paths, { maxChars: budget })}` : '';
  return JSON.stringify({
    version: '1.0',
    source: 'custom',
    id: notification.invalidationId,
    content: {
      textType: 'client-markdown',
      title: notification.title,
      description: `${head}${paths}`,
      ...(notification.consoleUrl ? { nextSteps: [`<${notification.consoleUrl}|Open the invalidation in the CloudFront console>`] } : {}),
      keywords: [notification.outcome, ...(notification.targetId ? [notification.targetId] : [])],
    },
    metadata: {
      threadId: notification.invalidationId ?? 'cloudfront-invalidation',
      summary: notification.summary.slice(0, 200),
      eventType: `CloudFrontInvalidation.${notification.outcome}`,
      relatedResources: [notification.targetId, notification.invalidationId].filter(Boolean),
      additionalContext: { outcome: notification.outcome },
    },
  });
}

/**
 * The SNS `Message` with `MessageStructure: json`: Amazon Q's shape by default (HTTPS
 * subscriptions, which is how Amazon Q subscribes), plain text for e-mail.
 */
export function renderSnsMessage(notification: Notification): string {
  return JSON.stringify({ default: renderAmazonQ(notification), email: renderText(notification) });
}
