import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { oneLine } from './text';

/**
 * What an AWS SDK error is, by what it says rather than by which call raised it: transient
 * (worth trying again later) or permanent (trying again changes nothing).
 */
export interface AwsFault {
  /** The service's error name (`ThrottlingException`), or the network error's. */
  readonly name: string;
  /** The HTTP status, when an answer came at all. */
  readonly status?: number;
  /** The service's message, one line, bounded. Never holds a secret value: AWS does not echo them. */
  readonly message: string;
  readonly transient: boolean;
  /** The SDK error itself (unwrapped from wrappers such as Powertools' GetParameterError). */
  readonly error: unknown;
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

const PROGRAMMING_ERRORS = [TypeError, ReferenceError, SyntaxError, RangeError];

const isObject = (value: unknown): value is SdkErrorShape => typeof value === 'object' && value !== null;
const statusOf = (error: SdkErrorShape): number | undefined =>
  typeof error.$metadata?.httpStatusCode === 'number' ? error.$metadata.httpStatusCode : undefined;

/** Wrappers (Powertools' GetParameterError, an Error with `cause`) hide the SDK error: find it. */
function unwrap(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && isObject(current); depth++) {
    if (current.$metadata !== undefined || !isObject(current.cause)) return current;
    current = current.cause;
  }
  return current;
}

/**
 * The SDK's own classification (`@smithy/core/retry`, the code its retry strategy runs: the
 * throttling names, 429, `$retryable`, timeouts, socket errno codes, 5xx), plus what it does not
 * call worth trying again but this notifier does, because the state machine's Retry comes later:
 */
function isTransient(error: SdkErrorShape, name: string, status: number | undefined): boolean {
  // The SDK's errors are what smithy reads; it reads only optional fields of any other object.
  const sdkError = error as Parameters<typeof isTransientError>[0];
  return (
    // No HTTP status: no answer came at all. Smithy knows the common errno codes; an abort at our
    // own deadline (middy's signal: AbortError, which smithy calls terminal because a caller asked
    // for it) or an errno it does not list is the same case for us.
    status === undefined ||
    isThrottlingError(sdkError) ||
    isTransientError(sdkError) ||
    isServerError(sdkError) ||
    // Throttling under names smithy does not list: KMSThrottlingException (a 400 behind SNS or
    // Secrets Manager), and any other "...Throttl..." a service may add.
    /throttl/i.test(name) ||
    // An error around a 2xx is an answer cut short or unreadable: the request may well succeed again.
    (status >= 200 && status < 300)
  );
}

export function describeAwsFault(raised: unknown): AwsFault {
  const error = unwrap(raised);
  const shape: SdkErrorShape = isObject(error) ? error : {};
  const name = typeof shape.name === 'string' && shape.name !== '' ? shape.name : 'Error';
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  const status = statusOf(shape);
  // One line: a line break in a service message would forge lines in logs and Fail causes.
  const message = oneLine(typeof shape.message === 'string' ? shape.message : String(error), 200);
  // A bug of ours (a TypeError, say) is not a service's blip: trying again changes nothing.
  const programming = PROGRAMMING_ERRORS.some((type) => error instanceof type) && shape.$metadata === undefined;
  const transient = !programming && isTransient(shape, name, status);
  return { name: code !== undefined && name === 'Error' ? code : name, status, message, transient, error };
}

/** `ThrottlingException 400` / `TimeoutError, no answer`: how a fault is named in messages. */
export const faultLabel = (fault: AwsFault): string => `${fault.name}${fault.status === undefined ? ', no answer' : ` ${fault.status}`}`;
