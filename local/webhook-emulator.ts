import { startLoopbackServer, type LoopbackServer } from './loopback-server';

export interface WebhookAnswer {
  readonly status: number;
  readonly body?: string;
  readonly retryAfterSeconds?: number;
}

/** A platform's limit on one webhook: at most `messages` in any `perMs` (Slack: 1 a second). */
export interface WebhookRateLimit {
  readonly messages: number;
  readonly perMs: number;
}

/**
 * A loopback chat webhook (Slack, Microsoft Teams, Google Chat): records the JSON it accepts,
 * answers what a test scripts (else 200), and, given a rate limit, answers 429 with Retry-After
 * as the platforms do past it (on `Date.now()`, which the pipeline makes virtual).
 */
export class WebhookEmulator<Message = Record<string, unknown>> {
  /** Messages accepted (HTTP 2xx), parsed. */
  public readonly messages: Message[] = [];
  /** Every POST, accepted or not. */
  public readonly attempts: { status: number; at: number }[] = [];
  private readonly scripted: WebhookAnswer[] = [];
  private server?: LoopbackServer;
  private limit?: WebhookRateLimit;
  /** When each accepted message came, for the rate limit. */
  private readonly accepted: number[] = [];

  /** @param path what the URL looks like after the host (each platform's shape). */
  constructor(private readonly path = '/services/T000/B000/local') {}

  async start(): Promise<string> {
    this.server = await startLoopbackServer((request) => {
      if (request.method !== 'POST') return { status: 405, body: 'method_not_allowed' };
      const answer = this.scripted.shift() ?? this.limited() ?? { status: 200, body: 'ok' };
      this.attempts.push({ status: answer.status, at: Date.now() });
      if (answer.status >= 200 && answer.status < 300) {
        this.messages.push(JSON.parse(request.body) as Message);
        this.accepted.push(Date.now());
      }
      return {
        status: answer.status,
        headers: {
          'content-type': 'text/plain',
          ...(answer.retryAfterSeconds !== undefined ? { 'retry-after': String(answer.retryAfterSeconds) } : {}),
        },
        body: answer.body ?? (answer.status < 300 ? 'ok' : 'error'),
      };
    });
    return `${this.server.url}${this.path}`;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** Forgets what was posted and what was scripted, for tests sharing one emulator. */
  reset(): void {
    this.messages.splice(0);
    this.attempts.splice(0);
    this.scripted.splice(0);
    this.accepted.splice(0);
    this.limit = undefined;
  }

  /** From now on, more than `messages` in any `perMs` are answered 429 with Retry-After. */
  rateLimit(limit: WebhookRateLimit | undefined): void {
    this.limit = limit;
  }

  /** Answers refused by the rate limit (429 and the seconds until a message would pass). */
  get rateLimited(): number {
    return this.attempts.filter((attempt) => attempt.status === 429).length;
  }

  private limited(): WebhookAnswer | undefined {
    if (!this.limit) return undefined;
    const now = Date.now();
    const recent = this.accepted.filter((at) => at > now - this.limit!.perMs);
    if (recent.length < this.limit.messages) return undefined;
    const freeAt = recent[recent.length - this.limit.messages]! + this.limit.perMs;
    return { status: 429, body: 'rate_limited', retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
  }

  /** The next answers, in order; afterwards 200. */
  answerNext(...answers: WebhookAnswer[]): void {
    this.scripted.push(...answers);
  }
}
