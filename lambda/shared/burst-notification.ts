/**
 * The notification of a burst: many invalidations told in one message (a Slack app's live
 * message, "27 of 40 completed", or a digest for a webhook or SNS topic). Channel-neutral, like
 * {@link buildNotification}'s; lambda/notify/render-*.ts render it.
 *
 * Every member given is accounted for exactly once: listed, or counted in `omitted` by its
 * phase, so a cut list still says what happened to each invalidation.
 */
import {
  IN_PROGRESS,
  NOTIFICATION_LIMITS,
  OUTCOMES,
  buildNotification,
  buildProgressNotification,
  formatDuration,
  formatTime,
  type MessagePhase,
  type Outcome,
  type RunningWatch,
  type WatchState,
} from './notification';
import { clipUtf8, oneLine } from './text';
import type { WatchRequest } from './watch-request';

/**
 * Bounds, in UTF-8 bytes, of what the store keeps per member: one item per invalidation of a
 * burst, so with hostile text everywhere a member stays under about 1 KB. A longer console link
 * is left out rather than cut (a cut link would be wrong).
 */
export const BURST_MEMBER_LIMITS = {
  idBytes: 64,
  targetNameBytes: 96,
  createdByBytes: 96,
  reasonBytes: 200,
  consoleUrlBytes: 256,
  startedAtBytes: 40,
} as const;

/** What one message may list of a burst; the rest is counted. Each renderer may cut further to fit its platform. */
export const BURST_LIMITS = {
  listedMembers: 100,
  /** `by` is a creator's name or a caller-reference prefix: shown in a headline. */
  byChars: 80,
} as const;

/** What the store keeps per invalidation of a burst: enough to list it, nothing more. */
export interface BurstMember {
  readonly invalidationId?: string;
  readonly targetId?: string;
  readonly targetKind?: WatchRequest['target']['kind'];
  readonly targetName?: string;
  readonly createdBy?: string;
  /** ISO 8601: when the watch started (joined the burst). */
  readonly startedAt: string;
  /** Absent while the invalidation runs. */
  readonly outcome?: Outcome;
  readonly durationSeconds?: number;
  readonly waitedSeconds?: number;
  /** Why it could not be tracked, or why its last check got no answer. */
  readonly reason?: string;
  readonly consoleUrl?: string;
  readonly pathCount: number;
}

/** One line within `maxBytes` of UTF-8 (what DynamoDB counts), or undefined when nothing is left. */
const bounded = (text: string | undefined, maxBytes: number) =>
  text === undefined ? undefined : clipUtf8(oneLine(text, maxBytes), maxBytes) || undefined;

/**
 * The member for a watch: ended (`state.outcome` set) or still running. Built through the
 * notification, so wording and one-line rules are the single message's, then bounded tighter.
 */
