/**
 * The event pattern every rule of the notifier must synthesize to (the trigger, the forwarder,
 * the member's forwarding rule, the organization bus): written out literally, once, as
 * CloudFormation shows it, so a change to lib/invalidation-event-pattern.ts is caught.
 */
export const SYNTHESIZED_INVALIDATION_PATTERN = {
  source: ['aws.cloudfront'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['cloudfront.amazonaws.com'],
    eventName: [
      'CreateInvalidation',
      'CreateInvalidationForDistributionTenant',
      'CreateDistribution',
      'CreateDistributionWithTags',
      'CopyDistribution',
      'UpdateDistribution',
      'UpdateDistributionWithStagingConfig',
      'AssociateDistributionWebACL',
      'DisassociateDistributionWebACL',
      'CreateDistributionTenant',
      'UpdateDistributionTenant',
      'AssociateDistributionTenantWebACL',
      'DisassociateDistributionTenantWebACL',
    ],
    errorCode: [{ exists: false }],
  },
};

/** The same pattern when only invalidations are watched (`watch: ['invalidation']`). */
export const SYNTHESIZED_INVALIDATIONS_ONLY_PATTERN = {
  ...SYNTHESIZED_INVALIDATION_PATTERN,
  detail: { ...SYNTHESIZED_INVALIDATION_PATTERN.detail, eventName: ['CreateInvalidation', 'CreateInvalidationForDistributionTenant'] },
};
