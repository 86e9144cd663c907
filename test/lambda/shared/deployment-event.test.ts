import * as v from 'valibot';
import { buildDeploymentEvent, DEPLOYMENT_EVENT_DETAIL_TYPES } from '../../../lambda/shared/deployment-event';
import { DeliveredDeploymentEventSchema } from '../../../lambda/shared/deployment-event-schema';
import { buildInvalidationEvent, EVENT_SOURCE } from '../../../lambda/shared/invalidation-event';
import { buildNotification, OUTCOMES, type Outcome, type WatchState } from '../../../lambda/shared/notification';
import { samplePaths } from '../../../lambda/shared/status-result';
import { utf8Bytes } from '../../../lambda/shared/text';
import { buildWatchEvent } from '../../../lambda/shared/watch-event';
import type { TargetKind } from '../../../lambda/shared/watch-request';
import { asDelivered, deploymentEventSchemaProblems, eventSchemaProblems } from '../../support/event-schema';
import { completedStatus, distributionRequest, hostile } from '../notify/fixtures';
import {
  createTenantEvent,
  deploymentRequestOf,
  deploymentStatus,
  deploymentWatch,
  rejectedDeployment,
  updateDistributionEvent,
} from './deployment-event-fixtures';

const updated = deploymentRequestOf(updateDistributionEvent());
const tenantCreated = deploymentRequestOf(createTenantEvent());
const requestOf: Record<TargetKind, typeof updated> = { distribution: updated, tenant: tenantCreated };

const delivered = (watch: WatchState) => {
  const event = buildWatchEvent(watch, buildNotification(watch));
  return asDelivered({ source: event.Source, detailType: event.DetailType, resources: event.Resources, detail: event.Detail });
};

/** Problems of the delivered event against the committed JSON Schema and against its declaration. */
const problemsOf = (watch: WatchState) => {
  const event = delivered(watch);
  return [
    ...deploymentEventSchemaProblems(event),
    ...(v.safeParse(DeliveredDeploymentEventSchema, event).issues ?? []).map((issue) => issue.message),
  ];
};

