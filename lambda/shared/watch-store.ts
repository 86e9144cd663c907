/**
 * The store of watches in flight, shared by Register watch (which writes a watch and wakes the
 * checker) and the checker (which reads them every tick and removes each one it ends). One
 * DynamoDB table (on demand, encrypted, TTL on `expiresAt`), three kinds of item:
 * - a watch: `pk = "watch"`, `sk = <watch key>`; what a check needs, small (the checker reads
 *   them all on every tick);
 * - its task token: `pk = "token"`, `sk = <watch key>`; up to 1 KB, read only to end the watch;
 * - the clock: `pk = "checker"`, `sk = "clock"`; which chain of ticks is the live one (see
 *   lambda/shared/checker-clock.ts).
 * The item shapes are declared once here, as schemas; what is read back is parsed with them.
 */
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import * as v from 'valibot';
import type { CheckedRequest } from './invalidation-status';
import { workIdOf } from './watch-request';
import { WATCHES_BY_REGISTRATION } from './watch-table';

const nonEmpty = v.pipe(v.string(), v.minLength(1));
const epochMs = v.pipe(v.number(), v.integer(), v.minValue(0));

/** A watch in flight, as the checker reads it. */
export const WatchItemSchema = v.pipe(
  v.object({
    /** `<account>/<kind>/<targetId>/<invalidationId>` or `<account>/<kind>/<targetId>/deployment/<change>`: one watch per piece of work. */
    key: nonEmpty,
    account: nonEmpty,
    kind: v.picklist(['distribution', 'tenant']),
    targetId: nonEmpty,
    /** Absent: an invalidation (items written before deployments were watched have none). */
    work: v.optional(v.literal('deployment')),
    /** An invalidation's. */
    invalidationId: v.optional(nonEmpty),
    /** A deployment's: the version its change made (absent when CloudTrail gave none). */
    eTag: v.optional(nonEmpty),
    /** A deployment's: the CloudTrail event, which names the change without an ETag. */
    eventId: v.optional(nonEmpty),
    /** A deployment's: when its call was made, which orders the changes of one target. */
    changedAtMs: v.optional(epochMs),
    /** The watcher execution's start: the watch's age is counted from it. */
    startedAtMs: epochMs,
    /** When the maximum wait runs out: the checker then ends the watch as still in progress. */
    deadlineAtMs: epochMs,
    registeredAtMs: epochMs,
    /** The watch keeps a live message: the checker answers at its first check if it is still in progress, so the watcher can say so. */
    announce: v.optional(v.boolean()),
  }),
  v.check(
    (item) =>
      item.work === 'deployment' ? item.eventId !== undefined && item.changedAtMs !== undefined : item.invalidationId !== undefined,
    'an invalidation watch needs invalidationId, a deployment watch eventId and changedAtMs',
  ),
);
export type WatchItem = v.InferOutput<typeof WatchItemSchema>;

/** The fields of a watch item that say what it checks, from the request a check reads. */
export function watchedWorkOf(
  request: CheckedRequest,
): Pick<WatchItem, 'key' | 'account' | 'kind' | 'targetId' | 'work' | 'invalidationId' | 'eTag' | 'eventId' | 'changedAtMs'> {
  const common = { key: watchKey(request), account: request.account, kind: request.target.kind, targetId: request.target.id };
  if (request.work !== 'deployment') return { ...common, invalidationId: request.invalidationId };
  return {
    ...common,
    work: 'deployment',
    ...(request.change.eTag ? { eTag: request.change.eTag } : {}),
    eventId: request.eventId,
    changedAtMs: Math.max(0, Date.parse(request.eventTime) || 0),
  };
}

/** The request a check of the watch reads, back from its item. */
export function checkedRequestOf(watch: WatchItem): CheckedRequest {
  const target = { kind: watch.kind, id: watch.targetId };
  if (watch.work !== 'deployment') return { account: watch.account, target, invalidationId: watch.invalidationId ?? '' };
  return {
    work: 'deployment',
    account: watch.account,
    target,
    eventId: watch.eventId ?? '',
    eventTime: new Date(watch.changedAtMs ?? 0).toISOString(),
    change: watch.eTag ? { eTag: watch.eTag } : {},
  };
}

