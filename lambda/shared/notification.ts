/**
 * Contract 3, the notification: channel-neutral data built once from the watcher's state.
 * Each channel (lambda/notify/render-*.ts) renders it in its own format and limits.
 */
import type { PathSample, StatusResult } from './status-result';
import { oneLine } from './text';
import { DEPLOYMENT_CALLS, type DeploymentCallName } from './cloudtrail-calls';
import { workOf, type RejectedEvent, type TargetKind, type WatchRequest, type WorkKind } from './watch-request';
import type { Audience } from './watcher-input';

/** How a watch ended: the one list, for the types, the Notify input's schema and the event's. */
export const OUTCOMES = ['completed', 'still-in-progress', 'could-not-track'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The watcher's state as the notify task receives it (`$` of the execution). */
export interface WatchState {
  readonly outcome: Outcome;
  readonly request?: WatchRequest;
  readonly rejected?: RejectedEvent;
  readonly status?: StatusResult;
  /** What a Catch recorded: Step Functions' `{Error, Cause}`. */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
  /** Who hears about it, and the target's name, as Start watch decided. */
  readonly audience?: Audience;
}

export interface Fact {
  readonly label: string;
  readonly value: string;
}

/**
 * Bounds, in code points, of the free-text fields {@link buildNotification} writes. Callers
 * control much of that text (caller references, principal names, IDs of rejected events, error
 * causes), so every renderer gets it bounded and on one line, whatever it then does on top.
 */
export const NOTIFICATION_LIMITS = {
  /** A fact's value: a caller reference or principal name people can still read. */
  factChars: 512,
  summaryChars: 1000,
  reasonChars: 800,
  /** Target and invalidation IDs (CloudFront's own are about 14 characters; a tenant's about 30). */
  idChars: 128,
  /** A longer link comes only from absurd IDs; a cut link would be wrong, so it is left out. */
  consoleUrlChars: 1000,
} as const;

/**
 * Every string in it is safe to show on one line: no control characters or line breaks, no
 * lone surrogates, bounded by {@link NOTIFICATION_LIMITS}. Paths are the exception: they are
 * kept as CloudFront gave them (bounded by the sample), and lambda/notify/path-list.ts shows them.
 * Markup escaping is each renderer's job, since each channel has its own.
 */
export interface Notification {
  readonly outcome: Outcome;
  /** What the watch was about: an invalidation, or a distribution's or tenant's deployment. */
  readonly work: WorkKind;
  /** Short headline, e.g. "CloudFront invalidation completed". */
  readonly title: string;
  /** One sentence that stands alone (chat previews, SNS subjects, fallbacks). */
  readonly summary: string;
  readonly facts: readonly Fact[];
  readonly paths: PathSample;
  /** Why it could not be tracked, or what is still pending. */
  readonly reason?: string;
  readonly consoleUrl?: string;
  readonly invalidationId?: string;
  /** A deployment's change: the call that made it and the version (ETag) it made. */
  readonly change?: { readonly call: string; readonly eTag?: string };
  /** A deployment deployed together with later changes of its target: at least this many (see StatusResult.laterChanges). */
  readonly laterChanges?: number;
  readonly targetId?: string;
  readonly targetKind?: WatchRequest['target']['kind'];
  /** What people recognise the target by (first alternate domain name, tenant name and domain), when it could be read. */
  readonly targetName?: string;
  /** From creation to the check that saw it completed (completed only). */
  readonly durationSeconds?: number;
  /** How long the watch waited (still in progress only). */
  readonly waitedSeconds?: number;
}

/**
 * What a message can show: a watch's outcome, or, for a message that lives (a Slack app's, kept
 * up to date until the outcome), that the invalidation is still running. Not an outcome: the
 * watch has not ended, so nothing public (the event, OUTCOMES) ever carries it.
 */
export const IN_PROGRESS = 'in-progress';
export type MessagePhase = Outcome | typeof IN_PROGRESS;

/** A watch the checker saw still running: the watch state before it has an outcome. */
export type RunningWatch = Omit<WatchState, 'outcome' | 'error'>;

/** The notification of a watch still running, for a message that will later show its outcome. */
export interface ProgressNotification extends Omit<Notification, 'outcome' | 'durationSeconds' | 'waitedSeconds'> {
  readonly outcome: typeof IN_PROGRESS;
}

const INVALIDATION_TITLES: Record<MessagePhase, string> = {
  [IN_PROGRESS]: 'CloudFront invalidation in progress',
  completed: 'CloudFront invalidation completed',
  'still-in-progress': 'CloudFront invalidation still in progress',
  'could-not-track': 'Could not track CloudFront invalidation',
};

/** A deployment's titles name what was deployed: a distribution or a tenant. */
function deploymentTitle(phase: MessagePhase, kind: WatchRequest['target']['kind'] | undefined): string {
  const what = kind === 'tenant' ? 'distribution tenant' : kind === 'distribution' ? 'distribution' : 'deployment';
  switch (phase) {
    case IN_PROGRESS:
      return `CloudFront ${what} deploying`;
    case 'completed':
      return `CloudFront ${what} deployed`;
    case 'still-in-progress':
      return `CloudFront ${what} still deploying`;
    case 'could-not-track':
      return `Could not track CloudFront ${kind ? `${what} deployment` : 'deployment'}`;
  }
}

/** "1 h 2 min", "3 min 12 s", "45 s". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${seconds} s`;
}

/** "2026-11-21 18:02:27 UTC": unambiguous for a team spread over time zones. */
export function formatTime(iso: string): string {
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The invalidation's page in the CloudFront console; without an invalidation, the distribution's or tenant's page (a deployment). */
export function consoleUrlFor(target: WatchRequest['target'], invalidationId?: string): string {
  const section = target.kind === 'tenant' ? 'distribution-tenants' : 'distributions';
  const page = `https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/${section}/${encodeURIComponent(target.id)}`;
  return invalidationId === undefined ? page : `${page}/invalidations/details/${encodeURIComponent(invalidationId)}`;
}

/**
 * What names the watch's work across its messages (a chat card's or thread's ID): the
 * invalidation's ID, or a deployment's target and the version its change made (its call when
 * CloudTrail gave no version): stable for the watch, different for each change of a target.
 */
export function workKeyOf(notification: Pick<Notification, 'work' | 'invalidationId' | 'targetId' | 'change'>): string | undefined {
  if (notification.work !== 'deployment') return notification.invalidationId;
  if (!notification.targetId) return undefined;
  return `${notification.targetId}-${notification.change?.eTag ?? notification.change?.call ?? 'change'}`;
}

/** "together with 1 later change", "together with 3 later changes". */
export function laterChangesText(count: number): string {
  return `together with ${count === 1 ? '1 later change' : `${count} later changes`}`;
}

/**
 * Human-readable failure reason from a Catch's `{Error, Cause}`. Lambda puts a JSON document
 * (errorType, errorMessage, trace) in Cause; other sources put plain text.
 */
export function describeFailure(error: WatchState['error']): string {
  if (!error) return 'unknown error';
  let message = error.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // plain-text cause
  }
  const name = error.Error ?? 'Error';
  return message ? `${name}: ${message}` : name;
}

/** "www.example.com (E2ABC...)", "E2ABC...", or nothing. */
const targetText = (id: string | undefined, name: string | undefined) => (name ? `${name}${id ? ` (${id})` : ''}` : id);

/** How a summary names an invalidation: "CloudFront invalidation I2J0... on www.example.com", and after "Could not track". */
function invalidationSubject(
  kind: TargetKind | undefined,
  id: string | undefined,
  name: string | undefined,
  invalidationId: string | undefined,
) {
  const subject = invalidationId
    ? `invalidation ${invalidationId}${name ? ` on ${name}` : id ? ` on ${kind === 'tenant' ? 'tenant' : 'distribution'} ${id}` : ''}`
    : 'an invalidation';
  return { subject: `CloudFront ${subject}`, untracked: `CloudFront ${subject}` };
}

/**
 * How a summary names a deployment: the call that made the change, then what it changed,
 * "UpdateDistribution of CloudFront distribution www.example.com (E2ABC...)", so every phase
 * reads "... deployed", "... is deploying", "Could not track ...".
 */
function deploymentSubject(kind: TargetKind | undefined, id: string | undefined, name: string | undefined, call: string | undefined) {
  const target = targetText(id, name);
  const what = kind === 'tenant' ? 'distribution tenant' : kind === 'distribution' ? 'distribution' : 'resource';
  const thing = target ? `CloudFront ${what} ${target}` : `a CloudFront ${kind ? what : 'deployment'}`;
  const subject = call ? `${call} of ${thing}` : target ? `The change of ${thing}` : 'A CloudFront deployment';
  return { subject, untracked: call ? subject : target ? `the deployment of ${thing}` : 'a CloudFront deployment' };
}

/** What a rejected event's call deploys, when its name is one of the deployment calls. */
function deploymentTargetOf(eventName: string | undefined): TargetKind | undefined {
  return eventName !== undefined && Object.hasOwn(DEPLOYMENT_CALLS, eventName)
    ? DEPLOYMENT_CALLS[eventName as DeploymentCallName].target
    : undefined;
}

/**
 * A change's lines on one line: "configuration updated; now: enabled; aliases: a.example.com"
 * (a line ending with ":" introduces the next).
 */
export function changeText(lines: readonly string[]): string {
  return lines.reduce((text, line, i) => (i === 0 ? line : `${text}${text.endsWith(':') ? ' ' : '; '}${line}`), '');
}

function targetLabel(kind: WatchRequest['target']['kind']): string {
  return kind === 'tenant' ? 'Distribution tenant' : 'Distribution';
}

export function buildNotification(state: WatchState): Notification {
  return { ...build(state, state.outcome), outcome: state.outcome };
}

/**
 * "CloudFront invalidation in progress": the same facts, paths and console link as the
 * notification of its outcome will have, so the message updated later changes only its state.
 */
export function buildProgressNotification(state: RunningWatch): ProgressNotification {
  return { ...build(state, IN_PROGRESS), outcome: IN_PROGRESS };
}

/** Everything but the phase's type: each caller states its own. */
function build(state: WatchState | RunningWatch, phase: MessagePhase): Omit<Notification, 'outcome'> & { readonly outcome: MessagePhase } {
  const { request, status, rejected } = state;
  const outcome = phase;
  const work: WorkKind = request ? workOf(request) : rejected ? workOf(rejected) : 'invalidation';
  const invalidation = request?.work === 'deployment' ? undefined : request;
  const deployment = request?.work === 'deployment' ? request : undefined;
  const id = (value: string | undefined) => (value === undefined ? undefined : oneLine(value, NOTIFICATION_LIMITS.idChars) || undefined);
  const targetKind = request?.target.kind;
  const targetId = id(request?.target.id ?? rejected?.targetId);
  const invalidationId = id(invalidation?.invalidationId ?? rejected?.invalidationId);
  const change = deployment
    ? {
        call: oneLine(deployment.change.call, NOTIFICATION_LIMITS.idChars),
        ...(id(deployment.change.eTag) ? { eTag: id(deployment.change.eTag)! } : {}),
      }
    : undefined;
  const laterChanges = deployment && outcome === 'completed' ? status?.laterChanges : undefined;
  const createdBy = request?.createdBy ?? rejected?.createdBy;
  const targetName = state.audience?.targetName ? oneLine(state.audience.targetName, NOTIFICATION_LIMITS.idChars) || undefined : undefined;
  const createTime = status?.createTime;
  const took = outcome === 'completed' && status && createTime ? (Date.parse(status.checkedAt) - Date.parse(createTime)) / 1000 : undefined;
  const tookSeconds = took !== undefined && Number.isFinite(took) ? took : undefined;
  const waitedSeconds = outcome === 'still-in-progress' ? status?.elapsedSeconds : undefined;

  const facts: Fact[] = [];
  const fact = (label: string, value: string) => {
    const line = oneLine(value, NOTIFICATION_LIMITS.factChars);
    if (line) facts.push({ label, value: line });
  };
  if (state.audience?.accountName) fact('Account', state.audience.accountName);
  if (targetName) fact('Name', targetName);
  if (targetId) fact(targetKind ? targetLabel(targetKind) : 'Target', targetId);
  if (invalidationId) fact('Invalidation', invalidationId);
  if (deployment) {
    fact('Change', deployment.change.call);
    if (deployment.change.changes.length > 0) fact('What changed', changeText(deployment.change.changes));
    if (change?.eTag) fact('Version', change.eTag);
  } else if (work === 'deployment' && rejected?.eventName) fact('Change', rejected.eventName);
  const verb = work === 'deployment' ? 'Changed' : 'Created';
  if (createdBy) fact(`${verb} by`, createdBy);
  if (createTime) fact(`${verb} at`, formatTime(createTime));
  if (tookSeconds !== undefined) fact('Took', `about ${formatDuration(tookSeconds)}`);
  if (laterChanges !== undefined) fact('Deployed', laterChangesText(laterChanges));
  if (waitedSeconds !== undefined) fact('Waited', formatDuration(waitedSeconds));
  if (invalidation?.callerReference) fact('Caller reference', invalidation.callerReference);
  if (invalidation?.foundBy) fact('Found by', invalidation.foundBy);
  if (state.audience?.routingNote) fact('Routing', state.audience.routingNote);

  const doneWord = work === 'deployment' ? 'Deployed' : 'Completed';
  const { subject, untracked } =
    work === 'deployment'
      ? deploymentSubject(targetKind ?? deploymentTargetOf(rejected?.eventName), targetId, targetName, change?.call ?? rejected?.eventName)
      : invalidationSubject(targetKind, targetId, targetName, invalidationId);
  let summary: string;
  let reason: string | undefined;
  switch (outcome) {
    case 'completed':
      summary =
        work === 'deployment'
          ? `${subject} deployed${tookSeconds !== undefined ? ` in about ${formatDuration(tookSeconds)}` : ''}${laterChanges !== undefined ? `, ${laterChangesText(laterChanges)}` : ''}.`
          : `${subject} completed${tookSeconds !== undefined ? ` in about ${formatDuration(tookSeconds)}` : ''}.`;
      break;
    case 'still-in-progress':
      summary = `${subject} is still ${work === 'deployment' ? 'deploying' : 'in progress'} after ${formatDuration(waitedSeconds ?? 0)}; the notifier stopped watching.`;
      reason = status?.lastError
        ? `The last check got no answer from CloudFront (${oneLine(status.lastError, NOTIFICATION_LIMITS.reasonChars / 2)}). Check the console; no further message will follow.`
        : `CloudFront has not reported ${doneWord} yet. Check the console; no further message will follow.`;
      break;
    case 'could-not-track':
      reason = oneLine(
        rejected ? `the CloudTrail event was rejected: ${rejected.reason}` : describeFailure('error' in state ? state.error : undefined),
        NOTIFICATION_LIMITS.reasonChars,
      );
      summary = `Could not track ${untracked}: ${reason}`;
      break;
    case IN_PROGRESS:
      summary = `${subject} is ${work === 'deployment' ? 'deploying' : 'in progress'}.`;
      reason = 'This message will show how it ends.';
      break;
  }
  const consoleUrl = request ? consoleUrlFor(request.target, invalidation?.invalidationId) : undefined;
  return {
    outcome,
    work,
    title: work === 'deployment' ? deploymentTitle(outcome, targetKind) : INVALIDATION_TITLES[outcome],
    summary: oneLine(summary, NOTIFICATION_LIMITS.summaryChars),
    facts,
    paths: status?.paths ?? { total: 0, sample: [] },
    ...(reason ? { reason: oneLine(reason, NOTIFICATION_LIMITS.reasonChars) } : {}),
    ...(consoleUrl && consoleUrl.length <= NOTIFICATION_LIMITS.consoleUrlChars ? { consoleUrl } : {}),
    ...(invalidationId ? { invalidationId } : {}),
    ...(change ? { change } : {}),
    ...(laterChanges !== undefined ? { laterChanges } : {}),
    ...(targetId ? { targetId } : {}),
    ...(targetKind ? { targetKind } : {}),
    ...(targetName ? { targetName } : {}),
    ...(tookSeconds !== undefined ? { durationSeconds: Math.max(0, Math.round(tookSeconds)) } : {}),
    ...(waitedSeconds !== undefined ? { waitedSeconds: Math.max(0, Math.round(waitedSeconds)) } : {}),
  };
}
