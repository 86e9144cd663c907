import { ErrorNames, NamedError } from './errors';

/**
 * How long before Lambda's timeout middy ends an invocation: it aborts the handler's `signal`
 * (whatever is still waiting or in flight stops) and answers FunctionTimedOut. Enough for the
 * runtime to report the error; shorter than the checker's reserve after its call
 * (`CALL_LIMITS.reserveMs`), so that a slow CloudFront call still ends as its own blip.
 */
export const TIMEOUT_EARLY_MS = 1_000;

/**
 * middy's options for every handler: its early timeout throws a named error, so that the state
 * machine's Retry knows it for a timeout (LAMBDA_TIMEOUT_ERRORS) and the logs say which function
 * ran out of time; middy's default is a bare TimeoutError.
 */
export function handlerOptions(functionLabel: string) {
  return {
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: (): never => {
      throw new NamedError(
        ErrorNames.FunctionTimedOut,
        `${functionLabel} ran out of time (its early timeout, ${TIMEOUT_EARLY_MS} ms before the function timeout)`,
      );
    },
  };
}
