import {
  AccessDenied,
  CloudFrontClient,
  EntityNotFound,
  GetInvalidationCommand,
  GetInvalidationForDistributionTenantCommand,
  NoSuchDistribution,
  NoSuchInvalidation,
  type GetInvalidationResult,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import distributionEvent from '../../../local/fixtures/create-invalidation.json';
import tenantEvent from '../../../local/fixtures/create-invalidation-for-tenant.json';
import { CrowdEstimator } from '../../../bench/express-loop/crowd-estimator';
import { checkStatus, nextWatchState, parseCheckInput, type CheckInput } from '../../../bench/express-loop/check-status';
import { classifyCloudFrontError } from '../../../lambda/shared/invalidation-status';
import { NamedError } from '../../../lambda/shared/errors';
import { DEFAULT_POLL_SCHEDULE, type PollSchedule } from '../../../lambda/shared/schedule';
import { EXPRESS_RUN_SECONDS, MAX_PACE } from '../../../bench/express-loop/express-loop-state';
import { PATH_SAMPLE_LIMITS } from '../../../lambda/shared/status-result';
import { type CheckStep, type LoopState } from '../../../bench/express-loop/express-loop-state';
import { parseWatchRequest } from '../../../lambda/shared/watch-request';
import { failureOf } from '../../support/failure-of';

const cloudFrontMock = mockClient(CloudFrontClient);
const cloudFront = new CloudFrontClient({ region: 'us-east-1', maxAttempts: 1 });

const distributionRequest = parseWatchRequest(structuredClone(distributionEvent));
const tenantRequest = parseWatchRequest(structuredClone(tenantEvent));

const STARTED_AT = '2026-11-21T18:02:30.000Z';
/** A clock `seconds` after the watch started. */
const after = (seconds: number, random = () => 0.5) => ({ now: () => new Date(Date.parse(STARTED_AT) + seconds * 1000), random });

/** A schedule whose interval grows: 5 s by 1.5x to 15 s. */
const GROWING: PollSchedule = { firstIntervalSeconds: 5, backoffRate: 1.5, maxIntervalSeconds: 15, maxWaitSeconds: 3600 };

/** The loop's state after `checks` calls at `pace`. */
const loopAt = (pace = 0, checks = 1, change: Partial<LoopState> = {}): LoopState => ({
  pace,
  checks,
  throttledChecks: 0,
  nextCheckInSeconds: 4,
  deadlinePassed: false,
  runOver: false,
  ...change,
});

/** A check of a watch past its first call, at `pace`, in a run that started with the watch. */
function inputFor(request = distributionRequest, pace = 0): CheckInput {
  return parseCheckInput({ watch: { request, loop: loopAt(pace) }, startedAt: STARTED_AT, runStartedAt: STARTED_AT });
}

/** One check's loop state and answer side by side, for assertions. */
const flat = (step: CheckStep) => ({ ...step.loop, ...step.status });

function answer(
  status: 'InProgress' | 'Completed',
  items: string[] = ['/index.html', '#product-123'],
  quantity = items.length,
): GetInvalidationResult {
  return {
    Invalidation: {
      Id: 'I2J0I21PCUYOIK',
      Status: status,
      CreateTime: new Date('2026-11-21T18:02:27.000Z'),
      InvalidationBatch: { CallerReference: 'deploy-web-1342', Paths: { Quantity: quantity, Items: items } },
    },
  };
}

/** A service error shaped like the SDK's: the code as name, the HTTP status in $metadata, and $fault. */
function sdkError(name: string, httpStatusCode: number, message = `${name} from CloudFront`): Error {
  return Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

const DESERIALIZATION_HINT =
  '\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.';

/**
 * What SDK v3 (node-http-handler 4.x) throws when the answer is not a refusal, recorded from
 * the real client against a loopback server: no $fault, and a status only when headers arrived.
 */
const BLIPS: [string, () => Error][] = [
  [
    'a 200 whose XML is truncated',
    () =>
      Object.assign(new Error(`@aws-sdk XML parse error: unexpected end of input.${DESERIALIZATION_HINT}`), {
        $metadata: { httpStatusCode: 200 },
      }),
  ],
  [
    'a 200 whose connection is reset mid-body',
    () => Object.assign(new Error(`aborted${DESERIALIZATION_HINT}`), { code: 'ECONNRESET', $metadata: { httpStatusCode: 200 } }),
  ],
  [
    'a 200 whose body stops coming (socket idle timeout)',
    () =>
      Object.assign(new Error(`the request socket timed out after 5000 ms of inactivity.${DESERIALIZATION_HINT}`), {
        name: 'TimeoutError',
        $metadata: { httpStatusCode: 200 },
      }),
  ],
  [
    'a 403 whose XML is truncated',
    () => Object.assign(new Error(`@aws-sdk XML parse error${DESERIALIZATION_HINT}`), { $metadata: { httpStatusCode: 403 } }),
  ],
  [
    'a 403 HTML page without an error code',
    () => Object.assign(new Error('UnknownError'), { name: 'Unknown', $fault: 'client', $metadata: { httpStatusCode: 403 } }),
  ],
  [
    'a connection reset before any answer (ECONNRESET)',
    () =>
      Object.assign(new Error('read ECONNRESET'), { name: 'TimeoutError', code: 'ECONNRESET', errno: -104, $metadata: { attempts: 1 } }),
  ],
  ['a broken pipe (EPIPE)', () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32 })],
  ['a refused connection (ECONNREFUSED)', () => Object.assign(new Error('connect ECONNREFUSED 1.2.3.4:443'), { code: 'ECONNREFUSED' })],
  ['a DNS failure (EAI_AGAIN)', () => Object.assign(new Error('getaddrinfo EAI_AGAIN cloudfront.amazonaws.com'), { code: 'EAI_AGAIN' })],
  [
    'a request timeout (TimeoutError)',
    () =>
      Object.assign(new Error('a request has exceeded the configured 5000 ms requestTimeout.'), {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
      }),
  ],
  [
    'a connection timeout (TimeoutError)',
    () => Object.assign(new Error('did not establish a connection within 2000 ms.'), { name: 'TimeoutError' }),
  ],
  ['the call budget running out (AbortError)', () => Object.assign(new Error('Request aborted'), { name: 'AbortError' })],
  [
    'a 400 the service marks retryable',
    () =>
      Object.assign(new Error('try again'), {
        name: 'SomethingBusy',
        $fault: 'client',
        $retryable: {},
        $metadata: { httpStatusCode: 400 },
      }),
  ],
  [
    'a 408 request timeout',
    () => Object.assign(new Error('Request Timeout'), { name: 'RequestTimeout', $fault: 'client', $metadata: { httpStatusCode: 408 } }),
  ],
];

