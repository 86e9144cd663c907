/**
 * The tick message the checker's chain sends itself through SQS (with a delivery delay): the
 * chain's identity and the state it carries from one tick to the next.
 *
 * Why the state travels in the message: a watch is checked every few seconds, and writing its
 * last check to DynamoDB each time would cost more than everything else a lone watch costs
 * (one write request unit per check, against one SQS message and one Lambda call per tick for
 * every watch together). The watch items in DynamoDB hold what outlives the chain (target,
 * deadline, task token); what only pacing needs (when each watch was last checked, its
 * counters, each account's learned budget) rides in the next tick. Losing it (the chain dies,
 * the watchdog starts a new one) costs only pacing: every watch looks never checked, so it is
 * checked at once, within a cold budget.
 *
 * What bounds it: SQS's 262,144-byte message limit. A watch's state packs into 10-17 bytes (a
 * 48-bit hash of its key, its last check as milliseconds before the chain's newest check, its
 * two counters, as varints), base64 in the message: 10,000 watches of a realistic crowd take
 * 158 KB, 60% of the limit (the test measures it), and {@link WATCH_STATES_CAPACITY} fit
 * whatever their ages and counters. Past the room, `formatTickMessage` keeps the most recently checked and
 * returns the others in `dropped` (for a log line and a metric): a dropped watch looks never
 * checked, which only makes it the first in line at the next tick, which it nearly was anyway
 * (it had waited longest).
 */
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { describeIssues } from './schema-issues';
import { BudgetStateSchema } from './budget';

/** SQS's largest message (body and attributes together). */
export const MAX_TICK_MESSAGE_BYTES = 262_144;
/** Kept free of the tick's body: room for message attributes a sender may add. */
export const TICK_MESSAGE_RESERVED_BYTES = 4_096;
/**
 * Watches whose states always fit in one tick message, whatever their ages and counters, beside
 * up to {@link CAPACITY_BUDGETS} accounts' budgets (the test proves it with the largest entries).
 * A realistic crowd fits about 1.4 times as many.
 */
export const WATCH_STATES_CAPACITY = 11_000;
/** The accounts' budgets assumed beside {@link WATCH_STATES_CAPACITY} watches (each takes about 80 bytes). */
export const CAPACITY_BUDGETS = 10;

/**
 * Counters saturate here (3 varint bytes): at one check a second that is 24 days, longer than
 * any watch lives (7 days at most), so only a bug reaches it, and it cannot overflow the message.
 */
export const MAX_PACKED_COUNT = 2 ** 21 - 1;
/** The oldest last check packed, before the newest one (5 varint bytes, a year): older ones are packed as this old. */
const MAX_OFFSET_MS = 2 ** 35 - 1;
const FORMAT_VERSION = 1;
/** 48 bits: among 10,000 watches a new key matches a packed one's hash with odds of 1 in 28 billion. */
const ID_BYTES = 6;

const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const epochMs = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** One watch's check state: what pacing and the final report need, and nothing the watch item holds. */
export const WatchCheckStateSchema = v.object({
  lastCheckedAtMs: epochMs,
  /** CloudFront calls made for the watch. */
  checks: count,
  /** How many of them CloudFront throttled. */
  throttledChecks: count,
});
export type WatchCheckState = v.InferOutput<typeof WatchCheckStateSchema>;

/** The check states a tick message carried, looked up by watch key. */
export interface WatchStates {
  /** The watch's state, or undefined when it has none (never checked, or dropped). */
  get(key: string): WatchCheckState | undefined;
  /** How many states the message carried. */
  readonly size: number;
}

/** A tick message that is not what the chain sends: the message names the field. */
export class MalformedTickMessage extends Error {
  override readonly name = 'MalformedTickMessage';
}

export const TickMessageSchema = v.object({
  /** The chain's id: a tick of another chain (an older one, a duplicate) ends quietly. */
  chain: v.pipe(v.string(), v.uuid('must be a UUID')),
  /** The tick's number in its chain, from 0. */
  seq: count,
  sentAtMs: epochMs,
  /** When the chain last wrote its clock item (it writes every ~20 s, not every tick). */
  lastClockWriteAtMs: epochMs,
  /** CloudFront calls (and throttled ones) since the chain last recorded itself: reported then, not every tick. */
  tally: v.optional(v.object({ calls: count, throttled: count }), { calls: 0, throttled: 0 }),
  /** Each account's learned budget of CloudFront calls. */
  budgets: v.record(v.pipe(v.string(), v.minLength(1, 'must not be empty')), BudgetStateSchema),
  /** The watches' check states, packed (see {@link packWatchStates}). */
  watches: v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        return readWatchStates(dataset.value);
      } catch (error) {
        addIssue({ message: (error as Error).message });
        return NEVER;
      }
    }),
  ),
});
/** A tick message as read: its watch states unpacked. */
export type TickMessage = v.InferOutput<typeof TickMessageSchema>;
/** Everything of a tick message but the watch states, which {@link formatTickMessage} packs. */
export type TickFields = Omit<TickMessage, 'watches'>;

