/**
 * CloudTrail events for local runs, derived from the recorded fixtures so that their shape
 * stays the one CloudTrail produces.
 */
import distributionFixture from './fixtures/create-invalidation.json';
import tenantFixture from './fixtures/create-invalidation-for-tenant.json';
import type { EmulatedInvalidation } from './cloudfront-emulator';

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
