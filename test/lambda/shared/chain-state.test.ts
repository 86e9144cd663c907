import fc from 'fast-check';
import type { BudgetState } from '../../../lambda/shared/budget';
import {
  CAPACITY_BUDGETS,
  MAX_PACKED_COUNT,
  MAX_TICK_MESSAGE_BYTES,
  MalformedTickMessage,
  TICK_MESSAGE_RESERVED_BYTES,
  WATCH_STATES_CAPACITY,
  formatTickMessage,
  packWatchStates,
  parseTickMessage,
  unpackWatchStates,
  type TickFields,
  type WatchCheckState,
} from '../../../lambda/shared/chain-state';

const NOW = 1_750_000_000_000;
const BUDGET: BudgetState = { perSecond: 4.733, tokens: 0.467, atMs: NOW };
const fields = (budgets: Record<string, BudgetState> = { '123456789012': BUDGET }): TickFields => ({
  chain: '0b6c3a8e-4a7f-4c1e-9d2b-7f3e5a1c9d20',
  seq: 1234,
  sentAtMs: NOW,
  lastClockWriteAtMs: NOW - 15_000,
  tally: { calls: 812, throttled: 9 },
  budgets,
});

/** A fixed-seed generator, so that the measured sizes are the same every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (random: () => number, alphabet: string, length: number) =>
  Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');

/**
 * A crowd as the checker holds it at 5 calls per second: watch keys as written
 * (`<account>/<kind>/<target>/<invalidation>`), each checked within the crowd's cycle
 * (N / 5 s), up to an hour of checks every 4 s, now and then throttled.
 */
function realisticCrowd(n: number, seed = 1): Map<string, WatchCheckState> {
  const random = seeded(seed);
  const cycleMs = (n / 5) * 1000;
  const states = new Map<string, WatchCheckState>();
  while (states.size < n) {
    const tenant = random() < 0.5;
    const target = tenant ? `dt_${pick(random, ALPHANUMERIC, 24)}` : `E${pick(random, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 13)}`;
    const key = `123456789012/${tenant ? 'tenant' : 'distribution'}/${target}/I${pick(random, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 13)}`;
    const checks = 1 + Math.floor(random() * 900);
    states.set(key, {
      lastCheckedAtMs: NOW - Math.floor(random() * cycleMs),
      checks,
      throttledChecks: random() < 0.2 ? Math.floor(random() * 5) : 0,
    });
  }
  return states;
}

const expectRoundTrip = (states: ReadonlyMap<string, WatchCheckState>, packed: string) => {
  const unpacked = unpackWatchStates(packed);
  expect(unpacked.size).toBe(states.size);
  for (const [key, state] of states) expect({ key, state: unpacked.get(key) }).toEqual({ key, state });
};

