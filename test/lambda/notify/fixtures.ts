/** Notifications and path lists shared by the notify tests (not a test file itself). */
import { parseInvalidationRequest } from '../../support/invalidation-request';
import distributionEvent from '../../../local/fixtures/create-invalidation.json';
import { burstMemberOf, type BurstMember } from '../../../lambda/shared/burst-notification';
import { buildNotification, buildProgressNotification, type Notification, type WatchState } from '../../../lambda/shared/notification';
import { samplePaths, type PathSample, type StatusResult } from '../../../lambda/shared/status-result';
import { parseWatchRequest, type DeploymentRequest } from '../../../lambda/shared/watch-request';

export const distributionRequest = parseInvalidationRequest(structuredClone(distributionEvent));

/** The EventBridge envelope of a CloudTrail record of a successful CloudFront call. */
function cloudTrailCall(eventName: string, requestParameters: unknown, responseElements: unknown, eventId: string) {
  return {
    version: '0',
    id: `envelope-${eventId}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cloudfront',
    account: '123456789012',
    time: '2026-11-21T18:02:27Z',
    region: 'us-east-1',
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::123456789012:assumed-role/platform-deploy/alice',
        sessionContext: { sessionIssuer: { userName: 'platform-deploy' } },
      },
      eventTime: '2026-11-21T18:02:27Z',
      eventSource: 'cloudfront.amazonaws.com',
      eventName,
      awsRegion: 'us-east-1',
      requestParameters,
      responseElements,
      eventID: eventId,
      recipientAccountId: '123456789012',
    },
  };
}

/** `UpdateDistribution` of EDFDVBD6EXAMPLE: one alias, two origins, enabled; it made version E2QWRUHEXAMPLE. */
export const updateDistributionEvent = (overrides: { eTag?: string; aliases?: string[]; eventId?: string } = {}) =>
  cloudTrailCall(
    'UpdateDistribution',
    {
      id: 'EDFDVBD6EXAMPLE',
      ifMatch: 'E1',
      distributionConfig: {
        enabled: true,
        aliases: { quantity: (overrides.aliases ?? ['www.example.com']).length, items: overrides.aliases ?? ['www.example.com'] },
        origins: { quantity: 2 },
      },
    },
    { eTag: overrides.eTag ?? 'E2QWRUHEXAMPLE', distribution: { id: 'EDFDVBD6EXAMPLE' } },
    overrides.eventId ?? '3c2f9a4e-1b7d-4c55-9f0e-8a2b6d1e7f01',
  );

/** `CreateDistributionTenant` of dt_2abcEXAMPLE ("customer-7", customer-7.example.com) on EDFDVBD6EXAMPLE. */
export const createTenantEvent = (overrides: { name?: string; domain?: string } = {}) =>
  cloudTrailCall(
    'CreateDistributionTenant',
    {
      name: overrides.name ?? 'customer-7',
      distributionId: 'EDFDVBD6EXAMPLE',
      domains: [{ domain: overrides.domain ?? 'customer-7.example.com' }],
    },
    { eTag: 'E3TENANTEXAMPLE', distributionTenant: { id: 'dt_2abcEXAMPLE' } },
    '7d1e0c3b-5a2f-4e6d-8b9c-0f1a2b3c4d02',
  );

/** parseWatchRequest for an event that must be a deployment's: its request typed as one. */
export function parseDeploymentRequest(event: unknown): DeploymentRequest {
  const request = parseWatchRequest(event);
  if (request.work !== 'deployment') throw new Error(`expected a deployment's event, got an invalidation's (${request.invalidationId})`);
  return request;
}

export const updateRequest = parseDeploymentRequest(updateDistributionEvent());
export const tenantRequest = parseDeploymentRequest(createTenantEvent());

/** A deployment's last check: Deployed, 4 minutes after the change; `laterChanges` when a later change was deployed with it. */
export function deployedStatus(laterChanges?: number): StatusResult {
  return {
    status: 'Deployed',
    createTime: '2026-11-21T18:02:27.000Z',
    checkedAt: '2026-11-21T18:06:27.000Z',
    elapsedSeconds: 240,
    paths: { total: 0, sample: [] },
    ...(laterChanges !== undefined ? { laterChanges } : {}),
  };
}

/** Every phase of a deployment's watch, as the notify function builds them (the live message's first). */
export function deploymentStates(request: DeploymentRequest = updateRequest) {
  const audience = { destinations: ['team'], routes: [], targetName: 'www.example.com' };
  return {
    running: { request, audience, status: { ...deployedStatus(), status: 'InProgress' as const } },
    completed: { outcome: 'completed' as const, request, audience, status: deployedStatus() },
    withLater: { outcome: 'completed' as const, request, audience, status: deployedStatus(1) },
    stillInProgress: {
      outcome: 'still-in-progress' as const,
      request,
      audience,
      status: { ...deployedStatus(), status: 'InProgress' as const, checkedAt: '2026-11-21T19:02:27.000Z', elapsedSeconds: 3600 },
    },
    couldNotTrack: {
      outcome: 'could-not-track' as const,
      request,
      audience,
      error: {
        Error: 'DeploymentNotTrackable',
        Cause: JSON.stringify({
          errorType: 'DeploymentNotTrackable',
          errorMessage: `NoSuchDistribution: CloudFront refused the status check for distribution ${request.target.id}, deployment ${request.change.eTag} (HTTP 404): The specified distribution does not exist.`,
        }),
      },
    },
  } satisfies Record<string, WatchState | Omit<WatchState, 'outcome'>>;
}

/**
 * `count` paths of about 200 characters mixing what Slack and JSON must survive: `<`, `>`,
 * `&`, `*`, spaces, non-ASCII text, emoji, and cache tags (`#...`).
 */
export function awkwardPaths(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const head = i % 7 === 0 ? `#tag-${i}-product & <sale>` : `/static/${i}/hero <new> & *bold* _it_ ünïcødé 日本語 😀 ~v2~ `;
    return `${head}${'-segment'.repeat(40)}`.slice(0, 200);
  });
}