export const ClockItemSchema = v.object({
  /** `running` while a chain of ticks goes on; `idle` once the last one found no watch. */
  state: v.picklist(['running', 'idle']),
  /** The live chain's ID: a tick of any other chain ends without doing anything. */
  chain: nonEmpty,
  /** The highest tick number the live chain has recorded. */
  seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** When the live chain last recorded itself: long ago, the chain is taken for dead. */
  lastTickAtMs: epochMs,
});
export type ClockItem = v.InferOutput<typeof ClockItemSchema>;

/** The clock item does not parse (edited by hand): no chain can be live on it, and a claim replaces it. */
export class MalformedClockItem extends Error {
  override readonly name = 'MalformedClockItem';
}

/** The key of the watch of a piece of work: its account, target, and the invalidation or change. */
export function watchKey(request: CheckedRequest): string {
  const { account, target } = request;
  return `${account}/${target.kind}/${target.id}/${request.work === 'deployment' ? 'deployment/' : ''}${workIdOf(request)}`;
}

/** Items stay a day past the watch's deadline, then DynamoDB's TTL removes what nobody did. */
const TTL_AFTER_DEADLINE_SECONDS = 24 * 3600;
const PK = { watch: 'watch', token: 'token', checker: 'checker' } as const;
const CLOCK_SK = 'clock';

