import {
  GetInvalidationCommand,
  GetInvalidationForDistributionTenantCommand,
  type CloudFrontClient,
  type Invalidation,
} from '@aws-sdk/client-cloudfront';
import { ErrorNames, NamedError } from '../shared/errors';
import { planBackoff, planNextCheck, type PollSchedule } from '../shared/schedule';
import type { CrowdEstimator } from './crowd-estimator';
import { samplePaths, type StatusResult } from '../shared/status-result';
import type { WatchRequest } from '../shared/watch-request';

/** What the watcher passes to "Check invalidation status". */
export interface CheckInput {
  readonly request: WatchRequest;
  /** Slow-down steps taken so far (0 = normal schedule), from the previous status result. */
  readonly pace: number;
  /** The execution's start time (`$$.Execution.StartTime`), the origin of the schedule. */
  readonly startedAt: string;
}

export function parseCheckInput(event: unknown): CheckInput {
  const input = event as Partial<CheckInput> | null;
  const request = input?.request;
  const fail = (what: string): never => {
    throw new NamedError(ErrorNames.InvalidWatcherInput, `Check status input: ${what}`);
  };
  if (!request || typeof request !== 'object') return fail('"request" is missing');
  if (request.target?.kind !== 'distribution' && request.target?.kind !== 'tenant')
    return fail('"request.target.kind" must be distribution or tenant');
  if (typeof request.target.id !== 'string' || request.target.id === '') return fail('"request.target.id" is missing');
  if (typeof request.invalidationId !== 'string' || request.invalidationId === '') return fail('"request.invalidationId" is missing');
  const startedAt = typeof input?.startedAt === 'string' ? Date.parse(input.startedAt) : NaN;
  if (Number.isNaN(startedAt)) return fail('"startedAt" must be an ISO 8601 time');
  const pace = typeof input?.pace === 'number' && Number.isFinite(input.pace) ? input.pace : 0;
  return { request, pace, startedAt: input!.startedAt! };
}

/**
 * Calls the Get API that matches the target: GetInvalidation or GetInvalidationForDistributionTenant.
 * `timeoutMs` bounds the whole call (the client's own limits bound each phase of it).
 */
export async function getInvalidation(client: CloudFrontClient, request: WatchRequest, timeoutMs?: number): Promise<Invalidation> {
  const controller = new AbortController();
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(), timeoutMs);
  const options = { abortSignal: controller.signal };
  try {
    const output =
      request.target.kind === 'tenant'
        ? await client.send(
            new GetInvalidationForDistributionTenantCommand({ DistributionTenantId: request.target.id, Id: request.invalidationId }),
            options,
          )
        : await client.send(new GetInvalidationCommand({ DistributionId: request.target.id, Id: request.invalidationId }), options);
    if (!output.Invalidation?.Status) {
      throw new NamedError(ErrorNames.CloudFrontUnavailable, 'CloudFront answered without an Invalidation.Status');
    }
    return output.Invalidation;
  } catch (error) {
    // The SDK's AbortError does not say why; this one does.
    const reason = controller.signal.aborted
      ? Object.assign(new Error(`no complete answer within ${timeoutMs} ms`), { name: 'TimeoutError', cause: error })
      : error;
    throw classifyCloudFrontError(reason, request);
  } finally {
    clearTimeout(timer);
  }
}

const THROTTLING_CODES = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);

/** Names the SDK gives a service error whose answer carried no error code (an HTML page, an empty body). */
const NOT_A_CODE = /^(Unknown|UnknownError|Error|\d{3})$/;

