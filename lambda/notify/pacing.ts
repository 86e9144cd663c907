/**
 * Each platform's pace: the least time between two messages on one channel, under the limits the
 * platforms publish (see ../shared/reference/aws-facts.md), so a crowd of watches never makes one
 * answer 429. One webhook is one channel; a Slack app posts to a channel (about one message a
 * second) and updates through its token (chat.update, Tier 3: about 50 a minute).
 */
export const PACES = {
  /** Slack incoming webhooks: about 1 message a second each, short bursts allowed. */
  slack: 1_000,
  /** Teams Workflows: more than about 4 requests a second are throttled. */
  teams: 500,
  /** Google Chat: 60 messages a minute per space, shared by every app and webhook posting there. */
  'google-chat': 1_000,
  /** Slack chat.postMessage: about 1 message a second per channel. */
  'slack-app-post': 1_000,
  /** Slack chat.update (Tier 3): about 50 a minute per app and workspace. */
  'slack-app-update': 1_200,
} as const;
