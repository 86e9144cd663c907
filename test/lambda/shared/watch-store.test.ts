/**
 * The store of watches in flight against a real DynamoDB table (dynalite): the clock item's
 * conditional writes, which decide which chain of ticks is the live one.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { watchKey, type WatchItem } from '../../../lambda/shared/watch-store';
import { failureOf } from '../../support/failure-of';
import { WATCH_TABLE, startWatchTable, type WatchTable } from '../../support/watch-table';

const T0 = Date.parse('2026-05-01T12:00:00.000Z');
let table: WatchTable;
beforeAll(async () => {
  table = await startWatchTable();
});
afterAll(() => table.stop());
beforeEach(() => table.empty());

const watchOf = (invalidationId: string): WatchItem => {
  const request = { account: '111111111111', target: { kind: 'distribution' as const, id: 'E1' }, invalidationId };
  return {
    key: watchKey(request),
    account: request.account,
    kind: 'distribution',
    targetId: 'E1',
    invalidationId,
    startedAtMs: T0,
    deadlineAtMs: T0 + 3_600_000,
    registeredAtMs: T0,
  };
};
const putRaw = (item: Record<string, unknown>) => table.documents.send(new PutCommand({ TableName: WATCH_TABLE, Item: item }));

describe('watch items', () => {
  it('register writes the watch and its token with a TTL a day past the deadline; remove deletes both', async () => {
    const watch = watchOf('ISTORE0000001');
    await table.store.register(watch, 'token-1');

    const items = await table.items();
    expect(items).toHaveLength(2);
    for (const item of items) expect(item.expiresAt).toBe((watch.deadlineAtMs + 24 * 3_600_000) / 1000);
    expect((await table.store.watches()).watches).toEqual([watch]);
    expect(await table.store.anyWatch()).toBe(true);

    await table.store.remove(watch.key);
    expect(await table.items()).toEqual([]);
    expect(await table.store.anyWatch()).toBe(false);
  });

  it('anyWatch looks past unreadable items, and finds a readable one behind them', async () => {
    await putRaw({ pk: 'watch', sk: '0-broken-1', account: '1' });
    await putRaw({ pk: 'watch', sk: '0-broken-2', startedAtMs: 'yesterday' });
    expect(await table.store.anyWatch()).toBe(false);

    await table.store.register(watchOf('ISTORE0000002'), 'token-2');
    expect(await table.store.anyWatch()).toBe(true);
    expect((await table.store.watches()).unreadable).toEqual(['0-broken-1', '0-broken-2']);
  });

  it('watchesRegisteredSince reads the index: the watches registered at or after a time, a registration again included', async () => {
    // Arrange
    const early = watchOf('ISTORE0000003');
    const late = { ...watchOf('ISTORE0000004'), registeredAtMs: T0 + 5_000 };
    await table.store.register(early, 'token-3');
    await table.store.register(late, 'token-4');

    // Act
    const since = await table.store.watchesRegisteredSince(T0 + 1_000);
    await table.store.register({ ...early, registeredAtMs: T0 + 9_000 }, 'token-3b');
    const afterAgain = await table.store.watchesRegisteredSince(T0 + 1_000);

    // Assert
    expect(since.watches).toEqual([late]);
    expect(afterAgain.watches.map((watch) => watch.invalidationId).sort()).toEqual(['ISTORE0000003', 'ISTORE0000004']);
  });
});

describe('the clock item', () => {
  it('claimClock takes a missing, idle or stale clock, never a live one', async () => {
    expect(await table.store.claimClock('chain-a', T0, T0 - 60_000)).toBe(true);
    expect(await table.store.claimClock('chain-b', T0 + 1000, T0 + 1000 - 60_000)).toBe(false);
    expect(await table.store.clock()).toEqual({ state: 'running', chain: 'chain-a', seq: 0, lastTickAtMs: T0 });

    // Stale: chain-a has not recorded itself for more than a minute.
    expect(await table.store.claimClock('chain-b', T0 + 61_000, T0 + 1000)).toBe(true);
    expect(await table.store.idleClock('chain-b', T0 + 62_000)).toBe(true);
    expect(await table.store.claimClock('chain-c', T0 + 63_000, T0 + 3000)).toBe(true);
    expect(await table.store.clock()).toMatchObject({ state: 'running', chain: 'chain-c', seq: 0 });
  });

  it('recordTick moves only the live chain forward, and refuses a twin at the same number', async () => {
    await table.store.claimClock('chain-a', T0, T0 - 60_000);

    expect(await table.store.recordTick('chain-a', 3, T0 + 20_000)).toBe(true);
    expect(await table.store.recordTick('chain-a', 3, T0 + 20_001)).toBe(false);
    expect(await table.store.recordTick('chain-a', 2, T0 + 20_002)).toBe(false);
    expect(await table.store.recordTick('chain-b', 9, T0 + 20_003)).toBe(false);
    expect(await table.store.clock()).toEqual({ state: 'running', chain: 'chain-a', seq: 3, lastTickAtMs: T0 + 20_000 });
  });

  it('idleClock and resumeClock act only for the chain named, in the state expected', async () => {
    await table.store.claimClock('chain-a', T0, T0 - 60_000);

    expect(await table.store.idleClock('chain-b', T0 + 1)).toBe(false);
    expect(await table.store.resumeClock('chain-a', T0 + 2)).toBe(false);
    expect(await table.store.idleClock('chain-a', T0 + 3)).toBe(true);
    expect(await table.store.recordTick('chain-a', 1, T0 + 4)).toBe(false);
    expect(await table.store.resumeClock('chain-b', T0 + 5)).toBe(false);
    expect(await table.store.resumeClock('chain-a', T0 + 6)).toBe(true);
    expect(await table.store.clock()).toEqual({ state: 'running', chain: 'chain-a', seq: 0, lastTickAtMs: T0 + 6 });
  });

  it('a malformed clock item is an error naming the field, not a missing clock', async () => {
    await putRaw({ pk: 'checker', sk: 'clock', state: 'asleep', chain: 'chain-a', seq: 0, lastTickAtMs: T0 });

    const error = await failureOf(() => table.store.clock());

    expect(error.message).toMatch(/^The checker's clock item is malformed: state: /);
  });
});
