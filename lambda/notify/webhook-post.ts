import { setTimeout as wait } from 'node:timers/promises';
import { ErrorNames, NamedError } from '../shared/errors';
import { DEFAULT_REMAINING_MS, timeBudget, type TimeBudget } from './time-budget';
import type { WebhookSecretFormat } from './webhook-secret';

/** Whose fault a refusal is, as far as a platform's documented error codes tell. */
export type WebhookRefusal = 'payload' | 'destination';

/**
 * One chat platform's webhook (Slack, Microsoft Teams, Google Chat): how its URL is kept in
 * its secret, and how to read its error answers. The rest (429 and Retry-After, 5xx, timeouts,
 * the time budget) is HTTP and the same for every platform.
 */
export interface WebhookPlatform extends WebhookSecretFormat {
  /** The platform's short error code in an error answer's body (`invalid_blocks`), if it has one. */
  errorCode(body: string): string | undefined;
  /**
   * Whose fault a documented code is, deciding over the HTTP status of a 4xx answer (Slack
   * answers `no_service_id` with 400, yet the webhook is wrong). undefined: judge by the status.
   */
  faultOfCode(code: string): WebhookRefusal | undefined;
}

export interface WebhookPostOptions {
  /** Time this invocation may still spend: waits are taken only when they fit, requests end with it. @default 30 s */
  readonly budget?: TimeBudget;
  /** Where the URL is configured, for "check ..." advice: `the webhook URL in secret "x"`. */
  readonly configuredIn?: string;
  /** Retry-After waits longer than this are left to the state machine's Retry (free, while Lambda bills waiting). @default 10 s */
  readonly maxInlineWaitMs?: number;
  /** Inline retries after 429. @default 2 */
  readonly maxInlineRetries?: number;
  /** Longest wait for one answer, however much time the invocation has left. @default 10 s */
  readonly requestTimeoutMs?: number;
  /** No request is started with less time than this left: it could not get an answer. @default 1 s */
  readonly minRequestMs?: number;
  /** Waits `ms`, or less if `signal` aborts first. @default node's timers/promises setTimeout */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<unknown>;
  readonly fetch?: (url: URL, init: RequestInit) => Promise<Response>;
  /** The signal that ends a request after `ms`. @default AbortSignal.timeout */
  readonly abortAfter?: (ms: number) => AbortSignal;
  /** The clock Retry-After dates are read against. @default Date.now */
  readonly now?: () => number;
}

const defaultSleep = (ms: number, signal: AbortSignal) => wait(ms, undefined, { signal });
const DEFAULT_RETRY_AFTER_MS = 1_000;

/** Retry-After: delay-seconds or an HTTP date (RFC 9110); anything else means "soon". */
export function retryAfterMs(header: string | null, now: number): number {
  if (header === null || header.trim() === '') return DEFAULT_RETRY_AFTER_MS;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date starts with the day's name ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse
  // alone would also read "-5" as a year.
  const date = /^[A-Za-z]{3}, /.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return DEFAULT_RETRY_AFTER_MS;
}

/**
 * WebhookRateLimited with the wait the platform asked for last, so whoever paces the
 * destination can keep off it that long.
 */
export class RateLimitedError extends NamedError {
  constructor(
    message: string,
    public readonly retryAfterMs: number,
  ) {
    super(ErrorNames.WebhookRateLimited, message);
  }
}

/**
 * Whose fault a refused answer is by its HTTP status alone: 400 Bad Request, 413 Content Too
 * Large, 415, 422 are the body we sent. Everything else (401, 403, 404, 405, 410, a redirect)
 * says the URL does not lead to a working endpoint.
 */
export function refusalOfStatus(status: number): WebhookRefusal {
  return status === 400 || status === 413 || status === 415 || status === 422 ? 'payload' : 'destination';
}

/** What a refused answer means, from its status and the platform's code. */
function refusalOf(status: number, code: string | undefined, platform: WebhookPlatform): WebhookRefusal {
  const byCode = code === undefined ? undefined : platform.faultOfCode(code);
  return byCode ?? refusalOfStatus(status);
}

/** One JSON request of {@link sendJson}: what to call the endpoint in messages, and what to send. */
export interface JsonRequest {
  /** The endpoint as messages name it: `Slack`, `Slack chat.update`. Never the URL (it may be the secret). */
  readonly label: string;
  readonly headers: Record<string, string>;
  /** The JSON text. */
  readonly body: string;
}

