import { buildInvalidationEvent, EVENT_DETAIL_TYPES, EVENT_SOURCE } from '../../../lambda/shared/invalidation-event';
import { buildNotification, type WatchState } from '../../../lambda/shared/notification';
import { samplePaths } from '../../../lambda/shared/status-result';
import { asDelivered, eventSchemaProblems } from '../../support/event-schema';
import { awkwardPaths, completedStatus, distributionRequest } from '../notify/fixtures';

const completed: WatchState = {
  outcome: 'completed',
  request: distributionRequest,
  status: completedStatus(samplePaths(['/index.html', '#product-123'], 2)),
  audience: { destinations: ['automation'], routes: ['website'], targetName: 'www.example.com' },
};

const delivered = (watch: WatchState) => {
  const event = buildInvalidationEvent(watch, buildNotification(watch));
  return asDelivered({ source: event.Source, detailType: event.DetailType, resources: event.Resources, detail: event.Detail });
};

describe('the "Invalidation Completed" event', () => {
  it('carries what automation needs, and matches the JSON Schema in the repo', () => {
    const event = buildInvalidationEvent(completed, buildNotification(completed));

    expect(event.Source).toBe(EVENT_SOURCE);
    expect(event.DetailType).toBe('CloudFront Invalidation Completed');
    expect(event.Resources).toEqual(['arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL']);
    expect(event.Detail).toEqual({
      version: 1,
      outcome: 'completed',
      targetKind: 'distribution',
      targetId: 'E2QWRUHAPOMQZL',
      targetName: 'www.example.com',
      invalidationId: 'I2J0I21PCUYOIK',
      status: 'Completed',
      createTime: '2026-11-21T18:02:27.000Z',
      detectedAt: '2026-11-21T18:05:39.000Z',
      durationSeconds: 192,
      pathCount: 2,
      paths: ['/index.html', '#product-123'],
      callerReference: 'deploy-web-1342',
      createdBy: 'github-actions-deploy/deploy-web-1342',
      cloudTrailEventId: '0b4f8a11-8d26-4b67-95a3-5e2d0d1f6c7a',
      account: '123456789012',
      routes: ['website'],
      consoleUrl: expect.stringContaining('/distributions/E2QWRUHAPOMQZL/invalidations/details/I2J0I21PCUYOIK'),
    });
    expect(eventSchemaProblems(delivered(completed))).toEqual([]);
  });

  it.each<[string, WatchState]>([
    ['still in progress', { ...completed, outcome: 'still-in-progress', status: { ...completed.status!, status: 'InProgress' } }],
    [
      'not tracked (refused)',
      {
        ...completed,
        outcome: 'could-not-track',
        status: undefined,
        error: { Error: 'InvalidationNotTrackable', Cause: 'NoSuchInvalidation' },
      },
    ],
    [
      'not tracked (a rejected CloudTrail event)',
      { outcome: 'could-not-track', rejected: { reason: 'no invalidation ID', eventId: 'e-1' } },
    ],
  ])('is valid when %s, with its own detail-type', (_, watch) => {
    const event = buildInvalidationEvent(watch, buildNotification(watch));
    expect(event.DetailType).toBe(EVENT_DETAIL_TYPES[watch.outcome]);
    expect(eventSchemaProblems(delivered(watch))).toEqual([]);
  });

  it('stays bounded and valid with 3,000 long hostile paths and a huge caller reference', () => {
    const items = awkwardPaths(3000).map((path) => path.repeat(10));
    const watch: WatchState = {
      ...completed,
      request: { ...distributionRequest, callerReference: `<!channel>\n${'x'.repeat(100_000)}` },
      status: completedStatus(samplePaths(items, items.length)),
    };
    const entry = delivered(watch);
    const detail = entry.detail as { paths: string[]; pathCount: number; callerReference: string };

    expect(eventSchemaProblems(entry)).toEqual([]);
    expect(detail.pathCount).toBe(3000);
    expect(detail.paths.length).toBeLessThanOrEqual(100);
    expect(detail.callerReference).not.toContain('\n');
    // EventBridge accepts entries up to 256 KB.
    expect(Buffer.byteLength(JSON.stringify(entry.detail), 'utf8')).toBeLessThan(200_000);
  });

  it('fails the schema when a required field is missing (the check can fail)', () => {
    const entry = delivered(completed);
    delete (entry.detail as Record<string, unknown>).outcome;
    expect(eventSchemaProblems(entry).join('\n')).toContain("must have required property 'outcome'");
  });
});
