/**
 * The event: the "invalidation completed" event CloudFront does not have. A public contract,
 * declared once, here, as a schema: the TypeScript types are inferred from it and
 * `invalidation-event.schema.json` beside this file is generated from it (`npm run schemas`; a
 * test fails when the two differ). Change it only compatibly: add optional fields, never rename
 * or remove one.
 */
import * as v from 'valibot';
import { clipEscaped, clipUtf8, oneLine } from './text';
import { OUTCOMES, type Notification, type Outcome, type WatchState } from './notification';

export const EVENT_SOURCE = 'cloudfront-invalidation-notifier';

export const EVENT_DETAIL_TYPES: Record<Outcome, string> = {
  completed: 'CloudFront Invalidation Completed',
  'still-in-progress': 'CloudFront Invalidation Still In Progress',
  'could-not-track': 'CloudFront Invalidation Not Tracked',
};

/** Bounds that keep one event far below EventBridge's 256 KB entry limit. */
export const EVENT_LIMITS = {
  maxSamplePaths: 100,
  maxPathBytes: 1024,
  maxTextChars: 512,
} as const;

const boundedText = (max: number, description?: string) =>
  description ? v.pipe(v.string(), v.maxLength(max), v.description(description)) : v.pipe(v.string(), v.maxLength(max));
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(512));
const time = (description?: string) =>
  description ? v.pipe(v.string(), v.isoTimestamp(), v.description(description)) : v.pipe(v.string(), v.isoTimestamp());
const count = (description: string) => v.pipe(v.number(), v.integer(), v.minValue(0), v.description(description));

/** The `detail` of every event: closed (a field added here is added to the JSON Schema too, or its test fails). */
export const InvalidationEventDetailSchema = v.strictObject({
  version: v.pipe(v.literal(1), v.description("Version of the detail's shape.")),
  outcome: v.picklist(OUTCOMES),
  targetKind: v.optional(v.picklist(['distribution', 'tenant'])),
  targetId: v.optional(id),
  targetName: v.optional(
    boundedText(512, "First alternate domain name of the distribution (else its domain name), or the tenant's name and first domain."),
  ),
  invalidationId: v.optional(id),
  status: v.pipe(v.picklist(['InProgress', 'Completed', 'Unknown']), v.description("CloudFront's last known status.")),
  createTime: v.optional(time()),
  detectedAt: v.optional(time('Time of the check that saw the outcome.')),
  durationSeconds: v.optional(count('From createTime to detectedAt (completed only).')),
  pathCount: count('How many paths or cache tags the invalidation has.'),
  paths: v.pipe(
    v.array(v.string()),
    v.maxLength(EVENT_LIMITS.maxSamplePaths),
    v.description('The first paths; a path longer than 1,024 bytes is cut and ends with an ellipsis.'),
  ),
  callerReference: v.optional(boundedText(512)),
  createdBy: v.optional(boundedText(512, 'IAM principal that created the invalidation.')),
  cloudTrailEventId: v.optional(boundedText(512)),
  account: v.optional(v.pipe(v.string(), v.description('Account that owns the distribution or tenant.'))),
  accountName: v.optional(boundedText(512, 'Organization mode: the account with its alias, e.g. "acme-prod (222222222222)".')),
  reason: v.optional(boundedText(512, 'Why it could not be tracked or is still in progress.')),
  routes: v.pipe(v.array(v.string()), v.description('Routes that matched; empty when the default destinations applied.')),
  consoleUrl: v.optional(v.pipe(v.string(), v.url())),
});

// A RegExp from a string: the JSON Schema's pattern is its source, with no `\/` escapes.
const TARGET_ARN = new RegExp('^arn:aws[a-z-]*:cloudfront::[0-9]{12}:(distribution|distribution-tenant)/.+$');

/**
 * The event as a rule's target receives it: EventBridge's envelope around our entry. The
 * envelope is EventBridge's, so it stays open to fields EventBridge may add.
 */
