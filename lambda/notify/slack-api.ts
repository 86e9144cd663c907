import { ErrorNames, NamedError, type ErrorName } from '../shared/errors';
import { RateLimitedError, refusalOfStatus, sendJson, type WebhookPostOptions } from './webhook-post';
import { isHttpsOrLoopback } from './webhook-secret';

/**
 * Where the Slack Web API is, when it is not Slack's: only the offline pipeline and tests set
 * it (to a loopback emulator). The construct never sets it, so deployed functions always call
 * {@link DEFAULT_SLACK_API_URL}.
 */
export const SLACK_API_URL_ENV = 'SLACK_API_URL';
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api';

export interface SlackApiOptions extends WebhookPostOptions {
  /** The Web API's base URL, without the method. @default SLACK_API_URL, else https://slack.com/api */
  readonly baseUrl?: string;
}

/** A message in a channel: what chat.update and thread replies refer to. */
export interface SlackMessageRef {
  readonly channel: string;
  readonly ts: string;
}

export interface SlackPost {
  /** The channel's ID (C..., G...). */
  readonly channel: string;
  /** The message's text; with blocks, what notifications and screen readers show. */
  readonly text: string;
  readonly blocks?: readonly Record<string, unknown>[];
  /** Posts a reply in the thread of this message. */
  readonly thread_ts?: string;
}

export interface SlackUpdate {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks?: readonly Record<string, unknown>[];
}

export interface SlackApi {
  /** chat.postMessage: the new message's channel and ts. */
  postMessage(message: SlackPost): Promise<SlackMessageRef>;
  /** chat.update: replaces the text and blocks of a message the app posted. */
  update(message: SlackUpdate): Promise<SlackMessageRef>;
}

/**
 * A Slack Web API error: the named error Step Functions routes on, with Slack's code
 * (`not_in_channel`), the scope Slack says is needed (missing_scope), and the wait it asked for
 * (ratelimited), for the callers that act on them.
 */
export class SlackApiError extends NamedError {
  public readonly slackCode: string;
  public readonly needed?: string;
  public readonly retryAfterMs?: number;

