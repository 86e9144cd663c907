/**
 * The metrics each ended watch writes, through the real handler and Powertools Metrics: one EMF
 * line on stdout per watch (none per in-progress check), dimensions that are never IDs, and
 * the values the Express loop's state carried.
 */
import { parseInvalidationRequest } from '../../support/invalidation-request';
import { CloudFrontClient, GetInvalidationCommand, NoSuchInvalidation } from '@aws-sdk/client-cloudfront';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import distributionEvent from '../../../local/fixtures/create-invalidation.json';
import tenantEvent from '../../../local/fixtures/create-invalidation-for-tenant.json';
import { EnvNames } from '../../../lambda/shared/env';
import { WATCH_METRICS } from '../../../lambda/shared/metrics';
import { DEFAULT_POLL_SCHEDULE } from '../../../lambda/shared/schedule';
import { failureOf } from '../../support/failure-of';

const cloudFrontMock = mockClient(CloudFrontClient);
type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;
beforeAll(() => {
  // Read at module load, as in Lambda.
  process.env[EnvNames.pollSchedule] = JSON.stringify(DEFAULT_POLL_SCHEDULE);
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = (require('../../../bench/express-loop/handler') as { handler: Handler }).handler;
});
afterEach(() => {
  cloudFrontMock.reset();
  jest.restoreAllMocks();
});

const context = {
  functionName: 'CheckStatus',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

interface EmfLine {
  readonly _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  readonly [key: string]: unknown;
}

/** Runs the handler and returns the EMF lines it wrote to stdout. */
async function emfLinesOf(run: () => Promise<unknown>): Promise<EmfLine[]> {
  const lines: string[] = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    await run();
  } finally {
    jest.restoreAllMocks();
  }
  return lines.map((line) => JSON.parse(line) as EmfLine).filter((entry) => entry._aws !== undefined);
}

const distribution = parseInvalidationRequest(structuredClone(distributionEvent));
const tenant = parseInvalidationRequest(structuredClone(tenantEvent));
const STARTED = Date.now() - 100_000;
/** The Express loop's input, 100 s into the watch, with the state the earlier checks carried. */
const expressInput = (request: typeof distribution, carried?: { checks: number; throttledChecks: number; checkedAt?: string }) => ({
  watch: {
    request,
    ...(carried
      ? {
          loop: {
            pace: 0,
            checks: carried.checks,
            throttledChecks: carried.throttledChecks,
            nextCheckInSeconds: 4,
            deadlinePassed: false,
            runOver: false,
          },
          ...(carried.checkedAt
            ? { status: { status: 'InProgress', checkedAt: carried.checkedAt, elapsedSeconds: 96, paths: { total: 0, sample: [] } } }
            : {}),
        }
      : {}),
  },
  startedAt: new Date(STARTED).toISOString(),
  runStartedAt: new Date(STARTED + 90_000).toISOString(),
});

const answer = (status: 'InProgress' | 'Completed', createdSecondsAgo = 130) => ({
  Invalidation: {
    Id: distribution.invalidationId,
    Status: status,
    CreateTime: new Date(Date.now() - createdSecondsAgo * 1000),
    InvalidationBatch: { CallerReference: 'ref', Paths: { Quantity: 1, Items: ['/index.html'] } },
  },
});

describe('watch metrics (EMF)', () => {
  it('writes nothing for a check that finds the invalidation still in progress', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('InProgress'));

    // Act
    const lines = await emfLinesOf(() => handler(expressInput(distribution), context));

    // Assert
    expect(lines).toEqual([]);
  });

  it('writes one line when the watch completes: time to complete, detection bound, checks and throttled checks, by target kind and outcome', async () => {
    // Prepare: 40 checks so far, 3 throttled, the last 4 s ago.
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('Completed', 130));
    const status = { checks: 40, throttledChecks: 3, checkedAt: new Date(Date.now() - 4000).toISOString() };

    // Act
    const lines = await emfLinesOf(() => handler(expressInput(distribution, status), context));

    // Assert
    expect(lines).toHaveLength(1);
    const [line] = lines;
    const [directive] = line!._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe(WATCH_METRICS.namespace);
    expect(directive!.Dimensions).toEqual([['service', 'TargetKind', 'Outcome']]);
    expect(directive!.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'WatchesEnded', Unit: 'Count' },
        { Name: 'TimeToComplete', Unit: 'Seconds' },
        { Name: 'DetectionBound', Unit: 'Seconds' },
        { Name: 'Checks', Unit: 'Count' },
        { Name: 'ThrottledChecks', Unit: 'Count' },
      ]),
    );
    expect(line).toMatchObject({
      service: WATCH_METRICS.service,
      TargetKind: 'distribution',
      Outcome: 'completed',
      WatchesEnded: 1,
      Checks: 41,
      ThrottledChecks: 3,
      invalidationId: distribution.invalidationId,
    });
    expect(line!.TimeToComplete).toBeCloseTo(130, 0);
    expect(line!.DetectionBound).toBeCloseTo(4, 0);
  });

  it('writes the outcome "still-in-progress" by target kind when the maximum wait passes', async () => {
    // Prepare: a tenant watch an hour old.
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('InProgress'));
    const input = {
      ...expressInput(tenant, { checks: 899, throttledChecks: 0 }),
      startedAt: new Date(Date.now() - 3600_000).toISOString(),
    };

    // Act
    const lines = await emfLinesOf(() => handler(input, context));

    // Assert
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ TargetKind: 'tenant', Outcome: 'still-in-progress', WatchesEnded: 1, Checks: 900 });
    expect(lines[0]).not.toHaveProperty('TimeToComplete');
  });

  it('writes the outcome "could-not-track" when CloudFront refuses, counting the refused call', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).rejects(
      Object.assign(new NoSuchInvalidation({ message: 'no such invalidation', $metadata: { httpStatusCode: 404 } }), {
        $fault: 'client',
      }),
    );

    // Act
    let error: Error | undefined;
    const lines = await emfLinesOf(async () => {
      error = await failureOf(() => handler(expressInput(distribution, { checks: 2, throttledChecks: 1 }), context));
    });

    // Assert
    expect(error?.name).toBe('InvalidationNotTrackable');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ Outcome: 'could-not-track', WatchesEnded: 1, Checks: 3, ThrottledChecks: 1 });
  });

  it('never uses an ID as a dimension', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('Completed'));

    // Act
    const [line] = await emfLinesOf(() => handler(expressInput(distribution), context));

    // Assert
    const dimensionValues = line!._aws.CloudWatchMetrics[0]!.Dimensions.flat().map((name) => line![name]);
    expect(dimensionValues).not.toContain(distribution.invalidationId);
    expect(dimensionValues).not.toContain(distribution.target.id);
  });
});
