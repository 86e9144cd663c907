/**
 * The real CloudFront client against a loopback CloudFront that misbehaves at the socket:
 * every blip ends the call quickly as a transient failure (a slow-down step), never as a
 * refusal and never by running into the function's timeout. Time limits are shortened here;
 * the test asserts how the call ends, not how long it took.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { checkStatus, parseCheckInput } from '../../../bench/express-loop/check-status';
import { getInvalidation } from '../../../lambda/shared/invalidation-status';
import { CALL_LIMITS, callBudgetMs, createCloudFrontClient, type CallLimits } from '../../../lambda/shared/cloudfront-client';
import { DEFAULT_POLL_SCHEDULE } from '../../../lambda/shared/schedule';
import type { WatchRequest } from '../../../lambda/shared/watch-request';
import { CloudFrontEmulator, type Blip } from '../../../local/cloudfront-emulator';
import { failureOf } from '../../support/failure-of';

const SHORT: CallLimits = { connectionTimeoutMs: 200, requestTimeoutMs: 300, socketTimeoutMs: 300, callBudgetMs: 2_000, reserveMs: 100 };

const request: WatchRequest = {
  target: { kind: 'distribution', id: 'EBLIPS0000001' },
  invalidationId: 'IBLIP00000001',
  createdBy: 'test',
  eventTime: '2026-11-21T18:02:27Z',
  eventId: 'blips',
  account: '123456789012',
  region: 'us-east-1',
};

const emulator = new CloudFrontEmulator();
let endpoint: string;
let client: CloudFrontClient;
const clientWith = (limits: CallLimits) =>
  createCloudFrontClient(limits, { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
beforeAll(async () => {
  endpoint = await emulator.start();
  client = clientWith(SHORT);
  emulator.add({
    kind: 'distribution',
    targetId: 'EBLIPS0000001',
    invalidationId: 'IBLIP00000001',
    paths: ['/a/*', '/b.html'],
    inProgressChecks: 1000,
  });
});
afterAll(async () => {
  client.destroy();
  await emulator.stop();
});

describe('the CloudFront client with its time limits', () => {
  // Jest runs this file in its own realm, where Node's socket errors are not `instanceof Error`
  // and the SDK wraps them ("AWS SDK error wrapper for ..."): the reasons below hold either way.
  it.each<[Blip, RegExp]>([
    ['truncated', /aborted/],
    ['truncated-xml', /HTTP 200\) could not be read: @aws-sdk XML parse error/],
    ['reset', /ECONNRESET/],
    ['hang', /300 ms requestTimeout/],
  ])('ends a %s answer as CloudFrontUnavailable', async (blip, reason) => {
    // Prepare
    emulator.forceNext({ blip });

    // Act
    const error = await failureOf(() => getInvalidation(client, request));

    // Assert
    expect(error.name).toBe('CloudFrontUnavailable');
    expect(error.message).toMatch(reason);
    expect(emulator.calls.at(-1)?.answer).toBe(blip);
  });

  it('ends a body that trickles in too slowly for the call budget as CloudFrontUnavailable', async () => {
    // Prepare: the answer hangs; only the budget (shorter than every other limit here) ends it.
    const patient = clientWith({ ...SHORT, requestTimeoutMs: 60_000, socketTimeoutMs: 60_000 });
    emulator.forceNext({ blip: 'hang' });

    // Act
    const error = await failureOf(() => getInvalidation(patient, request, 200));
    patient.destroy();

    // Assert
    expect(error.name).toBe('CloudFrontUnavailable');
    expect(error.message).toMatch(/within 200 ms/);
  });

  it('turns a blip into a slow-down step: status Unknown, one more pace, a wait', async () => {
    // Prepare
    emulator.forceNext({ blip: 'truncated' });

    // Act
    const now = new Date().toISOString();
    const { loop, status } = await checkStatus(
      client,
      parseCheckInput({ watch: { request }, startedAt: now, runStartedAt: now }),
      DEFAULT_POLL_SCHEDULE,
    );

    // Assert
    expect(status).toMatchObject({ status: 'Unknown' });
    expect(loop).toMatchObject({ pace: 1, deadlinePassed: false });
    expect(loop.nextCheckInSeconds).toBeGreaterThan(0);
  });

  it('answers normally after the blips', async () => {
    // Act
    const invalidation = await getInvalidation(client, request);

    // Assert
    expect(invalidation.Status).toBe('InProgress');
    expect(invalidation.InvalidationBatch?.Paths?.Items).toEqual(['/a/*', '/b.html']);
  });
});

describe('callBudgetMs', () => {
  it('keeps every call inside what the invocation has left, minus the reserve', () => {
    expect(callBudgetMs(30_000)).toBe(CALL_LIMITS.callBudgetMs);
    expect(callBudgetMs(5_000)).toBe(5_000 - CALL_LIMITS.reserveMs);
    expect(callBudgetMs(CALL_LIMITS.reserveMs / 2)).toBe(0);
  });

  it('sets each client limit no longer than the whole call budget', () => {
    for (const limit of [CALL_LIMITS.connectionTimeoutMs, CALL_LIMITS.requestTimeoutMs, CALL_LIMITS.socketTimeoutMs]) {
      expect(limit).toBeLessThanOrEqual(CALL_LIMITS.callBudgetMs);
    }
  });
});
