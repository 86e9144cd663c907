/**
 * Named errors thrown by the handlers. Step Functions matches `Retry` and `Catch` on the
 * error's name, so these names are part of the state machine's contract: `lib/watcher.ts`
 * imports them from here rather than repeating the strings.
 */
export const ErrorNames = {
  /** Still in progress during the quick-check phase: retried by the Task's own Retry. */
  InvalidationInProgress: 'InvalidationInProgress',
  /** CloudFront answered Throttling (HTTP 400 "Rate exceeded"). */
  CloudFrontThrottled: 'CloudFrontThrottled',
  /** CloudFront answered 5xx or the connection failed: transient. */
  CloudFrontUnavailable: 'CloudFrontUnavailable',
  /** NoSuchInvalidation, NoSuchDistribution, EntityNotFound, AccessDenied, ...: never retried. */
  InvalidationNotTrackable: 'InvalidationNotTrackable',
  /** Slack answered 429 even after honouring Retry-After. */
  SlackRateLimited: 'SlackRateLimited',
  /** Slack answered 5xx or could not be reached: transient. */
  SlackUnavailable: 'SlackUnavailable',
  /** Slack answered 4xx (revoked or wrong webhook): never retried. */
  SlackWebhookRejected: 'SlackWebhookRejected',
  /** The Slack secret is missing, unreadable or not a Slack webhook URL. */
  SlackSecretInvalid: 'SlackSecretInvalid',
  /** SNS publish failed with a transient error. */
  TopicUnavailable: 'TopicUnavailable',
  /** The watcher's own input is not what it expects (a bug or a hand-started execution). */
  InvalidWatcherInput: 'InvalidWatcherInput',
} as const;

export type ErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

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