export class WatchStore {
  private readonly db: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Writes the token first: a watch the checker can see always has its token. */
  async register(watch: WatchItem, taskToken: string): Promise<void> {
    const expiresAt = Math.ceil(watch.deadlineAtMs / 1000) + TTL_AFTER_DEADLINE_SECONDS;
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk: PK.token, sk: watch.key, taskToken, expiresAt } }));
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: PK.watch, sk: watch.key, ...watch, [WATCHES_BY_REGISTRATION.partitionKey]: PK.watch, expiresAt },
      }),
    );
  }

  /** Every watch in flight (all pages). An item that does not parse is returned apart, by key, never dropped silently. */
  async watches(): Promise<{ watches: WatchItem[]; unreadable: string[] }> {
    return this.readPages({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK.watch } });
  }

  /**
   * The watches registered at or after `sinceMs` (the index is eventually consistent: a watch
   * registered a moment ago may come at the next read).
   */
  async watchesRegisteredSince(sinceMs: number): Promise<{ watches: WatchItem[]; unreadable: string[] }> {
    const { indexName, partitionKey, sortKey } = WATCHES_BY_REGISTRATION;
    return this.readPages({
      IndexName: indexName,
      KeyConditionExpression: '#pk = :pk AND #at >= :since',
      ExpressionAttributeNames: { '#pk': partitionKey, '#at': sortKey },
      ExpressionAttributeValues: { ':pk': PK.watch, ':since': sinceMs },
    });
  }

  /**
   * Whether any watch the checker can read is in flight (one item read, more only past
   * unreadable ones): an unreadable item alone would keep a chain ticking that has nothing to check.
   */
  async anyWatch(): Promise<boolean> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PK.watch },
          Limit: 1,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      if ((page.Items ?? []).some((item) => v.is(WatchItemSchema, item))) return true;
      start = page.LastEvaluatedKey;
    } while (start);
    return false;
  }

  async token(key: string): Promise<string | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: PK.token, sk: key }, ConsistentRead: true }),
    );
    return typeof Item?.taskToken === 'string' ? Item.taskToken : undefined;
  }

  /** Removes the watch, then its token (the reverse of register). */
  async remove(key: string, ended?: { readonly registeredAtMs: number; readonly taskToken?: string }): Promise<void> {
    // With `ended`: only the registration that was ended. A registration that came since (the
    // watcher's task retried, its new token waiting) stays, for the next tick to end.
    await this.deleteUnlessReplaced({ pk: PK.watch, sk: key }, ended && { name: 'registeredAtMs', value: ended.registeredAtMs });
    // Ended without a token (none was there): one written since belongs to the retry, and stays.
    if (ended && ended.taskToken === undefined) return;
    await this.deleteUnlessReplaced(
      { pk: PK.token, sk: key },
      ended?.taskToken === undefined ? undefined : { name: 'taskToken', value: ended.taskToken },
    );
  }

  private async deleteUnlessReplaced(key: Record<string, string>, expected?: { name: string; value: string | number }): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ...(expected
            ? {
                ConditionExpression: 'attribute_not_exists(pk) OR #field = :value',
                ExpressionAttributeNames: { '#field': expected.name },
                ExpressionAttributeValues: { ':value': expected.value },
              }
            : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException')) throw error;
    }
  }

  async clock(): Promise<ClockItem | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: PK.checker, sk: CLOCK_SK }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const parsed = v.safeParse(ClockItemSchema, Item);
    if (!parsed.success)
      throw new MalformedClockItem(
        `The checker's clock item is malformed: ${parsed.issues.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`).join('; ')}`,
      );
    return parsed.output;
  }

  /**
   * Makes `chain` the live chain if the clock is idle, missing, malformed (no running chain
   * with a time: edited by hand), or its chain has not recorded itself since `staleBeforeMs`.
   * False when a live chain holds it.
   */
  async claimClock(chain: string, nowMs: number, staleBeforeMs: number): Promise<boolean> {
    return this.conditionally({
      UpdateExpression: 'SET #state = :running, chain = :chain, seq = :zero, lastTickAtMs = :now',
      ConditionExpression:
        'attribute_not_exists(pk) OR #state = :idle OR lastTickAtMs < :stale' +
        ' OR NOT (#state = :running) OR NOT attribute_type(lastTickAtMs, :number) OR NOT attribute_type(chain, :string) OR NOT attribute_type(seq, :number)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':running': 'running',
        ':idle': 'idle',
        ':chain': chain,
        ':zero': 0,
        ':now': nowMs,
        ':stale': staleBeforeMs,
        ':number': 'N',
        ':string': 'S',
      },
    });
  }

  /**
   * The live chain records its progress. False when another chain has taken the clock, or when
   * this chain has a twin that got further (a redelivered tick): this one then stops.
   */
  async recordTick(chain: string, seq: number, nowMs: number): Promise<boolean> {
    return this.conditionally({
      UpdateExpression: 'SET lastTickAtMs = :now, seq = :seq',
      ConditionExpression: '#state = :running AND chain = :chain AND seq < :seq',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':running': 'running', ':chain': chain, ':seq': seq, ':now': nowMs },
    });
  }

  /** The live chain found nothing to watch: the clock is idle, so the next registration starts a chain. */
  async idleClock(chain: string, nowMs: number): Promise<boolean> {
    return this.conditionally({
      UpdateExpression: 'SET #state = :idle, lastTickAtMs = :now',
      ConditionExpression: '#state = :running AND chain = :chain',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':running': 'running', ':idle': 'idle', ':chain': chain, ':now': nowMs },
    });
  }

  /** Takes the clock back from idle for the same chain (a watch arrived while it was going idle). */
  async resumeClock(chain: string, nowMs: number): Promise<boolean> {
    return this.conditionally({
      UpdateExpression: 'SET #state = :running, lastTickAtMs = :now',
      ConditionExpression: '#state = :idle AND chain = :chain',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':running': 'running', ':idle': 'idle', ':chain': chain, ':now': nowMs },
    });
  }

  private async readPages(
    query: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  ): Promise<{ watches: WatchItem[]; unreadable: string[] }> {
    const watches: WatchItem[] = [];
    const unreadable: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ TableName: this.tableName, ...query, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        const parsed = v.safeParse(WatchItemSchema, item);
        if (parsed.success) watches.push(parsed.output);
        else unreadable.push(String(item.sk));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return { watches, unreadable };
  }

  private async conditionally(update: Omit<UpdateCommandInput, 'TableName' | 'Key'>): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: PK.checker, sk: CLOCK_SK }, ...update }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