/** The fields of an SDK v3 error the classification reads. */
interface SdkErrorFields {
  readonly name?: string;
  readonly message?: string;
  /** Node's errno code of a socket error: ECONNRESET, EPIPE, ETIMEDOUT, ... */
  readonly code?: string;
  /** Set only on service errors: CloudFront answered, and the SDK parsed an error from the answer. */
  readonly $fault?: 'client' | 'server';
  readonly $retryable?: { readonly throttling?: boolean };
  /** `httpStatusCode` only when response headers arrived. */
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * Maps an SDK error to a named error. Only a refusal is permanent: CloudFront answered 4xx
 * with an error code (NoSuchInvalidation, AccessDenied, ...), which asking again would not
 * change. Everything else is transient and slows the watch down instead of ending it: 5xx,
 * throttling, and every answer that never fully arrived or could not be read (socket errors,
 * timeouts, a 2xx or 4xx cut mid-body), whatever its status line said.
 */
export function classifyCloudFrontError(error: unknown, request: WatchRequest): Error {
  if (error instanceof NamedError) return error;
  const sdkError = (error ?? {}) as SdkErrorFields;
  const code = sdkError.name ?? 'UnknownError';
  const status = sdkError.$metadata?.httpStatusCode;
  const what = `${request.target.kind === 'tenant' ? 'distribution tenant' : 'distribution'} ${request.target.id}, invalidation ${request.invalidationId}`;
  if (THROTTLING_CODES.has(code) || status === 429 || sdkError.$retryable?.throttling === true) {
    return new NamedError(ErrorNames.CloudFrontThrottled, `CloudFront throttled the status check (${code}) for ${what}`, { cause: error });
  }
  const refused =
    sdkError.$fault !== undefined &&
    sdkError.$retryable === undefined &&
    status !== undefined &&
    status >= 400 &&
    status < 500 &&
    status !== 408 &&
    !NOT_A_CODE.test(code);
  if (refused) {
    return new NamedError(
      ErrorNames.InvalidationNotTrackable,
      `${code}: CloudFront refused the status check for ${what} (HTTP ${status}): ${sdkError.message ?? 'no message'}`,
      { cause: error },
    );
  }
  return new NamedError(
    ErrorNames.CloudFrontUnavailable,
    `CloudFront did not answer the status check for ${what}: ${describeBlip(sdkError)}`,
    {
      cause: error,
    },
  );
}

/** What went wrong with a transient failure, in one line (the SDK appends a debugging hint on a second). */
function describeBlip(error: SdkErrorFields): string {
  const status = error.$metadata?.httpStatusCode;
  const name = error.name ?? 'UnknownError';
  const message = (error.message ?? '').split('\n')[0]!.trim();
  if (status !== undefined && status >= 500) return `HTTP ${status} (${name})`;
  if (status !== undefined && error.$fault !== undefined) return `HTTP ${status} without an error code (${name})`;
  // The errno code says more than the name (the SDK calls a reset connection a TimeoutError).
  const what = error.code ?? name;
  const told = !message ? what : message.includes(what) || what === 'Error' ? message : `${what}: ${message}`;
  return status !== undefined ? `the answer (HTTP ${status}) could not be read: ${told}` : told;
}

const isTransient = (error: unknown) =>
  error instanceof NamedError && (error.name === ErrorNames.CloudFrontThrottled || error.name === ErrorNames.CloudFrontUnavailable);

export interface CheckOptions {
  readonly now?: () => Date;
  /** For the jitter of slow-down waits. */
  readonly random?: () => number;
  /** What this container has seen of the crowd of watches; shared by its invocations. */
  readonly crowd?: CrowdEstimator;
  /** How long the CloudFront call may take in all (see `callBudgetMs`). @default no limit beyond the client's */
  readonly callTimeoutMs?: number;
}

/**
 * One check.
 * - Completed: returns the result.
 * - In progress: throws `InvalidationInProgress` when the Task's Retry does the next check,
 *   returns the wait when the Wait loop does, and past the maximum wait returns `deadlinePassed`.
 * - Throttled, 5xx or a blip (reset, timeout, an answer cut short): returns status `Unknown`
 *   with one more slow-down step and a jittered wait (the watch goes on, slower). A refusal
 *   (not found, access denied) is thrown.
 * While the container sees CloudFront throttling the crowd, no wait is shorter than the
 * crowd's fair interval, and checks go through the Wait loop, where the wait can be set.
 */
export async function checkStatus(
  client: CloudFrontClient,
  input: CheckInput,
  schedule: PollSchedule,
  { now = () => new Date(), random = Math.random, crowd, callTimeoutMs }: CheckOptions = {},
): Promise<StatusResult> {
  const { request } = input;
  const key = `${request.target.kind}/${request.target.id}/${request.invalidationId}`;
  // While CloudFront throttles the crowd: the interval that lets every watch fit, jittered.
  const crowdInterval = () => {
    const estimate = crowd?.estimate(now().getTime());
    return estimate ? estimate.fairIntervalSeconds * (0.5 + random()) : undefined;
  };
  let invalidation: Invalidation;
  try {
    invalidation = await getInvalidation(client, request, callTimeoutMs);
    crowd?.record(key, false, now().getTime());
  } catch (error) {
    if (!isTransient(error)) throw error;
    if ((error as Error).name === ErrorNames.CloudFrontThrottled) crowd?.record(key, true, now().getTime());
    const checkedAt = now();
    const elapsedSeconds = secondsSince(input.startedAt, checkedAt);
    const deadlinePassed = elapsedSeconds >= schedule.maxWaitSeconds;
    const backoff = planBackoff(schedule, elapsedSeconds, input.pace, random, crowdInterval());
    return {
      status: 'Unknown',
      pace: backoff.pace,
      lastError: `${(error as Error).name}: ${(error as Error).message}`,
      checkedAt: checkedAt.toISOString(),
      elapsedSeconds,
      paths: { total: 0, sample: [] },
      deadlinePassed,
      nextCheckInSeconds: deadlinePassed ? 0 : backoff.seconds,
    };
  }
  const checkedAt = now();
  const elapsedSeconds = secondsSince(input.startedAt, checkedAt);
  const pressure = crowdInterval();
  const base = {
    // Accepted while the crowd is no longer throttled: one slow-down step is undone.
    pace: pressure === undefined ? Math.max(0, input.pace - 1) : input.pace,
    createTime: invalidation.CreateTime?.toISOString(),
    checkedAt: checkedAt.toISOString(),
    elapsedSeconds,
    paths: samplePaths(invalidation.InvalidationBatch?.Paths?.Items, invalidation.InvalidationBatch?.Paths?.Quantity),
  };
  if (invalidation.Status === 'Completed') {
    return { status: 'Completed', ...base, deadlinePassed: false, nextCheckInSeconds: 0 };
  }
  const next = planNextCheck(schedule, elapsedSeconds, base.pace, pressure);
  switch (next.kind) {
    case 'retry':
      throw new NamedError(
        ErrorNames.InvalidationInProgress,
        `Invalidation ${request.invalidationId} is ${invalidation.Status} after ${elapsedSeconds} s`,
      );
    case 'give-up':
      return { status: 'InProgress', ...base, deadlinePassed: true, nextCheckInSeconds: 0 };
    case 'wait':
      return { status: 'InProgress', ...base, deadlinePassed: false, nextCheckInSeconds: next.seconds };
  }
}

const secondsSince = (startedAt: string, at: Date) => Math.max(0, Math.round((at.getTime() - Date.parse(startedAt)) / 1000));