afterEach(() => {
  cloudFrontMock.reset();
});

describe('checkStatus', () => {
  it('asks GetInvalidation with the distribution and invalidation IDs for a distribution', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('Completed'));

    // Act
    await checkStatus(cloudFront, inputFor(distributionRequest), GROWING, after(60));

    // Assert
    expect(cloudFrontMock).toHaveReceivedCommandTimes(GetInvalidationCommand, 1);
    expect(cloudFrontMock).toHaveReceivedCommandWith(GetInvalidationCommand, { DistributionId: 'E2QWRUHAPOMQZL', Id: 'I2J0I21PCUYOIK' });
    expect(cloudFrontMock).not.toHaveReceivedCommand(GetInvalidationForDistributionTenantCommand);
  });

  it('asks GetInvalidationForDistributionTenant with the tenant and invalidation IDs for a tenant', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationForDistributionTenantCommand).resolves(answer('Completed'));

    // Act
    await checkStatus(cloudFront, inputFor(tenantRequest), GROWING, after(60));

    // Assert
    expect(cloudFrontMock).toHaveReceivedCommandTimes(GetInvalidationForDistributionTenantCommand, 1);
    expect(cloudFrontMock).toHaveReceivedCommandWith(GetInvalidationForDistributionTenantCommand, {
      DistributionTenantId: 'dt_2wjDZi3hD1ivOXf6rpZJO1AB',
      Id: 'I3TENANTX8K2QZ',
    });
    expect(cloudFrontMock).not.toHaveReceivedCommand(GetInvalidationCommand);
  });

  it('returns Completed with the ISO create time, the check time and the elapsed seconds', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('Completed'));

    // Act
    const result = await checkStatus(cloudFront, inputFor(), GROWING, after(192));

    // Assert
    expect(result).toEqual({
      loop: { pace: 0, checks: 2, throttledChecks: 0, nextCheckInSeconds: 0, deadlinePassed: false, runOver: false },
      status: {
        status: 'Completed',
        createTime: '2026-11-21T18:02:27.000Z',
        checkedAt: '2026-11-21T18:05:42.000Z',
        elapsedSeconds: 192,
        paths: { total: 2, sample: ['/index.html', '#product-123'] },
        // No earlier check time in the state: bounded by the watch's start.
        detectionBoundSeconds: 192,
      },
    });
  });

  it('returns a bounded sample of 3,000 long paths with the full count', async () => {
    // Prepare
    const items = Array.from({ length: 3000 }, (_, i) => `/assets/${i}/${'x'.repeat(1500)}`);
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('Completed', items));

    // Act
    const result = flat(await checkStatus(cloudFront, inputFor(), GROWING, after(30)));

    // Assert
    expect(result.paths.total).toBe(3000);
    expect(result.paths.sample.length).toBeGreaterThan(0);
    expect(result.paths.sample.length).toBeLessThanOrEqual(PATH_SAMPLE_LIMITS.maxPaths);
    result.paths.sample.forEach((path) => expect(path.length).toBeLessThanOrEqual(PATH_SAMPLE_LIMITS.maxPathLength));
    expect(Buffer.byteLength(JSON.stringify(result), 'utf8')).toBeLessThan(PATH_SAMPLE_LIMITS.maxBytes + 1024);
  });

  it('counts the Quantity when CloudFront returns fewer items than it has', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('Completed', ['/a'], 40));

    // Act
    const result = flat(await checkStatus(cloudFront, inputFor(), GROWING, after(30)));

    // Assert
    expect(result.paths).toEqual({ total: 40, sample: ['/a'] });
  });

  it('returns the next wait while in progress, growing with the schedule (never thrown, so Lambda Errors stay for real errors)', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('InProgress'));

    // Act
    const first = flat(await checkStatus(cloudFront, inputFor(), GROWING, after(0)));
    const later = flat(await checkStatus(cloudFront, inputFor(), GROWING, after(600)));

    // Assert
    expect(first).toMatchObject({ status: 'InProgress', deadlinePassed: false, nextCheckInSeconds: GROWING.firstIntervalSeconds });
    expect(later).toMatchObject({ status: 'InProgress', deadlinePassed: false, nextCheckInSeconds: GROWING.maxIntervalSeconds });
  });

  it('after throttling has stopped, undoes one slow-down step per accepted check', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('InProgress'));

    // Act
    const result = flat(await checkStatus(cloudFront, inputFor(distributionRequest, 3), GROWING, after(300)));

    // Assert: pace 3 -> 2, so the wait is the interval slowed twice.
    expect(result).toMatchObject({
      status: 'InProgress',
      pace: 2,
      deadlinePassed: false,
      nextCheckInSeconds: GROWING.maxIntervalSeconds * 4,
    });
  });

  it('keeps the slow-down while the container still sees the crowd throttled', async () => {
    // Prepare
    const crowd = new CrowdEstimator();
    crowd.record('distribution/E1/I1', 'throttled', Date.parse(STARTED_AT) + 290_000);
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('InProgress'));

    // Act
    const result = flat(await checkStatus(cloudFront, inputFor(distributionRequest, 3), GROWING, { ...after(300), crowd }));

    // Assert
    expect(result.pace).toBe(3);
    expect(result.nextCheckInSeconds).toBeGreaterThanOrEqual(GROWING.maxIntervalSeconds * 8);
  });

  it.each<[string, PollSchedule]>([
    ['a growing schedule', GROWING],
    ['the default schedule', DEFAULT_POLL_SCHEDULE],
  ])('returns deadlinePassed once the maximum wait has passed (%s)', async (_name, schedule) => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('InProgress'));

    // Act
    const result = flat(await checkStatus(cloudFront, inputFor(), schedule, after(schedule.maxWaitSeconds + 5)));

    // Assert
    expect(result).toMatchObject({
      status: 'InProgress',
      elapsedSeconds: schedule.maxWaitSeconds + 5,
      deadlinePassed: true,
      nextCheckInSeconds: 0,
    });
  });

  it('reports Completed rather than the deadline when it completed just at the end', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('Completed'));

    // Act
    const result = flat(await checkStatus(cloudFront, inputFor(), GROWING, after(GROWING.maxWaitSeconds + 5)));

    // Assert
    expect(result).toMatchObject({ status: 'Completed', deadlinePassed: false });
  });

  it('treats an answer without Invalidation.Status as CloudFront being unavailable: the watch goes on, slower', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves({});

    // Act
    const result = flat(await checkStatus(cloudFront, inputFor(), GROWING, after(10)));

    // Assert
    expect(result).toMatchObject({ status: 'Unknown', pace: 1, lastError: expect.stringContaining('CloudFrontUnavailable') });
  });

  it.each<[string, () => Error, string]>([
    ['Throttling (400)', () => sdkError('Throttling', 400, 'Rate exceeded'), 'CloudFrontThrottled'],
    ['an HTTP 429', () => sdkError('TooManyRequests', 429), 'CloudFrontThrottled'],
    ['ServiceUnavailable (503)', () => sdkError('ServiceUnavailable', 503), 'CloudFrontUnavailable'],
    ['InternalError (500)', () => sdkError('InternalError', 500), 'CloudFrontUnavailable'],
    [
      'a network error without $metadata',
      () => Object.assign(new Error('connect ECONNRESET'), { name: 'ECONNRESET' }),
      'CloudFrontUnavailable',
    ],
  ])('answers %s with a slow-down step and a jittered wait (%s), never an error', async (_name, makeError, expected) => {
    // Prepare
    const failure = makeError();
    cloudFrontMock.on(GetInvalidationCommand).rejects(failure);

    // Act
    const first = flat(
      await checkStatus(
        cloudFront,
        inputFor(distributionRequest, 0),
        GROWING,
        after(10, () => 1),
      ),
    );
    const second = flat(
      await checkStatus(
        cloudFront,
        inputFor(distributionRequest, first.pace),
        GROWING,
        after(40, () => 1),
      ),
    );
    const jittered = flat(
      await checkStatus(
        cloudFront,
        inputFor(distributionRequest, 1),
        GROWING,
        after(40, () => 0.1),
      ),
    );

    // Assert
    expect(first).toMatchObject({ status: 'Unknown', pace: 1, deadlinePassed: false, lastError: expect.stringContaining(expected) });
    expect(first.lastError).toContain(failure.name);
    expect(first.nextCheckInSeconds).toBe(GROWING.maxIntervalSeconds * 2);
    expect(second).toMatchObject({ pace: 2, nextCheckInSeconds: GROWING.maxIntervalSeconds * 4 });
    expect(jittered.nextCheckInSeconds).toBe(Math.ceil(0.1 * GROWING.maxIntervalSeconds * 4));
  });

  it('stops slowing down at the maximum wait: a throttled last check ends the watch', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).rejects(sdkError('Throttling', 400, 'Rate exceeded'));

    // Act
    const result = flat(await checkStatus(cloudFront, inputFor(distributionRequest, 5), GROWING, after(GROWING.maxWaitSeconds)));

    // Assert
    expect(result).toMatchObject({ status: 'Unknown', pace: 5, deadlinePassed: true, nextCheckInSeconds: 0 });
  });

  it.each<[string, () => Error, string]>([
    ['Throttling (400)', () => sdkError('Throttling', 400, 'Rate exceeded'), 'CloudFrontThrottled'],
    ['ServiceUnavailable (503)', () => sdkError('ServiceUnavailable', 503), 'CloudFrontUnavailable'],
  ])('classifies %s as %s', (_name, makeError, expected) => {
    const failure = makeError();
    const error = classifyCloudFrontError(failure, distributionRequest);
    expect(error.name).toBe(expected);
    expect(error.cause).toBe(failure);
  });

  it.each<[string, () => Error]>([
    [
      'NoSuchInvalidation',
      () => new NoSuchInvalidation({ message: 'The specified invalidation does not exist.', $metadata: { httpStatusCode: 404 } }),
    ],
    [
      'NoSuchDistribution',
      () => new NoSuchDistribution({ message: 'The specified distribution does not exist.', $metadata: { httpStatusCode: 404 } }),
    ],
    ['EntityNotFound', () => new EntityNotFound({ message: 'The entity was not found.', $metadata: { httpStatusCode: 404 } })],
    ['AccessDenied', () => new AccessDenied({ message: 'Access denied.', $metadata: { httpStatusCode: 403 } })],
  ])('turns %s into InvalidationNotTrackable naming the code and the IDs', async (code, makeError) => {
    // Prepare
    const failure = makeError();
    cloudFrontMock.on(GetInvalidationForDistributionTenantCommand).rejects(failure);

    // Act
    const error = await failureOf(() => checkStatus(cloudFront, inputFor(tenantRequest), GROWING, after(10)));

    // Assert
    expect(error.name).toBe('InvalidationNotTrackable');
    expect(error.message).toContain(code);
    expect(error.message).toContain('dt_2wjDZi3hD1ivOXf6rpZJO1AB');
    expect(error.message).toContain('I3TENANTX8K2QZ');
    expect(error.message).toContain(failure.message);
  });
});

