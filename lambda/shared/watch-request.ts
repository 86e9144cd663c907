import { createHash } from 'node:crypto';
import { clip } from './text';
import { ACCOUNT_ID } from './organization';

/**
 * Contract 1, the watch request: what the trigger extracts from a CloudTrail
 * `CreateInvalidation` / `CreateInvalidationForDistributionTenant` event. Parsed and
 * validated here, once; everything downstream trusts the typed value.
 */

export type TargetKind = 'distribution' | 'tenant';

export interface WatchTarget {
  readonly kind: TargetKind;
  /** Distribution ID (`E2ABC...`) or distribution tenant ID (`dt_...`). */
  readonly id: string;
}

export interface WatchRequest {
  readonly target: WatchTarget;
  readonly invalidationId: string;
  /** Who created the invalidation, from CloudTrail `userIdentity`, for people to read. */
  readonly createdBy: string;
  /** The creator's ARN (`userIdentity.arn`), for routes that match on it. */
  readonly createdByArn?: string;
  readonly callerReference?: string;
  /** ISO 8601 time of the API call. */
  readonly eventTime: string;
  /** CloudTrail event ID, for tracing a notification back to the API call. */
  readonly eventId: string;
  readonly account: string;
  readonly region: string;
}

/** What a rejected event still tells us, so the "could not track" message can name it. */
export interface RejectedEvent {
  readonly reason: string;
  readonly eventId: string;
  readonly eventName?: string;
  readonly targetId?: string;
  readonly invalidationId?: string;
  readonly createdBy?: string;
  readonly createdByArn?: string;
}

export const EVENT_NAMES = {
  distribution: 'CreateInvalidation',
  tenant: 'CreateInvalidationForDistributionTenant',
} as const;

export const CLOUDFRONT_EVENT_SOURCE = 'cloudfront.amazonaws.com';

/** A CloudTrail event that cannot be turned into a watch request; `reason` names what is wrong. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEvent';
  constructor(public readonly rejected: RejectedEvent) {
    super(rejected.reason);
  }
}

type Json = Record<string, unknown>;

/** What an event without any ID is called in messages; its execution is named after its content. */
export const UNKNOWN_EVENT_ID = 'unknown-event';

/**
 * Bounds on what an event can put into the execution input (StartExecution refuses more than
 * 256 KB, and an event can be that large): IDs longer than any CloudFront ID are refused, free
 * text is clipped.
 */
export const MAX_ID_LENGTH = 256;
const MAX_TEXT_LENGTH = 1024;
/** A value quoted in a rejection reason. */
const MAX_QUOTED_LENGTH = 200;

/** Hex SHA-256 prefix: 64 bits, enough that distinct originals do not meet by chance. */
const shortHash = (...parts: string[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);

/**
 * An ID bounded for display and input size, still telling different IDs apart: a long ID keeps
 * its start and gains a hash of the whole.
 */
const boundedId = (id: string): string => (id.length <= MAX_ID_LENGTH ? id : `${clip(id, MAX_ID_LENGTH - 18)}-${shortHash('id', id)}`);

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const stringAt = (root: unknown, path: readonly string[]): string | undefined => {
  let node: unknown = root;
  for (const key of path) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return typeof node === 'string' && node.trim() !== '' ? node.trim() : undefined;
};

// Old records carry versioned names such as CreateInvalidation2014_01_31.
const baseEventName = (name: string): string => name.replace(/\d{4}_\d{2}_\d{2}$/, '');

// Anchored at the end, no trailing \s* (stringAt trims): an unanchored tail after a greedy
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
  if (!isObject(userIdentity)) return 'unknown caller';
  const type = stringAt(userIdentity, ['type']);
  const arn = stringAt(userIdentity, ['arn']);
  switch (type) {
    case 'Root':
      return 'root user';
    case 'IAMUser':
      return stringAt(userIdentity, ['userName']) ?? arn ?? 'IAM user';
    case 'AssumedRole': {
      // arn:aws:sts::123456789012:assumed-role/RoleName/SessionName
      const roleAndSession = arn?.split(':assumed-role/')[1];
      return roleAndSession ?? stringAt(userIdentity, ['sessionContext', 'sessionIssuer', 'userName']) ?? 'assumed role';
    }
    case 'AWSService':
      return stringAt(userIdentity, ['invokedBy']) ?? 'AWS service';
    default:
      return stringAt(userIdentity, ['userName']) ?? arn ?? stringAt(userIdentity, ['principalId']) ?? 'unknown caller';
  }
}

/**
 * Turns an EventBridge "AWS API Call via CloudTrail" event into a {@link WatchRequest}.
 * Throws {@link MalformedEventError} naming the first missing or unexpected field, and nothing
 * else for any JSON input: an event that escaped as another error would end in the dead-letter
 * queue instead of a "could not track" message.
 */
