import {
  GetInvalidationCommand,
  GetInvalidationForDistributionTenantCommand,
  type CloudFrontClient,
  type Invalidation,
} from '@aws-sdk/client-cloudfront';
import { ErrorNames, NamedError } from '../shared/errors';
import { EXPRESS_RUN_SECONDS, planBackoff, planNextCheck, type PollSchedule } from '../shared/schedule';
import type { CrowdEstimator } from './crowd-estimator';
import { samplePaths, type StatusResult } from '../shared/status-result';
import type { WatchRequest } from '../shared/watch-request';

/** What the watcher passes to "Check invalidation status", in one shape whatever the loop. */
export interface CheckInput {
  readonly request: WatchRequest;
  /** Slow-down steps taken so far (0 = normal schedule), from the previous status result. */
  readonly pace: number;
  /** The watch's start (the Standard execution's `$$.Execution.StartTime`), the origin of the schedule. */
  readonly startedAt: string;
  /** Express check loop: this run's start (the Express execution's `$$.Execution.StartTime`). */
  readonly runStartedAt?: string;
  /** Express check loop: what the previous check of this watch counted, carried across runs (absent at the first). */
  readonly previous?: { readonly checks: number; readonly throttledChecks: number; readonly checkedAt?: string };
}

/**
 * Reads either input shape:
 * - the Standard loops' `{ request, pace, startedAt }`;
 * - the Express loop's `{ watch, startedAt, runStartedAt }`, where `watch` is the whole watch
 *   state and `watch.status` the previous check's result (absent at the first check: the
 *   state machine cannot default a missing field, so the function does).
 */
export function parseCheckInput(event: unknown): CheckInput {
  const input = event as {
    request?: WatchRequest;
    watch?: { request?: WatchRequest; status?: unknown };
    pace?: unknown;
    startedAt?: unknown;
    runStartedAt?: unknown;
  } | null;
  const fail = (what: string): never => {
    throw new NamedError(ErrorNames.InvalidWatcherInput, `Check status input: ${what}`);
  };
  const express = input?.watch !== undefined;
  if (express && (input.watch === null || typeof input.watch !== 'object')) return fail('"watch" must be the watch state');
  const request = express ? input.watch!.request : input?.request;
  const at = express ? '"watch.request' : '"request';
  if (!request || typeof request !== 'object') return fail(`${at}" is missing`);
  if (request.target?.kind !== 'distribution' && request.target?.kind !== 'tenant')
    return fail(`${at}.target.kind" must be distribution or tenant`);
  if (typeof request.target.id !== 'string' || request.target.id === '') return fail(`${at}.target.id" is missing`);
  if (typeof request.invalidationId !== 'string' || request.invalidationId === '') return fail(`${at}.invalidationId" is missing`);
  if (!isTime(input!.startedAt)) return fail('"startedAt" must be an ISO 8601 time');
  if (!express) {
    const pace = typeof input!.pace === 'number' && Number.isFinite(input!.pace) ? input!.pace : 0;
    return { request, pace, startedAt: input!.startedAt };
  }
  if (!isTime(input.runStartedAt)) return fail('"runStartedAt" must be an ISO 8601 time');
  const status = (input.watch!.status ?? undefined) as Partial<StatusResult> | undefined;
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);
  return {
    request,
    pace: count(status?.pace),
    startedAt: input.startedAt,
    runStartedAt: input.runStartedAt,
    ...(status && typeof status === 'object'
      ? {
          previous: {
            checks: count(status.checks),
            throttledChecks: count(status.throttledChecks),
            ...(isTime(status.checkedAt) ? { checkedAt: status.checkedAt } : {}),
          },
        }
      : {}),
  };
}

const isTime = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));

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
 * - In progress: throws `InvalidationInProgress` when the Task's Retry does the next check
 *   (the `retry` style), otherwise returns the wait; past the maximum wait returns `deadlinePassed`.
 * - Throttled, 5xx or a blip (reset, timeout, an answer cut short): returns status `Unknown`
 *   with one more slow-down step and a jittered wait (the watch goes on, slower). A refusal
 *   (not found, access denied) is thrown.
 * While the container sees CloudFront throttling the crowd, no wait is shorter than the
 * crowd's fair interval, and checks go through the Wait loop, where the wait can be set.
 * In the Express loop (`runStartedAt` given) the result also carries the watch's counters and
 * says when the run is over: the next check would start past EXPRESS_RUN_SECONDS into it.
 */
