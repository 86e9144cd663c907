/**
 * Asking CloudFront how a watch's work stands: the one Get call (GetInvalidation or
 * GetInvalidationForDistributionTenant for an invalidation, GetDistribution or
 * GetDistributionTenant for a deployment, by the target's kind) and what its failures mean.
 * Shared by the checker, its final check and the command line: one reading of CloudFront's
 * answers everywhere.
 */
import { isThrottlingError } from '@smithy/core/retry';
import type { SdkError } from '@smithy/types';
import {
  GetDistributionCommand,
  GetDistributionTenantCommand,
  GetInvalidationCommand,
  GetInvalidationForDistributionTenantCommand,
  type CloudFrontClient,
  type Invalidation,
} from '@aws-sdk/client-cloudfront';
import * as v from 'valibot';
import { ErrorNames, NamedError } from './errors';
import { samplePaths, type StatusResult } from './status-result';
import type { DeploymentRequest, InvalidationRequest } from './watch-request';

/** What a check of an invalidation asks CloudFront about: the target and the invalidation. */
export type InvalidationWork = Pick<InvalidationRequest, 'work' | 'target' | 'invalidationId'>;
/** What a check of a deployment asks about: the target, and the change's version and time that tell it from later ones. */
export type DeploymentWork = Pick<DeploymentRequest, 'work' | 'target' | 'eventId' | 'eventTime'> & {
  readonly change: Pick<DeploymentRequest['change'], 'eTag'>;
};
/** The work a check is about, whoever asks (the checker, the final check, the command line). */
export type CheckedWork = InvalidationWork | DeploymentWork;

/** The fields of an invalidation's watch request the checker reads: the work, and the account whose client asks. */
export type CheckedInvalidation = InvalidationWork & Pick<InvalidationRequest, 'account'>;
/** The fields of a deployment's watch request the checker reads. */
export type CheckedDeployment = DeploymentWork & Pick<DeploymentRequest, 'account'>;
export type CheckedRequest = CheckedInvalidation | CheckedDeployment;

const nonEmpty = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
const TargetSchema = v.looseObject({ kind: v.picklist(['distribution', 'tenant']), id: nonEmpty });
/**
 * Those fields, as a function that checks receives them from the state machine (Start watch
 * wrote and checked the whole request; the rest passes through).
 */
