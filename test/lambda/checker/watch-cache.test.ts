/**
 * The checker's memory of the watches between two ticks of its chain: only what is new is read,
 * and everything again whenever the cache cannot vouch for itself.
 */
import { FULL_READ_EVERY_MS, REGISTRATION_OVERLAP_MS, WatchCache } from '../../../lambda/checker/watch-cache';
import type { WatchItem } from '../../../lambda/shared/watch-store';

const T0 = 1_750_000_000_000;
const watch = (id: string, registeredAtMs: number): WatchItem => ({
  key: `123456789012/distribution/EDFDVBD6EXAMPLE/${id}`,
  account: '123456789012',
  kind: 'distribution',
  targetId: 'EDFDVBD6EXAMPLE',
  invalidationId: id,
  startedAtMs: registeredAtMs,
  deadlineAtMs: registeredAtMs + 3_600_000,
  registeredAtMs,
});

/** A table of watches, counting how it is read. */
function fakeStore(initial: WatchItem[]) {
  const items = new Map(initial.map((item) => [item.key, item]));
  const reads = { full: 0, since: [] as number[] };
  return {
    items,
    reads,
    watches: async () => {
      reads.full += 1;
      return { watches: [...items.values()], unreadable: [] };
    },
    watchesRegisteredSince: async (sinceMs: number) => {
      reads.since.push(sinceMs);
      return { watches: [...items.values()].filter((item) => item.registeredAtMs >= sinceMs), unreadable: [] };
    },
  };
}

const keys = (watches: readonly WatchItem[]) => watches.map((w) => w.invalidationId).sort();

it('reads everything at the first tick, then only what was registered since (with an overlap), keeping what it knew', async () => {
  // Arrange
  const store = fakeStore([watch('IA', T0), watch('IB', T0 + 1_000)]);
  const cache = new WatchCache();

  // Act
  const first = await cache.read(store, 'chain-1', 0, T0 + 2_000);
  store.items.set(watch('IC', T0 + 3_000).key, watch('IC', T0 + 3_000));
  const second = await cache.read(store, 'chain-1', 1, T0 + 4_000);

  // Assert
  expect(first).toMatchObject({ full: true });
  expect(keys(first.watches)).toEqual(['IA', 'IB']);
  expect(second).toMatchObject({ full: false });
  expect(keys(second.watches)).toEqual(['IA', 'IB', 'IC']);
  expect(store.reads).toEqual({ full: 1, since: [T0 + 1_000 - REGISTRATION_OVERLAP_MS] });
});

it('forgets a watch the tick ended', async () => {
  // Arrange
  const store = fakeStore([watch('IA', T0), watch('IB', T0)]);
  const cache = new WatchCache();
  await cache.read(store, 'chain-1', 0, T0);

  // Act
  cache.forget(watch('IA', T0).key);
  store.items.delete(watch('IA', T0).key);
  const next = await cache.read(store, 'chain-1', 1, T0 + 1_000);

  // Assert
  expect(keys(next.watches)).toEqual(['IB']);
});

it.each([
  ['another chain', 'chain-2', 1, T0 + 1_000],
  ['a tick that is not the next one (another container served one between)', 'chain-1', 2, T0 + 1_000],
  ['the same tick delivered again', 'chain-1', 0, T0 + 1_000],
  [`more than ${FULL_READ_EVERY_MS / 1000} s since the last full read`, 'chain-1', 1, T0 + FULL_READ_EVERY_MS],
])('reads everything again for %s', async (_, chain, seq, nowMs) => {
  // Arrange: a watch removed behind the cache's back (the watcher's final check) is seen gone.
  const store = fakeStore([watch('IA', T0), watch('IB', T0)]);
  const cache = new WatchCache();
  await cache.read(store, 'chain-1', 0, T0);
  store.items.delete(watch('IA', T0).key);

  // Act
  const read = await cache.read(store, chain, seq, nowMs);

  // Assert
  expect(read.full).toBe(true);
  expect(keys(read.watches)).toEqual(['IB']);
  expect(store.reads.full).toBe(2);
});

it('a registration again (a retried task) replaces the watch it had', async () => {
  // Arrange
  const store = fakeStore([watch('IA', T0)]);
  const cache = new WatchCache();
  await cache.read(store, 'chain-1', 0, T0);
  const again = { ...watch('IA', T0 + 5_000), startedAtMs: T0 };
  store.items.set(again.key, again);

  // Act
  const next = await cache.read(store, 'chain-1', 1, T0 + 6_000);

  // Assert
  expect(next.watches).toEqual([again]);
});
