import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDb, type LocalDynamoDb } from '../../local/dynamodb-emulator';
import type { CfnTemplate } from '../../local/template';

// The shape CDK synthesizes for a TableV2 / Table with pk and sk strings, on demand, TTL and a GSI.
const template: CfnTemplate = {
  Resources: {
    Watches: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'account', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byAccount',
            KeySchema: [{ AttributeName: 'account', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    },
  },
};

let db: LocalDynamoDb;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  db = await startDynamoDb(template);
  // As the functions will find it: through the environment, no endpoint in code.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = db.url;
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
});

afterAll(async () => {
  documents.destroy();
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  await db.stop();
});

test("the template's table exists by its logical id, with its keys and index", async () => {
  await documents.send(
    new PutCommand({ TableName: 'Watches', Item: { pk: 'watch', sk: '111/distribution/E1/I1', account: '111', startedAt: 1 } }),
  );
  const got = await documents.send(new GetCommand({ TableName: 'Watches', Key: { pk: 'watch', sk: '111/distribution/E1/I1' } }));
  expect(got.Item).toEqual({ pk: 'watch', sk: '111/distribution/E1/I1', account: '111', startedAt: 1 });
  const byAccount = await documents.send(
    new QueryCommand({
      TableName: 'Watches',
      IndexName: 'byAccount',
      KeyConditionExpression: 'account = :a',
      ExpressionAttributeValues: { ':a': '111' },
    }),
  );
  expect(byAccount.Items).toEqual([{ pk: 'watch', sk: '111/distribution/E1/I1', account: '111' }]);
});

test('capacity consumed is counted per table and operation; the answer carries it only when the caller asked', async () => {
  const before = structuredClone(db.consumed.byTable.Watches ?? {});
  const put = await documents.send(new PutCommand({ TableName: 'Watches', Item: { pk: 'token', sk: 'k1', token: 'x'.repeat(1500) } }));
  expect(put.ConsumedCapacity).toBeUndefined();
  const asked = await documents.send(
    new GetCommand({ TableName: 'Watches', Key: { pk: 'token', sk: 'k1' }, ReturnConsumedCapacity: 'TOTAL' }),
  );
  expect(asked.ConsumedCapacity).toEqual({ TableName: 'Watches', CapacityUnits: 0.5 });
  await documents.send(new GetCommand({ TableName: 'Watches', Key: { pk: 'token', sk: 'k1' }, ConsistentRead: true }));
  await documents.send(
    new UpdateCommand({
      TableName: 'Watches',
      Key: { pk: 'checker', sk: 'clock' },
      UpdateExpression: 'SET seq = :s',
      ExpressionAttributeValues: { ':s': 1 },
    }),
  );
  await documents.send(new DeleteCommand({ TableName: 'Watches', Key: { pk: 'token', sk: 'k1' } }));

  const after = db.consumed.byTable.Watches!;
  const delta = (operation: string) => ({
    readUnits: after[operation]!.readUnits - (before[operation]?.readUnits ?? 0),
    writeUnits: after[operation]!.writeUnits - (before[operation]?.writeUnits ?? 0),
    requests: after[operation]!.requests - (before[operation]?.requests ?? 0),
  });
  // A 1.5 KB item: 2 write units to put and to delete; an eventually consistent read of up to 4 KB is half a unit, a consistent one a unit.
  expect(delta('PutItem')).toEqual({ readUnits: 0, writeUnits: 2, requests: 1 });
  expect(delta('GetItem')).toEqual({ readUnits: 1.5, writeUnits: 0, requests: 2 });
  expect(delta('UpdateItem')).toEqual({ readUnits: 0, writeUnits: 1, requests: 1 });
  expect(delta('DeleteItem')).toEqual({ readUnits: 0, writeUnits: 2, requests: 1 });
});

test('a write refused by its condition still consumes a write unit, and the caller gets the real error', async () => {
  const before = db.consumed.total;
  await expect(
    documents.send(
      new PutCommand({ TableName: 'Watches', Item: { pk: 'checker', sk: 'clock' }, ConditionExpression: 'attribute_not_exists(pk)' }),
    ),
  ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  expect(db.consumed.total.writeUnits - before.writeUnits).toBe(1);
});

test('DynamoDB validation comes from dynalite: an unknown table is ResourceNotFoundException', async () => {
  await expect(documents.send(new GetCommand({ TableName: 'Missing', Key: { pk: 'a', sk: 'b' } }))).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
  });
});

test('a table declared without its keys is refused by name', async () => {
  await expect(startDynamoDb({ Resources: { Broken: { Type: 'AWS::DynamoDB::Table', Properties: {} } } })).rejects.toThrow('Table Broken');
});
