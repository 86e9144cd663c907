import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { CLOUDFRONT_EVENT_SOURCE, DEPLOYMENT_CALLS, EVENT_NAMES, type DeploymentCallName, type WorkKind } from './cloudtrail-calls';
import { describeChange } from './deployment-change';
import { clip, codePointLength } from './text';
import { ACCOUNT_ID } from './organization';

/**
 * Contract 1, the watch request: what the trigger extracts from a CloudTrail event of a call that
 * starts work: an invalidation (`CreateInvalidation` / `CreateInvalidationForDistributionTenant`)
 * or a deployment (`UpdateDistribution`, `CreateDistributionTenant`, ...: DEPLOYMENT_CALLS).
 * Declared here once as schemas (the types are inferred from them), parsed at Start watch's
 * edge; everything downstream trusts the typed value.
 */

/**
 * Bounds on what an event can put into the execution input (StartExecution refuses more than
 * 256 KB, and an event can be that large): IDs longer than any CloudFront ID are refused, free
 * text is clipped.
 */
export const MAX_ID_LENGTH = 256;
const MAX_TEXT_LENGTH = 1024;
/** A value quoted in a rejection reason. */
const MAX_QUOTED_LENGTH = 200;

/** Bounded in code points, as {@link clip} bounds (an emoji is two UTF-16 units, one code point). */
const atMost = (max: number) => v.check<string, string>((text) => codePointLength(text) <= max, `longer than ${max} characters`);
const Id = v.pipe(v.string(), v.minLength(1), atMost(MAX_ID_LENGTH));
const BoundedText = v.pipe(v.string(), atMost(MAX_TEXT_LENGTH));

export const TargetKindSchema = v.picklist(['distribution', 'tenant']);
export type TargetKind = v.InferOutput<typeof TargetKindSchema>;

export const WatchTargetSchema = v.pipe(
  v.object({
    kind: TargetKindSchema,
    /** Distribution ID (`E2ABC...`) or distribution tenant ID (`dt_...`). */
    id: Id,
  }),
  v.readonly(),
);
export type WatchTarget = v.InferOutput<typeof WatchTargetSchema>;

export type { WorkKind };

/** The fields every watch request has, whatever the work. */
const CommonRequestEntries = {
  target: WatchTargetSchema,
  /** Who made the call, from CloudTrail `userIdentity`, for people to read. */
  createdBy: BoundedText,
  /** The caller's ARN (`userIdentity.arn`), for routes that match on it. */
  createdByArn: v.optional(BoundedText),
  /** ISO 8601 time of the API call. */
  eventTime: BoundedText,
  /** CloudTrail event ID, for tracing a notification back to the API call. */
  eventId: Id,
  account: BoundedText,
  region: BoundedText,
};

/** The most lines a change's description keeps (each bounded text). */
export const MAX_CHANGE_LINES = 8;

export const InvalidationRequestSchema = v.pipe(
  v.object({
    /** Absent in requests written before deployments were watched: an invalidation. */
    work: v.optional(v.literal('invalidation')),
    ...CommonRequestEntries,
    invalidationId: Id,
    callerReference: v.optional(BoundedText),
    /**
     * Set when the CloudTrail event was cut (too large) and the invalidation was found by listing
     * the invalidations created at the event's time: how it was found, for people to read.
     */
    foundBy: v.optional(BoundedText),
  }),
  v.readonly(),
);
export type InvalidationRequest = v.InferOutput<typeof InvalidationRequestSchema>;

/** What a deployment's call says of its change. */
export const DeploymentChangeSchema = v.pipe(
  v.object({
    /** The CloudTrail event name: `UpdateDistribution`, `CreateDistributionTenant`, ... */
    call: BoundedText,
    /**
     * The version the call made (its answer's `ETag`): names the change, and tells whether the
     * target's deployed version is this one or a later one. Missing when CloudTrail left it out.
     */
    eTag: v.optional(Id),
    /** What the call changed, as far as its request tells, one line each; empty: "configuration updated". */
    changes: v.pipe(v.array(BoundedText), v.maxLength(MAX_CHANGE_LINES), v.readonly()),
  }),
  v.readonly(),
);
export type DeploymentChange = v.InferOutput<typeof DeploymentChangeSchema>;

