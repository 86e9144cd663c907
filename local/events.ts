/**
 * CloudTrail events for local runs, derived from the recorded fixtures so that their shape
 * stays the one CloudTrail produces.
 */
import distributionFixture from './fixtures/create-invalidation.json';
import tenantFixture from './fixtures/create-invalidation-for-tenant.json';
import updateDistributionFixture from './fixtures/update-distribution.json';
import createTenantFixture from './fixtures/create-distribution-tenant.json';
import { DEPLOYMENT_CALLS, type DeploymentCallName } from '../lambda/shared/cloudtrail-calls';
import type { DeploymentScript, EmulatedInvalidation, EmulatedTarget } from './cloudfront-emulator';

export interface SampleInvalidation {
  readonly kind: 'distribution' | 'tenant';
  readonly targetId: string;
  readonly invalidationId: string;
  readonly paths: readonly string[];
  readonly callerReference: string;
}

export const SAMPLE_DISTRIBUTION: SampleInvalidation = {
  kind: 'distribution',
  targetId: distributionFixture.detail.requestParameters.distributionId,
  invalidationId: distributionFixture.detail.responseElements.invalidation.id,
  paths: distributionFixture.detail.requestParameters.invalidationBatch.paths.items,
  callerReference: distributionFixture.detail.requestParameters.invalidationBatch.callerReference,
};

export const SAMPLE_TENANT: SampleInvalidation = {
  kind: 'tenant',
  targetId: tenantFixture.detail.requestParameters.id,
  invalidationId: tenantFixture.detail.responseElements.invalidation.id,
  paths: tenantFixture.detail.requestParameters.invalidationBatch.paths.items,
  callerReference: tenantFixture.detail.requestParameters.invalidationBatch.callerReference,
};

/** The CloudTrail event CloudFront would produce for this invalidation (fresh IDs and paths). */
export function cloudTrailEvent(invalidation: SampleInvalidation, eventId = `evt-${invalidation.invalidationId}`): Record<string, unknown> {
  const fixture = structuredClone(invalidation.kind === 'tenant' ? tenantFixture : distributionFixture) as typeof distributionFixture &
    typeof tenantFixture;
  const { detail } = fixture;
  const segment = invalidation.kind === 'tenant' ? 'distribution-tenant' : 'distribution';
  const batch = {
    paths: { quantity: invalidation.paths.length, items: [...invalidation.paths] },
    callerReference: invalidation.callerReference,
  };
  detail.requestParameters = {
    ...(invalidation.kind === 'tenant' ? { id: invalidation.targetId } : { distributionId: invalidation.targetId }),
    invalidationBatch: batch,
  } as typeof detail.requestParameters;
  detail.responseElements = {
    location: `https://cloudfront.amazonaws.com/2020-05-31/${segment}/${invalidation.targetId}/invalidation/${invalidation.invalidationId}`,
    invalidation: {
      id: invalidation.invalidationId,
      status: 'InProgress',
      createTime: 'Nov 21, 2026 6:02:27 PM',
      invalidationBatch: batch,
    },
  };
  detail.eventID = eventId;
  fixture.id = eventId;
  return fixture;
}

/** The matching emulator entry: the same IDs and paths. */
export function emulatedInvalidation(
  invalidation: SampleInvalidation,
  when: Pick<EmulatedInvalidation, 'inProgressChecks' | 'completesAtSecond'>,
): EmulatedInvalidation {
  return { ...invalidation, ...when };
}

/** A deployment for local runs: the target a call changed, and the version (the answer's `ETag`) the call made. */
export interface SampleDeployment {
  readonly kind: 'distribution' | 'tenant';
  readonly targetId: string;
  readonly eTag: string;
}

export const SAMPLE_DISTRIBUTION_UPDATE: SampleDeployment = {
  kind: 'distribution',
  targetId: updateDistributionFixture.detail.requestParameters.id,
  eTag: updateDistributionFixture.detail.responseElements.eTag,
};

export const SAMPLE_TENANT_CREATION: SampleDeployment = {
  kind: 'tenant',
  targetId: createTenantFixture.detail.responseElements.distributionTenant.id,
  eTag: createTenantFixture.detail.responseElements.eTag,
};

/** What a distribution's configuration says (CreateDistribution*, UpdateDistribution); unset: the fixture's. */
export interface DistributionSettings {
  readonly aliases?: readonly string[];
  readonly enabled?: boolean;
  /** How many origins (named `origin-1`, ...). */
  readonly origins?: number;
  /** How many cache behaviours besides the default one. */
  readonly cacheBehaviors?: number;
  /** The web ACL's ARN; '' for none. */
  readonly webACLId?: string;
  readonly comment?: string;
}

