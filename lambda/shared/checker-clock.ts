/**
 * The checker's clock: one chain of tick messages on an SQS queue, each delayed until the next
 * check falls due, each sent by the tick before it. SQS's per-message delay is the cheapest
 * timer AWS has for a tick every few seconds (three requests, about $0.0000012), and a chain
 * that stops when the last watch ends costs nothing while nothing is watched.
 *
 * Exactly one chain is live: the clock item (lambda/shared/watch-store.ts) names it. Register
 * watch starts a chain when the clock is idle or its chain has not recorded itself for
 * {@link CLOCK_TIMING.staleAfterMs} (a chain that died: the watchdog does the same once a
 * minute); a tick of any other chain ends without doing anything.
 */
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { formatTickMessage } from './chain-state';
import type { WatchStore } from './watch-store';

export const CLOCK_TIMING = {
  /** A live chain records itself at least this often (one conditional write). */
  recordEveryMs: 20_000,
  /** A chain silent for this long is taken for dead, and the next registration or the watchdog starts another. */
  staleAfterMs: 60_000,
  /**
   * No tick is sent further ahead than this, whatever the schedule's interval: a tick that records
   * (every `recordEveryMs`) must come before the chain looks dead (`staleAfterMs`).
   */
  maxTickDelaySeconds: 30,
} as const;

/** Sends tick messages to the checker's queue. */
export class TickQueue {
  constructor(
    private readonly queueUrl: string,
    // The queue's own URL names a host; the endpoint configured (AWS_ENDPOINT_URL_SQS offline) wins.
    private readonly sqs: SQSClient = new SQSClient({ useQueueUrlAsEndpoint: false }),
  ) {}

  /** Sends a tick message (lambda/shared/chain-state.ts formats it) to arrive after `delaySeconds`. */
  async sendBody(body: string, delaySeconds: number): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        // SQS takes whole seconds, 0 to 900.
        DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))),
      }),
    );
  }
}

/**
 * Starts a chain if none is live: true when this call started it. Safe to call from many
 * registrations at once: the clock item's conditional write lets one of them win.
 */
export async function wakeChecker(store: WatchStore, queue: TickQueue, nowMs: number): Promise<boolean> {
  const chain = randomUUID();
  if (!(await store.claimClock(chain, nowMs, nowMs - CLOCK_TIMING.staleAfterMs))) return false;
  // The first tick carries no state: every watch looks never checked, every budget starts cold.
  const { body } = formatTickMessage(
    { chain, seq: 0, sentAtMs: nowMs, lastClockWriteAtMs: nowMs, tally: { calls: 0, throttled: 0 }, budgets: {} },
    new Map(),
  );
  await queue.sendBody(body, 0);
  return true;
}
