/**
 * Deployment watches for the event tests (not a test file itself), each built from a CloudTrail
 * event parsed as Start watch parses it, so the requests are the ones Notify really receives.
 */
import { MalformedEventError, parseWatchRequest, type DeploymentRequest, type RejectedEvent } from '../../../lambda/shared/watch-request';
import type { Outcome, WatchState } from '../../../lambda/shared/notification';
import type { StatusResult } from '../../../lambda/shared/status-result';

export const DISTRIBUTION_ID = 'EDFDVBD6EXAMPLE';
export const TENANT_ID = 'dt_2wjDZi3hD1ivOXf6rpZJOSNE1BX';
export const CHANGED_AT = '2026-11-21T18:02:27Z';

/** An "AWS API Call via CloudTrail" event of a deployment call, as EventBridge delivers it. */
function cloudTrailEvent(eventName: string, requestParameters: unknown, responseElements: unknown, userName = 'deploy-web-1342') {
  return {
    version: '0',
    id: '7f3c1e2a-9b44-4d1e-8f0a-2c5d6e7f8a9b',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cloudfront',
    account: '123456789012',
    time: CHANGED_AT,
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLEID:${userName}`,
        arn: `arn:aws:sts::123456789012:assumed-role/github-actions-deploy/${userName}`,
        accountId: '123456789012',
        sessionContext: { sessionIssuer: { type: 'Role', userName: 'github-actions-deploy' } },
      },
      eventTime: CHANGED_AT,
      eventSource: 'cloudfront.amazonaws.com',
      eventName,
      awsRegion: 'us-east-1',
      requestParameters,
      responseElements,
      eventID: '3e1f0c7d-5a2b-4c8e-9d6f-1a2b3c4d5e6f',
      recipientAccountId: '123456789012',
    },
  };
}

/** `UpdateDistribution` of EDFDVBD6EXAMPLE: its whole new configuration, answered with version E2QWRUHEXAMPLE. */
export function updateDistributionEvent(aliases: readonly string[] = ['www.example.com', 'example.com'], webACLId = '') {
  return cloudTrailEvent(
    'UpdateDistribution',
    {
      id: DISTRIBUTION_ID,
      ifMatch: 'E1',
      distributionConfig: {
        callerReference: 'web-2026',
        enabled: true,
        aliases: { quantity: aliases.length, items: aliases },
        origins: { quantity: 2, items: [{ id: 'site' }, { id: 'api' }] },
        cacheBehaviors: { quantity: 1 },
        webACLId,
      },
    },
    { eTag: 'E2QWRUHEXAMPLE', distribution: { id: DISTRIBUTION_ID, status: 'InProgress' } },
  );
}

/** `CreateDistributionTenant` of shop.example.com on EDFDVBD6EXAMPLE. */
export function createTenantEvent(name = 'shop') {
  return cloudTrailEvent(
    'CreateDistributionTenant',
    { distributionId: DISTRIBUTION_ID, name, domains: [{ domain: 'shop.example.com' }], enabled: true },
    { eTag: 'E3TENANTEXAMPLE', distributionTenant: { id: TENANT_ID, name, status: 'InProgress' } },
  );
}

/** The watch request Start watch makes of a deployment call's event. */
export function deploymentRequestOf(event: unknown): DeploymentRequest {
  const request = parseWatchRequest(event);
  if (request.work !== 'deployment') throw new Error(`expected a deployment's event, got an invalidation's (${request.invalidationId})`);
  return request;
}

/** What Start watch records of a deployment call's event it cannot read (here: no ID at all). */
export function rejectedDeployment(): RejectedEvent {
  const event = updateDistributionEvent();
  delete (event.detail.requestParameters as { id?: string }).id;
  delete (event.detail.responseElements as { distribution?: unknown }).distribution;
  try {
    parseWatchRequest(event);
  } catch (error) {
    if (error instanceof MalformedEventError) return error.rejected;
    throw error;
  }
  throw new Error('expected the event without an ID to be rejected');
}

/** The checker's last answer about a deployment: `createTime` is the change's CloudTrail time. */
export function deploymentStatus(status: StatusResult['status'], extra: Partial<StatusResult> = {}): StatusResult {
  return {
    status,
    createTime: '2026-11-21T18:02:27.000Z',
    checkedAt: '2026-11-21T18:09:41.000Z',
    elapsedSeconds: 434,
    paths: { total: 0, sample: [] },
    ...extra,
  };
}

/** A deployment watch that ended with `outcome`, as the watcher hands it to Notify. */
export function deploymentWatch(outcome: Outcome, request: DeploymentRequest): WatchState {
  const audience = {
    destinations: ['automation'],
    routes: ['website'],
    targetName: request.target.kind === 'tenant' ? 'shop (shop.example.com)' : 'www.example.com',
  };
  switch (outcome) {
    case 'completed':
      return { outcome, request, status: deploymentStatus('Deployed'), audience };
    case 'still-in-progress':
      return { outcome, request, status: deploymentStatus('InProgress', { elapsedSeconds: 3600 }), audience };
    case 'could-not-track':
      return {
        outcome,
        request,
        error: { Error: 'DeploymentNotTrackable', Cause: 'NoSuchDistribution: The specified distribution does not exist.' },
        audience,
      };
  }
}
