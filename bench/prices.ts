/**
 * The prices `npm run bench` uses: AWS list prices, us-east-1, on-demand, without free tier.
 * Each names the AWS page that publishes it. These machines have no network: the figures are the
 * ones the project's reference notes quote from those pages, copied here on
 * {@link PRICES_COPIED_ON}. Check them against the pages (and change the date) before relying on a
 * cost; every charge the benchmark prints names the price it used.
 */
export const PRICES_COPIED_ON = '2026-12-03';

export const PRICE_SOURCES = {
  stepFunctions: 'https://aws.amazon.com/step-functions/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  cloudFront: 'https://aws.amazon.com/cloudfront/pricing/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  dynamoDb: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  eventBridgeScheduler: 'https://aws.amazon.com/eventbridge/pricing/',
} as const;

export const PRICES = {
  /** Step Functions Standard: $0.025 per 1,000 state transitions (a Retry attempt is one too). */
  standardTransition: 0.025 / 1000,
  /** Step Functions Express: $1.00 per million requests (executions started). */
  expressRequest: 1 / 1_000_000,
  /** Step Functions Express: $0.00001667 per GB-second (the first tier). */
  expressGbSecond: 0.00001667,
  /** Express memory is billed in 64 MB chunks; the check loop's small state is one chunk. */
  expressGb: 64 / 1024,
  /** Express duration is rounded up to the next 100 ms, per execution. */
  expressRoundingSeconds: 0.1,
  /** Lambda: $0.20 per million requests. */
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda arm64: $0.0000133334 per GB-second, i.e. about $0.0000000017 per ms at 128 MB; billed at each function's memory. */
  lambdaMsAt128Mb: 0.0000000017,
  /**
   * Billed milliseconds assumed per Lambda call: an assumption, not a price (a check is one
   * CloudFront round trip; handler time measured in-process against a loopback emulator would
   * understate it).
   */
  lambdaBilledMsPerCall: 100,
  /**
   * A Task calling an AWS API through Step Functions' SDK integration (`arn:aws:states:::aws-sdk:...`):
   * nothing beyond its state transition; CloudFront's Get APIs are free.
   */
  sdkIntegrationCall: 0,
  /** SQS standard queue: $0.40 per million requests (after the first million a month); each 64 KB chunk of a payload is one request. */
  sqsRequest: 0.4 / 1_000_000,
  /** DynamoDB on demand: $0.625 per million write request units. */
  dynamoDbWriteUnit: 0.625 / 1_000_000,
  /** DynamoDB on demand: $0.125 per million read request units. */
  dynamoDbReadUnit: 0.125 / 1_000_000,
  /**
   * EventBridge rules on the default bus with a schedule: scheduled invocations of a Lambda
   * target are not charged (only custom and third-party events are): the watchdog costs its
   * Lambda calls and what they read.
   */
  scheduledRuleInvocation: 0,
  /** CloudFront invalidations: $0.005 per path requested (a wildcard path is one), after the free paths below. */
  invalidationPath: 0.005,
  /** CloudFront invalidations: the first 1,000 paths requested each month, per account, cost nothing. */
  freeInvalidationPathsPerMonth: 1000,
} as const;