export function parseWatchRequest(event: unknown): WatchRequest {
  const eventId = boundedId(stringAt(event, ['detail', 'eventID']) ?? stringAt(event, ['id']) ?? UNKNOWN_EVENT_ID);
  const createdBy = clip(
    describeIdentity(isObject(event) && isObject(event.detail) ? event.detail.userIdentity : undefined),
    MAX_TEXT_LENGTH,
  );
  const rawArn = stringAt(event, ['detail', 'userIdentity', 'arn']);
  const createdByArn = rawArn === undefined ? undefined : clip(rawArn, MAX_TEXT_LENGTH);
  const reject = (reason: string, known: Partial<RejectedEvent> = {}): never => {
    const bounded = Object.fromEntries(
      Object.entries(known).map(([key, value]) => [key, typeof value === 'string' ? clip(value, MAX_ID_LENGTH) : value]),
    );
    throw new MalformedEventError({ reason, eventId, createdBy, ...(createdByArn ? { createdByArn } : {}), ...bounded });
  };

  if (!isObject(event) || !isObject(event.detail)) reject('the event has no "detail" object');
  const rawName = stringAt(event, ['detail', 'eventName']);
  if (!rawName) return reject('detail.eventName is missing');
  const eventName = baseEventName(rawName);
  const kind = (Object.keys(EVENT_NAMES) as TargetKind[]).find((k) => EVENT_NAMES[k] === eventName);
  if (!kind) {
    return reject(`detail.eventName ${quote(rawName)} is not ${EVENT_NAMES.distribution} or ${EVENT_NAMES.tenant}`, { eventName: rawName });
  }
  const source = stringAt(event, ['detail', 'eventSource']);
  if (source !== CLOUDFRONT_EVENT_SOURCE) {
    return reject(`detail.eventSource is ${quote(source ?? '')}, expected ${CLOUDFRONT_EVENT_SOURCE}`, { eventName });
  }
  const errorCode = stringAt(event, ['detail', 'errorCode']);
  if (errorCode) return reject(`the API call failed with ${quote(errorCode)}; there is no invalidation to watch`, { eventName });

  const location = parseLocation(stringAt(event, ['detail', 'responseElements', 'location']));
  const locationMatchesKind = location && !('undecodable' in location) && location.kind === kind ? location : undefined;
  const fromEvent = (path: readonly string[]) => stringAt(event, ['detail', ...path]);
  const targetField =
    kind === 'distribution'
      ? ([['requestParameters', 'distributionId']] as const)
      : // The API's parameter is `Id`; CloudTrail's key for it is unverified, so accept the
        // likely spellings and fall back to the response's location.
        ([
          ['requestParameters', 'id'],
          ['requestParameters', 'distributionTenantId'],
        ] as const);
  const targetFrom = targetField.find((path) => fromEvent(path) !== undefined);
  const targetId = targetFrom ? fromEvent(targetFrom) : locationMatchesKind?.targetId;
  const invalidationFrom = fromEvent(['responseElements', 'invalidation', 'id']);
  const invalidationId = invalidationFrom ?? locationMatchesKind?.invalidationId;
  const badLocation = location && 'undecodable' in location ? ' (responseElements.location is there but has a bad percent-escape)' : '';

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
  tooLong(targetId, targetFrom ? targetFrom.join('.') : 'the target ID in responseElements.location');
  tooLong(invalidationId, invalidationFrom ? 'responseElements.invalidation.id' : 'the invalidation ID in responseElements.location');

  const callerReference = stringAt(event, ['detail', 'requestParameters', 'invalidationBatch', 'callerReference']);
  const text = (value: string | undefined, fallback: string) => clip(value ?? fallback, MAX_TEXT_LENGTH);
  return {
    target: { kind, id: targetId },
    invalidationId,
    createdBy,
    ...(createdByArn ? { createdByArn } : {}),
    ...(callerReference ? { callerReference: clip(callerReference, MAX_TEXT_LENGTH) } : {}),
    eventTime: text(stringAt(event, ['detail', 'eventTime']) ?? stringAt(event, ['time']), new Date(0).toISOString()),
    eventId,
    account: text(stringAt(event, ['account']) ?? stringAt(event, ['detail', 'recipientAccountId']), 'unknown'),
    region: text(stringAt(event, ['region']) ?? stringAt(event, ['detail', 'awsRegion']), 'us-east-1'),
  };
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

/**
 * The watcher execution's name. Step Functions refuses a second execution of the same name,
 * which is what makes a duplicate event harmless, and the name makes executions findable by
 * invalidation ID. It is injective: `TARGET-INVALIDATION` when both IDs are already safe and fit
 * (and the ID's shape says its kind: tenant IDs start `dt_`); otherwise sanitised, cut, and
 * followed by a hash of the exact original, so two invalidations never share a name.
 */
export function executionNameFor(
  request: Pick<WatchRequest, 'target' | 'invalidationId'> & { readonly account?: string },
  options: { readonly withAccount?: boolean } = {},
): string {
  const { kind, id } = request.target;
  // Organization mode: two accounts may use the same IDs; a 12-digit account ID first keeps
  // every name distinct (and never starts like "rejected").
  const account = options.withAccount ? request.account : undefined;
  const accountShown = account === undefined || ACCOUNT_ID.test(account);
  const plain = `${account ? `${account}-` : ''}${id}-${request.invalidationId}`;
  const kindShown = (kind === 'tenant') === id.startsWith('dt_');
  if (
    ID_AS_IS.test(id) &&
    ID_AS_IS.test(request.invalidationId) &&
    kindShown &&
    accountShown &&
    id !== REJECTED_PREFIX &&
    keptAsIs(plain)
  ) {
    return plain;
  }
  return account
    ? hashedName([account, id, request.invalidationId], shortHash('watch-in-account', account, kind, id, request.invalidationId))
    : hashedName([id, request.invalidationId], shortHash('watch', kind, id, request.invalidationId));
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
