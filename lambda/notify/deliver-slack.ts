import { ErrorNames, NamedError } from '../shared/errors';
import type { SlackMessage } from './render-slack';

/** Reads the webhook URL out of the secret's value: the bare URL or `{"webhookUrl": "..."}`. */
export function webhookUrlFromSecret(secretValue: unknown, secretId: string): URL {
  const invalid = (what: string): never => {
    // Names the secret, never its value.
    throw new NamedError(ErrorNames.SlackSecretInvalid, `Secret "${secretId}" ${what}`);
  };
  if (typeof secretValue !== 'string' || secretValue.trim() === '') return invalid('is empty or not a string');
  let candidate = secretValue.trim();
  if (candidate.startsWith('{')) {
    try {
      const parsed = JSON.parse(candidate) as { webhookUrl?: unknown };
      if (typeof parsed.webhookUrl !== 'string') return invalid('is JSON without a "webhookUrl" string');
      candidate = parsed.webhookUrl;
    } catch {
      return invalid('starts with "{" but is not valid JSON');
    }
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return invalid('does not hold a URL (expected https://hooks.slack.com/services/...)');
  }
  // Plain HTTP only for loopback test servers; a real webhook is always HTTPS.
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(loopback && url.protocol === 'http:')) return invalid('holds a URL that is not https');
  return url;
}

export interface SlackPostOptions {
  /** Waits longer than this for Retry-After are left to the state machine's Retry. */
  readonly maxInlineRetryAfterSeconds?: number;
  readonly maxInlineRetries?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Posts to a Slack incoming webhook. 429: honours Retry-After a bounded number of times, then
 * throws SlackRateLimited (retried by the state machine). Other 4xx: SlackWebhookRejected,
 * never retried. 5xx or no answer: SlackUnavailable (retried).
 */
export async function postToSlack(webhook: URL, message: SlackMessage, options: SlackPostOptions = {}): Promise<void> {
  const { maxInlineRetryAfterSeconds = 10, maxInlineRetries = 2, timeoutMs = 10_000, sleep = defaultSleep } = options;
  const body = JSON.stringify(message);
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new NamedError(ErrorNames.SlackUnavailable, `Slack webhook unreachable: ${(error as Error).name}`, { cause: error });
    }
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    // Slack's error bodies are short codes such as "invalid_token" or "no_service".
    const detail = (await response.text().catch(() => '')).slice(0, 100);
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('retry-after') ?? '1');
      const wait = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : 1;
      if (attempt < maxInlineRetries && wait <= maxInlineRetryAfterSeconds) {
        await sleep(wait * 1000);
        continue;
      }
      throw new NamedError(ErrorNames.SlackRateLimited, `Slack answered 429 (Retry-After ${wait} s) ${attempt + 1} time(s)`);
    }
    if (response.status >= 500) {
      throw new NamedError(ErrorNames.SlackUnavailable, `Slack answered ${response.status} ${detail}`.trim());
    }
    throw new NamedError(
      ErrorNames.SlackWebhookRejected,
      `Slack rejected the webhook post with ${response.status} ${detail}: check the webhook URL in the secret`.replace('  ', ' '),
    );
  }
}