describe('packWatchStates and unpackWatchStates', () => {
  const arbitraryState = fc.record({
    lastCheckedAtMs: fc.integer({ min: NOW - 8 * 24 * 3_600_000, max: NOW }),
    checks: fc.integer({ min: 0, max: MAX_PACKED_COUNT }),
    throttledChecks: fc.integer({ min: 0, max: MAX_PACKED_COUNT }),
  });

  it('round-trips any states, keys of any text included', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary', minLength: 1 }), arbitraryState, { maxKeys: 200 }), (record) => {
        const states = new Map(Object.entries(record));

        const { packed, dropped } = packWatchStates(states);

        expect(dropped).toEqual([]);
        expectRoundTrip(states, packed);
      }),
    );
  });

  it('knows nothing of a watch it was not given', () => {
    const { packed } = packWatchStates(
      new Map([['123456789012/distribution/E1/I1', { lastCheckedAtMs: NOW, checks: 1, throttledChecks: 0 }]]),
    );

    expect(unpackWatchStates(packed).get('123456789012/distribution/E1/I2')).toBeUndefined();
    expect(unpackWatchStates(packWatchStates(new Map()).packed).size).toBe(0);
  });

  it('keeps two watches apart whose keys share a hash, by packing them with their keys', () => {
    // Found by a cycle search on the 48-bit hash: these two keys have the same one.
    const [a, b] = ['093fd17ac563', '4312b7a9a9ef'];
    const states = new Map([
      [a, { lastCheckedAtMs: NOW - 1000, checks: 3, throttledChecks: 1 }],
      [b, { lastCheckedAtMs: NOW - 9000, checks: 7, throttledChecks: 0 }],
      ['123456789012/distribution/E1/I1', { lastCheckedAtMs: NOW, checks: 1, throttledChecks: 0 }],
    ]);

    const { packed } = packWatchStates(states);

    expectRoundTrip(states, packed);
    expect(Buffer.from(packed, 'base64').includes(Buffer.from(a))).toBe(true);
  });

  it('packs times to the millisecond and saturates counters past the largest packed count', () => {
    const states = new Map([['w', { lastCheckedAtMs: NOW + 0.4, checks: MAX_PACKED_COUNT + 10, throttledChecks: 2 }]]);

    expect(unpackWatchStates(packWatchStates(states).packed).get('w')).toEqual({
      lastCheckedAtMs: NOW,
      checks: MAX_PACKED_COUNT,
      throttledChecks: 2,
    });
  });

  it('drops the oldest checks past the room it is given, and says which', () => {
    const states = realisticCrowd(1000);
    const oldestFirst = [...states].sort(([, x], [, y]) => x.lastCheckedAtMs - y.lastCheckedAtMs).map(([key]) => key);

    const { packed, dropped } = packWatchStates(states, 8_000);

    expect(packed.length).toBeLessThanOrEqual(8_000);
    expect(dropped.length).toBeGreaterThan(0);
    expect(new Set(dropped)).toEqual(new Set(oldestFirst.slice(0, dropped.length)));
    const unpacked = unpackWatchStates(packed);
    expect(unpacked.size).toBe(1000 - dropped.length);
    for (const key of dropped) expect(unpacked.get(key)).toBeUndefined();
    for (const key of oldestFirst.slice(dropped.length)) expect(unpacked.get(key)).toEqual(states.get(key));
  });
});

describe('the tick message', () => {
  it('round-trips through an SQS body', () => {
    const states = realisticCrowd(50);

    const { body, dropped } = formatTickMessage(fields(), states);
    const tick = parseTickMessage(body);

    expect(dropped).toEqual([]);
    expect({ ...tick, watches: undefined }).toEqual({ ...fields(), watches: undefined });
    for (const [key, state] of states) expect(tick.watches.get(key)).toEqual(state);
  });

  it('carries 10,000 watches of a realistic crowd well inside the SQS limit', () => {
    const { body, dropped } = formatTickMessage(fields(), realisticCrowd(10_000));

    expect(dropped).toEqual([]);
    // Measured: 158,279 bytes, 60% of the limit (about 15.8 bytes per watch).
    expect(Buffer.byteLength(body)).toBeLessThan(0.65 * MAX_TICK_MESSAGE_BYTES);
  });

  it(`carries ${WATCH_STATES_CAPACITY} watches whatever their ages and counters, beside ${CAPACITY_BUDGETS} budgets`, () => {
    // The largest entries: every last check a year before the newest, every counter saturated.
    const states = new Map<string, WatchCheckState>([['newest', { lastCheckedAtMs: 2 ** 36, checks: 0, throttledChecks: 0 }]]);
    for (let i = 1; i < WATCH_STATES_CAPACITY; i++) {
      states.set(`123456789012/tenant/dt_2wjDZi3hD1ivOXf6rpZJO1AB/I${i}`, {
        lastCheckedAtMs: 2 ** 36 - (2 ** 35 - 1) + i,
        checks: MAX_PACKED_COUNT,
        throttledChecks: MAX_PACKED_COUNT,
      });
    }
    const budgets = Object.fromEntries(Array.from({ length: CAPACITY_BUDGETS }, (_, i) => [String(100_000_000_000 + i), BUDGET]));

    const { body, dropped } = formatTickMessage(fields(budgets), states);

    expect(dropped).toEqual([]);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_TICK_MESSAGE_BYTES - TICK_MESSAGE_RESERVED_BYTES);
  });

  it('carries 1.4 times the capacity of a realistic crowd, and drops the oldest beyond the room', () => {
    expect(formatTickMessage(fields(), realisticCrowd(Math.round(1.4 * WATCH_STATES_CAPACITY))).dropped).toEqual([]);

    const { body, dropped } = formatTickMessage(fields(), realisticCrowd(30_000));

    expect(dropped.length).toBeGreaterThan(0);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_TICK_MESSAGE_BYTES - TICK_MESSAGE_RESERVED_BYTES);
    expect(parseTickMessage(body).watches.size).toBe(30_000 - dropped.length);
  });

  it('refuses budgets that leave no room for the watches, saying what to change', () => {
    const budgets = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [String(100_000_000_000 + i), BUDGET]));

    expect(() => formatTickMessage(fields(budgets), new Map())).toThrow(
      /3000 accounts; keep budgets only for accounts with watches in flight/,
    );
  });
});

