import { ErrorNames, NamedError } from './errors';

/**
 * middy's options for every handler: its early timeout (just before Lambda's) throws a named
 * error, so that the state machine's Retry knows it for a timeout (LAMBDA_TIMEOUT_ERRORS) and
 * the logs say which function ran out of time; middy's default is a bare TimeoutError.
 */
export function handlerOptions(functionLabel: string) {
  return {
    timeoutEarlyResponse: (): never => {
      throw new NamedError(
        ErrorNames.FunctionTimedOut,
        `${functionLabel} ran out of time (its early timeout, just before the function timeout)`,
      );
    },
  };
}