describe('classifyCloudFrontError', () => {
  it.each(BLIPS)('treats %s as transient (CloudFrontUnavailable), never as a refusal', (_name, makeError) => {
    // Prepare
    const failure = makeError();

    // Act
    const result = classifyCloudFrontError(failure, distributionRequest);

    // Assert
    expect(result.name).toBe('CloudFrontUnavailable');
    expect(result.cause).toBe(failure);
    expect(result.message).toContain('distribution E2QWRUHAPOMQZL, invalidation I2J0I21PCUYOIK');
  });

  it.each(BLIPS)('answers %s with a slow-down step (status Unknown), so the watch goes on', async (_name, makeError) => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).rejects(makeError());

    // Act
    const result = flat(await checkStatus(cloudFront, inputFor(distributionRequest, 2), GROWING, after(10)));

    // Assert
    expect(result).toMatchObject({
      status: 'Unknown',
      pace: 3,
      deadlinePassed: false,
      lastError: expect.stringContaining('CloudFrontUnavailable'),
    });
    expect(result.nextCheckInSeconds).toBeGreaterThan(0);
  });

  it("says what kind of blip it was, without the SDK's debugging hint", () => {
    // Act
    const truncated = classifyCloudFrontError(BLIPS[0]![1](), distributionRequest);
    const reset = classifyCloudFrontError(BLIPS[5]![1](), distributionRequest);

    // Assert
    expect(truncated.message).toMatch(/answer \(HTTP 200\) could not be read: @aws-sdk XML parse error: unexpected end of input\.$/);
    expect(reset.message).toMatch(/ECONNRESET/);
  });

  it('classifies a retryable-throttling answer as throttled whatever its code', () => {
    // Act
    const result = classifyCloudFrontError(
      Object.assign(new Error('slow down'), {
        name: 'SlowDown',
        $fault: 'client',
        $retryable: { throttling: true },
        $metadata: { httpStatusCode: 400 },
      }),
      distributionRequest,
    );

    // Assert
    expect(result.name).toBe('CloudFrontThrottled');
  });

  it.each<[string, () => Error]>([
    [
      'a real NoSuchInvalidation (404)',
      () => new NoSuchInvalidation({ message: 'The specified invalidation does not exist.', $metadata: { httpStatusCode: 404 } }),
    ],
    ['a real AccessDenied (403)', () => new AccessDenied({ message: 'Access denied.', $metadata: { httpStatusCode: 403 } })],
    ['another 4xx with an error code', () => sdkError('InvalidArgument', 400, 'The argument is invalid.')],
  ])('keeps %s permanent (InvalidationNotTrackable)', (_name, makeError) => {
    // Act
    const result = classifyCloudFrontError(makeError(), distributionRequest);

    // Assert
    expect(result.name).toBe('InvalidationNotTrackable');
  });

  it('passes a named error through unchanged', () => {
    // Prepare
    const named = new NamedError('CloudFrontUnavailable', 'already classified');

    // Act
    const result = classifyCloudFrontError(named, distributionRequest);

    // Assert
    expect(result).toBe(named);
  });

  it('names a distribution target as a distribution', () => {
    // Act
    const result = classifyCloudFrontError(sdkError('NoSuchInvalidation', 404), distributionRequest);

    // Assert
    expect(result.name).toBe('InvalidationNotTrackable');
    expect(result.message).toContain('distribution E2QWRUHAPOMQZL, invalidation I2J0I21PCUYOIK');
    expect(result.message).toContain('HTTP 404');
  });

  it('treats something thrown that is not an error as CloudFront being unavailable', () => {
    // Act
    const result = classifyCloudFrontError(undefined, distributionRequest);

    // Assert
    expect(result.name).toBe('CloudFrontUnavailable');
    expect(result.message).toContain('UnknownError');
  });
});

