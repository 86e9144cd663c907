/**
 * The event: the "invalidation completed" event CloudFront does not have. A public contract,
 * declared once as a schema in `invalidation-event-schema.ts`, from which
 * `invalidation-event.schema.json` is generated (`npm run schemas`; a test fails when the two
 * differ); its type is inferred from that declaration. Change it only compatibly: add optional
 * fields, never rename or remove one. A deployment's event is its own contract
 * (`deployment-event.ts`); `watch-event.ts` picks the one a watch gets.
 */
import type * as v from 'valibot';
import type { InvalidationEventDetailSchema } from './invalidation-event-schema';
import { ACCOUNT_ID } from './organization';
import { clipEscaped, clipUtf8, oneLine } from './text';
import type { Notification, Outcome, WatchState } from './notification';

export const EVENT_SOURCE = 'cloudfront-invalidation-notifier';

export const EVENT_DETAIL_TYPES: Record<Outcome, string> = {
  completed: 'CloudFront Invalidation Completed',
  'still-in-progress': 'CloudFront Invalidation Still In Progress',
  'could-not-track': 'CloudFront Invalidation Not Tracked',
};

/** The statuses an invalidation's event can carry: CloudFront's own for an invalidation, or Unknown. */
export const INVALIDATION_EVENT_STATUSES = ['InProgress', 'Completed', 'Unknown'] as const;

/** Bounds that keep one event far below EventBridge's 256 KB entry limit. */
export const EVENT_LIMITS = {
  maxSamplePaths: 100,
  maxPathBytes: 1024,
  maxTextChars: 512,
} as const;

/**
 * The `detail` of every event, as its one declaration says (a type-only import: no schema
 * library is loaded by a function or a construct for it).
 */
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

/** The target's ARN, when the request names a target in a real account: an event's `resources`. */
export function eventResources(request: WatchState['request']): string[] {
  return request && ACCOUNT_ID.test(request.account) ? [targetArn(request.target.kind, request.target.id, request.account)] : [];
}

/**
 * Caller-controlled text as an event carries it: one line, bounded in UTF-16 units as well as in
 * code points (the declaration counts the one, JSON Schema the other); undefined when nothing is left.
 */
export function eventText(value: string | undefined): string | undefined {
  return value === undefined ? undefined : clipEscaped(oneLine(value, EVENT_LIMITS.maxTextChars), EVENT_LIMITS.maxTextChars) || undefined;
}

/** The routes that matched, as every event carries them. */
export const eventRoutes = (watch: WatchState): string[] => (watch.audience?.routes ?? []).map((name) => oneLine(name, 64));

/** The last known status if the event's work can have it; any other (a status of the other work) is not known. */
export function statusAmong<const Allowed extends readonly string[]>(
  allowed: Allowed,
  status: string | undefined,
): Allowed[number] | 'Unknown' {
  return status !== undefined && allowed.includes(status) ? (status as Allowed[number]) : 'Unknown';
}

/** The PutEvents entry for one ended watch (without the bus, which the destination names). */
export function buildInvalidationEvent(watch: WatchState, notification: Notification): InvalidationEvent {
  const { request, rejected, status, outcome } = watch;
  const targetKind = request?.target.kind;
  const account = request?.account;
  const detail: InvalidationEventDetail = {
    version: 1,
    outcome,
    ...(targetKind ? { targetKind } : {}),
    ...(notification.targetId ? { targetId: notification.targetId } : {}),
    ...(notification.targetName ? { targetName: notification.targetName } : {}),
    ...(notification.invalidationId ? { invalidationId: notification.invalidationId } : {}),
    status: statusAmong(INVALIDATION_EVENT_STATUSES, status?.status),
    ...(status?.createTime ? { createTime: status.createTime } : {}),
    ...(status?.checkedAt ? { detectedAt: status.checkedAt } : {}),
    ...(notification.durationSeconds !== undefined ? { durationSeconds: notification.durationSeconds } : {}),
    pathCount: status?.paths.total ?? 0,
    paths: (status?.paths.sample ?? []).slice(0, EVENT_LIMITS.maxSamplePaths).map((path) => clipUtf8(path, EVENT_LIMITS.maxPathBytes)),
    ...(request?.work !== 'deployment' && request?.callerReference ? { callerReference: eventText(request.callerReference)! } : {}),
    ...(eventText(request?.createdBy ?? rejected?.createdBy) ? { createdBy: eventText(request?.createdBy ?? rejected?.createdBy)! } : {}),
    ...(eventText(request?.eventId ?? rejected?.eventId) ? { cloudTrailEventId: eventText(request?.eventId ?? rejected?.eventId)! } : {}),
    ...(account ? { account } : {}),
    ...(watch.audience?.accountName ? { accountName: eventText(watch.audience.accountName)! } : {}),
    ...(notification.reason ? { reason: eventText(notification.reason)! } : {}),
    routes: eventRoutes(watch),
    ...(notification.consoleUrl ? { consoleUrl: notification.consoleUrl } : {}),
  };
  return {
    Source: EVENT_SOURCE,
    DetailType: EVENT_DETAIL_TYPES[outcome],
    Resources: eventResources(request),
    Detail: detail,
  };
}
