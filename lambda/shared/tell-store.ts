/**
 * What telling needs to remember across watches, in the checker's table (one store design,
 * lambda/shared/watch-store.ts): which burst each invalidation belongs to for a destination,
 * how each ended and whether it has been told, a burst's message (a Slack app's `ts`) and its
 * digests, and each channel's pace. Items (all with TTL `expiresAt`):
 * - the open burst of a destination and key: `pk = "burst-open"`, `sk = <destination>#<key hash>`;
 *   which burst an invalidation starting now joins (the same one while they keep coming within
 *   the window);
 * - a burst's head: `pk = "burst#<id>"`, `sk = "head"`; its sender's lease, its message, its digests;
 * - a member: `pk = "burst#<id>"`, `sk = "m#<start ms>#<watch key>"`, sorted by start, so the
 *   first few of a burst are the first items of its partition;
 * - where a watch's membership is: `pk = "tell"`, `sk = <destination>#<watch key>`;
 * - a channel's pace: `pk = "pace"`, `sk = <channel key>`; the next time it may take a message.
 * Every write that could be repeated (a retried task) is conditional or idempotent.
 */
import { DynamoDBClient, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHash, randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { TELL_PARTITIONS } from './watch-table';

/** Longer than any watch (the longest maximum wait is 7 days) and its telling. */
const TTL_SECONDS = 9 * 24 * 3600;
const PK = { open: TELL_PARTITIONS.open, tell: TELL_PARTITIONS.tell, pace: TELL_PARTITIONS.pace } as const;
const HEAD_SK = 'head';
const MEMBER_PREFIX = 'm#';
const burstPk = (burstId: string) => `${TELL_PARTITIONS.burstPrefix}${burstId}`;

/** A short, fixed-length stand-in for a burst key (a creator's ARN, a caller-reference prefix): keys stay small whatever callers write. */
export function hashKey(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

export interface Membership {
  readonly burstId: string;
  /** The member item's sort key. */
  readonly memberSk: string;
  /** Set by the join that made the watch its burst's first member (the one that announces the burst). */
  readonly first?: true;
}

const MembershipSchema = v.object({ burstId: v.string(), memberSk: v.string() });

/** How a member was told, once it was. */
export const ToldSchema = v.variant('kind', [
  v.object({ kind: v.literal('separate'), atMs: v.number() }),
  v.object({ kind: v.literal('digest'), number: v.number(), atMs: v.number() }),
  v.object({ kind: v.literal('live'), atMs: v.number() }),
  /** The message that was to tell it was refused for good: its watch ends "not delivered", with this error. */
  v.object({ kind: v.literal('failed'), error: v.string(), cause: v.string(), atMs: v.number() }),
]);
export type Told = v.InferOutput<typeof ToldSchema>;

export const MemberItemSchema = v.object({
  sk: v.string(),
  watchKey: v.string(),
  startedAtMs: v.number(),
  /** What a member still running is shown by (JSON of a BurstMember without an outcome). */
  running: v.optional(v.string()),
  /** The channel-neutral summary of how it ended (JSON of a BurstMember); absent while it runs. */
  ended: v.optional(v.string()),
  endedAtMs: v.optional(v.number()),
  /** How it ended (completed, still-in-progress, could-not-track): failures are also replied in a live message's thread. */
  outcome: v.optional(v.string()),
  /** The task token of the watcher's Notify task waiting to hear that it was told. */
  taskToken: v.optional(v.string()),
  told: v.optional(ToldSchema),
  /**
   * How it is to be told, once one of the two ways has taken it: on its own (it was among the
   * burst's first few when it ended) or in a digest (a sender is reporting it). Taken once, so a
   * member pushed out of the first few by a late joiner is never told both ways.
   */
  claim: v.optional(v.picklist(['separate', 'digest'])),
  /** Its failure has been replied in the live message's thread. */
  replied: v.optional(v.boolean()),
});
export type MemberItem = v.InferOutput<typeof MemberItemSchema>;

export const BurstHeadSchema = v.object({
  destination: v.string(),
  openedAtMs: v.number(),
  /** Who may send for the burst now, until when: one sender at a time, so nothing is told twice. */
  leaseOwner: v.optional(v.string()),
  leaseUntilMs: v.optional(v.number()),
  digests: v.optional(v.number()),
  lastDigestAtMs: v.optional(v.number()),
  /** Members joined, and members ended: whether a digest is due is told from the head alone, not by reading every member. */
  members: v.optional(v.number()),
  ended: v.optional(v.number()),
  /** When the first member to be told in a digest ended: the first digest is due a digest interval after. */
  firstPendingAtMs: v.optional(v.number()),
  /** A Slack app's live message. */
  channel: v.optional(v.string()),
  ts: v.optional(v.string()),
});
export type BurstHead = v.InferOutput<typeof BurstHeadSchema>;

/**
 * The longest a burst takes joiners, from its first member's start: the window slides with each
 * joiner, so a steady trickle (one invalidation every few seconds, all day) would otherwise make
 * one endless burst: a live message never posted anew (updates notify nobody), and every tell
 * reading a member list that only grows.
 */
export const MAX_BURST_SPAN_MS = 15 * 60_000;

const OpenBurstSchema = v.object({
  burstId: v.string(),
  lastJoinAtMs: v.number(),
  /** Its first member's start (absent on pointers written before it was kept: their last join stands in). */
  openedAtMs: v.optional(v.number()),
});

export class TellStore {
  private readonly db: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  private expiresAt(nowMs: number): number {
    return Math.ceil(nowMs / 1000) + TTL_SECONDS;
  }

  /** Where a watch's membership for a destination is, if it joined. */
  async membership(destination: string, watchKey: string): Promise<Membership | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: PK.tell, sk: `${destination}#${watchKey}` }, ConsistentRead: true }),
    );
    const parsed = v.safeParse(MembershipSchema, Item);
    return parsed.success ? parsed.output : undefined;
  }

  /**
   * Makes the watch a member of the destination's open burst for `key` (a new one when the last
   * joined more than `windowMs` before `startedAtMs`). Joining again (a retried task) finds the
   * first membership.
   */
  async join(
    destination: string,
    key: string,
    watchKey: string,
    startedAtMs: number,
    windowMs: number,
    nowMs: number,
    running?: string,
  ): Promise<Membership> {
    const known = await this.membership(destination, watchKey);
    if (known) return known;
    const burstId = await this.openBurst(destination, key, startedAtMs, windowMs, nowMs);
    const memberSk = `${MEMBER_PREFIX}${String(startedAtMs).padStart(15, '0')}#${watchKey}`;
    const expiresAt = this.expiresAt(nowMs);
    await this.putIfAbsent({ pk: burstPk(burstId), sk: HEAD_SK, destination, openedAtMs: startedAtMs, expiresAt });
    let first = false;
    if (await this.putIfAbsent({ pk: burstPk(burstId), sk: memberSk, watchKey, startedAtMs, running, expiresAt })) {
      first = (await this.count(burstId, 'members')) === 1;
    }
    const membership = { burstId, memberSk };
    // Written last: a membership that can be found always has its member item.
    if (!(await this.putIfAbsent({ pk: PK.tell, sk: `${destination}#${watchKey}`, ...membership, expiresAt }))) {
      // Joined twice at once (two attempts of one task): the first membership stands.
      return (await this.membership(destination, watchKey)) ?? membership;
    }
    return first ? { ...membership, first: true } : membership;
  }

  /** The burst a watch starting at `atMs` joins: the open one if its last member started within the window, else a new one. */
  private async openBurst(destination: string, key: string, atMs: number, windowMs: number, nowMs: number): Promise<string> {
    const pointer = { pk: PK.open, sk: `${destination}#${hashKey(key)}` };
    for (let attempt = 0; attempt < 8; attempt++) {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: pointer, ConsistentRead: true }));
      const open = v.safeParse(OpenBurstSchema, Item);
      const joinable =
        open.success &&
        open.output.lastJoinAtMs >= atMs - windowMs &&
        atMs - (open.output.openedAtMs ?? open.output.lastJoinAtMs) <= MAX_BURST_SPAN_MS;
      if (open.success && joinable) {
        if (open.output.lastJoinAtMs >= atMs) return open.output.burstId;
        // The window slides with each joiner; only forward, and only this burst's.
        const moved = await this.conditionally(
          new UpdateCommand({
            TableName: this.tableName,
            Key: pointer,
            UpdateExpression: 'SET lastJoinAtMs = :at',
            ConditionExpression: 'burstId = :id AND lastJoinAtMs < :at',
            ExpressionAttributeValues: { ':at': atMs, ':id': open.output.burstId },
          }),
        );
        if (moved) return open.output.burstId;
        continue;
      }
      const burstId = `${hashKey(`${destination}#${key}`)}-${atMs}-${randomUUID().slice(0, 8)}`;
      const opened = await this.conditionally(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...pointer, burstId, lastJoinAtMs: atMs, openedAtMs: atMs, expiresAt: this.expiresAt(nowMs) },
          // Replaces the open burst only when this joiner could not join it (what was read above, still so).
          ConditionExpression:
            'attribute_not_exists(pk) OR lastJoinAtMs < :cutoff OR openedAtMs < :spanCutoff OR (attribute_not_exists(openedAtMs) AND lastJoinAtMs < :spanCutoff)',
          ExpressionAttributeValues: { ':cutoff': atMs - windowMs, ':spanCutoff': atMs - MAX_BURST_SPAN_MS },
        }),
      );
      if (opened) return burstId;
    }
    throw new Error(`Could not join a burst of destination ${destination}: the open burst kept changing`);
  }

  /**
   * Records how the member ended and the token waiting to hear it was told (the latest token:
   * a task that timed out and came back waits on a new one). Returns the member as it is now.
   */
  async recordEnd(
    membership: Membership,
    ended: { summary: string; outcome: string },
    taskToken: string | undefined,
    nowMs: number,
  ): Promise<MemberItem> {
    const { Attributes: before } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: burstPk(membership.burstId), sk: membership.memberSk },
        UpdateExpression: `SET ended = :ended, outcome = :outcome, endedAtMs = if_not_exists(endedAtMs, :now)${taskToken ? ', taskToken = :token' : ''}`,
        ConditionExpression: 'attribute_exists(sk)',
        ExpressionAttributeValues: {
          ':ended': ended.summary,
          ':outcome': ended.outcome,
          ':now': nowMs,
          ...(taskToken ? { ':token': taskToken } : {}),
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const old = v.parse(MemberItemSchema, before);
    if (old.endedAtMs === undefined) await this.count(membership.burstId, 'ended');
    return {
      ...old,
      ended: ended.summary,
      outcome: ended.outcome,
      endedAtMs: old.endedAtMs ?? nowMs,
      ...(taskToken ? { taskToken } : {}),
    };
  }

  /** One more member joined or ended: the count now. */
  private async count(burstId: string, counter: 'members' | 'ended'): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: burstPk(burstId), sk: HEAD_SK },
        UpdateExpression: 'ADD #counter :one',
        ExpressionAttributeNames: { '#counter': counter },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.[counter] ?? 0);
  }

  /** A member to be told in a digest has ended: the first one starts the digest interval. */
  async notePending(burstId: string, nowMs: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: burstPk(burstId), sk: HEAD_SK },
        UpdateExpression: 'SET firstPendingAtMs = if_not_exists(firstPendingAtMs, :now)',
        ExpressionAttributeValues: { ':now': nowMs },
      }),
    );
  }

  /** Marks the member told, once: false when it already was (another sender, a retried task). */
  async markTold(burstId: string, memberSk: string, told: Told): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: burstPk(burstId), sk: memberSk },
        UpdateExpression: 'SET told = :told',
        ConditionExpression: 'attribute_exists(sk) AND attribute_not_exists(told)',
        ExpressionAttributeValues: { ':told': told },
      }),
    );
  }

  /** Takes the member for one way of telling: false when the other way has it. Taking it again the same way holds. */
  async claim(burstId: string, memberSk: string, claim: 'separate' | 'digest'): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: burstPk(burstId), sk: memberSk },
        UpdateExpression: 'SET #claim = :claim',
        ConditionExpression: 'attribute_exists(sk) AND (attribute_not_exists(#claim) OR #claim = :claim)',
        ExpressionAttributeNames: { '#claim': 'claim' },
        ExpressionAttributeValues: { ':claim': claim },
      }),
    );
  }

  /** The member's failure has been replied in its live message's thread: not replied again. */
  async markReplied(burstId: string, memberSk: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: burstPk(burstId), sk: memberSk },
        UpdateExpression: 'SET replied = :true',
        ConditionExpression: 'attribute_exists(sk)',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  }

  /** The burst's members in order of start (at most `limit`), read consistently. */
  async members(burstId: string, limit?: number): Promise<MemberItem[]> {
    const members: MemberItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
          ExpressionAttributeValues: { ':pk': burstPk(burstId), ':member': MEMBER_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...(limit !== undefined ? { Limit: limit - members.length } : {}),
        }),
      );
      for (const item of page.Items ?? []) members.push(v.parse(MemberItemSchema, item));
      start = page.LastEvaluatedKey;
    } while (start && (limit === undefined || members.length < limit));
    return members;
  }

  async head(burstId: string): Promise<BurstHead | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: burstPk(burstId), sk: HEAD_SK }, ConsistentRead: true }),
    );
    return Item ? v.parse(BurstHeadSchema, Item) : undefined;
  }

  /** Whether a watch starting at `atMs` could still join this burst (its window is open). */
  async stillOpen(destination: string, key: string, burstId: string, nowMs: number, windowMs: number): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: PK.open, sk: `${destination}#${hashKey(key)}` }, ConsistentRead: true }),
    );
    const open = v.safeParse(OpenBurstSchema, Item);
    return open.success && open.output.burstId === burstId && open.output.lastJoinAtMs >= nowMs - windowMs;
  }

  /** Takes the burst's sending lease until `untilMs`: false while another sender holds it. */
  async lease(burstId: string, owner: string, nowMs: number, untilMs: number): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: burstPk(burstId), sk: HEAD_SK },
        UpdateExpression: 'SET leaseOwner = :owner, leaseUntilMs = :until',
        ConditionExpression: 'attribute_exists(sk) AND (attribute_not_exists(leaseUntilMs) OR leaseUntilMs < :now OR leaseOwner = :owner)',
        ExpressionAttributeValues: { ':owner': owner, ':until': untilMs, ':now': nowMs },
      }),
    );
  }

  /** Gives the lease back, with what the sender changed on the head. */
  async release(
    burstId: string,
    owner: string,
    changes: Partial<Pick<BurstHead, 'digests' | 'lastDigestAtMs' | 'channel' | 'ts'>> = {},
  ): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':owner': owner };
    const sets = Object.entries(changes)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => {
        names[`#${key}`] = key;
        values[`:${key}`] = value;
        return `#${key} = :${key}`;
      });
    await this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: burstPk(burstId), sk: HEAD_SK },
        UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}REMOVE leaseOwner, leaseUntilMs`,
        ConditionExpression: 'leaseOwner = :owner',
        ...(sets.length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * Takes the channel's next send slot if it is free now, and holds the channel `intervalMs`:
   * false when another send has it. Sends that find it taken try again in seconds (TellLater).
   */
  async takePace(channelKey: string, intervalMs: number, nowMs: number): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: PK.pace, sk: channelKey },
        UpdateExpression: 'SET nextAtMs = :next, expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(nextAtMs) OR nextAtMs <= :now',
        ExpressionAttributeValues: { ':next': nowMs + intervalMs, ':now': nowMs, ':expires': this.expiresAt(nowMs) },
      }),
    );
  }

  /** The platform asked for a wait (429 Retry-After): nobody sends on the channel before `untilMs`. */
  async holdPace(channelKey: string, untilMs: number, nowMs: number): Promise<void> {
    await this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: PK.pace, sk: channelKey },
        UpdateExpression: 'SET nextAtMs = :until, expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(nextAtMs) OR nextAtMs < :until',
        ExpressionAttributeValues: { ':until': untilMs, ':expires': this.expiresAt(nowMs) },
      }),
    );
  }

  private async putIfAbsent(item: Record<string, unknown>): Promise<boolean> {
    return this.conditionally(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  /** Sends a conditional write: false when its condition did not hold. */
  private async conditionally(command: PutCommand | UpdateCommand): Promise<boolean> {
    try {
      await this.db.send(command as never);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
