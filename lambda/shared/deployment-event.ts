/**
 * The deployment events: the "distribution deployed" and "distribution tenant deployed" events
 * CloudFront does not have (and their not-deployed outcomes). A public contract beside the
 * invalidation's (`invalidation-event.ts`), declared once as a schema in
 * `deployment-event-schema.ts`, from which `deployment-event.schema.json` is generated
 * (`npm run schemas`; a test fails when the two differ); its type is inferred from that
 * declaration. Change it only compatibly: add optional fields, never rename or remove one.
 */
import type * as v from 'valibot';
import type { DeploymentEventDetailSchema } from './deployment-event-schema';
import { EVENT_SOURCE, eventResources, eventRoutes, eventText, statusAmong } from './invalidation-event';
import type { Notification, Outcome, WatchState } from './notification';
import { oneLine } from './text';
import { MAX_CHANGE_LINES, type TargetKind } from './watch-request';

/**
 * The detail-type of each outcome, by what was deployed. A rejected CloudTrail event may not
 * say what its target is, so the one "not tracked" detail-type serves both kinds.
 */
export const DEPLOYMENT_EVENT_DETAIL_TYPES = {
  distribution: {
    completed: 'CloudFront Distribution Deployed',
    'still-in-progress': 'CloudFront Distribution Deployment Still In Progress',
    'could-not-track': 'CloudFront Deployment Not Tracked',
  },
  tenant: {
    completed: 'CloudFront Distribution Tenant Deployed',
    'still-in-progress': 'CloudFront Distribution Tenant Deployment Still In Progress',
    'could-not-track': 'CloudFront Deployment Not Tracked',
  },
} as const satisfies Record<TargetKind, Record<Outcome, string>>;

/** Every detail-type a deployment event can have, each once. */
export const DEPLOYMENT_DETAIL_TYPE_LIST = [
  ...new Set(Object.values(DEPLOYMENT_EVENT_DETAIL_TYPES).flatMap((byOutcome) => Object.values(byOutcome))),
] as [string, ...string[]];

/** The statuses a deployment's event can carry: CloudFront's own for a distribution or tenant, or Unknown. */
export const DEPLOYMENT_EVENT_STATUSES = ['InProgress', 'Deployed', 'Unknown'] as const;

/** The `detail` of a deployment event, as its one declaration says (a type-only import: no schema library in a bundle). */
export type DeploymentEventDetail = v.InferOutput<typeof DeploymentEventDetailSchema>;

/** The PutEvents entry for one ended deployment watch (without the bus, which the destination names). */
export interface DeploymentEvent {
  readonly Source: typeof EVENT_SOURCE;
  readonly DetailType: string;
  readonly Resources: readonly string[];
  readonly Detail: DeploymentEventDetail;
}

/**
 * The detail-type of an outcome for a target of this kind. Only a rejected event lacks the kind,
 * and its outcome is always "could not track", the same for both kinds.
 */
export function deploymentDetailType(outcome: Outcome, kind: TargetKind | undefined): string {
  return DEPLOYMENT_EVENT_DETAIL_TYPES[kind ?? 'distribution'][outcome];
}

/** An ISO 8601 time as JSON Schema's `date-time` reads it, or undefined when it is no time. */
function isoTime(text: string | undefined): string | undefined {
  const time = Date.parse(text ?? '');
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** `{ [key]: value }` when there is a value, else nothing: the detail's optional fields. */
const optional = <K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };

/** The PutEvents entry for one ended watch of a deployment (without the bus, which the destination names). */
export function buildDeploymentEvent(watch: WatchState, notification: Notification): DeploymentEvent {
  const { request, rejected, status, outcome } = watch;
  const deployment = request?.work === 'deployment' ? request : undefined;
  const targetKind = request?.target.kind;
  // The call is the rejected event's name when the event could not be read further.
  const call = eventText(deployment?.change.call ?? rejected?.eventName);
  const change = call
    ? {
        call,
        ...optional('eTag', notification.change?.eTag),
        changes: (deployment?.change.changes ?? [])
          .slice(0, MAX_CHANGE_LINES)
          .map(eventText)
          .filter((line): line is string => line !== undefined),
      }
    : undefined;
  const detail: DeploymentEventDetail = {
    version: 1,
    outcome,
    work: 'deployment',
    ...optional('targetKind', targetKind),
    ...optional('targetId', notification.targetId),
    ...optional('targetName', notification.targetName),
    ...optional('change', change),
    ...optional('laterChanges', notification.laterChanges),
    status: statusAmong(DEPLOYMENT_EVENT_STATUSES, status?.status),
    // The change's time: the checker's createTime for a deployment is the call's CloudTrail time, which the request has too.
    ...optional('changedAt', isoTime(status?.createTime ?? request?.eventTime)),
    ...optional('detectedAt', isoTime(status?.checkedAt)),
    ...optional('durationSeconds', notification.durationSeconds),
    ...optional('createdBy', eventText(request?.createdBy ?? rejected?.createdBy)),
    ...optional('cloudTrailEventId', eventText(request?.eventId ?? rejected?.eventId)),
    ...optional('account', request ? oneLine(request.account, 64) || undefined : undefined),
    ...optional('accountName', eventText(watch.audience?.accountName)),
    ...optional('reason', eventText(notification.reason)),
    routes: eventRoutes(watch),
    ...optional('consoleUrl', notification.consoleUrl),
  };
  return {
    Source: EVENT_SOURCE,
    DetailType: deploymentDetailType(outcome, targetKind),
    Resources: eventResources(request),
    Detail: detail,
  };
}