export function burstMemberOf(state: WatchState | RunningWatch, startedAt: string): BurstMember {
  const outcome = 'outcome' in state ? state.outcome : undefined;
  const notification = 'outcome' in state ? buildNotification(state) : buildProgressNotification(state);
  // A still-in-progress member's own words say it all, unless its last check got no answer.
  const reason =
    outcome === 'could-not-track' || (outcome === 'still-in-progress' && state.status?.lastError) ? notification.reason : undefined;
  const text = (value: string | undefined, maxBytes: number) => bounded(value, maxBytes);
  const invalidationId = text(notification.invalidationId, BURST_MEMBER_LIMITS.idBytes);
  const targetId = text(notification.targetId, BURST_MEMBER_LIMITS.idBytes);
  const targetName = text(notification.targetName, BURST_MEMBER_LIMITS.targetNameBytes);
  const createdBy = text(state.request?.createdBy ?? state.rejected?.createdBy, BURST_MEMBER_LIMITS.createdByBytes);
  const reasonText = text(reason, BURST_MEMBER_LIMITS.reasonBytes);
  const { consoleUrl } = notification;
  const durationSeconds = 'durationSeconds' in notification ? notification.durationSeconds : undefined;
  const waitedSeconds = 'waitedSeconds' in notification ? notification.waitedSeconds : undefined;
  // No `undefined` values: the store (DynamoDB) refuses them.
  return {
    ...(invalidationId ? { invalidationId } : {}),
    ...(targetId ? { targetId } : {}),
    ...(notification.targetKind ? { targetKind: notification.targetKind } : {}),
    ...(targetName ? { targetName } : {}),
    ...(createdBy ? { createdBy } : {}),
    startedAt: text(startedAt, BURST_MEMBER_LIMITS.startedAtBytes) ?? '',
    ...(outcome ? { outcome } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(waitedSeconds !== undefined ? { waitedSeconds } : {}),
    ...(reasonText ? { reason: reasonText } : {}),
    ...(consoleUrl && Buffer.byteLength(consoleUrl) <= BURST_MEMBER_LIMITS.consoleUrlBytes ? { consoleUrl } : {}),
    pathCount: notification.paths.total,
  };
}

/** A member's phase: its outcome, or running. */
export const phaseOf = (member: BurstMember): MessagePhase => member.outcome ?? IN_PROGRESS;

/** The order a list shows them in: what needs a look first, then what runs, then what went well. */
export const LIST_ORDER: readonly MessagePhase[] = ['could-not-track', 'still-in-progress', IN_PROGRESS, 'completed'];

/** The phase that sets a burst message's colour or emoji: the worst any member is in. */
export function worstPhase(counts: PhaseCounts): MessagePhase {
  return LIST_ORDER.find((phase) => counts[phase] > 0) ?? 'completed';
}

export type PhaseCounts = Readonly<Record<MessagePhase, number>>;

const noCounts = (): Record<MessagePhase, number> => ({ completed: 0, 'still-in-progress': 0, 'could-not-track': 0, [IN_PROGRESS]: 0 });

export function countPhases(members: readonly BurstMember[]): PhaseCounts {
  const counts = noCounts();
  for (const member of members) counts[phaseOf(member)] += 1;
  return counts;
}

export interface BurstInput {
  /** `live`: one message kept up to date (a Slack app); `digest`: a message for the members that ended since the last. */
  readonly kind: 'live' | 'digest';
  /** Live: every member of the burst. Digest: exactly the members this digest reports. */
  readonly members: readonly BurstMember[];
  /** Members in the burst so far. */
  readonly total: number;
  /** Digest: members already told on their own. */
  readonly separately?: number;
  /** Digest: its number within the burst, from 1. */
  readonly digestNumber?: number;
  /** Digest: the burst has ended, no digest follows. */
  readonly final?: boolean;
  /** What makes it one burst, shown after "by" (the creator, or a caller-reference prefix). */
  readonly by?: string;
}

/** Every string is one line and bounded, as in {@link Notification}; each renderer escapes its own way. */
export interface BurstNotification {
  readonly kind: BurstInput['kind'];
  /** Short headline, e.g. "CloudFront invalidations in progress". */
  readonly title: string;
  /** One sentence that stands alone: "27 of 40 CloudFront invalidations by alice completed; 2 could not be tracked; 11 running." */
  readonly summary: string;
  /** The members given, by phase. */
  readonly counts: PhaseCounts;
  /** Members in the burst so far (at least those given). */
  readonly total: number;
  /** At most {@link BURST_LIMITS.listedMembers}, in {@link LIST_ORDER}. */
  readonly listed: readonly BurstMember[];
  /** The members given that are not listed, by phase. */
  readonly omitted: PhaseCounts;
  /** The completed member that took longest. */
  readonly slowest?: BurstMember;
  /** Live: every member has ended. Digest: the burst has ended. */
  readonly done: boolean;
  readonly separately: number;
  readonly digestNumber?: number;
}

/** How people read a member: by its name when known, with its ID; else its IDs. */
export function memberLabel(member: BurstMember): string {
  const id = member.targetId ?? member.invalidationId ?? 'unknown target';
  return member.targetName ? `${member.targetName} (${id})` : id;
}

/** What became of a member, in words shared by every channel. */
export function memberStatus(member: BurstMember): string {
  switch (member.outcome) {
    case 'completed':
      return member.durationSeconds !== undefined ? `completed in about ${formatDuration(member.durationSeconds)}` : 'completed';
    case 'still-in-progress':
      return `still in progress${member.waitedSeconds !== undefined ? ` after ${formatDuration(member.waitedSeconds)}` : ''}; no longer watched${member.reason ? ` (${member.reason})` : ''}`;
    case 'could-not-track':
      return `could not be tracked${member.reason ? `: ${member.reason}` : ''}`;
    case undefined:
      return `running since ${formatTime(member.startedAt)}`;
  }
}

/** A phase in words, after a count: "2 could not be tracked". */
export const PHASE_WORDS: Readonly<Record<MessagePhase, string>> = {
  completed: 'completed',
  'could-not-track': 'could not be tracked',
  'still-in-progress': 'still in progress when the watch stopped',
  [IN_PROGRESS]: 'running',
};

/** "10 completed, 2 running": the phases with a count, in {@link LIST_ORDER}. */
export function describeCounts(counts: PhaseCounts): string {
  return LIST_ORDER.filter((phase) => counts[phase] > 0)
    .map((phase) => `${counts[phase]} ${PHASE_WORDS[phase]}`)
    .join(', ');
}

/** The last line of a cut list: "… and 12 more: 10 completed, 2 running". */
export function omittedLine(omitted: PhaseCounts): string {
  const count = OUTCOMES.reduce((sum, outcome) => sum + omitted[outcome], omitted[IN_PROGRESS]);
  return `… and ${count} more: ${describeCounts(omitted)}`;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export function buildBurstNotification(input: BurstInput): BurstNotification {
  const members = input.members;
  const counts = countPhases(members);
  const total = Math.max(Math.trunc(input.total) || 0, members.length);
  const separately = Math.max(0, Math.trunc(input.separately ?? 0) || 0);
  const by = input.by ? oneLine(input.by, BURST_LIMITS.byChars) : '';
  const what = `CloudFront invalidations${by ? ` by ${by}` : ''}`;

  const ordered = LIST_ORDER.flatMap((phase) => members.filter((member) => phaseOf(member) === phase));
  const listed = ordered.slice(0, BURST_LIMITS.listedMembers);
  const omitted = countPhases(ordered.slice(BURST_LIMITS.listedMembers));

  let slowest: BurstMember | undefined;
  for (const member of members)
    if (member.outcome === 'completed' && member.durationSeconds !== undefined && member.durationSeconds > (slowest?.durationSeconds ?? -1))
      slowest = member;

  const others = (of: PhaseCounts) =>
    (['could-not-track', 'still-in-progress', IN_PROGRESS] as const)
      .filter((phase) => of[phase] > 0)
      .map((phase) => `; ${of[phase]} ${PHASE_WORDS[phase]}`)
      .join('');

  let title: string;
  let summary: string;
  let done: boolean;
  if (input.kind === 'live') {
    done = counts[IN_PROGRESS] === 0 && members.length >= total;
    const failed = counts['could-not-track'] + counts['still-in-progress'];
    title = !done
      ? 'CloudFront invalidations in progress'
      : failed === 0
        ? 'CloudFront invalidations completed'
        : 'CloudFront invalidations ended';
    summary = `${counts.completed} of ${total} ${what} completed${others(counts)}.`;
  } else {
    done = input.final === true;
    const number = input.digestNumber !== undefined ? ` ${Math.max(1, Math.trunc(input.digestNumber) || 1)}` : '';
    title = `CloudFront invalidations: digest${number}${done ? ' (last)' : ''}`;
    const told =
      separately > 0 ? ` ${separately} ${plural(separately, 'was', 'were')} told on ${plural(separately, 'its', 'their')} own.` : '';
    summary =
      `${members.length} of ${total} ${what} ended: ${describeCounts(counts) || 'none'}.` +
      `${told}${done ? ' The burst has ended.' : ' More will follow.'}`;
  }
  return {
    kind: input.kind,
    title,
    summary: oneLine(summary, NOTIFICATION_LIMITS.summaryChars),
    counts,
    total,
    listed,
    omitted,
    ...(slowest ? { slowest } : {}),
    done,
    separately,
    ...(input.kind === 'digest' && input.digestNumber !== undefined ? { digestNumber: input.digestNumber } : {}),
  };
}
