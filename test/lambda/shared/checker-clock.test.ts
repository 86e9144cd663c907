/**
 * The checker's clock: the tick queue's sends (SQS's delay range) and waking the checker, against
 * a real DynamoDB table (dynalite).
 */
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { parseTickMessage } from '../../../lambda/shared/chain-state';
import { CLOCK_TIMING, TickQueue, wakeChecker } from '../../../lambda/shared/checker-clock';
import { startWatchTable, type WatchTable } from '../../support/watch-table';

const sqsMock = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111111111111/ticks';
const T0 = Date.parse('2026-05-01T12:00:00.000Z');

let table: WatchTable;
beforeAll(async () => {
  table = await startWatchTable();
});
afterAll(() => table.stop());
beforeEach(async () => {
  await table.empty();
  sqsMock.reset();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});

const sentDelays = () => sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input.DelaySeconds);

describe('TickQueue', () => {
  it.each([
    [0, 0],
    [3.6, 4],
    [-2, 0],
    [4000, 900],
  ])('sends a delay of %s s as %s s (SQS takes whole seconds, 0 to 900)', async (asked, sent) => {
    await new TickQueue(QUEUE_URL, new SQSClient({ region: 'us-east-1' })).sendBody('{}', asked);

    expect(sqsMock.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: '{}',
      DelaySeconds: sent,
    });
  });
});

describe('wakeChecker', () => {
  const queue = new TickQueue(QUEUE_URL, new SQSClient({ region: 'us-east-1' }));

  it('starts one chain, at once, with a first tick that carries no state', async () => {
    // Act
    const woke = await Promise.all([
      wakeChecker(table.store, queue, T0),
      wakeChecker(table.store, queue, T0),
      wakeChecker(table.store, queue, T0),
    ]);

    // Assert
    expect(woke.filter(Boolean)).toHaveLength(1);
    expect(sentDelays()).toEqual([0]);
    const tick = parseTickMessage(sqsMock.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!);
    expect(tick).toMatchObject({ seq: 0, sentAtMs: T0, lastClockWriteAtMs: T0, budgets: {} });
    expect(tick.watches.size).toBe(0);
    expect(await table.store.clock()).toEqual({ state: 'running', chain: tick.chain, seq: 0, lastTickAtMs: T0 });
  });

  it('starts another chain only once the live one has been silent for staleAfterMs', async () => {
    await wakeChecker(table.store, queue, T0);

    expect(await wakeChecker(table.store, queue, T0 + CLOCK_TIMING.staleAfterMs - 1)).toBe(false);
    expect(await wakeChecker(table.store, queue, T0 + CLOCK_TIMING.staleAfterMs + 1)).toBe(true);
    expect(sentDelays()).toEqual([0, 0]);
  });
});
