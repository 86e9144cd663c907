/**
 * What the checker's container remembers of the watches in flight between two ticks of its chain,
 * so that a tick reads only the watches registered since (the table's `byRegistration` index)
 * instead of every one: at 10,000 watches a full read is about 2.5 MB, 300 read units and most of
 * a tick's time, every second.
 *
 * It is only a cache: the table stays the truth. Everything is read again when the tick is not
 * the next one of the chain this container served (another container served the one before, a
 * new chain, a tick delivered again) and at least every {@link FULL_READ_EVERY_MS}: a watch
 * removed elsewhere (the watcher's final check) or a registration the index showed late is then
 * seen, at worst that much later. A watch the cache still holds but the table no longer does is
 * harmless: ending it meets no token, and the removal of nothing.
 */
import type { WatchItem, WatchStore } from '../shared/watch-store';

/** The longest the cache goes without reading every watch. */
export const FULL_READ_EVERY_MS = 60_000;
/**
 * Registrations are read again from this long before the newest one seen: the index is
 * eventually consistent, and Register watch's clock is not the checker's.
 */
export const REGISTRATION_OVERLAP_MS = 10_000;

export interface WatchRead {
  readonly watches: WatchItem[];
  readonly unreadable: string[];
  /** Whether this read was a full one. */
  readonly full: boolean;
}

export class WatchCache {
  private chain?: string;
  private seq = -1;
  private readonly items = new Map<string, WatchItem>();
  private fullReadAtMs = Number.NEGATIVE_INFINITY;
  private newestRegisteredAtMs = 0;

  /** The watches in flight for tick `seq` of `chain`, at `nowMs`. */
  async read(store: Pick<WatchStore, 'watches' | 'watchesRegisteredSince'>, chain: string, seq: number, nowMs: number): Promise<WatchRead> {
    const continuing = this.chain === chain && this.seq === seq - 1 && nowMs - this.fullReadAtMs < FULL_READ_EVERY_MS;
    this.chain = chain;
    this.seq = seq;
    if (!continuing) {
      const { watches, unreadable } = await store.watches();
      this.items.clear();
      this.newestRegisteredAtMs = 0;
      this.remember(watches);
      this.fullReadAtMs = nowMs;
      return { watches, unreadable, full: true };
    }
    const { watches, unreadable } = await store.watchesRegisteredSince(this.newestRegisteredAtMs - REGISTRATION_OVERLAP_MS);
    this.remember(watches);
    return { watches: [...this.items.values()], unreadable, full: false };
  }

  /** The watch has ended: no longer in flight. */
  forget(key: string): void {
    this.items.delete(key);
  }

  private remember(watches: readonly WatchItem[]): void {
    for (const watch of watches) {
      // A registration again (a retried task: a new token) replaces the watch as it was.
      this.items.set(watch.key, watch);
      this.newestRegisteredAtMs = Math.max(this.newestRegisteredAtMs, watch.registeredAtMs);
    }
  }
}
