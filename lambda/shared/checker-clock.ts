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
import type { WatchStore } from './watch-store';

export const CLOCK_TIMING = {
  /** A live chain records itself at least this often (one conditional write). */
  recordEveryMs: 20_000,
  /** A chain silent for this long is taken for dead, and the next registration or the watchdog starts another. */
  staleAfterMs: 60_000,
} as const;

/** The first tick of a chain: no state yet (every watch is due, every budget at its start). */
export interface FirstTick {
  readonly chain: string;
  readonly seq: 0;
  readonly sentAtMs: number;
}

/** Sends tick messages to the checker's queue. */
export class TickQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly sqs: SQSClient = new SQSClient({}),
  ) {}

  async send(message: object, delaySeconds: number): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
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
  const tick: FirstTick = { chain, seq: 0, sentAtMs: nowMs };
  await queue.send(tick, 0);
  return true;
}