/** Reads an SQS message body; a malformed one is refused with every wrong field named. */
export function parseTickMessage(body: string): TickMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new MalformedTickMessage(`Tick message: not JSON (${(error as Error).message})`);
  }
  const parsed = v.safeParse(TickMessageSchema, json);
  if (parsed.success) return parsed.output;
  throw new MalformedTickMessage(`Tick message: ${describeIssues(parsed.issues, 'the message')}`);
}

/**
 * The body of the next tick: the fields as JSON, the watch states packed into the room the rest
 * leaves in an SQS message. `dropped`: keys whose states did not fit (the oldest checks).
 */
export function formatTickMessage(fields: TickFields, states: ReadonlyMap<string, WatchCheckState>): { body: string; dropped: string[] } {
  const { chain, seq, sentAtMs, lastClockWriteAtMs, tally, budgets } = fields;
  const withoutWatches = JSON.stringify({ chain, seq, sentAtMs, lastClockWriteAtMs, tally, budgets, watches: '' });
  const room = MAX_TICK_MESSAGE_BYTES - TICK_MESSAGE_RESERVED_BYTES - Buffer.byteLength(withoutWatches);
  if (room < MIN_PACKED_CHARS) {
    throw new Error(
      `The tick message's budgets take ${Buffer.byteLength(withoutWatches)} bytes, leaving no room for the watches: ` +
        `${Object.keys(budgets).length} accounts; keep budgets only for accounts with watches in flight`,
    );
  }
  const { packed, dropped } = packWatchStates(states, room);
  // The packed text is base64: JSON writes it as is, so the body is the rest with it inserted.
  return { body: JSON.stringify({ chain, seq, sentAtMs, lastClockWriteAtMs, tally, budgets, watches: packed }), dropped };
}

/**
 * Packs the states into at most `maxChars` characters of base64, the most recently checked
 * first; those that do not fit are returned in `dropped`. Times are packed to the millisecond
 * (rounded), counters saturate at {@link MAX_PACKED_COUNT}.
 *
 * Layout (bytes): version; the newest last check (ms); the entries keyed by a 48-bit hash of the
 * watch key; then the entries whose keys share a hash with another packed key, keyed by the
 * key itself (so two watches are never confused; rare: 10,000 watches hold such a pair with
 * odds of about 1 in 5 million). An entry holds the last check as ms before the newest, then `checks`, then
 * `throttledChecks`. Every number is an unsigned LEB128 varint.
 */
