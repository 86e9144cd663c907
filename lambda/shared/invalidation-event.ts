/**
 * The event: the "invalidation completed" event CloudFront does not have. A public contract,
 * declared once as a schema in `invalidation-event-schema.ts`, from which
 * `invalidation-event.schema.json` is generated (`npm run schemas`; a test fails when the two
 * differ); its type is inferred from that declaration. Change it only compatibly: add optional
 * fields, never rename or remove one.
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
    // The deployment event (its own declaration) is the events helper's part; until then a deployment reads as Completed here.
    status: status?.status === 'Deployed' ? 'Completed' : (status?.status ?? 'Unknown'),
    ...(status?.createTime ? { createTime: status.createTime } : {}),
    ...(status?.checkedAt ? { detectedAt: status.checkedAt } : {}),
    ...(notification.durationSeconds !== undefined ? { durationSeconds: notification.durationSeconds } : {}),
    pathCount: status?.paths.total ?? 0,
    paths: (status?.paths.sample ?? []).slice(0, EVENT_LIMITS.maxSamplePaths).map((path) => clipUtf8(path, EVENT_LIMITS.maxPathBytes)),
    ...(request?.work !== 'deployment' && request?.callerReference ? { callerReference: text(request.callerReference)! } : {}),
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
    Resources: targetKind && request && account && ACCOUNT_ID.test(account) ? [targetArn(targetKind, request.target.id, account)] : [],
    Detail: detail,
  };
}
