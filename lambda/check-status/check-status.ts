import { isThrottlingError } from '@smithy/core/retry';
import type { SdkError } from '@smithy/types';
import {
  GetInvalidationCommand,
  GetInvalidationForDistributionTenantCommand,
  type CloudFrontClient,
  type Invalidation,
} from '@aws-sdk/client-cloudfront';
import * as v from 'valibot';
import { ErrorNames, NamedError } from '../shared/errors';
import { EXPRESS_RUN_SECONDS, planBackoff, planNextCheck, type PollSchedule } from '../shared/schedule';
import type { CrowdEstimator } from './crowd-estimator';
import {
  LAST_ERROR_MAX_CHARS,
  LoopStateSchema,
  StatusResultSchema,
  samplePaths,
  type CheckStep,
  type LoopState,
  type StatusResult,
} from '../shared/status-result';
import { clip } from '../shared/text';
import type { WatchRequest } from '../shared/watch-request';

const isoTime = v.pipe(
  v.string(),
  v.check((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 time'),
);
const nonEmpty = v.pipe(v.string(), v.minLength(1, 'must not be empty'));

/**
 * The one input of "Check invalidation status", as the Express check loop sends it:
 * `{ watch, startedAt, runStartedAt }`. `watch` is the watcher's whole state: the request, the
 * loop's own state and the last check's answer (both absent at the first check: a state
 * machine cannot default a missing field, so the function does), and fields the check does not
 * read (the audience), which pass through it unchanged.
 */
export const CheckInputSchema = v.object({
  watch: v.looseObject({
    // The fields of the watch request a check reads; Start watch wrote and checked the rest.
    request: v.looseObject({
      target: v.looseObject({ kind: v.picklist(['distribution', 'tenant']), id: nonEmpty }),
      invalidationId: nonEmpty,
      account: nonEmpty,
    }),
    loop: v.optional(LoopStateSchema),
    status: v.optional(StatusResultSchema),
  }),
  /** The watch's start (the Standard execution's `$$.Execution.StartTime`), the origin of the schedule. */
  startedAt: isoTime,
  /** This run's start (the Express execution's `$$.Execution.StartTime`). */
  runStartedAt: isoTime,
});
export type CheckInput = v.InferOutput<typeof CheckInputSchema>;
/** The fields of the watch request a check reads. */
export type CheckedRequest = Pick<WatchRequest, 'target' | 'invalidationId' | 'account'>;

/** Parses the input at the edge; a bad one is refused with the field named and what is wrong with it. */
export function parseCheckInput(event: unknown): CheckInput {
  const parsed = v.safeParse(CheckInputSchema, event);
  if (parsed.success) return parsed.output;
  const problems = parsed.issues.map((issue) => {
    const path = v.getDotPath(issue);
    return `${path ? `"${path}"` : 'the input'}: ${issue.message}`;
  });
  throw new NamedError(ErrorNames.InvalidWatcherInput, `Check status input: ${problems.join('; ')}`);
}

/** The watch state after a check: the input's watch with the loop's state and the check's answer replaced. */
export function nextWatchState(input: CheckInput, step: CheckStep): CheckInput['watch'] & CheckStep {
  return { ...input.watch, ...step };
}

/**
 * Calls the Get API that matches the target: GetInvalidation or GetInvalidationForDistributionTenant.
 * `timeoutMs` bounds the whole call (the client's own limits bound each phase of it).
 */
export async function getInvalidation(client: CloudFrontClient, request: CheckedRequest, timeoutMs?: number): Promise<Invalidation> {
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
export function classifyCloudFrontError(error: unknown, request: CheckedRequest): Error {
  if (error instanceof NamedError) return error;
  const sdkError = (error ?? {}) as SdkErrorFields;
  const code = sdkError.name ?? 'UnknownError';
  const status = sdkError.$metadata?.httpStatusCode;
  const what = `${request.target.kind === 'tenant' ? 'distribution tenant' : 'distribution'} ${request.target.id}, invalidation ${request.invalidationId}`;
  // The SDK's own list of throttling answers (names, HTTP 429, the throttling trait).
  if (isThrottlingError(sdkError as SdkError)) {
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
 * One check: the loop's next state and the check's answer ({@link nextWatchState} puts them
 * in the watch state).
 * - Completed: the answer; no further check.
 * - In progress: the wait before the next check; past the maximum wait, `deadlinePassed`.
 *   Never thrown, so the function's Lambda `Errors` count real errors only.
 * - Throttled, 5xx or a blip (reset, timeout, an answer cut short): status `Unknown` with one
 *   more slow-down step and a jittered wait (the watch goes on, slower). A refusal (not found,
 *   access denied) is thrown.
 * While the container sees CloudFront throttling the crowd, no wait is shorter than the
 * crowd's fair interval. The loop state says when the run is over: the next check would start
 * past EXPRESS_RUN_SECONDS into it.
 */
export async function checkStatus(
  /** The client, or how to get it for the invalidation's account (organization mode: an assumed role). */
  client: CloudFrontClient | (() => Promise<CloudFrontClient>),
  input: CheckInput,
  schedule: PollSchedule,
  { now = () => new Date(), random = Math.random, crowd, callTimeoutMs }: CheckOptions = {},
): Promise<CheckStep> {
  const { request, loop: previous, status: lastStatus } = input.watch;
  const pace = previous?.pace ?? 0;
  const key = `${request.target.kind}/${request.target.id}/${request.invalidationId}`;
  // While CloudFront throttles the crowd: the interval that lets every watch fit, jittered.
  const crowdInterval = () => {
    const estimate = crowd?.estimate(now().getTime());
    return estimate ? estimate.fairIntervalSeconds * (0.5 + random()) : undefined;
  };
  /** The loop's next state; the run ends when the next check would start past its budget, and the next run waits first. */
  const loop = (
    checkedAt: Date,
    next: { pace: number; nextCheckInSeconds: number; deadlinePassed: boolean; ending: boolean; called: boolean; throttled: boolean },
  ): LoopState => ({
    pace: next.pace,
    checks: (previous?.checks ?? 0) + (next.called ? 1 : 0),
    throttledChecks: (previous?.throttledChecks ?? 0) + (next.throttled ? 1 : 0),
    nextCheckInSeconds: next.nextCheckInSeconds,
    deadlinePassed: next.deadlinePassed,
    runOver: !next.ending && (checkedAt.getTime() - Date.parse(input.runStartedAt)) / 1000 + next.nextCheckInSeconds > EXPRESS_RUN_SECONDS,
  });
  // A watch's first call while CloudFront is throttling the crowd would most likely be
  // throttled too, and make it worse: the watch waits its turn without calling, until its
  // place in the crowd's fair interval (a fixed share of it, drawn from its key, so that the
  // crowd's first calls spread evenly). The interval is read again each time, since it grows
  // while a burst of watches arrives.
  const noCallYet = previous === undefined || previous.checks === 0;
  const estimate = noCallYet ? crowd?.estimate(now().getTime()) : undefined;
  const turnSeconds = estimate ? estimate.fairIntervalSeconds * (0.5 + unitOf(key)) : 0;
  if (estimate && secondsSince(input.startedAt, now()) + 1 < turnSeconds) {
    const checkedAt = now();
    const elapsedSeconds = secondsSince(input.startedAt, checkedAt);
    const next = planNextCheck(schedule, elapsedSeconds, pace, turnSeconds - elapsedSeconds);
    const nextCheckInSeconds = next.kind === 'wait' ? next.seconds : 1;
    crowd?.record(key, 'deferred', checkedAt.getTime());
    return {
      // No call made: the counters start at the first real one.
      loop: {
        ...loop(checkedAt, { pace, nextCheckInSeconds, deadlinePassed: false, ending: false, called: false, throttled: false }),
        deferredSeconds: nextCheckInSeconds,
      },
      status: { status: 'Unknown', checkedAt: checkedAt.toISOString(), elapsedSeconds, paths: { total: 0, sample: [] } },
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
    const backoff = planBackoff(schedule, elapsedSeconds, pace, random, crowdInterval());
    const nextCheckInSeconds = deadlinePassed ? 0 : backoff.seconds;
    return {
      loop: loop(checkedAt, { pace: backoff.pace, nextCheckInSeconds, deadlinePassed, ending: deadlinePassed, called: true, throttled }),
      status: {
        status: 'Unknown',
        lastError: clip(`${(error as Error).name}: ${(error as Error).message}`, LAST_ERROR_MAX_CHARS),
        checkedAt: checkedAt.toISOString(),
        elapsedSeconds,
        paths: { total: 0, sample: [] },
      },
    };
  }
  const checkedAt = now();
  const elapsedSeconds = secondsSince(input.startedAt, checkedAt);
  const pressure = crowdInterval();
  // Accepted while the crowd is no longer throttled: one slow-down step is undone.
  const nextPace = pressure === undefined ? Math.max(0, pace - 1) : pace;
  const answer = (status: StatusResult['status'], extra: Partial<StatusResult> = {}): StatusResult => ({
    status,
    ...(invalidation.CreateTime ? { createTime: invalidation.CreateTime.toISOString() } : {}),
    checkedAt: checkedAt.toISOString(),
    elapsedSeconds,
    paths: samplePaths(invalidation.InvalidationBatch?.Paths?.Items, invalidation.InvalidationBatch?.Paths?.Quantity),
    ...extra,
  });
  const ended = { nextCheckInSeconds: 0, ending: true, called: true, throttled: false };
  if (invalidation.Status === 'Completed') {
    crowd?.finish(key);
    const lastCheckedAt = lastStatus?.checkedAt ?? input.startedAt;
    return {
      loop: loop(checkedAt, { ...ended, pace: nextPace, deadlinePassed: false }),
      status: answer('Completed', { detectionBoundSeconds: Math.max(0, (checkedAt.getTime() - Date.parse(lastCheckedAt)) / 1000) }),
    };
  }
  const next = planNextCheck(schedule, elapsedSeconds, nextPace, pressure);
  if (next.kind === 'give-up') {
    crowd?.finish(key);
    return { loop: loop(checkedAt, { ...ended, pace: nextPace, deadlinePassed: true }), status: answer('InProgress') };
  }
  return {
    loop: loop(checkedAt, {
      pace: nextPace,
      nextCheckInSeconds: next.seconds,
      deadlinePassed: false,
      ending: false,
      called: true,
      throttled: false,
    }),
    status: answer('InProgress'),
  };
}

/** A number in [0, 1) fixed by the key (FNV-1a): the same watch draws the same share every time. */
function unitOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) / 2 ** 32;
}

const secondsSince = (startedAt: string, at: Date) => Math.max(0, Math.round((at.getTime() - Date.parse(startedAt)) / 1000));
