/**
 * The table of watches in flight, in process (dynalite through local/dynamodb-emulator.ts),
 * declared as lib/checker.ts declares it (pk and sk strings), for the unit tests of the store,
 * Register watch and the checker. One table per test file, emptied before each test.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDb, type LocalDynamoDb } from '../../local/dynamodb-emulator';
import type { CfnTemplate } from '../../local/template';
import type { TickQueue } from '../../lambda/shared/checker-clock';
import { WatchStore } from '../../lambda/shared/watch-store';
import { WATCHES_BY_REGISTRATION } from '../../lambda/shared/watch-table';

export const WATCH_TABLE = 'Watches';

const template: CfnTemplate = {
  Resources: {
    [WATCH_TABLE]: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: WATCHES_BY_REGISTRATION.partitionKey, AttributeType: 'S' },
          { AttributeName: WATCHES_BY_REGISTRATION.sortKey, AttributeType: 'N' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: WATCHES_BY_REGISTRATION.indexName,
            KeySchema: [
              { AttributeName: WATCHES_BY_REGISTRATION.partitionKey, KeyType: 'HASH' },
              { AttributeName: WATCHES_BY_REGISTRATION.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    },
  },
};

export interface WatchTable {
  readonly db: LocalDynamoDb;
  readonly client: DynamoDBClient;
  /** Reads and writes items as they are, around the store. */
  readonly documents: DynamoDBDocumentClient;
  readonly store: WatchStore;
  /** Every item of the table. */
  items(): Promise<Record<string, unknown>[]>;
  empty(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWatchTable(): Promise<WatchTable> {
  const db = await startDynamoDb(template);
  const client = new DynamoDBClient({
    endpoint: db.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const documents = DynamoDBDocumentClient.from(client);
  const items = async () => (await documents.send(new ScanCommand({ TableName: WATCH_TABLE, ConsistentRead: true }))).Items ?? [];
  return {
    db,
    client,
    documents,
    store: new WatchStore(WATCH_TABLE, client),
    items,
    empty: async () => {
      const all = await items();
      for (let i = 0; i < all.length; i += 25) {
        const batch = all.slice(i, i + 25).map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } }));
        await documents.send(new BatchWriteCommand({ RequestItems: { [WATCH_TABLE]: batch } }));
      }
    },
    stop: async () => {
      client.destroy();
      await db.stop();
    },
  };
}

/** A tick queue that keeps every body sent, with its delay, instead of sending it. */
export function capturingTickQueue(): { queue: TickQueue; sent: { body: string; delaySeconds: number }[] } {
  const sent: { body: string; delaySeconds: number }[] = [];
  const queue = {
    sendBody: async (body: string, delaySeconds: number) => {
      sent.push({ body, delaySeconds });
    },
  } as unknown as TickQueue;
  return { queue, sent };
}
