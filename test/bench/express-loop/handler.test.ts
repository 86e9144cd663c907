import { CloudFrontClient, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import distributionEvent from '../../../local/fixtures/create-invalidation.json';
import { EnvNames } from '../../../lambda/shared/env';
import { LAMBDA_TIMEOUT_ERRORS } from '../../../lambda/shared/errors';
import { DEFAULT_POLL_SCHEDULE } from '../../../lambda/shared/schedule';
import { parseWatchRequest } from '../../../lambda/shared/watch-request';
import { failureOf } from '../../support/failure-of';

const cloudFrontMock = mockClient(CloudFrontClient);
type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;
beforeAll(() => {
  // Read at module load, as in Lambda.
  process.env[EnvNames.pollSchedule] = JSON.stringify(DEFAULT_POLL_SCHEDULE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = (require('../../../bench/express-loop/handler') as { handler: Handler }).handler;
});
afterEach(() => cloudFrontMock.reset());

const contextWith = (remainingMs: number): Context => {
  const deadline = performance.now() + remainingMs;
  return {
    functionName: 'CheckStatus',
    awsRequestId: 'req-1',
    getRemainingTimeInMillis: () => Math.max(0, deadline - performance.now()),
  } as unknown as Context;
};

describe('the Check status handler running out of time', () => {
  it('ends with an error the Check task retries (not a bare TimeoutError, which would end the watch)', async () => {
    // Prepare: a call that ignores every limit, so only the function's own early timeout ends it.
    cloudFrontMock.on(GetInvalidationCommand).callsFake(() => new Promise(() => undefined));
    const now = new Date().toISOString();
    const input = { watch: { request: parseWatchRequest(structuredClone(distributionEvent)) }, startedAt: now, runStartedAt: now };

    // Act
    const error = await failureOf(() => handler(input, contextWith(100)));

    // Assert
    expect(LAMBDA_TIMEOUT_ERRORS).toContain(error.name);
  });
});
