/**
 * Named errors thrown by the handlers. Step Functions matches `Retry` and `Catch` on the
 * error's name, so these names are part of the state machine's contract: `lib/watcher.ts`
 * imports them from here rather than repeating the strings.
 */
export const ErrorNames = {
  /** CloudFront answered Throttling (HTTP 400 "Rate exceeded"). */
  CloudFrontThrottled: 'CloudFrontThrottled',
  /** CloudFront answered 5xx or the connection failed: transient. */
  CloudFrontUnavailable: 'CloudFrontUnavailable',
  /** NoSuchInvalidation, NoSuchDistribution, EntityNotFound, AccessDenied, ...: never retried. */
  InvalidationNotTrackable: 'InvalidationNotTrackable',
  /** NoSuchDistribution, EntityNotFound (a tenant), AccessDenied, ... for a deployment's status check: never retried. */
  DeploymentNotTrackable: 'DeploymentNotTrackable',
  /**
   * A chat webhook (Slack, Teams, Google Chat) answered 429 and asked for a longer wait than
   * this invocation can spend: transient, the state machine retries later.
   */
  WebhookRateLimited: 'WebhookRateLimited',
  /** A chat webhook answered 5xx or 408, did not answer in time, or could not be reached: transient. */
  WebhookUnavailable: 'WebhookUnavailable',
  /** A chat webhook was refused as revoked or wrong (401, 403, 404, 410, `no_service`, ...): permanent, fix the secret. */
  WebhookRejected: 'WebhookRejected',
  /** A chat platform refused our message as malformed (`invalid_blocks`, 400, 413, ...): permanent, a bug to report. */
  WebhookPayloadRejected: 'WebhookPayloadRejected',
  /** A webhook's secret could not be read for now (throttling, 5xx, no answer): transient. */
  SecretUnavailable: 'SecretUnavailable',
  /** A webhook's secret is missing, not readable by the function, or holds no usable URL: permanent. */
  SecretInvalid: 'SecretInvalid',
  /** SNS could not publish for now (throttling of SNS or of its KMS key, 5xx, no answer): transient. */
  TopicUnavailable: 'TopicUnavailable',
  /** SNS refused the message (authorization, missing topic, unusable KMS key, invalid parameter): permanent. */
  TopicRejected: 'TopicRejected',
  /** EventBridge could not take the event for now (throttling, internal failure, no answer): transient. */
  EventBusUnavailable: 'EventBusUnavailable',
  /** EventBridge refused the event (no permission, no such bus, malformed): permanent. */
  EventBusRejected: 'EventBusRejected',
  /**
   * Start watch could not read the tags a route needs (throttled, no answer): the invocation
   * fails, so Lambda tries the event again later and, failing that, keeps it in the dead-letter
   * queue, rather than sending the invalidation to the wrong team.
   */
  TagsUnavailable: 'TagsUnavailable',
  /**
   * A message could not be sent yet without going past its destination's pace (the platform's
   * rate limit, shared by every watch telling it): the state machine tries again in seconds.
   */
  TellLater: 'TellLater',
  /** The watcher's own input is not what it expects (a bug or a hand-started execution). */
  InvalidWatcherInput: 'InvalidWatcherInput',
  /**
   * The handler's own early timeout (middy's `timeoutEarlyResponse`, a few ms before Lambda's):
   * without a name, middy throws a bare `TimeoutError` that no Retry can tell apart.
   */
  FunctionTimedOut: 'FunctionTimedOut',
} as const;

export type ErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

/** CloudFront refused a status check for good (not found, access denied): the watch cannot be tracked. */
export const NOT_TRACKABLE_ERRORS: readonly string[] = [ErrorNames.InvalidationNotTrackable, ErrorNames.DeploymentNotTrackable];

/**
 * Delivery errors worth trying again later: the notify tasks' Retry matches these. Every other
 * delivery error is permanent and ends the channel's branch at once.
 */
export const TRANSIENT_DELIVERY_ERRORS = [
  ErrorNames.WebhookUnavailable,
  ErrorNames.SecretUnavailable,
  ErrorNames.TopicUnavailable,
  ErrorNames.EventBusUnavailable,
] as const;

/** An error whose `name` is one of {@link ErrorNames}, so Step Functions can route on it. */
export class NamedError extends Error {
  constructor(
    public override readonly name: ErrorName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Lambda service errors Step Functions may raise around any Lambda task (AWS's recommended list). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * What Step Functions sees when the function ran out of time: the handler's own early timeout
 * ({@link ErrorNames.FunctionTimedOut}), else the runtime's `Sandbox.Timedout`, or `Lambda.Unknown`
 * on older runtimes (which also covers a crash or running out of memory). Not in
 * LAMBDA_SERVICE_ERRORS: the function may have done part of its work. A check is a read and is
 * retried freely; a delivery is retried a little (every outbound call ends within the
 * invocation's budget, so a timeout almost always means nothing was sent, and a lost message is
 * worse than a rare duplicate).
 */
export const LAMBDA_TIMEOUT_ERRORS = [ErrorNames.FunctionTimedOut, 'Sandbox.Timedout', 'Lambda.Unknown'] as const;
