import middy from '@middy/core';
import { LAMBDA_TIMEOUT_ERRORS } from '../../../lambda/shared/errors';
import { handlerOptions } from '../../../lambda/shared/handler-options';
import { failureOf } from '../../support/failure-of';

describe('handlerOptions', () => {
  it("turns middy's early timeout into an error the state machine's Retry matches, naming the function", async () => {
    const handler = middy<unknown, unknown>(handlerOptions('Notify')).handler(() => new Promise(() => undefined));
    const context = { getRemainingTimeInMillis: () => 50 } as never;

    const error = await failureOf(() => handler({}, context));

    expect((LAMBDA_TIMEOUT_ERRORS as readonly string[]).includes(error.name)).toBe(true);
    expect(error.message).toContain('Notify ran out of time');
  });
});