export function completedStatus(paths: PathSample): StatusResult {
  return {
    status: 'Completed',
    createTime: '2026-11-21T18:02:27.000Z',
    checkedAt: '2026-11-21T18:05:39.000Z',
    elapsedSeconds: 190,
    paths,
  };
}

/** A completed notification for an invalidation of `count` awkward paths, sampled as the checker does. */
export function completedWithPaths(count: number): Notification {
  const items = awkwardPaths(count);
  const state: WatchState = {
    outcome: 'completed',
    request: distributionRequest,
    status: completedStatus(samplePaths(items, items.length)),
  };
  return buildNotification(state);
}

/** A completed notification with exactly these paths. */
export function completedWith(items: readonly string[]): Notification {
  return buildNotification({
    outcome: 'completed',
    request: distributionRequest,
    status: completedStatus(samplePaths(items, items.length)),
  });
}

/** "… and N more" → N, or undefined when the text has no such line. */
export function moreCount(text: string): number | undefined {
  const match = /… and (\d+) more$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** Chat markup, entities, quotes, line breaks, control characters, emoji and lone surrogate halves. */
export const HOSTILE_TEXT =
  '<!channel> <!here> <@U024BE7LH> <http://evil.example|Open the console> [Open](http://evil.example) @here\n\r\t\u0000\u2028&amp; & "q" \\ `t` *b* 😀 日本 \ud83d';

/** `length` code points of {@link HOSTILE_TEXT}, repeated. */
export function hostile(length: number): string {
  return Array.from(HOSTILE_TEXT.repeat(Math.ceil(length / HOSTILE_TEXT.length) + 1))
    .slice(0, length)
    .join('');
}

/** A watch whose every caller-controlled field is hostile and huge (see {@link hostileNotifications}), not yet ended. */
export function hostileWatch() {
  const items = Array.from({ length: 3000 }, (_, i) => `/${i}${hostile(1024)}`);
  const request = {
    ...distributionRequest,
    target: { kind: 'distribution' as const, id: `E${hostile(40)}` },
    invalidationId: `I${hostile(40)}`,
    createdBy: `role/${hostile(2000)}\nConsole: http://evil.example`,
    callerReference: hostile(10_000),
  };
  const status = { ...completedStatus(samplePaths(items, items.length)), lastError: hostile(5000) };
  return { request, status, audience: { destinations: ['team'], routes: [], targetName: hostile(3000), accountName: hostile(3000) } };
}

/**
 * Every outcome with every caller-controlled field hostile and huge: a 10,000-character caller
 * reference, a principal name with line breaks, hostile IDs, reasons and errors, and 3,000 paths
 * of 1,024 emoji-and-escape characters.
 */
export function hostileNotifications(): Notification[] {
  const { request, status } = hostileWatch();
  return [
    buildNotification({ outcome: 'completed', request, status }),
    buildNotification({ outcome: 'still-in-progress', request, status: { ...status, status: 'Unknown', elapsedSeconds: 86_400 } }),
    buildNotification({ outcome: 'could-not-track', request, status, error: { Error: hostile(500), Cause: hostile(30_000) } }),
    buildNotification({
      outcome: 'could-not-track',
      rejected: {
        reason: hostile(30_000),
        eventId: hostile(300),
        targetId: hostile(300),
        invalidationId: hostile(300),
        createdBy: hostile(3000),
      },
    }),
  ];
}

const BURST_START = '2026-11-21T18:02:27.000Z';

/**
 * `count` members of one burst, as the store keeps them: every third tenant-named, and by
 * position completed (taking i seconds more than the one before), could not track (every
 * tenth), still in progress (every 25th) or, with `running`, still running (every fourth).
 */
export function burstMembers(count: number, options: { running?: boolean } = {}): BurstMember[] {
  return Array.from({ length: count }, (_, i) => {
    const request = {
      ...distributionRequest,
      invalidationId: `I${1000 + i}`,
      target: { kind: 'distribution' as const, id: `E${1000 + i}` },
    };
    const audience = { destinations: ['team'], routes: [], ...(i % 3 === 0 ? { targetName: `site-${i}.example.com` } : {}) };
    const status = {
      ...completedStatus(samplePaths([`/site-${i}/*`], 1)),
      checkedAt: new Date(Date.parse(BURST_START) + (60 + i) * 1000).toISOString(),
    };
    if (i % 10 === 7)
      return burstMemberOf(
        { outcome: 'could-not-track', request, audience, error: { Error: 'CloudFrontAccessDenied', Cause: `no access to E${1000 + i}` } },
        BURST_START,
      );
    if (i % 25 === 24)
      return burstMemberOf(
        { outcome: 'still-in-progress', request, audience, status: { ...status, status: 'InProgress', elapsedSeconds: 3600 } },
        BURST_START,
      );
    if (options.running && i % 4 === 1)
      return burstMemberOf({ request, audience, status: { ...status, status: 'InProgress' } }, BURST_START);
    return burstMemberOf({ outcome: 'completed', request, audience, status }, BURST_START);
  });
}

/** `count` members whose every caller-controlled field is hostile and huge, in every phase. */
export function hostileBurstMembers(count: number): BurstMember[] {
  return Array.from({ length: count }, (_, i) => {
    const request = {
      ...distributionRequest,
      target: { kind: 'distribution' as const, id: `E${hostile(40 + (i % 50))}` },
      invalidationId: `I${i}${hostile(40)}`,
      createdBy: `role/${hostile(2000)}\nConsole: http://evil.example`,
      callerReference: hostile(10_000),
    };
    const audience = { destinations: ['team'], routes: [], targetName: hostile(3000) };
    const status = { ...completedStatus(samplePaths([hostile(1024)], 3000)), lastError: hostile(1000) };
    switch (i % 4) {
      case 0:
        return burstMemberOf({ outcome: 'completed', request, audience, status }, BURST_START);
      case 1:
        return burstMemberOf({ outcome: 'still-in-progress', request, audience, status: { ...status, status: 'Unknown' } }, hostile(200));
      case 2:
        return burstMemberOf(
          { outcome: 'could-not-track', request, audience, status, error: { Error: hostile(500), Cause: hostile(30_000) } },
          BURST_START,
        );
      default:
        return burstMemberOf({ request, audience, status: { ...status, status: 'InProgress' } }, BURST_START);
    }
  });
}

/** A deployment's notification in every phase: deployed, with a later change, still deploying, could not track (the distribution was deleted), and deploying. */
export function deploymentNotifications(request: DeploymentRequest = updateRequest) {
  const states = deploymentStates(request);
  return {
    completed: buildNotification(states.completed),
    withLater: buildNotification(states.withLater),
    stillInProgress: buildNotification(states.stillInProgress),
    couldNotTrack: buildNotification(states.couldNotTrack),
    running: buildProgressNotification(states.running),
  };
}

/**
 * Deployments whose caller-controlled text is hostile and huge: aliases, a web ACL ARN, a tenant
 * name and domain, the principal and the target's name; every outcome of each, and running.
 */
export function hostileDeploymentStates(): (WatchState | Omit<WatchState, 'outcome'>)[] {
  const aliases = Array.from({ length: 40 }, (_, i) => `${i}${hostile(300)}`);
  const update = parseDeploymentRequest(updateDistributionEvent({ aliases, eventId: 'hostile-update' }));
  const tenant = parseDeploymentRequest(createTenantEvent({ name: hostile(2000), domain: hostile(2000) }));
  const acl = parseDeploymentRequest(
    cloudTrailCall(
      'AssociateDistributionWebACL',
      { id: 'EDFDVBD6EXAMPLE', webACLArn: `arn:aws:wafv2:us-east-1:123456789012:global/webacl/${hostile(3000)}` },
      { eTag: `E4${hostile(40)}` },
      'hostile-acl',
    ),
  );
  return [update, tenant, acl].flatMap((request) => {
    const hostileRequest = { ...request, createdBy: `role/${hostile(2000)}\nConsole: http://evil.example` };
    const audience = { destinations: ['team'], routes: [], targetName: hostile(3000), accountName: hostile(3000) };
    const inProgress = { ...deployedStatus(), status: 'InProgress' as const, elapsedSeconds: 86_400, lastError: hostile(5000) };
    return [
      { outcome: 'completed' as const, request: hostileRequest, audience, status: deployedStatus(3) },
      { outcome: 'still-in-progress' as const, request: hostileRequest, audience, status: inProgress },
      { outcome: 'could-not-track' as const, request: hostileRequest, audience, error: { Error: hostile(500), Cause: hostile(30_000) } },
      { request: hostileRequest, audience, status: inProgress },
    ];
  });
}

/** The outcomes of {@link hostileDeploymentStates}, as the notify function builds them. */
export function hostileDeploymentNotifications(): Notification[] {
  return hostileDeploymentStates().flatMap((state) => ('outcome' in state ? [buildNotification(state)] : []));
}

/** `count` members of one burst of hostile deployments, in every phase. */
export function hostileDeploymentBurstMembers(count: number): BurstMember[] {
  const states = hostileDeploymentStates();
  return Array.from({ length: count }, (_, i) => burstMemberOf(states[i % states.length]!, BURST_START));
}

/**
 * `count` deployment members of one burst: distribution updates, every third named; by
 * position deployed (every fifth together with a later change), could not track (every tenth),
 * still deploying (every 25th) or, with `running`, still deploying (every fourth).
 */
export function deploymentBurstMembers(count: number, options: { running?: boolean } = {}): BurstMember[] {
  return Array.from({ length: count }, (_, i) => {
    const request = {
      ...updateRequest,
      target: { kind: 'distribution' as const, id: `EDEPLOY${1000 + i}` },
      change: { ...updateRequest.change, eTag: `E${i}` },
    };
    const audience = { destinations: ['team'], routes: [], ...(i % 3 === 0 ? { targetName: `site-${i}.example.com` } : {}) };
    const status = {
      ...deployedStatus(i % 5 === 4 ? 1 : undefined),
      checkedAt: new Date(Date.parse(BURST_START) + (60 + i) * 1000).toISOString(),
    };
    if (i % 10 === 7) return burstMemberOf({ ...deploymentStates(request).couldNotTrack, audience }, BURST_START);
    if (i % 25 === 24)
      return burstMemberOf(
        { outcome: 'still-in-progress', request, audience, status: { ...status, status: 'InProgress', elapsedSeconds: 3600 } },
        BURST_START,
      );
    if (options.running && i % 4 === 1)
      return burstMemberOf({ request, audience, status: { ...status, status: 'InProgress' } }, BURST_START);
    return burstMemberOf({ outcome: 'completed', request, audience, status }, BURST_START);
  });
}
