/**
 * The CloudTrail calls that start work the notifier watches, named once for the trigger's event
 * pattern (synth) and for reading their events (Start watch). Kept free of any runtime
 * dependency: the constructs import it.
 */

/** The two kinds of work: they share the trigger, routes, checker, outcomes and delivery; only the call that starts them and the status awaited differ. */
export const WORK_KINDS = ['invalidation', 'deployment'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/** The calls that create an invalidation, by the kind of target. */
export const EVENT_NAMES = {
  distribution: 'CreateInvalidation',
  tenant: 'CreateInvalidationForDistributionTenant',
} as const;

/** Where a deployment call's event names its target. */
export interface DeploymentCall {
  readonly target: 'distribution' | 'tenant';
  /**
   * `request`: `requestParameters.id` (the path member `Id`, lowercased by CloudTrail);
   * `response`: the created resource's `responseElements.distribution.id` / `responseElements.distributionTenant.id`.
   */
  readonly idFrom: 'request' | 'response';
}

/**
 * The calls after which a distribution or tenant reads `InProgress` until the change reaches
 * every edge location (checked against the CloudFront API reference). Each answers with the
 * `ETag` of the version it made, which names the change. Left out, and why:
 * - `DeleteDistribution`, `DeleteDistributionTenant`: nothing is left to deploy (and a
 *   distribution must be disabled, and deployed, before it can be deleted);
 * - `TagResource`, `UntagResource`: tags are not part of the deployed configuration;
 * - `CreateInvalidation*`: the other kind of work ({@link EVENT_NAMES});
 * - `UpdateDomainAssociation`: moves an alternate domain name between distributions or tenants;
 *   its request names the target in a nested structure whose CloudTrail record this project has
 *   not seen, so it is not read from a guess; the configuration changes it makes are seen by the
 *   next update's watch.
 * The two `Disassociate...WebACL` calls are in, although the issue did not list them: removing a
 * web ACL changes the deployed configuration exactly as associating one does.
 */
export const DEPLOYMENT_CALLS = {
  CreateDistribution: { target: 'distribution', idFrom: 'response' },
  CreateDistributionWithTags: { target: 'distribution', idFrom: 'response' },
  // The staging distribution it creates is deployed like any new one.
  CopyDistribution: { target: 'distribution', idFrom: 'response' },
  UpdateDistribution: { target: 'distribution', idFrom: 'request' },
  // Copies the staging distribution's configuration into the primary (`Id`), which deploys it.
  UpdateDistributionWithStagingConfig: { target: 'distribution', idFrom: 'request' },
  AssociateDistributionWebACL: { target: 'distribution', idFrom: 'request' },
  DisassociateDistributionWebACL: { target: 'distribution', idFrom: 'request' },
  CreateDistributionTenant: { target: 'tenant', idFrom: 'response' },
  UpdateDistributionTenant: { target: 'tenant', idFrom: 'request' },
  AssociateDistributionTenantWebACL: { target: 'tenant', idFrom: 'request' },
  DisassociateDistributionTenantWebACL: { target: 'tenant', idFrom: 'request' },
} as const satisfies Readonly<Record<string, DeploymentCall>>;
export type DeploymentCallName = keyof typeof DEPLOYMENT_CALLS;

export const DEPLOYMENT_CALL_NAMES = Object.keys(DEPLOYMENT_CALLS) as DeploymentCallName[];

/** The event names that start each kind of work: what the trigger listens for when that kind is watched. */
export function eventNamesFor(kinds: readonly WorkKind[]): string[] {
  return [
    ...(kinds.includes('invalidation') ? [EVENT_NAMES.distribution, EVENT_NAMES.tenant] : []),
    ...(kinds.includes('deployment') ? DEPLOYMENT_CALL_NAMES : []),
  ];
}

export const CLOUDFRONT_EVENT_SOURCE = 'cloudfront.amazonaws.com';