describe('parseCheckInput', () => {
  const valid = { watch: { request: distributionRequest }, startedAt: STARTED_AT, runStartedAt: STARTED_AT };

  it('accepts the first check of a watch: no loop state and no answer yet', () => {
    // Act
    const input = parseCheckInput(valid);

    // Assert
    expect(input).toEqual(valid);
  });

  it('keeps what the check does not read (the audience, the whole request), so the watch state passes through whole', () => {
    // Prepare
    const event = {
      ...valid,
      watch: { request: distributionRequest, audience: { destinations: ['ops'], routes: [] }, loop: loopAt(2, 7) },
    };

    // Act
    const input = parseCheckInput(event);

    // Assert
    expect(input.watch).toEqual(event.watch);
  });

  it.each<[string, unknown, string]>([
    ['no input at all', null, 'the input'],
    ['a watch that is not an object', { ...valid, watch: 'x' }, '"watch"'],
    ['a watch without a request', { ...valid, watch: {} }, '"watch.request"'],
    [
      'an unknown target kind',
      { ...valid, watch: { request: { ...distributionRequest, target: { kind: 'origin', id: 'E2QWRUHAPOMQZL' } } } },
      '"watch.request.target.kind"',
    ],
    ['a missing target', { ...valid, watch: { request: { ...distributionRequest, target: undefined } } }, '"watch.request.target"'],
    [
      'an empty target ID',
      { ...valid, watch: { request: { ...distributionRequest, target: { kind: 'distribution', id: '' } } } },
      '"watch.request.target.id": must not be empty',
    ],
    [
      'a missing invalidation ID',
      { ...valid, watch: { request: { ...distributionRequest, invalidationId: undefined } } },
      '"watch.request.invalidationId"',
    ],
    [
      'a pace that is not a number',
      { ...valid, watch: { request: distributionRequest, loop: { ...loopAt(), pace: 'fast' } } },
      '"watch.loop.pace"',
    ],
    ['a pace past MAX_PACE', { ...valid, watch: { request: distributionRequest, loop: loopAt(MAX_PACE + 1) } }, '"watch.loop.pace"'],
    ['a negative check count', { ...valid, watch: { request: distributionRequest, loop: loopAt(0, -1) } }, '"watch.loop.checks"'],
    [
      'a loop state without its run flag',
      { ...valid, watch: { request: distributionRequest, loop: { pace: 0, checks: 1 } } },
      '"watch.loop.runOver"',
    ],
    [
      'a last answer with an unknown status',
      {
        ...valid,
        watch: {
          request: distributionRequest,
          status: { status: 'Done', checkedAt: STARTED_AT, elapsedSeconds: 1, paths: { total: 0, sample: [] } },
        },
      },
      '"watch.status.status"',
    ],
    [
      'a path sample over its bound',
      {
        ...valid,
        watch: {
          request: distributionRequest,
          status: {
            status: 'InProgress',
            checkedAt: STARTED_AT,
            elapsedSeconds: 1,
            paths: { total: 999, sample: Array(PATH_SAMPLE_LIMITS.maxPaths + 1).fill('/a') },
          },
        },
      },
      '"watch.status.paths.sample"',
    ],
    ['a missing startedAt', { watch: valid.watch, runStartedAt: STARTED_AT }, '"startedAt"'],
    ['a startedAt that is not a time', { ...valid, startedAt: 'yesterday' }, '"startedAt": must be an ISO 8601 time'],
    ['a missing runStartedAt', { watch: valid.watch, startedAt: STARTED_AT }, '"runStartedAt"'],
    ['the retired Standard loop input', { request: distributionRequest, pace: 0, startedAt: STARTED_AT }, '"watch"'],
  ])('rejects %s with InvalidWatcherInput naming the field', (_name, event, field) => {
    // Act
    const parse = () => parseCheckInput(event);

    // Assert
    expect(parse).toThrow(expect.objectContaining({ name: 'InvalidWatcherInput', message: expect.stringContaining(field) }));
  });
});

