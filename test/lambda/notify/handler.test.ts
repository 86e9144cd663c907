/**
 * The Notify handler's delivery metric: one EMF line per delivery whose end is known, with the
 * destination as a dimension; a failure only when the state machine says it gave up.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EnvNames } from '../../../lambda/shared/env';
import { DELIVERY_METRICS } from '../../../lambda/shared/metrics';
import type { WatchState } from '../../../lambda/shared/notification';
import { failureOf } from '../../support/failure-of';
import { distributionRequest } from './fixtures';

const eventBridgeMock = mockClient(EventBridgeClient);
const sfnMock = mockClient(SFNClient);
type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;
beforeAll(() => {
  // Read at module load, as in Lambda.
  process.env[EnvNames.destinations] = JSON.stringify({ automation: { type: 'eventbridge', busName: 'default' } });
  // An event bus is told alone, without a pace: the table is never read.
  process.env[EnvNames.watchTable] = 'Watches';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = (require('../../../lambda/notify/handler') as { handler: Handler }).handler;
});
afterEach(() => {
  eventBridgeMock.reset();
  sfnMock.reset();
});

const context = { functionName: 'Notify', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const watch: WatchState = { outcome: 'completed', request: distributionRequest };
const delivery = { taskToken: 'token-1', destination: 'automation', watch, execution: 'exec-1', startedAt: '2026-11-21T18:00:00.000Z' };

interface EmfLine {
  readonly _aws: {
    readonly CloudWatchMetrics: { readonly Namespace: string; readonly Dimensions: string[][]; readonly Metrics: { Name: string }[] }[];
  };
  readonly [key: string]: unknown;
}

/** The EMF lines written while `act` runs (Powertools writes them to stdout). */
async function emfLinesOf(act: () => Promise<unknown>): Promise<EmfLine[]> {
  const written: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await act();
  } finally {
    write.mockRestore();
  }
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfLine);
}

const metricsOf = (line: EmfLine) => line._aws.CloudWatchMetrics.flatMap((entry) => entry.Metrics.map((metric) => metric.Name));
const { names, dimensions } = DELIVERY_METRICS;

describe('the Notify handler counts deliveries by destination', () => {
  it('counts a delivery as delivered, under its destination', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    sfnMock.on(SendTaskSuccessCommand).resolves({});
    const lines = await emfLinesOf(() => handler(delivery, context));

    expect(lines).toHaveLength(1);
    expect(metricsOf(lines[0]!)).toEqual([names.delivered]);
    expect(lines[0]![dimensions.destination]).toBe('automation');
    expect(lines[0]!._aws.CloudWatchMetrics[0]!.Namespace).toBe(DELIVERY_METRICS.namespace);
    expect(lines[0]!._aws.CloudWatchMetrics[0]!.Dimensions[0]).toContain(dimensions.destination);
    // The task's token answered with what was done.
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-1' });
  });

  it('counts nothing for a failed attempt: the state machine may still retry it', async () => {
    eventBridgeMock
      .on(PutEventsCommand)
      .rejects(Object.assign(new Error('busy'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

    const lines = await emfLinesOf(() => failureOf(() => handler(delivery, context)));

    expect(lines).toEqual([]);
  });
});