describe('a malformed tick message', () => {
  const good = JSON.parse(formatTickMessage(fields(), realisticCrowd(3)).body);
  const packed = Buffer.from(good.watches, 'base64');
  const withWatches = (bytes: Buffer | number[]) => JSON.stringify({ ...good, watches: Buffer.from(bytes).toString('base64') });
  const refusal = (body: string) => {
    try {
      parseTickMessage(body);
    } catch (error) {
      expect(error).toBeInstanceOf(MalformedTickMessage);
      return (error as Error).message;
    }
    throw new Error('parsed');
  };

  it('is refused with every wrong field named', () => {
    expect(
      refusal(JSON.stringify({ ...good, chain: 'chain-1', seq: -1, budgets: { '123456789012': { perSecond: 0, tokens: 1, atMs: 0 } } })),
    ).toBe(
      'Tick message: "chain": must be a UUID; "seq": Invalid value: Expected >=0 but received -1; ' +
        '"budgets.123456789012.perSecond": must be more than 0',
    );
    expect(refusal('{"chain"')).toMatch(/^Tick message: not JSON/);
    expect(refusal(JSON.stringify({ ...good, watches: undefined }))).toMatch(/^Tick message: "watches": Invalid key/);
  });

  it('names what is wrong with the packed watch states', () => {
    expect(refusal(JSON.stringify({ ...good, watches: 'not base64!' }))).toBe(
      'Tick message: "watches": not base64 (the packed check states of the watches)',
    );
    expect(refusal(withWatches([9, ...packed.subarray(1)]))).toBe(
      'Tick message: "watches": format version 9 is not one this checker reads (1)',
    );
    expect(refusal(withWatches(packed.subarray(0, packed.length - 2)))).toMatch(
      /^Tick message: "watches": ends before entry 3 of 3: throttledChecks \(cut after \d+ bytes\)$/,
    );
    expect(refusal(withWatches([...packed, 0]))).toBe('Tick message: "watches": 1 bytes left over after the last entry');
    expect(refusal(withWatches([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0]))).toMatch(/the newest last check is not a number/);
    // An offset past the base: a check before 1970.
    expect(refusal(withWatches([1, 5, 1, 0, 0, 0, 0, 0, 1, 6, 0, 0, 0]))).toMatch(/entry 1 of 1: lastCheckedAtMs is before 1970/);
    expect(refusal(withWatches([1, 5, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]))).toMatch(
      /entry 2 of 2: the key's hash 1 appears twice/,
    );
  });

  it('is refused the same way when unpacked alone', () => {
    expect(() => unpackWatchStates('AQ==')).toThrow(
      new MalformedTickMessage('watches: ends before the newest last check (cut after 1 bytes)'),
    );
  });
});