export async function checkStatus(
  /** The client, or how to get it for the invalidation's account (organization mode: an assumed role). */
  client: CloudFrontClient | (() => Promise<CloudFrontClient>),
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
  const express = input.runStartedAt !== undefined;
  const counters = (throttled: boolean) =>
    express
      ? {
          checks: (input.previous?.checks ?? 0) + 1,
          throttledChecks: (input.previous?.throttledChecks ?? 0) + (throttled ? 1 : 0),
        }
      : {};
  // The run ends when the next check would start past its budget; the next run waits first.
  const runOver = (checkedAt: Date, nextCheckInSeconds: number, ending: boolean) =>
    express
      ? { runOver: !ending && (checkedAt.getTime() - Date.parse(input.runStartedAt!)) / 1000 + nextCheckInSeconds > EXPRESS_RUN_SECONDS }
      : {};
  // A watch's first call while CloudFront is throttling the crowd would most likely be
  // throttled too, and make it worse: the watch waits its turn without calling, until its
  // place in the crowd's fair interval (a fixed share of it, drawn from its key, so that the
  // crowd's first calls spread evenly). The interval is read again each time, since it grows
  // while a burst of watches arrives. Only the Express loop can tell a first call (its
  // counters say no call was made yet).
  const noCallYet = express && (input.previous === undefined || input.previous.checks === 0);
  const estimate = noCallYet ? crowd?.estimate(now().getTime()) : undefined;
  const turnSeconds = estimate ? estimate.fairIntervalSeconds * (0.5 + unitOf(key)) : 0;
  if (estimate && secondsSince(input.startedAt, now()) + 1 < turnSeconds) {
    const checkedAt = now();
    const elapsedSeconds = secondsSince(input.startedAt, checkedAt);
    const next = planNextCheck(schedule, elapsedSeconds, input.pace, turnSeconds - elapsedSeconds);
    const nextCheckInSeconds = next.kind === 'wait' ? next.seconds : 1;
    crowd?.record(key, 'deferred', checkedAt.getTime());
    return {
      status: 'Unknown',
      pace: input.pace,
      deferredSeconds: nextCheckInSeconds,
      checkedAt: checkedAt.toISOString(),
      elapsedSeconds,
      paths: { total: 0, sample: [] },
      deadlinePassed: false,
      nextCheckInSeconds,
      ...runOver(checkedAt, nextCheckInSeconds, false),
      // No call made: the counters start at the first real one.
      checks: 0,
      throttledChecks: 0,
    };
  }
  let invalidation: Invalidation;
  try {
    // Inside the try: a role that cannot be assumed now is a blip, one that is refused a refusal.
    const resolved = typeof client === 'function' ? await client() : client;
    invalidation = await getInvalidation(resolved, request, callTimeoutMs);
    crowd?.record(key, 'accepted', now().getTime());
  } catch (error) {
    if (!isTransient(error)) throw error;
    const throttled = (error as Error).name === ErrorNames.CloudFrontThrottled;
    if (throttled) crowd?.record(key, 'throttled', now().getTime());
    const checkedAt = now();
    const elapsedSeconds = secondsSince(input.startedAt, checkedAt);
    const deadlinePassed = elapsedSeconds >= schedule.maxWaitSeconds;
    const backoff = planBackoff(schedule, elapsedSeconds, input.pace, random, crowdInterval());
    const nextCheckInSeconds = deadlinePassed ? 0 : backoff.seconds;
    return {
      status: 'Unknown',
      pace: backoff.pace,
      lastError: `${(error as Error).name}: ${(error as Error).message}`,
      checkedAt: checkedAt.toISOString(),
      elapsedSeconds,
      paths: { total: 0, sample: [] },
      deadlinePassed,
      nextCheckInSeconds,
      ...runOver(checkedAt, nextCheckInSeconds, deadlinePassed),
      ...counters(throttled),
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
    crowd?.finish(key);
    const lastCheckedAt = input.previous?.checkedAt ?? input.startedAt;
    return {
      status: 'Completed',
      ...base,
      deadlinePassed: false,
      nextCheckInSeconds: 0,
      ...runOver(checkedAt, 0, true),
      ...counters(false),
      ...(express ? { detectionBoundSeconds: Math.max(0, (checkedAt.getTime() - Date.parse(lastCheckedAt)) / 1000) } : {}),
    };
  }
  const next = planNextCheck(schedule, elapsedSeconds, base.pace, pressure);
  switch (next.kind) {
    case 'retry':
      throw new NamedError(
        ErrorNames.InvalidationInProgress,
        `Invalidation ${request.invalidationId} is ${invalidation.Status} after ${elapsedSeconds} s`,
      );
    case 'give-up':
      crowd?.finish(key);
      return {
        status: 'InProgress',
        ...base,
        deadlinePassed: true,
        nextCheckInSeconds: 0,
        ...runOver(checkedAt, 0, true),
        ...counters(false),
      };
    case 'wait':
      return {
        status: 'InProgress',
        ...base,
        deadlinePassed: false,
        nextCheckInSeconds: next.seconds,
        ...runOver(checkedAt, next.seconds, false),
        ...counters(false),
      };
  }
}

/** A number in [0, 1) fixed by the key (FNV-1a): the same watch draws the same share every time. */
function unitOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) / 2 ** 32;
}

const secondsSince = (startedAt: string, at: Date) => Math.max(0, Math.round((at.getTime() - Date.parse(startedAt)) / 1000));