describe('checkStatus with a crowd estimate', () => {
  it('waits no less than the fair interval while CloudFront throttles the crowd', async () => {
    // Prepare: the container has just seen 100 watches and 1 accepted call per second.
    const crowd = new CrowdEstimator(60, 10);
    const start = Date.parse(STARTED_AT);
    for (let i = 0; i < 100; i++) crowd.record(`distribution/E${i}/I${i}`, i >= 10 ? 'throttled' : 'accepted', start + 20_000);
    cloudFrontMock
      .on(GetInvalidationCommand)
      .resolves({ Invalidation: { Id: 'I', Status: 'InProgress', CreateTime: new Date(start), InvalidationBatch: undefined } });

    // Act
    const result = flat(
      await checkStatus(cloudFront, inputFor(distributionRequest, 0), GROWING, {
        ...after(30, () => 0.5),
        crowd,
      }),
    );

    // Assert: 100 watches / (11 accepted / 10 s) = about 91 s.
    expect(result.status).toBe('InProgress');
    expect(result.nextCheckInSeconds).toBeGreaterThanOrEqual(90);
  });

  it('keeps the schedule when there is no throttling to share', async () => {
    const crowd = new CrowdEstimator();
    cloudFrontMock
      .on(GetInvalidationCommand)
      .resolves({ Invalidation: { Id: 'I', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } });

    const result = flat(await checkStatus(cloudFront, inputFor(), GROWING, { ...after(30), crowd }));

    expect(result.nextCheckInSeconds).toBe(GROWING.maxIntervalSeconds);
  });

  it('spreads a throttled watch over at least twice the fair interval', async () => {
    const crowd = new CrowdEstimator(60, 10);
    const start = Date.parse(STARTED_AT);
    for (let i = 0; i < 100; i++) crowd.record(`distribution/E${i}/I${i}`, i >= 10 ? 'throttled' : 'accepted', start);
    cloudFrontMock.on(GetInvalidationCommand).rejects(sdkError('Throttling', 400, 'Rate exceeded'));

    const result = flat(
      await checkStatus(cloudFront, inputFor(distributionRequest, 0), GROWING, {
        ...after(5, () => 0.999),
        crowd,
      }),
    );

    // 101 watches over 10 accepted / 10 s: a fair interval of about 101 s; the window is twice that (within a run).
    expect(result.nextCheckInSeconds).toBeGreaterThan(150);
    expect(result.nextCheckInSeconds).toBeLessThanOrEqual(EXPRESS_RUN_SECONDS);
    expect(result.pace).toBe(1);
  });
});