export const DeliveredInvalidationEventSchema = v.looseObject({
  version: v.string(),
  id: v.string(),
  'detail-type': v.picklist(OUTCOMES.map((outcome) => EVENT_DETAIL_TYPES[outcome])),
  source: v.literal(EVENT_SOURCE),
  account: v.pipe(v.string(), v.regex(/^[0-9]{12}$/)),
  time: v.pipe(v.string(), v.isoTimestamp()),
  region: v.string(),
  resources: v.pipe(
    v.array(v.pipe(v.string(), v.regex(TARGET_ARN))),
    v.maxLength(1),
    v.description('The distribution or distribution tenant ARN (empty when the CloudTrail event did not name one).'),
  ),
  detail: InvalidationEventDetailSchema,
});

export type InvalidationEventDetail = v.InferOutput<typeof InvalidationEventDetailSchema>;

/** The PutEvents entry for one ended watch (without the bus, which the destination names). */
export interface InvalidationEvent {
  readonly Source: typeof EVENT_SOURCE;
  readonly DetailType: string;
  readonly Resources: readonly string[];
  readonly Detail: InvalidationEventDetail;
}

/** arn:aws:cloudfront::ACCOUNT:distribution/ID or .../distribution-tenant/ID */
export function targetArn(kind: 'distribution' | 'tenant', id: string, account: string): string {
  return `arn:aws:cloudfront::${account}:${kind === 'tenant' ? 'distribution-tenant' : 'distribution'}/${id}`;
}

/** The PutEvents entry for one ended watch (without the bus, which the destination names). */
export function buildInvalidationEvent(watch: WatchState, notification: Notification): InvalidationEvent {
  const { request, rejected, status, outcome } = watch;
  const targetKind = request?.target.kind;
  const account = request?.account;
  // Bounded in UTF-16 units as well as in code points: the declaration counts the one, JSON Schema the other.
  const text = (value: string | undefined) =>
    value === undefined ? undefined : clipEscaped(oneLine(value, EVENT_LIMITS.maxTextChars), EVENT_LIMITS.maxTextChars) || undefined;
  const detail: InvalidationEventDetail = {
    version: 1,
    outcome,
    ...(targetKind ? { targetKind } : {}),
    ...(notification.targetId ? { targetId: notification.targetId } : {}),
    ...(notification.targetName ? { targetName: notification.targetName } : {}),
    ...(notification.invalidationId ? { invalidationId: notification.invalidationId } : {}),
    status: status?.status ?? 'Unknown',
    ...(status?.createTime ? { createTime: status.createTime } : {}),
    ...(status?.checkedAt ? { detectedAt: status.checkedAt } : {}),
    ...(notification.durationSeconds !== undefined ? { durationSeconds: notification.durationSeconds } : {}),
    pathCount: status?.paths.total ?? 0,
    paths: (status?.paths.sample ?? []).slice(0, EVENT_LIMITS.maxSamplePaths).map((path) => clipUtf8(path, EVENT_LIMITS.maxPathBytes)),
    ...(request?.callerReference ? { callerReference: text(request.callerReference)! } : {}),
    ...(text(request?.createdBy ?? rejected?.createdBy) ? { createdBy: text(request?.createdBy ?? rejected?.createdBy)! } : {}),
    ...(text(request?.eventId ?? rejected?.eventId) ? { cloudTrailEventId: text(request?.eventId ?? rejected?.eventId)! } : {}),
    ...(account ? { account } : {}),
    ...(watch.audience?.accountName ? { accountName: text(watch.audience.accountName)! } : {}),
    ...(notification.reason ? { reason: text(notification.reason)! } : {}),
    routes: (watch.audience?.routes ?? []).map((name) => oneLine(name, 64)),
    ...(notification.consoleUrl ? { consoleUrl: notification.consoleUrl } : {}),
  };
  return {
    Source: EVENT_SOURCE,
    DetailType: EVENT_DETAIL_TYPES[outcome],
    Resources: targetKind && request && account && /^\d{12}$/.test(account) ? [targetArn(targetKind, request.target.id, account)] : [],
    Detail: detail,
  };
}