export const DeploymentRequestSchema = v.pipe(
  v.object({
    work: v.literal('deployment'),
    ...CommonRequestEntries,
    change: DeploymentChangeSchema,
  }),
  v.readonly(),
);
export type DeploymentRequest = v.InferOutput<typeof DeploymentRequestSchema>;

export const WatchRequestSchema = v.union([InvalidationRequestSchema, DeploymentRequestSchema]);
export type WatchRequest = v.InferOutput<typeof WatchRequestSchema>;

/** The kind of work a request (or a rejected event) is about. */
export function workOf(request: { readonly work?: WorkKind }): WorkKind {
  return request.work ?? 'invalidation';
}

/** The keys a log line or a metric's metadata names the work by: `invalidationId`, or `deployment` (the change's name). */
export function workLogKeys(
  request:
    | {
        readonly invalidationId?: unknown;
        readonly work?: WorkKind;
        readonly change?: { readonly eTag?: string };
        readonly eventId?: unknown;
      }
    | undefined,
): { readonly invalidationId: string } | { readonly deployment: string } {
  if (request?.work === 'deployment' && request.change && typeof request.eventId === 'string') {
    return { deployment: workIdOf({ change: request.change, eventId: request.eventId }) };
  }
  return { invalidationId: typeof request?.invalidationId === 'string' ? request.invalidationId : 'none' };
}

/**
 * What names the work within its target: the invalidation's ID, or the change's ETag (the
 * event's ID when CloudTrail gave none): a duplicated CloudTrail delivery names the same.
 */
export function workIdOf(
  request: { readonly invalidationId: string } | { readonly change: { readonly eTag?: string }; readonly eventId: string },
): string {
  return 'change' in request ? (request.change.eTag ?? `event-${request.eventId}`) : request.invalidationId;
}

/** What a rejected event still tells us, so the "could not track" message can name it. */
export const RejectedEventSchema = v.pipe(
  v.object({
    reason: v.string(),
    eventId: Id,
    eventName: v.optional(v.string()),
    /** Set when the event's call starts a deployment (its eventName says which); absent: an invalidation, or unknown. */
    work: v.optional(v.literal('deployment')),
    targetId: v.optional(v.string()),
    invalidationId: v.optional(v.string()),
    createdBy: v.optional(BoundedText),
    createdByArn: v.optional(BoundedText),
  }),
  v.readonly(),
);
export type RejectedEvent = v.InferOutput<typeof RejectedEventSchema>;

export { CLOUDFRONT_EVENT_SOURCE, DEPLOYMENT_CALLS, EVENT_NAMES };

/** The fields CloudTrail may cut (over its size limit, about 100 KB each): they hold the batch. */
export type CutField = 'requestParameters' | 'responseElements';

/**
 * A cut event of one of the two invalidation calls: what it still tells, for Start watch to find
 * its invalidation by listing (see lambda/start-watch/recover-cut-event.ts).
 */
export interface CutEvent {
  readonly kind: TargetKind;
  readonly cutFields: readonly CutField[];
  /** The target's ID when a field that was not cut still names it. */
  readonly targetId?: string;
  /** The invalidation's ID when a field that was not cut still names it. */
  readonly invalidationId?: string;
  /** A valid ISO 8601 time: when the call completed, which is when the invalidation was created, give or take seconds. */
  readonly eventTime: string;
  readonly createdBy: string;
  readonly createdByArn?: string;
  readonly eventId: string;
  readonly account: string;
  readonly region: string;
}

/** A CloudTrail event that cannot be turned into a watch request; `reason` names what is wrong. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEvent';
  constructor(
    public readonly rejected: RejectedEvent,
    /** Set when CloudTrail cut the fields that name the invalidation: it may still be found. */
    public readonly cut?: CutEvent,
  ) {
    super(rejected.reason);
  }
}

/** What an event without any ID is called in messages; its execution is named after its content. */
export const UNKNOWN_EVENT_ID = 'unknown-event';

/*
 * The EventBridge envelope of an "AWS API Call via CloudTrail" event, reduced to the fields
 * Start watch reads. Every field is read leniently (a field of the wrong type counts as
 * missing), so that this schema accepts any object: what is missing or wrong is said in plain
 * words by parseWatchRequest, which knows which field matters for which call.
 */