/** What a tenant's request says (CreateDistributionTenant, UpdateDistributionTenant); unset: the fixture's. */
export interface TenantSettings {
  readonly name?: string;
  readonly distributionId?: string;
  readonly domains?: readonly string[];
  readonly enabled?: boolean;
  readonly webAclArn?: string;
}

export interface DeploymentEventOptions {
  /** @default `evt-<call>-<eTag>` */
  readonly eventId?: string;
  /** The version the call replaced (updates, associations): the request's `ifMatch`. @default the fixture's */
  readonly ifMatch?: string;
  readonly distribution?: DistributionSettings;
  readonly tenant?: TenantSettings;
  /** AssociateDistributionWebACL / AssociateDistributionTenantWebACL: the web ACL. @default the fixture's */
  readonly webACLArn?: string;
  /**
   * When the call was made (ISO 8601): the event's `time` and `detail.eventTime`, the change's
   * time a deployment's duration counts from. @default the fixture's
   */
  readonly eventTime?: string;
}

/** CloudTrail's way of writing a time inside `responseElements` (not ISO). */
const RESPONSE_TIME = 'Nov 21, 2026 6:20:11 PM';

const countedList = <T>(items: readonly T[]) => (items.length === 0 ? { quantity: 0 } : { quantity: items.length, items: [...items] });

function distributionConfigOf(settings: DistributionSettings = {}): Record<string, unknown> {
  const config: Record<string, unknown> = structuredClone(updateDistributionFixture.detail.requestParameters.distributionConfig);
  if (settings.aliases) config.aliases = countedList(settings.aliases);
  if (settings.enabled !== undefined) config.enabled = settings.enabled;
  if (settings.origins !== undefined) {
    config.origins = countedList(
      Array.from({ length: settings.origins }, (_, i) => ({
        id: `origin-${i + 1}`,
        domainName: `origin-${i + 1}.example.com`,
        originPath: '',
      })),
    );
  }
  if (settings.cacheBehaviors !== undefined) {
    config.cacheBehaviors = countedList(
      Array.from({ length: settings.cacheBehaviors }, (_, i) => ({ pathPattern: `/path-${i + 1}/*`, targetOriginId: 'origin-1' })),
    );
  }
  if (settings.webACLId !== undefined) config.webACLId = settings.webACLId;
  if (settings.comment !== undefined) config.comment = settings.comment;
  return config;
}

/** The response's `distribution`, as CloudTrail records it (members lowercase-first, `aRN`, a non-ISO time). */
function distributionOf(id: string, config: Record<string, unknown>): Record<string, unknown> {
  return {
    id,
    aRN: `arn:aws:cloudfront::123456789012:distribution/${id}`,
    status: 'InProgress',
    lastModifiedTime: RESPONSE_TIME,
    inProgressInvalidationBatches: 0,
    domainName: `${id.toLowerCase()}.cloudfront.net`,
    distributionConfig: config,
  };
}

function tenantRequestOf(settings: TenantSettings = {}): Record<string, unknown> {
  const request: Record<string, unknown> = structuredClone(createTenantFixture.detail.requestParameters);
  if (settings.name !== undefined) request.name = settings.name;
  if (settings.distributionId !== undefined) request.distributionId = settings.distributionId;
  if (settings.domains) request.domains = settings.domains.map((domain) => ({ domain }));
  if (settings.enabled !== undefined) request.enabled = settings.enabled;
  if (settings.webAclArn !== undefined) request.customizations = { webAcl: { action: 'override', arn: settings.webAclArn } };
  return request;
}

/** The response's `distributionTenant`: what the request set, and what CloudFront adds. */
function tenantOf(id: string, request: Record<string, unknown>): Record<string, unknown> {
  const { tags, customizations, parameters, connectionGroupId } = request;
  const domains = Array.isArray(request.domains)
    ? request.domains.map((item: { domain?: string }) => ({ ...item, status: 'inactive' }))
    : [];
  return {
    id,
    distributionId: request.distributionId,
    name: request.name ?? createTenantFixture.detail.responseElements.distributionTenant.name,
    arn: `arn:aws:cloudfront::123456789012:distribution-tenant/${id}`,
    domains,
    ...(tags === undefined ? {} : { tags }),
    ...(customizations === undefined ? {} : { customizations }),
    ...(parameters === undefined ? {} : { parameters }),
    ...(connectionGroupId === undefined ? {} : { connectionGroupId }),
    createdTime: RESPONSE_TIME,
    lastModifiedTime: RESPONSE_TIME,
    enabled: request.enabled ?? true,
    status: 'InProgress',
  };
}

