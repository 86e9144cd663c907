import { startLoopbackServer, type LoopbackServer } from './loopback-server';

export interface WebhookAnswer {
  readonly status: number;
  readonly body?: string;
  readonly retryAfterSeconds?: number;
}

/**
 * A loopback chat webhook (Slack, Microsoft Teams, Google Chat): records the JSON it accepts,
 * answers what a test scripts (else 200).
 */
export class WebhookEmulator<Message = Record<string, unknown>> {
  /** Messages accepted (HTTP 2xx), parsed. */
  public readonly messages: Message[] = [];
  /** Every POST, accepted or not. */
  public readonly attempts: { status: number; at: number }[] = [];
  private readonly scripted: WebhookAnswer[] = [];
  private server?: LoopbackServer;

  /** @param path what the URL looks like after the host (each platform's shape). */
  constructor(private readonly path = '/services/T000/B000/local') {}

  async start(): Promise<string> {
    this.server = await startLoopbackServer((request) => {
      if (request.method !== 'POST') return { status: 405, body: 'method_not_allowed' };
      const answer = this.scripted.shift() ?? { status: 200, body: 'ok' };
      this.attempts.push({ status: answer.status, at: Date.now() });
      if (answer.status >= 200 && answer.status < 300) this.messages.push(JSON.parse(request.body) as Message);
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
  }

  /** The next answers, in order; afterwards 200. */
  answerNext(...answers: WebhookAnswer[]): void {
    this.scripted.push(...answers);
  }
}