  constructor(name: ErrorName, message: string, details: { slackCode: string; needed?: string; retryAfterMs?: number; cause?: unknown }) {
    super(name, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.slackCode = details.slackCode;
    if (details.needed !== undefined) this.needed = details.needed;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** Slack's code of a Slack Web API error (`message_not_found`), else undefined. */
export function slackCodeOf(error: unknown): string | undefined {
  return error instanceof SlackApiError ? error.slackCode : undefined;
}

/**
 * The message chat.update was asked to change no longer exists (deleted): the caller posts a
 * new one instead. Only this code: a channel the app cannot see or is not in would refuse the
 * new post as well.
 */
export function isMessageGone(error: unknown): boolean {
  return slackCodeOf(error) === 'message_not_found';
}

/** What is wrong and what to do, by Slack's code: for the ones that are not our message's fault. */
type Context = { readonly channel: string; readonly ts?: string; readonly token: string; readonly needed?: string };

const REJECTED: Readonly<Record<string, (context: Context) => string>> = {
  invalid_auth: ({ token }) =>
    `the bot token is not valid (revoked, mistyped, or of another workspace): store the app's bot token (xoxb-...) in ${token}`,
  not_authed: ({ token }) => `no bot token reached Slack: store the app's bot token (xoxb-...) in ${token}`,
  account_inactive: ({ token }) =>
    `the token belongs to a deactivated user or a workspace that is gone: reinstall the app and store its new bot token in ${token}`,
  token_revoked: ({ token }) =>
    `the bot token was revoked (the app was uninstalled?): reinstall the app and store its new bot token in ${token}`,
  token_expired: ({ token }) =>
    `the bot token expired: the app has token rotation on, which the notifier does not refresh; turn it off in the app's OAuth & Permissions, reinstall the app and store its bot token in ${token}`,
  no_permission: ({ channel }) =>
    `the workspace does not allow the app to do this in channel ${channel}: ask a workspace admin to allow the app, or choose another channel`,
  missing_scope: ({ needed, token }) =>
    `the app lacks the ${needed ?? 'needed'} scope: add the ${needed ?? 'needed'} scope to the app (OAuth & Permissions) and reinstall it, then store its bot token in ${token}`,
  not_in_channel: ({ channel }) =>
    `the app is not a member of channel ${channel}: invite the app to the channel: /invite @app (the app's name)`,
  channel_not_found: ({ channel }) =>
    `check the channel ID ${channel} in the destination's configuration: no such channel, or it is private and the bot cannot see it (invite the app to it)`,
  is_archived: ({ channel }) => `channel ${channel} is archived: unarchive it, or send this destination to another channel`,
  restricted_action: ({ channel }) =>
    `the workspace restricts posting in channel ${channel} (only admins may post?): let the app post there, or choose another channel`,
  cant_update_message: ({ channel, ts }) => `message ${ts} in channel ${channel} was not posted by this app: it cannot be updated`,
  edit_window_closed: ({ channel, ts }) =>
    `the workspace's time limit for editing messages has passed for message ${ts} in channel ${channel}: allow editing at any time in the workspace's settings`,
  message_not_found: ({ channel, ts }) => `message ${ts} in channel ${channel} no longer exists (it was deleted)`,
};

/** A fault on Slack's side: retried. */
const UNAVAILABLE = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Our request: a bug to report. */
const PAYLOAD = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'msg_too_long',
  'msg_blocks_too_long',
  'too_many_attachments',
  'no_text',
  'invalid_json',
  'json_not_object',
  'invalid_array_arg',
  'invalid_charset',
  'invalid_form_data',
  'invalid_post_type',
  'missing_post_type',
]);

/** What Slack's codes and scopes look like: anything else in an answer is not repeated. */
const CODE = /^[a-z][a-z0-9_]{1,63}$/;
const SCOPES = /^[a-z][a-z0-9_.:,-]{1,200}$/;

/**
 * A client for the two Slack Web API methods the notifier uses, over {@link sendJson}: the same
 * time budget, inline Retry-After waits and redirect policy as the webhooks.
 *
 * Slack answers HTTP 200 `{"ok": false, "error": "<code>"}` for refusals, 429 with Retry-After
 * when rate limited. Errors ({@link SlackApiError}) are named like the webhooks':
 * WebhookRateLimited, WebhookUnavailable (5xx, no answer, Slack's own faults, an answer that is
 * not Slack's JSON), WebhookPayloadRejected (our message: a bug), WebhookRejected (the token,
 * the app's scopes or the channel: fix the configuration). The token never appears in a message.
 */
export function slackApi(token: string, options: SlackApiOptions = {}): SlackApi {
  const base = slackApiBaseUrl(options.baseUrl);
  const tokenIn = options.configuredIn ?? "the bot token's secret";

  async function call(method: string, body: object, context: { channel: string; ts?: string }): Promise<SlackMessageRef> {
    const label = `Slack ${method}`;
    let response: Response;
    try {
      response = await sendJson(
        new URL(`${base}/${method}`),
        {
          label,
          headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        },
        options,
      );
    } catch (error) {
      if (error instanceof RateLimitedError) {
        throw new SlackApiError(error.name, error.message, { slackCode: 'ratelimited', retryAfterMs: error.retryAfterMs, cause: error });
      }
      throw error;
    }
    const text = await response.text().catch(() => '');
    let answer: { ok?: unknown; error?: unknown; needed?: unknown; channel?: unknown; ts?: unknown } | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      answer = typeof parsed === 'object' && parsed !== null ? parsed : undefined;
    } catch {
      answer = undefined;
    }
    const slackCode = typeof answer?.error === 'string' && CODE.test(answer.error) ? answer.error : undefined;
    const fail = (name: ErrorName, message: string, code = slackCode ?? `http_${response.status}`, needed?: string): never => {
      throw new SlackApiError(name, message, { slackCode: code, ...(needed === undefined ? {} : { needed }) });
    };
    if (response.status >= 500 || response.status === 408) {
      return fail(ErrorNames.WebhookUnavailable, `${label} answered ${response.status}: a fault on Slack's side, retried`);
    }
    if (response.status < 200 || response.status >= 300) {
      // Slack answers its refusals with 200: another status comes from something in the way.
      return refusalOfStatus(response.status) === 'payload'
        ? fail(
            ErrorNames.WebhookPayloadRejected,
            `${label} refused the request (HTTP ${response.status}): this is a bug, please report it with this error`,
          )
        : fail(
            ErrorNames.WebhookRejected,
            `${label} answered HTTP ${response.status}, not an answer of Slack's Web API (a redirect, a proxy?)`,
          );
    }
    if (answer?.ok === true) {
      const { channel, ts } = answer;
      if (typeof channel === 'string' && typeof ts === 'string') return { channel, ts };
      return fail(ErrorNames.WebhookUnavailable, `${label} answered ok without the message's channel and ts: retried`, 'no_ts');
    }
    if (answer?.ok !== false) return fail(ErrorNames.WebhookUnavailable, `${label} answered 200 without Slack's JSON: retried`, 'not_json');
    const code = slackCode ?? 'unknown_error';
    if (UNAVAILABLE.has(code))
      return fail(ErrorNames.WebhookUnavailable, `${label} answered ${code}: a fault on Slack's side, retried`, code);
    if (PAYLOAD.has(code)) {
      return fail(
        ErrorNames.WebhookPayloadRejected,
        `${label} refused the message as malformed (${code}): the notifier built a message Slack does not accept; this is a bug, please report it with this error`,
        code,
      );
    }
    const needed = typeof answer.needed === 'string' && SCOPES.test(answer.needed) ? answer.needed : undefined;
    const advice = REJECTED[code]?.({ ...context, token: tokenIn, ...(needed === undefined ? {} : { needed }) });
    return fail(
      ErrorNames.WebhookRejected,
      `${label} refused (${code}): ${advice ?? `check the app, its bot token in ${tokenIn} and channel ${context.channel}`}`,
      code,
      needed,
    );
  }

  return {
    postMessage: (message) => call('chat.postMessage', message, { channel: message.channel }),
    update: (message) => call('chat.update', message, { channel: message.channel, ts: message.ts }),
  };
}

/** The base URL: given, else SLACK_API_URL, else Slack's; https, or http on loopback for the emulator. */
export function slackApiBaseUrl(given?: string): string {
  const configured = given ?? process.env[SLACK_API_URL_ENV] ?? DEFAULT_SLACK_API_URL;
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    throw new NamedError(ErrorNames.WebhookRejected, `${SLACK_API_URL_ENV} is not a URL: leave it unset to call ${DEFAULT_SLACK_API_URL}`);
  }
  if (!isHttpsOrLoopback(url)) {
    throw new NamedError(ErrorNames.WebhookRejected, `${SLACK_API_URL_ENV} is not https: leave it unset to call ${DEFAULT_SLACK_API_URL}`);
  }
  return url.href.replace(/\/+$/, '');
}