/**
 * The CloudTrail event CloudFront would produce for a deployment call (any of DEPLOYMENT_CALLS)
 * that made `deployment.eTag` on `deployment.targetId`: the request and response as CloudTrail
 * records them, in the envelope of the fixtures (update-distribution.json for a distribution's
 * calls, create-distribution-tenant.json for a tenant's).
 */
export function deploymentEvent(
  call: DeploymentCallName,
  deployment: SampleDeployment,
  options: DeploymentEventOptions = {},
): Record<string, unknown> {
  if (DEPLOYMENT_CALLS[call].target !== deployment.kind) {
    throw new Error(`${call} changes a ${DEPLOYMENT_CALLS[call].target}, not a ${deployment.kind}`);
  }
  const { targetId: id, eTag } = deployment;
  const ifMatch = options.ifMatch ?? updateDistributionFixture.detail.requestParameters.ifMatch;
  const webACLArn = options.webACLArn ?? updateDistributionFixture.detail.requestParameters.distributionConfig.webACLId;
  const config = distributionConfigOf(options.distribution);
  const location = `https://cloudfront.amazonaws.com/2020-05-31/${deployment.kind === 'tenant' ? 'distribution-tenant' : 'distribution'}/${id}`;
  const [requestParameters, responseElements] = ((): [Record<string, unknown>, Record<string, unknown>] => {
    switch (call) {
      case 'CreateDistribution':
        return [{ distributionConfig: config }, { distribution: distributionOf(id, config), location, eTag }];
      case 'CreateDistributionWithTags':
        return [
          { distributionConfigWithTags: { distributionConfig: config, tags: { items: [{ key: 'team', value: 'web' }] } } },
          { distribution: distributionOf(id, config), location, eTag },
        ];
      case 'CopyDistribution':
        return [
          {
            primaryDistributionId: SAMPLE_DISTRIBUTION_UPDATE.targetId,
            callerReference: `copy-${id}`,
            staging: true,
            ifMatch,
            enabled: true,
          },
          { distribution: distributionOf(id, { ...config, staging: true }), location, eTag },
        ];
      case 'UpdateDistribution':
        return [
          { distributionConfig: config, id, ifMatch },
          { distribution: distributionOf(id, config), eTag },
        ];
      case 'UpdateDistributionWithStagingConfig':
        return [
          { id, stagingDistributionId: 'E3STAGING00001', ifMatch },
          { distribution: distributionOf(id, config), eTag },
        ];
      case 'AssociateDistributionWebACL':
      case 'AssociateDistributionTenantWebACL':
        return [
          { id, webACLArn, ifMatch },
          { id, webACLArn, eTag },
        ];
      case 'DisassociateDistributionWebACL':
      case 'DisassociateDistributionTenantWebACL':
        return [
          { id, ifMatch },
          { id, eTag },
        ];
      case 'CreateDistributionTenant': {
        const request = tenantRequestOf(options.tenant);
        return [request, { distributionTenant: tenantOf(id, request), eTag }];
      }
      case 'UpdateDistributionTenant': {
        const request: Record<string, unknown> = { id, ifMatch, ...tenantRequestOf(options.tenant) };
        // Not members of UpdateDistributionTenant's request: a tenant keeps its name, tags change through TagResource.
        delete request.tags;
        delete request.name;
        return [request, { distributionTenant: tenantOf(id, { ...request, name: options.tenant?.name }), eTag }];
      }
    }
  })();
  const fixture = structuredClone(deployment.kind === 'tenant' ? createTenantFixture : updateDistributionFixture) as Record<
    string,
    unknown
  > & {
    detail: Record<string, unknown>;
  };
  const eventId = options.eventId ?? `evt-${call}-${eTag}`;
  Object.assign(fixture.detail, { eventName: call, requestParameters, responseElements, eventID: eventId });
  fixture.id = eventId;
  if (options.eventTime !== undefined) {
    fixture.time = options.eventTime;
    fixture.detail.eventTime = options.eventTime;
  }
  return fixture;
}

/** The matching emulator target: the version the event made, deployed when `when` says. */
export function emulatedDeployment(
  deployment: SampleDeployment,
  when: Omit<DeploymentScript, 'eTag'> = {},
  describe: Omit<EmulatedTarget, 'kind' | 'id' | 'deployment'> = {},
): EmulatedTarget {
  return { kind: deployment.kind, id: deployment.targetId, ...describe, deployment: { eTag: deployment.eTag, ...when } };
}