/**
 * POSTs a JSON body within the invocation's time budget, and returns the first answer that is
 * not 429 (whatever its status: the caller reads it).
 *
 * - 429: honours Retry-After inline while the wait is short and fits the budget, at most
 *   `maxInlineRetries` times; otherwise {@link RateLimitedError}, retried later by the state machine.
 * - No answer, or no time left for a request: WebhookUnavailable (transient).
 *
 * Messages never show the URL nor the headers: either may hold the secret.
 */
export async function sendJson(url: URL, request: JsonRequest, options: WebhookPostOptions = {}): Promise<Response> {
  const {
    budget = timeBudget(DEFAULT_REMAINING_MS),
    maxInlineWaitMs = 10_000,
    maxInlineRetries = 2,
    requestTimeoutMs = 10_000,
    minRequestMs = 1_000,
    sleep = defaultSleep,
    fetch: send = (target: URL, init: RequestInit) => fetch(target, init),
    abortAfter = (ms: number) => AbortSignal.timeout(ms),
    now = Date.now,
  } = options;
  const { label } = request;
  for (let attempt = 0; ; attempt++) {
    const remaining = budget.remainingMs();
    if (remaining < minRequestMs) {
      throw new NamedError(
        ErrorNames.WebhookUnavailable,
        `No time left in this invocation to post to ${label} (${remaining} ms); the state machine retries`,
      );
    }
    let response: Response;
    try {
      response = await send(url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        // A redirect is not followed: the message would go to a place nobody configured.
        redirect: 'manual',
        // Whichever ends first: this answer's own limit, or the invocation's time.
        signal: AbortSignal.any([budget.signal, abortAfter(requestTimeoutMs)]),
      });
    } catch (error) {
      const { name, cause } = error as Error & { cause?: { code?: unknown } };
      const code = typeof cause?.code === 'string' ? ` ${cause.code}` : '';
      throw new NamedError(ErrorNames.WebhookUnavailable, `${label} did not answer (${name}${code})`, { cause: error });
    }
    if (response.status !== 429) return response;
    await response.body?.cancel();
    const waitMs = retryAfterMs(response.headers.get('retry-after'), now());
    const fits = waitMs <= maxInlineWaitMs && waitMs + minRequestMs <= budget.remainingMs();
    if (attempt < maxInlineRetries && fits) {
      // Cut short only if the invocation's time ends anyway (then middy answers FunctionTimedOut).
      await sleep(waitMs, budget.signal);
      continue;
    }
    throw new RateLimitedError(
      `${label} answered 429 (Retry-After ${Math.ceil(waitMs / 1000)} s) ${attempt + 1} time(s); the state machine retries later`,
      waitMs,
    );
  }
}

/**
 * Posts a JSON body to a chat webhook, within the invocation's time budget.
 *
 * - 2xx: done.
 * - 429: honours Retry-After inline while the wait is short and fits the budget, at most
 *   `maxInlineRetries` times; otherwise WebhookRateLimited, retried later by the state machine.
 * - 5xx, 408, no answer, no time left for a request: WebhookUnavailable (transient).
 * - Other answers, by the platform's code or else the status: WebhookPayloadRejected (our
 *   message, a bug to report) or WebhookRejected (the webhook is revoked or wrong).
 *
 * Messages never show the URL: it is the secret.
 */
export async function postWebhook(url: URL, body: unknown, platform: WebhookPlatform, options: WebhookPostOptions = {}): Promise<void> {
  const { label } = platform;
  const response = await sendJson(
    url,
    { label: `${label} webhook`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    options,
  );
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const code = platform.errorCode(await response.text().catch(() => ''));
  // Only a code the platform recognises is repeated: any other body (a proxy's error page)
  // could echo the request's URL, which is the secret.
  const answer = `${response.status}${code ? ` ${code}` : ''}`;
  if (response.status >= 500 || response.status === 408) {
    throw new NamedError(ErrorNames.WebhookUnavailable, `${label} answered ${answer}: a fault on ${label}'s side, retried`);
  }
  if (refusalOf(response.status, code, platform) === 'payload') {
    throw new NamedError(
      ErrorNames.WebhookPayloadRejected,
      `${label} refused the message as malformed (${answer}): the notifier built a message ${label} does not accept; this is a bug, please report it with this error`,
    );
  }
  throw new NamedError(
    ErrorNames.WebhookRejected,
    `${label} refused the webhook (${answer}): the webhook was revoked or is wrong; check ${options.configuredIn ?? 'the webhook URL'}`,
  );
}