/** A string field: trimmed; missing when it is not a non-empty string. */
const Text = v.fallback(v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty())), undefined);
/** An object field: missing when it is not an object. */
const Part = <const TEntries extends v.ObjectEntries>(entries: TEntries) => v.fallback(v.optional(v.object(entries)), undefined);
/**
 * CloudTrail's mark on a field it cut for size: `{"omitted": true, "originalSize": 123456}` in
 * place of the field's content. Read on the whole field and on the members that hold the batch.
 */
const Omitted = v.fallback(
  v.pipe(
    v.unknown(),
    v.transform((value) => value === true || value === 'true'),
  ),
  false,
);

const UserIdentitySchema = v.object({
  type: Text,
  arn: Text,
  userName: Text,
  invokedBy: Text,
  principalId: Text,
  sessionContext: Part({ sessionIssuer: Part({ userName: Text }) }),
});

export const CloudTrailEventSchema = v.object({
  id: Text,
  account: Text,
  region: Text,
  time: Text,
  detail: Part({
    eventID: Text,
    eventName: Text,
    eventSource: Text,
    errorCode: Text,
    eventTime: Text,
    awsRegion: Text,
    recipientAccountId: Text,
    userIdentity: v.fallback(v.optional(UserIdentitySchema), undefined),
    requestParameters: Part({
      omitted: Omitted,
      distributionId: Text,
      // The tenant API's parameter is `Id`; CloudTrail writes members with a lowercase first
      // letter, and `distributionTenantId` is accepted too in case it names it in full.
      id: Text,
      distributionTenantId: Text,
      invalidationBatch: Part({ omitted: Omitted, callerReference: Text }),
    }),
    responseElements: Part({
      omitted: Omitted,
      location: Text,
      invalidation: Part({ omitted: Omitted, id: Text }),
      // The deployment calls': the version made (the ETag header) and the resource created.
      eTag: Text,
      distribution: Part({ omitted: Omitted, id: Text }),
      distributionTenant: Part({ omitted: Omitted, id: Text }),
    }),
  }),
});
export type CloudTrailEvent = v.InferOutput<typeof CloudTrailEventSchema>;
type CloudTrailDetail = NonNullable<CloudTrailEvent['detail']>;

/** Any value read as a CloudTrail event; what is not an object reads as an event without fields. */
function readEvent(event: unknown): CloudTrailEvent {
  const read = v.safeParse(CloudTrailEventSchema, event);
  return read.success ? read.output : {};
}

