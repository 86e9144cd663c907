import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { startLoopbackServer, type LoopbackRequest, type LoopbackResponse } from './loopback-server';
import { LOCAL_REGION, resourcesOfType, type CfnTemplate } from './template';

/** Capacity units one table consumed through one operation, and the requests that consumed them (a batch over two tables counts on each). */
export interface OperationCapacity {
  readUnits: number;
  writeUnits: number;
  requests: number;
}

/**
 * Capacity actually consumed, as DynamoDB reports it (ReturnConsumedCapacity TOTAL), by table
 * then operation: on-demand tables bill one read request unit per read capacity unit and one
 * write request unit per write capacity unit.
 */
export class ConsumedCapacity {
  readonly byTable: Record<string, Record<string, OperationCapacity>> = {};

  /** Sums over every table and operation. */
  get total(): OperationCapacity {
    const total = { readUnits: 0, writeUnits: 0, requests: 0 };
    for (const operations of Object.values(this.byTable)) {
      for (const capacity of Object.values(operations)) {
        total.readUnits += capacity.readUnits;
        total.writeUnits += capacity.writeUnits;
        total.requests += capacity.requests;
      }
    }
    return total;
  }

  add(table: string, operation: string, units: number, requests: number): void {
    const operations = (this.byTable[table] ??= {});
    const capacity = (operations[operation] ??= { readUnits: 0, writeUnits: 0, requests: 0 });
    if (READ_OPERATIONS.has(operation)) capacity.readUnits += units;
    else capacity.writeUnits += units;
    capacity.requests += requests;
  }
}

export interface LocalDynamoDb {
  /** Point AWS_ENDPOINT_URL_DYNAMODB here. */
  readonly url: string;
  readonly consumed: ConsumedCapacity;
  stop(): Promise<void>;
}

const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
/** The operations that accept ReturnConsumedCapacity and that dynalite answers with it. */
const METERED_OPERATIONS = new Set([...READ_OPERATIONS, 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
/** A write refused by its condition still consumes write capacity: at least one unit (more for a bigger existing item, not counted here). */
const CONDITIONAL_WRITE_FAILURE_UNITS = 1;

/**
 * DynamoDB in process: dynalite (in memory, DynamoDB's own validation) on 127.0.0.1, behind a
 * loopback proxy that meters the capacity each request consumes. The proxy asks every metered
 * request for `ReturnConsumedCapacity: "TOTAL"` and hands the caller the answer it would have
 * had (the figure removed when the caller had not asked for it).
 *
 * Creates the template's `AWS::DynamoDB::Table`s, named by logical id (as `Ref` resolves them
 * locally), with their key schema, attribute definitions and global secondary indexes, billed on
 * demand. Not emulated: TTL deletion, encryption (SSE), streams, local secondary indexes,
 * transactions (dynalite has no TransactWriteItems or TransactGetItems).
 */
export async function startDynamoDb(template?: CfnTemplate): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const backend = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const consumed = new ConsumedCapacity();
  const proxy = await startLoopbackServer((request) => meter(backend, request, consumed));
  const stop = async () => {
    await proxy.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  try {
    if (template) await createTables(backend, template);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: proxy.url, consumed, stop };
}

/** The CreateTable input for each `AWS::DynamoDB::Table` of the template, by logical id. */
export function tablesOf(template: CfnTemplate): CreateTableCommandInput[] {
  return resourcesOfType(template, 'AWS::DynamoDB::Table').map(([logicalId, resource]) => {
    const properties = (resource.Properties ?? {}) as Record<string, unknown>;
    const indexes = properties.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown; Projection: unknown }[] | undefined;
    if (!properties.KeySchema || !properties.AttributeDefinitions)
      throw new Error(`Table ${logicalId}: the template declares no KeySchema or AttributeDefinitions.`);
    return {
      TableName: logicalId,
      KeySchema: properties.KeySchema,
      AttributeDefinitions: properties.AttributeDefinitions,
      BillingMode: 'PAY_PER_REQUEST',
      ...(indexes?.length
        ? {
            GlobalSecondaryIndexes: indexes.map((index) => ({
              IndexName: index.IndexName,
              KeySchema: index.KeySchema,
              Projection: index.Projection,
            })),
          }
        : {}),
    } as CreateTableCommandInput;
  });
}

async function createTables(backend: string, template: CfnTemplate): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: backend,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    for (const table of tablesOf(template)) {
      await client.send(new CreateTableCommand(table));
      // dynalite turns a table ACTIVE on its next turn (createTableMs 0).
      while ((await client.send(new DescribeTableCommand({ TableName: table.TableName }))).Table?.TableStatus !== 'ACTIVE') {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    client.destroy();
  }
}

async function meter(backend: string, request: LoopbackRequest, consumed: ConsumedCapacity): Promise<LoopbackResponse> {
  const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  if (!METERED_OPERATIONS.has(operation)) return forward(backend, request, request.body);
  const input = JSON.parse(request.body || '{}') as { ReturnConsumedCapacity?: string; TableName?: string };
  const callerAsked = input.ReturnConsumedCapacity === 'TOTAL' || input.ReturnConsumedCapacity === 'INDEXES';
  const response = await forward(
    backend,
    request,
    callerAsked ? request.body : JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }),
  );
  const answer = JSON.parse(response.body || '{}') as { ConsumedCapacity?: Capacity | Capacity[]; __type?: string };
  if (response.status === 200) {
    const capacities = answer.ConsumedCapacity === undefined ? [] : [answer.ConsumedCapacity].flat();
    for (const capacity of capacities) consumed.add(capacity.TableName, operation, capacity.CapacityUnits, 1);
  } else if (answer.__type?.endsWith('#ConditionalCheckFailedException') && input.TableName) {
    consumed.add(input.TableName, operation, CONDITIONAL_WRITE_FAILURE_UNITS, 1);
  }
  if (callerAsked || response.status !== 200 || answer.ConsumedCapacity === undefined) return response;
  delete answer.ConsumedCapacity;
  const body = JSON.stringify(answer);
  return { ...response, body, headers: { ...response.headers, 'x-amz-crc32': String(crc32(body)) } };
}

interface Capacity {
  readonly TableName: string;
  readonly CapacityUnits: number;
}

function forward(backend: string, request: LoopbackRequest, body: string): Promise<LoopbackResponse> {
  const headers = { ...request.headers, 'content-length': String(Buffer.byteLength(body)) };
  delete headers.host;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${backend}${request.path}`, { method: request.method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const forwarded: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          // dynalite's Date reads the real clock; the loopback server dates the answer by the process's (virtual) one.
          if (value !== undefined && !['content-length', 'connection', 'transfer-encoding', 'date'].includes(name))
            forwarded[name] = String(value);
        }
        resolve({ status: response.statusCode ?? 500, headers: forwarded, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
