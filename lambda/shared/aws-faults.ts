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
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/**
 * Throttling under names that do not say "throttl" (the SDKs' own list of throttling codes).
 * Anything whose name contains "throttl" is throttling too: `ThrottlingException`, SNS's
 * `ThrottledException` and `KMSThrottlingException` (a 400, which the SDK does not retry).
 */
const OTHER_THROTTLING_NAMES = new Set([
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

/** No answer, or no answer in time. */
const NO_ANSWER_NAMES = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException']);
const NO_ANSWER_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Server-side faults that may come without a status (an answer cut short, a proxy in between). */
const SERVER_FAULT_NAMES = new Set([
  'InternalServiceError',
  'InternalErrorException',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
]);

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

export function describeAwsFault(raised: unknown): AwsFault {
  const error = unwrap(raised);
  const shape: SdkErrorShape = isObject(error) ? error : {};
  const name = typeof shape.name === 'string' && shape.name !== '' ? shape.name : 'Error';
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  const status = statusOf(shape);
  // One line: a line break in a service message would forge lines in logs and Fail causes.
  const message = oneLine(typeof shape.message === 'string' ? shape.message : String(error), 200);
  const throttled = /throttl/i.test(name) || OTHER_THROTTLING_NAMES.has(name) || status === 429;
  const noAnswer = status === undefined || NO_ANSWER_NAMES.has(name) || (code !== undefined && NO_ANSWER_CODES.has(code));
  // A bug of ours (a TypeError, say) is not a service's blip: trying again changes nothing.
  const programming = PROGRAMMING_ERRORS.some((type) => error instanceof type) && shape.$metadata === undefined;
  const transient =
    !programming &&
    (shape.$retryable !== undefined ||
      throttled ||
      noAnswer ||
      SERVER_FAULT_NAMES.has(name) ||
      (status !== undefined && status >= 500) ||
      // An error around a 2xx is an answer cut short or unreadable: the request may well succeed again.
      (status !== undefined && status >= 200 && status < 300));
  return { name: code !== undefined && name === 'Error' ? code : name, status, message, transient, error };
}

/** `ThrottlingException 400` / `TimeoutError, no answer`: how a fault is named in messages. */
export const faultLabel = (fault: AwsFault): string => `${fault.name}${fault.status === undefined ? ', no answer' : ` ${fault.status}`}`;
