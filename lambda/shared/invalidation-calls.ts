/**
 * The CloudTrail calls that create an invalidation, named once for the trigger's event pattern
 * (synth) and for reading their events (Start watch). Kept free of any runtime dependency: the
 * constructs import it.
 */
export const EVENT_NAMES = {
  distribution: 'CreateInvalidation',
  tenant: 'CreateInvalidationForDistributionTenant',
} as const;

export const CLOUDFRONT_EVENT_SOURCE = 'cloudfront.amazonaws.com';
