import { startLoopbackServer, type LoopbackServer } from './loopback-server';

export interface SlackAnswer {
  readonly status: number;
  readonly body?: string;
  readonly retryAfterSeconds?: number;
}

/** A loopback Slack incoming webhook: records what it accepts, answers what a test scripts. */
export class SlackEmulator {
  /** Messages accepted (HTTP 200), parsed. */
  public readonly messages: { text: string; blocks: Record<string, unknown>[] }[] = [];
  /** Every POST, accepted or not. */
  public readonly attempts: { status: number; at: number }[] = [];
  private readonly scripted: SlackAnswer[] = [];
  private server?: LoopbackServer;

  async start(): Promise<string> {
    this.server = await startLoopbackServer((request) => {
      if (request.method !== 'POST') return { status: 405, body: 'method_not_allowed' };
      const answer = this.scripted.shift() ?? { status: 200, body: 'ok' };
      this.attempts.push({ status: answer.status, at: Date.now() });
      if (answer.status === 200) this.messages.push(JSON.parse(request.body) as (typeof this.messages)[number]);
      return {
        status: answer.status,
        headers: {
          'content-type': 'text/plain',
          ...(answer.retryAfterSeconds !== undefined ? { 'retry-after': String(answer.retryAfterSeconds) } : {}),
        },
        body: answer.body ?? (answer.status === 200 ? 'ok' : 'error'),
      };
    });
    return `${this.server.url}/services/T000/B000/local`;
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

  /** The next answers, in order; afterwards 200 ok. */
  answerNext(...answers: SlackAnswer[]): void {
    this.scripted.push(...answers);
  }
}