export const CheckedRequestSchema = v.variant('work', [
  v.looseObject({ work: v.optional(v.literal('invalidation')), target: TargetSchema, invalidationId: nonEmpty, account: nonEmpty }),
  v.looseObject({
    work: v.literal('deployment'),
    target: TargetSchema,
    change: v.looseObject({ eTag: v.optional(nonEmpty) }),
    eventId: nonEmpty,
    eventTime: v.pipe(
      v.string(),
      v.check((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 time'),
    ),
    account: nonEmpty,
  }),
]);

/** What a distribution or tenant reads now: its status, and the version (ETag) that status is about. */
export interface DeploymentState {
  readonly status: 'Deployed' | 'InProgress';
  readonly eTag?: string;
}

/** A check's answer: the status result, and for a deployment the version the target reads now. */
export interface CheckedStatus {
  readonly status: StatusResult;
  /** A deployment's target reads another version than the watch's change: a later change was made. */
  readonly laterVersion?: boolean;
}

/**
 * One Get call for the watch's work, its answer as a status result as of `checkedAt`,
 * `elapsedSeconds` into the watch. For a deployment, `createTime` is the change's own time (the
 * target's LastModifiedTime would be a later change's) and there are no paths.
 */
export async function checkWork(
  client: CloudFrontClient,
  request: CheckedWork,
  checkedAt: Date,
  elapsedSeconds: number,
  timeoutMs?: number,
): Promise<CheckedStatus> {
  if (request.work !== 'deployment')
    return { status: statusOf(await getInvalidation(client, request, timeoutMs), checkedAt, elapsedSeconds) };
  const deployment = await getDeployment(client, request, timeoutMs);
  const changedAt = Date.parse(request.eventTime);
  return {
    status: {
      status: deployment.status,
      ...(Number.isNaN(changedAt) ? {} : { createTime: new Date(changedAt).toISOString() }),
      checkedAt: checkedAt.toISOString(),
      elapsedSeconds,
      paths: { total: 0, sample: [] },
    },
    ...(request.change.eTag !== undefined && deployment.eTag !== undefined && deployment.eTag !== request.change.eTag
      ? { laterVersion: true }
      : {}),
  };
}

/** Runs one CloudFront call within `timeoutMs`, its failure classified (see {@link classifyCloudFrontError}). */
async function call<T>(
  request: CheckedWork,
  timeoutMs: number | undefined,
  send: (options: { abortSignal: AbortSignal }) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await send({ abortSignal: controller.signal });
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

/** Calls GetDistribution or GetDistributionTenant: the target's status and the version it is about. */
export async function getDeployment(client: CloudFrontClient, request: DeploymentWork, timeoutMs?: number): Promise<DeploymentState> {
  return call(request, timeoutMs, async (options) => {
    const output =
      request.target.kind === 'tenant'
        ? await client.send(new GetDistributionTenantCommand({ Identifier: request.target.id }), options)
        : await client.send(new GetDistributionCommand({ Id: request.target.id }), options);
    const status =
      'DistributionTenant' in output
        ? output.DistributionTenant?.Status
        : (output as { Distribution?: { Status?: string } }).Distribution?.Status;
    if (status !== 'Deployed' && status !== 'InProgress') {
      const what = request.target.kind === 'tenant' ? 'DistributionTenant.Status' : 'Distribution.Status';
      throw new NamedError(
        ErrorNames.CloudFrontUnavailable,
        `CloudFront answered ${status === undefined ? `without a ${what}` : `${what} ${JSON.stringify(status)}, neither Deployed nor InProgress`}`,
      );
    }
    return { status, ...(output.ETag ? { eTag: output.ETag } : {}) };
  });
}

/**
 * Calls the Get API that matches the target: GetInvalidation or GetInvalidationForDistributionTenant.
 * `timeoutMs` bounds the whole call (the client's own limits bound each phase of it).
 */
export async function getInvalidation(client: CloudFrontClient, request: InvalidationWork, timeoutMs?: number): Promise<Invalidation> {
  return call(request, timeoutMs, async (options) => {
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
  });
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
export function classifyCloudFrontError(error: unknown, request: CheckedWork): Error {
  if (error instanceof NamedError) return error;
  const sdkError = (error ?? {}) as SdkErrorFields;
  const code = sdkError.name ?? 'UnknownError';
  const status = sdkError.$metadata?.httpStatusCode;
  const what = `${request.target.kind === 'tenant' ? 'distribution tenant' : 'distribution'} ${request.target.id}, ${
    request.work === 'deployment'
      ? `deployment ${request.change.eTag ?? `of event ${request.eventId}`}`
      : `invalidation ${request.invalidationId}`
  }`;
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
      request.work === 'deployment' ? ErrorNames.DeploymentNotTrackable : ErrorNames.InvalidationNotTrackable,
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

/**
 * The status result (lambda/shared/status-result.ts) of an answer CloudFront gave: its status,
 * CreateTime and a bounded sample of its paths, as of `checkedAt`, `elapsedSeconds` into the watch.
 */
export function statusOf(
  invalidation: Invalidation,
  checkedAt: Date,
  elapsedSeconds: number,
  extra: Partial<StatusResult> = {},
): StatusResult {
  const status = invalidation.Status === 'Completed' ? 'Completed' : 'InProgress';
  return {
    status,
    ...(invalidation.CreateTime ? { createTime: invalidation.CreateTime.toISOString() } : {}),
    checkedAt: checkedAt.toISOString(),
    elapsedSeconds,
    paths: samplePaths(invalidation.InvalidationBatch?.Paths?.Items, invalidation.InvalidationBatch?.Paths?.Quantity),
    ...extra,
  };
}