describe('the "Distribution Deployed" event', () => {
  it('carries what automation needs to run its smoke tests, and matches the JSON Schema in the repo', () => {
    const watch = deploymentWatch('completed', updated);
    const event = buildWatchEvent(watch, buildNotification(watch));

    expect(event.Source).toBe(EVENT_SOURCE);
    expect(event.DetailType).toBe('CloudFront Distribution Deployed');
    expect(event.Resources).toEqual(['arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE']);
    expect(event.Detail).toEqual({
      version: 1,
      outcome: 'completed',
      work: 'deployment',
      targetKind: 'distribution',
      targetId: 'EDFDVBD6EXAMPLE',
      targetName: 'www.example.com',
      change: {
        call: 'UpdateDistribution',
        eTag: 'E2QWRUHEXAMPLE',
        changes: [
          'configuration updated; now:',
          'enabled',
          'aliases: www.example.com, example.com',
          '2 origins',
          '2 cache behaviors (the default included)',
        ],
      },
      status: 'Deployed',
      changedAt: '2026-11-21T18:02:27.000Z',
      detectedAt: '2026-11-21T18:09:41.000Z',
      durationSeconds: 434,
      createdBy: 'github-actions-deploy/deploy-web-1342',
      cloudTrailEventId: '3e1f0c7d-5a2b-4c8e-9d6f-1a2b3c4d5e6f',
      account: '123456789012',
      routes: ['website'],
      consoleUrl: 'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/EDFDVBD6EXAMPLE',
    });
    expect(problemsOf(watch)).toEqual([]);
  });

  it.each<[Outcome, TargetKind, string]>([
    ['completed', 'distribution', 'CloudFront Distribution Deployed'],
    ['completed', 'tenant', 'CloudFront Distribution Tenant Deployed'],
    ['still-in-progress', 'distribution', 'CloudFront Distribution Deployment Still In Progress'],
    ['still-in-progress', 'tenant', 'CloudFront Distribution Tenant Deployment Still In Progress'],
    ['could-not-track', 'distribution', 'CloudFront Deployment Not Tracked'],
    ['could-not-track', 'tenant', 'CloudFront Deployment Not Tracked'],
  ])('%s, for a %s: "%s", valid against the JSON Schema and the declaration', (outcome, kind, detailType) => {
    const watch = deploymentWatch(outcome, requestOf[kind]);
    const event = buildWatchEvent(watch, buildNotification(watch));

    expect(event.DetailType).toBe(detailType);
    expect(DEPLOYMENT_EVENT_DETAIL_TYPES[kind][outcome]).toBe(detailType);
    expect(event.Detail).toMatchObject({ outcome, work: 'deployment', targetKind: kind, targetId: requestOf[kind].target.id });
    expect(event.Resources).toEqual([expect.stringMatching(kind === 'tenant' ? /:distribution-tenant\/dt_/ : /:distribution\/E/)]);
    expect(problemsOf(watch)).toEqual([]);
  });

  it('tells the status each outcome saw, and why it is not deployed', () => {
    const statusOf = (outcome: Outcome) => {
      const watch = deploymentWatch(outcome, tenantCreated);
      return buildWatchEvent(watch, buildNotification(watch)).Detail as { status: string; reason?: string; durationSeconds?: number };
    };

    expect(statusOf('completed')).toMatchObject({ status: 'Deployed', durationSeconds: 434 });
    expect(statusOf('completed').reason).toBeUndefined();
    expect(statusOf('still-in-progress')).toMatchObject({ status: 'InProgress', reason: expect.stringContaining('Deployed') });
    expect(statusOf('could-not-track')).toMatchObject({ status: 'Unknown', reason: expect.stringContaining('NoSuchDistribution') });
  });

  it('says when the change was deployed together with later changes of its target', () => {
    const watch: WatchState = { ...deploymentWatch('completed', updated), status: deploymentStatus('Deployed', { laterChanges: 2 }) };

    expect(buildWatchEvent(watch, buildNotification(watch)).Detail).toMatchObject({ laterChanges: 2 });
    expect(problemsOf(watch)).toEqual([]);
  });

  it('is "Deployment Not Tracked" for a rejected CloudTrail event, which names no target', () => {
    const watch: WatchState = { outcome: 'could-not-track', rejected: rejectedDeployment() };
    const event = buildWatchEvent(watch, buildNotification(watch));

    expect(event.DetailType).toBe('CloudFront Deployment Not Tracked');
    expect(event.Resources).toEqual([]);
    expect(event.Detail).toMatchObject({
      outcome: 'could-not-track',
      work: 'deployment',
      change: { call: 'UpdateDistribution', changes: [] },
      status: 'Unknown',
      reason: expect.stringContaining('no distribution ID'),
    });
    expect(event.Detail).not.toHaveProperty('targetKind');
    expect(problemsOf(watch)).toEqual([]);
  });

  it('stays bounded, one line per field and valid, whatever a caller put in the change (huge, hostile aliases, names, web ACL)', () => {
    const aliases = Array.from({ length: 500 }, (_, i) => `${i}.${hostile(5_000)}`);
    const request = deploymentRequestOf(updateDistributionEvent(aliases, `arn:aws:wafv2::${hostile(50_000)}`));
    // What Notify may receive even if Start watch bounded less: as many lines as the request contract allows, each at its bound.
    const crowded = { ...request, change: { ...request.change, changes: Array.from({ length: 8 }, () => `web ACL: ${hostile(1_015)}`) } };
    for (const req of [request, crowded]) {
      const watch: WatchState = {
        ...deploymentWatch('completed', req),
        audience: { destinations: ['bus'], routes: [hostile(500), 'web'], targetName: hostile(3_000), accountName: hostile(3_000) },
      };
      const entry = delivered(watch);
      const detail = entry.detail as { change: { call: string; changes: string[] }; targetName: string; accountName: string };
      const texts = [detail.change.call, ...detail.change.changes, detail.targetName, detail.accountName];

      expect(problemsOf(watch)).toEqual([]);
      expect(detail.change.changes.length).toBeGreaterThan(0);
      expect(detail.change.changes.length).toBeLessThanOrEqual(8);
      for (const text of texts) {
        expect(text.length).toBeLessThanOrEqual(512);
        // eslint-disable-next-line no-control-regex -- no control character or line break may reach the event
        expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      }
      // EventBridge accepts entries up to 256 KB, detail-type and resources included.
      expect(utf8Bytes(JSON.stringify(entry))).toBeLessThan(32_000);
    }
  });
});

describe('the event a watch gets', () => {
  const invalidation: WatchState = { outcome: 'completed', request: distributionRequest, status: completedStatus(samplePaths(['/a'], 1)) };

  it.each(OUTCOMES)('is the invalidation event, unchanged, for an invalidation (%s)', (outcome) => {
    const watch: WatchState = { ...invalidation, outcome };
    const notification = buildNotification(watch);
    const event = buildWatchEvent(watch, notification);

    expect(event).toEqual(buildInvalidationEvent(watch, notification));
    expect(event.DetailType).toMatch(/^CloudFront Invalidation /);
    expect(eventSchemaProblems(delivered(watch))).toEqual([]);
  });

  it('is the invalidation "Not Tracked" event for a rejected event of no known work, the deployment\'s for a deployment call\'s', () => {
    const unknown: WatchState = { outcome: 'could-not-track', rejected: { reason: 'detail.eventName is missing', eventId: 'e-1' } };
    const deployment: WatchState = { outcome: 'could-not-track', rejected: rejectedDeployment() };

    expect(buildWatchEvent(unknown, buildNotification(unknown)).DetailType).toBe('CloudFront Invalidation Not Tracked');
    expect(buildWatchEvent(deployment, buildNotification(deployment)).DetailType).toBe('CloudFront Deployment Not Tracked');
  });

  it('never gives a deployment the invalidation event, nor an invalidation a deployment status', () => {
    const watch = deploymentWatch('completed', updated);
    const notification = buildNotification(watch);

    expect(buildWatchEvent(watch, notification)).toEqual(buildDeploymentEvent(watch, notification));
    // Called for the wrong work, the invalidation event does not claim "Completed" for a distribution's "Deployed".
    expect(buildInvalidationEvent(watch, notification).Detail.status).toBe('Unknown');
  });
});