describe('the Express check loop', () => {
  afterEach(() => cloudFrontMock.reset());

  /** The loop's input: the watch with its loop state and last answer (none at the first check), its run started `runStartedSecondsAfterWatch` in. */
  const expressInput = (loop?: Partial<LoopState>, status?: object, runStartedSecondsAfterWatch = 0): CheckInput =>
    parseCheckInput({
      watch: {
        request: distributionRequest,
        audience: { destinations: ['ops'] },
        ...(loop ? { loop: { ...loopAt(), ...loop } } : {}),
        ...(status ? { status } : {}),
      },
      startedAt: STARTED_AT,
      runStartedAt: new Date(Date.parse(STARTED_AT) + runStartedSecondsAfterWatch * 1000).toISOString(),
    });

  it('hands back the whole watch state, with the loop state and the answer replaced side by side', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('InProgress'));
    const input = expressInput(
      { checks: 3 },
      {
        status: 'Unknown',
        lastError: 'CloudFrontThrottled: slow down',
        checkedAt: STARTED_AT,
        elapsedSeconds: 0,
        paths: { total: 0, sample: [] },
      },
    );

    // Act
    const step = await checkStatus(cloudFront, input, DEFAULT_POLL_SCHEDULE, after(20));
    const state = nextWatchState(input, step);

    // Assert
    expect(state).toEqual({ request: input.watch.request, audience: { destinations: ['ops'] }, loop: step.loop, status: step.status });
    expect(state.status).not.toHaveProperty('lastError');
    expect(state.status).not.toHaveProperty('pace');
    expect(state.loop).not.toHaveProperty('paths');
  });

  it('returns the wait (never throws for in progress, so Lambda Errors stay for real errors) and counts the check', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('InProgress'));

    // Act
    const result = flat(
      await checkStatus(cloudFront, expressInput({ pace: 0, checks: 3, throttledChecks: 1 }), DEFAULT_POLL_SCHEDULE, after(20)),
    );

    // Assert
    expect(result).toMatchObject({ status: 'InProgress', nextCheckInSeconds: 4, runOver: false, checks: 4, throttledChecks: 1 });
  });

  it('ends the run when the next check would start past EXPRESS_RUN_SECONDS, handing the wait to the next run', async () => {
    // Prepare: the run started 10 s into the watch; 236 s into the run a 4 s wait still fits, 237 s does not.
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('InProgress'));

    // Act
    const fits = flat(
      await checkStatus(cloudFront, expressInput(undefined, undefined, 10), DEFAULT_POLL_SCHEDULE, after(10 + EXPRESS_RUN_SECONDS - 4)),
    );
    const over = flat(
      await checkStatus(cloudFront, expressInput(undefined, undefined, 10), DEFAULT_POLL_SCHEDULE, after(10 + EXPRESS_RUN_SECONDS - 3)),
    );

    // Assert
    expect(fits).toMatchObject({ runOver: false, nextCheckInSeconds: 4 });
    expect(over).toMatchObject({ runOver: true, nextCheckInSeconds: 4 });
  });

  it('counts a throttled check and ends the run when its slowed wait does not fit', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).rejects(sdkError('Throttling', 400));

    // Act: random 1 draws the whole window, 4 s x 2 after one slow-down step.
    const result = flat(
      await checkStatus(
        cloudFront,
        expressInput({ pace: 0, checks: 5, throttledChecks: 0 }),
        DEFAULT_POLL_SCHEDULE,
        after(EXPRESS_RUN_SECONDS - 5, () => 1),
      ),
    );

    // Assert
    expect(result).toMatchObject({ status: 'Unknown', pace: 1, nextCheckInSeconds: 8, runOver: true, checks: 6, throttledChecks: 1 });
  });

  it('bounds the detection delay at completion by the time since the previous check (or since the watch started)', async () => {
    // Prepare
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('Completed'));
    const previousCheck = new Date(Date.parse(STARTED_AT) + 96_000).toISOString();

    // Act
    const later = flat(
      await checkStatus(
        cloudFront,
        expressInput(
          { pace: 0, checks: 25 },
          { status: 'InProgress', checkedAt: previousCheck, elapsedSeconds: 96, paths: { total: 0, sample: [] } },
        ),
        DEFAULT_POLL_SCHEDULE,
        after(100),
      ),
    );
    const first = flat(await checkStatus(cloudFront, expressInput(), DEFAULT_POLL_SCHEDULE, after(1)));

    // Assert
    expect(later).toMatchObject({ status: 'Completed', detectionBoundSeconds: 4, checks: 26, runOver: false, nextCheckInSeconds: 0 });
    expect(first).toMatchObject({ status: 'Completed', detectionBoundSeconds: 1, checks: 1 });
  });

  it('takes a finished watch out of the crowd it shares CloudFront with', async () => {
    // Prepare: two watches seen, CloudFront throttling; then one completes.
    const crowd = new CrowdEstimator(60, 10);
    const start = Date.parse(STARTED_AT);
    crowd.record('distribution/E2QWRUHAPOMQZL/I2J0I21PCUYOIK', 'throttled', start);
    crowd.record('distribution/EOTHER/IOTHER', 'accepted', start);
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('Completed'));
    const before = crowd.estimate(start)!.watches;

    // Act
    await checkStatus(cloudFront, expressInput({ pace: 0, checks: 1 }), DEFAULT_POLL_SCHEDULE, {
      ...after(1),
      crowd,
    });

    // Assert
    expect(before).toBe(2);
    expect(crowd.estimate(start + 1000)!.watches).toBe(1);
  });

  it("defers a watch's first call while CloudFront throttles the crowd, to its place in the fair interval; no call before it", async () => {
    // Prepare: 100 watches seen in 10 s, 10 calls accepted: a fair interval of 100 s.
    const crowd = new CrowdEstimator(60, 10);
    const start = Date.parse(STARTED_AT);
    for (let i = 0; i < 100; i++) crowd.record(`distribution/E${i}/I${i}`, i >= 10 ? 'throttled' : 'accepted', start);
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('InProgress'));

    // Act: the first check, then again 5 s later (still before its turn), then once its turn (at most 1.5 x 100 s) has come.
    const firstStep = await checkStatus(cloudFront, expressInput(), DEFAULT_POLL_SCHEDULE, { ...after(0), crowd });
    const first = flat(firstStep);
    const deferred = first.deferredSeconds!;
    const again = expressInput(firstStep.loop, firstStep.status);
    const stillNoCall = flat(await checkStatus(cloudFront, again, DEFAULT_POLL_SCHEDULE, { ...after(5), crowd }));
    const turn = flat(await checkStatus(cloudFront, again, DEFAULT_POLL_SCHEDULE, { ...after(151), crowd }));

    // Assert
    expect(first).toMatchObject({ status: 'Unknown', nextCheckInSeconds: deferred, checks: 0, throttledChecks: 0, runOver: false });
    expect(first.lastError).toBeUndefined();
    expect(deferred).toBeGreaterThanOrEqual(50);
    expect(deferred).toBeLessThanOrEqual(150);
    expect(stillNoCall).toMatchObject({ status: 'Unknown', checks: 0 });
    expect(stillNoCall.deferredSeconds).toBeGreaterThan(deferred - 10);
    expect(turn).toMatchObject({ status: 'InProgress', checks: 1 });
    expect(cloudFrontMock).toHaveReceivedCommandTimes(GetInvalidationCommand, 1);
  });

  it('checks at once when nothing is throttled, even at a first check', async () => {
    // Prepare
    const crowd = new CrowdEstimator(60, 10);
    cloudFrontMock.on(GetInvalidationCommand).resolves(answer('InProgress'));

    // Act
    const first = flat(await checkStatus(cloudFront, expressInput(), DEFAULT_POLL_SCHEDULE, { ...after(0), crowd }));

    // Assert
    expect(first).toMatchObject({ status: 'InProgress', checks: 1 });
    expect(first).not.toHaveProperty('deferredSeconds');
  });
});
