import { CloudFrontClient, type CloudFrontClientConfig } from '@aws-sdk/client-cloudfront';

/**
 * How long one CloudFront call may take. Every limit is far below the function's timeout
 * (30 s, `lib/notifier-function.ts`), so a blip ends as a failed call the function reports
 * (a slow-down step), never as a function timeout. The guarantee does not rest on the two
 * numbers agreeing: each call's budget is also cut to what the invocation has left
 * (`callBudgetMs`), whatever the function's timeout is set to.
 */
export interface CallLimits {
  /** To open the TCP connection. */
  readonly connectionTimeoutMs: number;
  /** From sending the request to the response headers. */
  readonly requestTimeoutMs: number;
  /** The longest silence while the body arrives. */
  readonly socketTimeoutMs: number;
  /** The whole call, first byte to last, however the body trickles in. */
  readonly callBudgetMs: number;
  /** Left to the invocation after the call: logging and returning the result. */
  readonly reserveMs: number;
}

/** GetInvalidation answers in well under a second, even with 3,000 paths. */
export const CALL_LIMITS: CallLimits = {
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 5_000,
  socketTimeoutMs: 5_000,
  callBudgetMs: 10_000,
  reserveMs: 2_000,
};

/**
 * The CloudFront client, with time limits on every phase of a call. CloudFront's API is
 * global and served from us-east-1. Retries are the state machine's job (with jitter, and free
 * while waiting), so the SDK makes one attempt per invocation.
 */
export function createCloudFrontClient(limits: CallLimits = CALL_LIMITS, config: CloudFrontClientConfig = {}): CloudFrontClient {
  return new CloudFrontClient({ region: 'us-east-1', ...cloudFrontClientConfig(limits), ...config });
}

/** The settings of {@link createCloudFrontClient}, for clients made elsewhere (one per member account). */
export function cloudFrontClientConfig(limits: CallLimits = CALL_LIMITS): CloudFrontClientConfig {
  return {
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Without it, node-http-handler only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
      socketTimeout: limits.socketTimeoutMs,
    },
  };
}

/** The time the next call may take: its budget, cut to what the invocation has left minus the reserve. */
export function callBudgetMs(remainingMs: number, limits: CallLimits = CALL_LIMITS): number {
  return Math.max(0, Math.min(limits.callBudgetMs, remainingMs - limits.reserveMs));
}
