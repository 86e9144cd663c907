import type { SlackMessage } from './render-slack';
import { postWebhook, type WebhookPlatform, type WebhookPostOptions, type WebhookRefusal } from './webhook-post';

/**
 * Slack incoming webhooks answer errors with a short code as the whole body, e.g.
 * `400 invalid_blocks` or `404 no_service`. The codes Slack documents for webhooks, and the
 * ones its Block Kit checks give, by whose fault they are.
 */
const SLACK_CODES: Readonly<Record<string, WebhookRefusal>> = {
  // Our message: a bug in the rendering, whatever the webhook.
  invalid_payload: 'payload',
  invalid_blocks: 'payload',
  invalid_blocks_format: 'payload',
  invalid_attachments: 'payload',
  missing_text_or_fallback_or_attachments: 'payload',
  no_text: 'payload',
  msg_too_long: 'payload',
  msg_blocks_too_long: 'payload',
  too_many_attachments: 'payload',
  // The webhook: revoked, its app removed, its channel gone, or posting not allowed there.
  invalid_token: 'destination',
  token_revoked: 'destination',
  no_service: 'destination',
  no_service_id: 'destination',
  no_team: 'destination',
  team_disabled: 'destination',
  invalid_team: 'destination',
  channel_not_found: 'destination',
  channel_is_archived: 'destination',
  action_prohibited: 'destination',
  posting_to_general_channel_denied: 'destination',
  user_not_found: 'destination',
  ekm_access_denied: 'destination',
};

export const SLACK: WebhookPlatform = {
  label: 'Slack',
  exampleUrl: 'https://hooks.slack.com/services/...',
  secretJsonKey: 'webhookUrl',
  errorCode: (body) => {
    const code = body.trim();
    return /^[a-z][a-z0-9_]{1,63}$/.test(code) ? code : undefined;
  },
  faultOfCode: (code) => SLACK_CODES[code],
};

/** Posts a rendered message to a Slack incoming webhook (see {@link postWebhook}). */
export function postToSlack(webhook: URL, message: SlackMessage, options: WebhookPostOptions = {}): Promise<void> {
  return postWebhook(webhook, message, SLACK, options);
}
