/**
 * The checker's handler: what it does with input that is none of its three callers'.
 */
import type { Context } from 'aws-lambda';
import { EnvNames } from '../../../lambda/shared/env';
import { ErrorNames } from '../../../lambda/shared/errors';
import { logger } from '../../../lambda/shared/logger';
import { DEFAULT_POLL_SCHEDULE } from '../../../lambda/shared/schedule';
import { failureOf } from '../../support/failure-of';

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;
beforeAll(() => {
  // Read at module load, as in Lambda. Nothing here reaches the table or the queue.
  process.env[EnvNames.pollSchedule] = JSON.stringify(DEFAULT_POLL_SCHEDULE);
  process.env[EnvNames.watchTable] = 'Watches';
  process.env[EnvNames.tickQueueUrl] = 'https://sqs.us-east-1.amazonaws.com/111111111111/ticks';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = (require('../../../lambda/checker/handler') as { handler: Handler }).handler;
});
afterEach(() => jest.restoreAllMocks());

const context = { functionName: 'Checker', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 20_000 } as unknown as Context;

describe('the checker handler', () => {
  it.each([
    ['not JSON', 'tick tock'],
    ['JSON of another shape', JSON.stringify({ chain: 'not-a-uuid', seq: -1 })],
  ])('drops a tick message that is %s with an ERROR log, and does not fail (SQS would retry it forever)', async (_name, body) => {
    // Prepare
    const error = jest.spyOn(logger, 'error');

    // Act
    const result = await handler({ Records: [{ messageId: 'message-1', body }] }, context);

    // Assert
    expect(result).toEqual({ batchItemFailures: [] });
    expect(error).toHaveBeenCalledWith(
      'Dropped a malformed tick message',
      expect.objectContaining({ messageId: 'message-1', errorMessage: expect.stringMatching(/^Tick message: /) }),
    );
  });

  it('refuses input that is neither a tick, the watchdog nor a final check with InvalidWatcherInput naming it', async () => {
    const error = await failureOf(() => handler({ finalCheck: { request: { invalidationId: 'I1' } } }, context));

    expect(error.name).toBe(ErrorNames.InvalidWatcherInput);
    expect(error.message).toMatch(/^Checker input: not a tick, the watchdog or a final check/);
    expect(error.message).toMatch(/finalCheck\.request\.target/);
    expect(error.message).toMatch(/finalCheck\.startedAt/);
  });
});
