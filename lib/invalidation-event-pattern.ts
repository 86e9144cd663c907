import type { EventPattern } from 'aws-cdk-lib/aws-events';
import { CLOUDFRONT_EVENT_SOURCE, eventNamesFor, WORK_KINDS, type WorkKind } from '../lambda/shared/cloudtrail-calls';

/** The `source` of every event CloudFront puts on EventBridge (it has no native events, only CloudTrail's). */
export const CLOUDFRONT_EVENTBRIDGE_SOURCE = 'aws.cloudfront';

/** The `detail-type` of a CloudTrail management event on EventBridge. */
export const CLOUDTRAIL_API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * The one event pattern for the successful CloudTrail calls that start watched work
 * (CreateInvalidation, CreateInvalidationForDistributionTenant, and the calls that start a
 * deployment: DEPLOYMENT_CALLS in lambda/shared/cloudtrail-calls.ts): used by the trigger, the
 * us-east-1 forwarder, the member accounts' forwarding rules and the organization bus, so that
 * what is forwarded is exactly what is watched. `kinds` narrows it to the work the notifier
 * watches (both by default). A new object on each call: CDK rules keep and may extend the one they get.
 */
export function invalidationEventPattern(kinds: readonly WorkKind[] = WORK_KINDS): EventPattern {
  return {
    source: [CLOUDFRONT_EVENTBRIDGE_SOURCE],
    detailType: [CLOUDTRAIL_API_CALL_DETAIL_TYPE],
    detail: {
      eventSource: [CLOUDFRONT_EVENT_SOURCE],
      eventName: eventNamesFor(kinds),
      // A failed call (TooManyInvalidationsInProgress, AccessDenied, PreconditionFailed...) started nothing.
      errorCode: [{ exists: false }],
    },
  };
}