export function packWatchStates(
  states: ReadonlyMap<string, WatchCheckState>,
  maxChars: number = MAX_TICK_MESSAGE_BYTES - TICK_MESSAGE_RESERVED_BYTES,
): { packed: string; dropped: string[] } {
  const entries = [...states].map(([key, state]) => ({
    key,
    id: watchId(key),
    lastCheckedAtMs: Math.max(0, Math.round(state.lastCheckedAtMs)),
    checks: saturate(state.checks),
    throttledChecks: saturate(state.throttledChecks),
  }));
  const keysPerId = new Map<number, number>();
  for (const entry of entries) keysPerId.set(entry.id, (keysPerId.get(entry.id) ?? 0) + 1);
  entries.sort((a, b) => b.lastCheckedAtMs - a.lastCheckedAtMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const baseMs = entries[0]?.lastCheckedAtMs ?? 0;

  const maxBytes = Math.floor(maxChars / 4) * 3 - HEADER_MAX_BYTES;
  const hashed: number[][] = [];
  const keyed: number[][] = [];
  const dropped: string[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const collides = keysPerId.get(entry.id)! > 1;
    const encoded: number[] = [];
    if (collides) {
      const key = Buffer.from(entry.key, 'utf8');
      writeVarint(encoded, key.length);
      encoded.push(...key);
    } else {
      for (let shift = ID_BYTES - 1; shift >= 0; shift--) encoded.push(Math.floor(entry.id / 256 ** shift) % 256);
    }
    writeVarint(encoded, Math.min(MAX_OFFSET_MS, baseMs - entry.lastCheckedAtMs));
    writeVarint(encoded, entry.checks);
    writeVarint(encoded, entry.throttledChecks);
    // Once one does not fit, neither do the older ones: the kept ones are always the newest.
    if (dropped.length > 0 || bytes + encoded.length > maxBytes) {
      dropped.push(entry.key);
      continue;
    }
    bytes += encoded.length;
    (collides ? keyed : hashed).push(encoded);
  }
  const out: number[] = [FORMAT_VERSION];
  writeVarint(out, baseMs);
  writeVarint(out, hashed.length);
  for (const encoded of hashed) out.push(...encoded);
  writeVarint(out, keyed.length);
  for (const encoded of keyed) out.push(...encoded);
  return { packed: Buffer.from(out).toString('base64'), dropped };
}

/** Reads what {@link packWatchStates} wrote; anything else is refused with what is wrong and where. */
export function unpackWatchStates(packed: string): WatchStates {
  try {
    return readWatchStates(packed);
  } catch (error) {
    throw new MalformedTickMessage(`watches: ${(error as Error).message}`);
  }
}

/** Throws with what is wrong and where in the packed text; the caller names the field. */
function readWatchStates(packed: string): WatchStates {
  if (packed.length % 4 !== 0 || !BASE64.test(packed)) {
    throw new MalformedTickMessage('not base64 (the packed check states of the watches)');
  }
  const reader = new Reader(Buffer.from(packed, 'base64'));
  const version = reader.byte('the format version');
  if (version !== FORMAT_VERSION) {
    throw new MalformedTickMessage(`format version ${version} is not one this checker reads (${FORMAT_VERSION})`);
  }
  const baseMs = reader.varint('the newest last check');
  const byId = new Map<number, WatchCheckState>();
  const byKey = new Map<string, WatchCheckState>();
  const readState = (where: string): WatchCheckState => {
    const offset = reader.varint(`${where}: lastCheckedAtMs`);
    if (offset > baseMs) throw new MalformedTickMessage(`${where}: lastCheckedAtMs is before 1970 (${offset} ms before ${baseMs})`);
    return {
      lastCheckedAtMs: baseMs - offset,
      checks: reader.varint(`${where}: checks`),
      throttledChecks: reader.varint(`${where}: throttledChecks`),
    };
  };
  const hashedCount = reader.varint('the number of entries');
  for (let i = 0; i < hashedCount; i++) {
    const where = `entry ${i + 1} of ${hashedCount}`;
    const id = reader.uint(ID_BYTES, `${where}: the key's hash`);
    if (byId.has(id)) throw new MalformedTickMessage(`${where}: the key's hash ${id.toString(16)} appears twice`);
    byId.set(id, readState(where));
  }
  const keyedCount = reader.varint('the number of entries keyed in full');
  for (let i = 0; i < keyedCount; i++) {
    const where = `entry keyed in full ${i + 1} of ${keyedCount}`;
    const key = reader.text(reader.varint(`${where}: the key's length`), `${where}: the key`);
    if (byKey.has(key)) throw new MalformedTickMessage(`${where}: the key ${JSON.stringify(key)} appears twice`);
    byKey.set(key, readState(where));
  }
  reader.end();
  return {
    get: (key) => byKey.get(key) ?? byId.get(watchId(key)),
    size: byId.size + byKey.size,
  };
}

/**
 * The first 48 bits of the key's SHA-256: well spread whatever the keys look like. Remembered
 * by the container: a tick hashes every watch twice (unpack, pack) and a warm container sees
 * the same watches tick after tick (hashing is most of the time packing 10,000 takes).
 */
function watchId(key: string): number {
  let id = knownIds.get(key);
  if (id === undefined) {
    if (knownIds.size >= KNOWN_IDS_LIMIT) knownIds.clear();
    id = createHash('sha256').update(key, 'utf8').digest().readUIntBE(0, ID_BYTES);
    knownIds.set(key, id);
  }
  return id;
}
const knownIds = new Map<string, number>();
/** About 10 MB of keys at most: beyond it, start over rather than grow with every watch ever seen. */
const KNOWN_IDS_LIMIT = 50_000;

/** Version, the newest check (up to 8 bytes as a varint), the two section counts. */
const HEADER_MAX_BYTES = 1 + 8 + 4 + 4;
/** Below this the watches field could not hold even a few states: the budgets crowd it out. */
const MIN_PACKED_CHARS = 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const saturate = (n: number) => Math.min(MAX_PACKED_COUNT, Math.max(0, Math.round(n)));

/** Unsigned LEB128, by arithmetic rather than bit operations: times in ms exceed 32 bits. */
function writeVarint(out: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) + 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}

  byte(what: string): number {
    if (this.at >= this.bytes.length) throw this.short(what);
    return this.bytes[this.at++]!;
  }

  uint(size: number, what: string): number {
    if (this.at + size > this.bytes.length) throw this.short(what);
    const value = this.bytes.readUIntBE(this.at, size);
    this.at += size;
    return value;
  }

  /** At most 8 bytes (56 bits): more than any time or count packed, within JavaScript's exact integers after the check. */
  varint(what: string): number {
    let value = 0;
    for (let i = 0; i < 8; i++) {
      const byte = this.byte(what);
      value += (byte % 0x80) * 0x80 ** i;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) throw new MalformedTickMessage(`${what} is too large (${value})`);
        return value;
      }
    }
    throw new MalformedTickMessage(`${what} is not a number (a varint longer than 8 bytes)`);
  }

  text(length: number, what: string): string {
    if (this.at + length > this.bytes.length) throw this.short(what);
    const value = this.bytes.toString('utf8', this.at, this.at + length);
    this.at += length;
    return value;
  }

  end(): void {
    if (this.at !== this.bytes.length) {
      throw new MalformedTickMessage(`${this.bytes.length - this.at} bytes left over after the last entry`);
    }
  }

  private short(what: string): MalformedTickMessage {
    return new MalformedTickMessage(`ends before ${what} (cut after ${this.bytes.length} bytes)`);
  }
}
