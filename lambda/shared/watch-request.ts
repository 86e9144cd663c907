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

const LOCATION_PATTERN = /\/(distribution|distribution-tenant)\/([^/]+)\/invalidation\/([^/?#]+)\s*$/;

/** Parses `responseElements.location` into its target and invalidation IDs. */
function parseLocation(location: string | undefined) {
  const match = location ? LOCATION_PATTERN.exec(location) : null;
  if (!match) return undefined;
  const [, segment, targetId, invalidationId] = match as unknown as [string, string, string, string];
  return {
    kind: (segment === 'distribution' ? 'distribution' : 'tenant') as TargetKind,
    targetId: decodeURIComponent(targetId),
    invalidationId: decodeURIComponent(invalidationId),
  };
}

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
 * Throws {@link MalformedEventError} naming the first missing or unexpected field.
 */
export function parseWatchRequest(event: unknown): WatchRequest {
  const eventId = stringAt(event, ['detail', 'eventID']) ?? stringAt(event, ['id']) ?? 'unknown-event';
  const createdBy = describeIdentity(isObject(event) && isObject(event.detail) ? event.detail.userIdentity : undefined);
  const reject = (reason: string, known: Partial<RejectedEvent> = {}): never => {
    throw new MalformedEventError({ reason, eventId, createdBy, ...known });
  };

  if (!isObject(event) || !isObject(event.detail)) reject('the event has no "detail" object');
  const rawName = stringAt(event, ['detail', 'eventName']);
  if (!rawName) return reject('detail.eventName is missing');
  const eventName = baseEventName(rawName);
  const kind = (Object.keys(EVENT_NAMES) as TargetKind[]).find((k) => EVENT_NAMES[k] === eventName);
  if (!kind) {
    return reject(`detail.eventName "${rawName}" is not ${EVENT_NAMES.distribution} or ${EVENT_NAMES.tenant}`, { eventName: rawName });
  }
  const source = stringAt(event, ['detail', 'eventSource']);
  if (source !== CLOUDFRONT_EVENT_SOURCE) {
    return reject(`detail.eventSource is "${source ?? ''}", expected ${CLOUDFRONT_EVENT_SOURCE}`, { eventName });
  }
  const errorCode = stringAt(event, ['detail', 'errorCode']);
  if (errorCode) return reject(`the API call failed with ${errorCode}; there is no invalidation to watch`, { eventName });

  const location = parseLocation(stringAt(event, ['detail', 'responseElements', 'location']));
  const locationMatchesKind = location?.kind === kind ? location : undefined;
  const targetId =
    kind === 'distribution'
      ? (stringAt(event, ['detail', 'requestParameters', 'distributionId']) ?? locationMatchesKind?.targetId)
      : // The API's parameter is `Id`; CloudTrail's key for it is unverified, so accept the
        // likely spellings and fall back to the response's location.
        (stringAt(event, ['detail', 'requestParameters', 'id']) ??
        stringAt(event, ['detail', 'requestParameters', 'distributionTenantId']) ??
        locationMatchesKind?.targetId);
  const invalidationId = stringAt(event, ['detail', 'responseElements', 'invalidation', 'id']) ?? locationMatchesKind?.invalidationId;

  if (!targetId) {
    return reject(
      kind === 'distribution'
        ? 'no distribution ID: requestParameters.distributionId and responseElements.location are both missing'
        : 'no distribution tenant ID: requestParameters.id and responseElements.location are both missing',
      { eventName, invalidationId },
    );
  }
  if (!invalidationId) {
    return reject('no invalidation ID: responseElements.invalidation.id and responseElements.location are both missing', {
      eventName,
      targetId,
    });
  }

  const callerReference = stringAt(event, ['detail', 'requestParameters', 'invalidationBatch', 'callerReference']);
  return {
    target: { kind, id: targetId },
    invalidationId,
    createdBy,
    ...(callerReference ? { callerReference } : {}),
    eventTime: stringAt(event, ['detail', 'eventTime']) ?? stringAt(event, ['time']) ?? new Date(0).toISOString(),
    eventId,
    account: stringAt(event, ['account']) ?? stringAt(event, ['detail', 'recipientAccountId']) ?? 'unknown',
    region: stringAt(event, ['region']) ?? stringAt(event, ['detail', 'awsRegion']) ?? 'us-east-1',
  };
}

const EXECUTION_NAME_UNSAFE = /[^A-Za-z0-9_-]/g;

/**
 * The watcher execution's name. Step Functions refuses a second execution of the same name,
 * which is what makes a duplicate event harmless, and the name makes executions findable by
 * invalidation ID.
 */
export function executionNameFor(request: Pick<WatchRequest, 'target' | 'invalidationId'>): string {
  const invalidationId = request.invalidationId.replace(EXECUTION_NAME_UNSAFE, '_').slice(0, 60);
  // Shorten the target, never the invalidation ID: two invalidations must never share a name.
  const target = request.target.id.replace(EXECUTION_NAME_UNSAFE, '_').slice(0, 80 - invalidationId.length - 1);
  return `${target}-${invalidationId}`;
}

export function rejectedExecutionNameFor(rejected: RejectedEvent): string {
  return `rejected-${rejected.eventId}`.replace(EXECUTION_NAME_UNSAFE, '_').slice(0, 80);
}