/** Hex SHA-256 prefix: 64 bits, enough that distinct originals do not meet by chance. */
const shortHash = (...parts: string[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);

/**
 * An ID bounded for display and input size, still telling different IDs apart: a long ID keeps
 * its start and gains a hash of the whole.
 */
const boundedId = (id: string): string => (id.length <= MAX_ID_LENGTH ? id : `${clip(id, MAX_ID_LENGTH - 18)}-${shortHash('id', id)}`);

// Old records carry versioned names such as CreateInvalidation2014_01_31.
const baseEventName = (name: string): string => name.replace(/\d{4}_\d{2}_\d{2}$/, '');

// Anchored at the end, no trailing \s* (the schema trims): an unanchored tail after a greedy
// class backtracks quadratically on a long location.
const LOCATION_PATTERN = /\/(distribution|distribution-tenant)\/([^/]+)\/invalidation\/([^/?#]+)$/;

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // a bad percent-escape (`%E0%A4%A`, `%ZZ`)
  }
};

type ParsedLocation =
  { readonly kind: TargetKind; readonly targetId: string; readonly invalidationId: string } | { readonly undecodable: true };

/** Parses `responseElements.location` into its target and invalidation IDs. */
function parseLocation(location: string | undefined): ParsedLocation | undefined {
  const match = location ? LOCATION_PATTERN.exec(location) : null;
  if (!match) return undefined;
  const [, segment, rawTargetId, rawInvalidationId] = match as unknown as [string, string, string, string];
  const targetId = decodeSegment(rawTargetId);
  const invalidationId = decodeSegment(rawInvalidationId);
  if (targetId === undefined || invalidationId === undefined) return { undecodable: true };
  return { kind: segment === 'distribution' ? 'distribution' : 'tenant', targetId, invalidationId };
}

/** A value from the event, quoted in a reason: bounded, so a huge value cannot swell the input. */
const quote = (value: string): string => JSON.stringify(clip(value, MAX_QUOTED_LENGTH));

/** A short, human-readable principal: `alice`, `deploy-role/ci-run-42`, `root`, a service name. */
export function describeIdentity(userIdentity: unknown): string {
  const read = v.safeParse(UserIdentitySchema, userIdentity);
  return read.success ? describeReadIdentity(read.output) : 'unknown caller';
}

function describeReadIdentity(identity: v.InferOutput<typeof UserIdentitySchema>): string {
  const { type, arn } = identity;
  switch (type) {
    case 'Root':
      return 'root user';
    case 'IAMUser':
      return identity.userName ?? arn ?? 'IAM user';
    case 'AssumedRole': {
      // arn:aws:sts::123456789012:assumed-role/RoleName/SessionName
      const roleAndSession = arn?.split(':assumed-role/')[1];
      return roleAndSession ?? identity.sessionContext?.sessionIssuer?.userName ?? 'assumed role';
    }
    case 'AWSService':
      return identity.invokedBy ?? 'AWS service';
    default:
      return identity.userName ?? arn ?? identity.principalId ?? 'unknown caller';
  }
}

/** Which of the fields that name the work CloudTrail cut, whole or in the members that name it (the invalidation, the created distribution or tenant). */
function cutFieldsOf(detail: CloudTrailDetail): CutField[] {
  const request = detail.requestParameters;
  const response = detail.responseElements;
  const responseCut =
    response?.omitted || response?.invalidation?.omitted || response?.distribution?.omitted || response?.distributionTenant?.omitted;
  return [
    ...(request?.omitted || request?.invalidationBatch?.omitted ? (['requestParameters'] as const) : []),
    ...(responseCut ? (['responseElements'] as const) : []),
  ];
}

const describeCut = (fields: readonly CutField[]): string =>
  `the CloudTrail event was cut (too large: CloudTrail omitted ${fields.join(' and ')})`;

/**
 * Turns an EventBridge "AWS API Call via CloudTrail" event into a {@link WatchRequest}.
 * Throws {@link MalformedEventError} naming the first missing or unexpected field, and nothing
 * else for any JSON input: an event that escaped as another error would end in the dead-letter
 * queue instead of a "could not track" message. An event CloudTrail cut for size carries
 * {@link MalformedEventError.cut}, what is left to find its invalidation with.
 */
export function parseWatchRequest(event: unknown): WatchRequest {
  const read = readEvent(event);
  const detail = read.detail;
  const eventId = boundedId(detail?.eventID ?? read.id ?? UNKNOWN_EVENT_ID);
  const createdBy = clip(detail?.userIdentity ? describeReadIdentity(detail.userIdentity) : 'unknown caller', MAX_TEXT_LENGTH);
  const rawArn = detail?.userIdentity?.arn;
  const createdByArn = rawArn === undefined ? undefined : clip(rawArn, MAX_TEXT_LENGTH);
  const reject = (reason: string, known: Partial<RejectedEvent> = {}, cut?: CutEvent): never => {
    const bounded = Object.fromEntries(
      Object.entries(known).map(([key, value]) => [key, typeof value === 'string' ? clip(value, MAX_ID_LENGTH) : value]),
    );
    throw new MalformedEventError({ reason, eventId, createdBy, ...(createdByArn ? { createdByArn } : {}), ...bounded }, cut);
  };

  if (!detail) return reject('the event has no "detail" object');
  const rawName = detail.eventName;
  if (!rawName) return reject('detail.eventName is missing');
  const eventName = baseEventName(rawName);
  const deploymentCall = Object.hasOwn(DEPLOYMENT_CALLS, eventName) ? (eventName as DeploymentCallName) : undefined;
  const kind = (Object.keys(EVENT_NAMES) as TargetKind[]).find((k) => EVENT_NAMES[k] === eventName);
  if (!kind && !deploymentCall) {
    return reject(
      `detail.eventName ${quote(rawName)} is not a call the notifier watches (${EVENT_NAMES.distribution}, ${EVENT_NAMES.tenant}, or a call that starts a deployment: ${Object.keys(DEPLOYMENT_CALLS).join(', ')})`,
      { eventName: rawName },
    );
  }
  const work = deploymentCall ? ({ work: 'deployment' } as const) : {};
  const source = detail.eventSource;
  if (source !== CLOUDFRONT_EVENT_SOURCE) {
    return reject(`detail.eventSource is ${quote(source ?? '')}, expected ${CLOUDFRONT_EVENT_SOURCE}`, { eventName, ...work });
  }
  if (detail.errorCode) {
    return reject(
      `the API call failed with ${quote(detail.errorCode)}; there is no ${deploymentCall ? 'deployment' : 'invalidation'} to watch`,
      { eventName, ...work },
    );
  }
  if (deploymentCall) {
    const common = { createdBy, ...(createdByArn ? { createdByArn } : {}), eventId };
    const rawRequest = (event as { detail?: { requestParameters?: unknown } }).detail?.requestParameters;
    return parseDeploymentRequest(deploymentCall, read, detail, rawRequest, common, (reason, known) =>
      reject(reason, { ...known, eventName, work: 'deployment' }),
    );
  }
  if (!kind) return reject('unreachable: neither an invalidation nor a deployment call'); // narrowed above

  const request = detail.requestParameters;
  const response = detail.responseElements;
  const location = parseLocation(response?.location);
  const locationMatchesKind = location && !('undecodable' in location) && location.kind === kind ? location : undefined;
  const targetFields =
    kind === 'distribution'
      ? ([['requestParameters.distributionId', request?.distributionId]] as const)
      : ([
          ['requestParameters.id', request?.id],
          ['requestParameters.distributionTenantId', request?.distributionTenantId],
        ] as const);
  const targetFrom = targetFields.find(([, value]) => value !== undefined);
  const targetId = targetFrom?.[1] ?? locationMatchesKind?.targetId;
  const invalidationFrom = response?.invalidation?.id;
  const invalidationId = invalidationFrom ?? locationMatchesKind?.invalidationId;
  const badLocation = location && 'undecodable' in location ? ' (responseElements.location is there but has a bad percent-escape)' : '';
  const { eventTime, account, region } = whereAndWhen(read, detail);

  const cutFields = cutFieldsOf(detail);
  if (cutFields.length > 0 && (!targetId || !invalidationId)) {
    const missing = targetId ? 'no invalidation ID' : `no ${kind === 'distribution' ? 'distribution' : 'distribution tenant'} ID`;
    const known = { eventName, ...(targetId ? { targetId } : {}), ...(invalidationId ? { invalidationId } : {}) };
    const time = Date.parse(detail.eventTime ?? '');
    if (Number.isNaN(time)) {
      return reject(`${describeCut(cutFields)}, so it names ${missing}, and its detail.eventTime is not a time to find it by`, known);
    }
    const tooLong = [targetId, invalidationId].some((id) => id !== undefined && id.length > MAX_ID_LENGTH);
    const cut: CutEvent | undefined = tooLong
      ? undefined
      : {
          kind,
          cutFields,
          ...(targetId ? { targetId } : {}),
          ...(invalidationId ? { invalidationId } : {}),
          eventTime: new Date(time).toISOString(),
          createdBy,
          ...(createdByArn ? { createdByArn } : {}),
          eventId,
          account,
          region,
        };
    return reject(`${describeCut(cutFields)}, so it names ${missing}`, known, cut);
  }

  if (!targetId) {
    return reject(
      (kind === 'distribution'
        ? 'no distribution ID: requestParameters.distributionId and responseElements.location are both missing'
        : 'no distribution tenant ID: requestParameters.id and responseElements.location are both missing') + badLocation,
      { eventName, ...(invalidationId ? { invalidationId } : {}) },
    );
  }
  if (!invalidationId) {
    return reject(`no invalidation ID: responseElements.invalidation.id and responseElements.location are both missing${badLocation}`, {
      eventName,
      targetId,
    });
  }
  const tooLong = (id: string, field: string) =>
    id.length > MAX_ID_LENGTH
      ? reject(`${field} is ${id.length} characters long, longer than any CloudFront ID (${MAX_ID_LENGTH})`, {
          eventName,
          targetId,
          invalidationId,
        })
      : undefined;
  tooLong(targetId, targetFrom ? targetFrom[0] : 'the target ID in responseElements.location');
  tooLong(invalidationId, invalidationFrom ? 'responseElements.invalidation.id' : 'the invalidation ID in responseElements.location');

  const callerReference = request?.invalidationBatch?.callerReference;
  return {
    target: { kind, id: targetId },
    invalidationId,
    createdBy,
    ...(createdByArn ? { createdByArn } : {}),
    ...(callerReference ? { callerReference: clip(callerReference, MAX_TEXT_LENGTH) } : {}),
    eventTime,
    eventId,
    account,
    region,
  };
}

/** The time, account and region of an event, bounded, as every watch request carries them. */
function whereAndWhen(read: CloudTrailEvent, detail: CloudTrailDetail): Pick<WatchRequest, 'eventTime' | 'account' | 'region'> {
  const text = (value: string | undefined, fallback: string) => clip(value ?? fallback, MAX_TEXT_LENGTH);
  return {
    eventTime: text(detail.eventTime ?? read.time, new Date(0).toISOString()),
    account: text(read.account ?? detail.recipientAccountId, 'unknown'),
    region: text(read.region ?? detail.awsRegion, 'us-east-1'),
  };
}

/** CloudFront's versions (ETags) are short runs of capitals and digits. */
const CLOUDFRONT_VERSION = /^[A-Za-z0-9]{1,128}$/;

/**
 * The watch request of a call that starts a deployment. The target comes from the request's
 * `id` (updates) or the created resource in the response (creations), with the response's
 * resource as a second source for updates; the change is named by the response's `eTag`. A cut
 * event that still names its target is watched (its change named by the event ID); one that
 * does not is rejected: a deployment cannot be found by listing, as a cut invalidation can.
 */
function parseDeploymentRequest(
  call: DeploymentCallName,
  read: CloudTrailEvent,
  detail: CloudTrailDetail,
  rawRequest: unknown,
  common: Pick<DeploymentRequest, 'createdBy' | 'createdByArn' | 'eventId'>,
  reject: (reason: string, known?: Partial<RejectedEvent>) => never,
): DeploymentRequest {
  const { target: kind, idFrom } = DEPLOYMENT_CALLS[call];
  const request = detail.requestParameters;
  const response = detail.responseElements;
  const created = kind === 'tenant' ? response?.distributionTenant : response?.distribution;
  const createdField = `responseElements.${kind === 'tenant' ? 'distributionTenant' : 'distribution'}.id`;
  const sources: readonly (readonly [string, string | undefined])[] =
    idFrom === 'request'
      ? [
          ['requestParameters.id', request?.id],
          [createdField, created?.id],
        ]
      : [[createdField, created?.id]];
  const targetFrom = sources.find(([, value]) => value !== undefined);
  const what = kind === 'tenant' ? 'distribution tenant' : 'distribution';
  if (!targetFrom) {
    const cutFields = cutFieldsOf(detail);
    const fields = sources.map(([field]) => field).join(' and ');
    return reject(
      cutFields.length > 0
        ? `${describeCut(cutFields)}, so it names no ${what} ID (${fields} missing)`
        : `no ${what} ID: ${fields} ${sources.length > 1 ? 'are both' : 'is'} missing`,
    );
  }
  const [field, targetId] = targetFrom as readonly [string, string];
  if (targetId.length > MAX_ID_LENGTH) {
    return reject(`${field} is ${targetId.length} characters long, longer than any CloudFront ID (${MAX_ID_LENGTH})`, {
      targetId,
    });
  }
  const eTag = response?.eTag;
  const change: DeploymentChange = {
    call,
    // A version CloudFront would give (E2QWRUHAPOMQZL) names the change; anything else is not
    // trusted to (an `event-...` one could pass for a change named by its event), and the event names it.
    ...(eTag && CLOUDFRONT_VERSION.test(eTag) ? { eTag } : {}),
    changes: describeChange(call, rawRequest).map((line) => clip(line, MAX_TEXT_LENGTH)),
  };
  return { work: 'deployment', target: { kind, id: targetId }, ...common, ...whereAndWhen(read, detail), change };
}

/** Step Functions allows 1-80 of these in an execution name. */
const MAX_EXECUTION_NAME = 80;
const EXECUTION_NAME_UNSAFE = /[^A-Za-z0-9_-]/g;
const ID_AS_IS = /^[A-Za-z0-9_]+$/;
const HASH_LENGTH = 16;
/** How every hashed name ends; a name kept as it is never ends so (see {@link keptAsIs}). */
const HASHED_TAIL = /-[0-9a-f]{16}$/;
const REJECTED_PREFIX = 'rejected';

/** A name kept readable must not look like a hashed one, or the two could meet. */
const keptAsIs = (name: string): boolean => name.length <= MAX_EXECUTION_NAME && !HASHED_TAIL.test(name);

/** Readable parts, sanitised and cut to share `budget` characters (the last part keeps most), then the hash. */
function hashedName(parts: readonly string[], hash: string): string {
  const budget = MAX_EXECUTION_NAME - HASH_LENGTH - parts.length;
  const safe = parts.map((part) => part.replace(EXECUTION_NAME_UNSAFE, '_'));
  const last = safe[safe.length - 1]!;
  const others = safe.slice(0, -1).map((part) => part.slice(0, Math.floor(budget / (2 * (safe.length - 1)))));
  const lastCut = last.slice(0, budget - others.reduce((sum, part) => sum + part.length, 0));
  return [...others, lastCut, hash].filter((part) => part !== '').join('-');
}

/** The fields of a request that name its watch: the target and the work on it. */
export type WatchedWork = { readonly target: WatchTarget; readonly account?: string } & (
  { readonly invalidationId: string } | { readonly change: { readonly eTag?: string }; readonly eventId: string }
);

/** The word between target and change in a deployment's execution name: an invalidation's plain name has no such part. */
const DEPLOYMENT_PART = 'deployed';

/**
 * The watcher execution's name. Step Functions refuses a second execution of the same name,
 * which is what makes a duplicate event harmless, and the name makes executions findable by
 * invalidation ID or change. It is injective: `TARGET-INVALIDATION` (or `TARGET-deployed-ETAG`)
 * when the IDs are already safe and fit (and the ID's shape says its kind: tenant IDs start
 * `dt_`); otherwise sanitised, cut, and followed by a hash of the exact original, so two watches
 * never share a name. A plain invalidation name has one dash (two with the account), a plain
 * deployment name two (three): the two kinds never meet.
 */
export function executionNameFor(request: WatchedWork, options: { readonly withAccount?: boolean } = {}): string {
  const { kind, id } = request.target;
  const deployment = 'change' in request;
  const workId = workIdOf(request);
  // Organization mode: two accounts may use the same IDs; a 12-digit account ID first keeps
  // every name distinct (and never starts like "rejected").
  const account = options.withAccount ? request.account : undefined;
  const accountShown = account === undefined || ACCOUNT_ID.test(account);
  const parts = [...(account ? [account] : []), id, ...(deployment ? [DEPLOYMENT_PART] : []), workId];
  const plain = parts.join('-');
  const kindShown = (kind === 'tenant') === id.startsWith('dt_');
  if (ID_AS_IS.test(id) && ID_AS_IS.test(workId) && kindShown && accountShown && id !== REJECTED_PREFIX && keptAsIs(plain)) {
    return plain;
  }
  const seed = `${deployment ? 'deployment-' : ''}${account ? 'watch-in-account' : 'watch'}`;
  return hashedName(parts, shortHash(seed, ...(account ? [account] : []), kind, id, workId));
}

/**
 * The execution name of a rejected event: `rejected-EVENTID` when the event ID is safe and fits,
 * otherwise `rejected_...` with a hash of the exact event ID. An event without any ID is named
 * after its content (`event`), so that two such events do not pass for one.
 */
export function rejectedExecutionNameFor(rejected: RejectedEvent, event?: unknown): string {
  if (rejected.eventId === UNKNOWN_EVENT_ID && event !== undefined) {
    return hashedName([`${REJECTED_PREFIX}_${UNKNOWN_EVENT_ID}`], shortHash('rejected-content', JSON.stringify(event) ?? ''));
  }
  const plain = `${REJECTED_PREFIX}-${rejected.eventId}`;
  if (/^[A-Za-z0-9_-]+$/.test(rejected.eventId) && keptAsIs(plain)) return plain;
  return hashedName([`${REJECTED_PREFIX}_${rejected.eventId}`], shortHash('rejected', rejected.eventId));
}
