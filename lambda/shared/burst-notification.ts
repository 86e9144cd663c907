/**
 * The notification of a burst: many invalidations, or many deployments, told in one message (a
 * Slack app's live message, "27 of 40 completed", or a digest for a webhook or SNS topic).
 * Channel-neutral, like {@link buildNotification}'s; lambda/notify/render-*.ts render it. A burst
 * holds one kind of work (lambda/shared/bursts.ts keys them apart), so its words are that kind's:
 * "12 of 12 CloudFront deployments by alice deployed".
 *
 * Every member given is accounted for exactly once: listed, or counted in `omitted` by its
 * phase, so a cut list still says what happened to each invalidation or deployment.
 */
import {
  IN_PROGRESS,
  NOTIFICATION_LIMITS,
  OUTCOMES,
  buildNotification,
  buildProgressNotification,
  formatDuration,
  formatTime,
  laterChangesText,
  type MessagePhase,
  type Outcome,
  type RunningWatch,
  type WatchState,
} from './notification';
import { clipUtf8, oneLine } from './text';
import type { WatchRequest, WorkKind } from './watch-request';

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

/** What the store keeps per invalidation or deployment of a burst: enough to list it, nothing more. */
export interface BurstMember {
  /** Set for a deployment; absent for an invalidation (and in members stored before deployments were watched). */
  readonly work?: 'deployment';
  readonly invalidationId?: string;
  /** A deployment's call: `UpdateDistribution`, `CreateDistributionTenant`, ... */
  readonly change?: string;
  /** A deployment deployed together with later changes of its target: at least this many. */
  readonly laterChanges?: number;
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
  const change = text(notification.change?.call, BURST_MEMBER_LIMITS.idBytes);
  const targetId = text(notification.targetId, BURST_MEMBER_LIMITS.idBytes);
  const targetName = text(notification.targetName, BURST_MEMBER_LIMITS.targetNameBytes);
  const createdBy = text(state.request?.createdBy ?? state.rejected?.createdBy, BURST_MEMBER_LIMITS.createdByBytes);
  const reasonText = text(reason, BURST_MEMBER_LIMITS.reasonBytes);
  const { consoleUrl } = notification;
  const durationSeconds = 'durationSeconds' in notification ? notification.durationSeconds : undefined;
  const waitedSeconds = 'waitedSeconds' in notification ? notification.waitedSeconds : undefined;
  // No `undefined` values: the store (DynamoDB) refuses them.
  return {
    ...(notification.work === 'deployment' ? { work: 'deployment' as const } : {}),
    ...(invalidationId ? { invalidationId } : {}),
    ...(change ? { change } : {}),
    ...(notification.laterChanges !== undefined ? { laterChanges: notification.laterChanges } : {}),
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
  /** What its members are: invalidations or deployments (see {@link workOfMembers}). */
  readonly work: WorkKind;
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

/**
 * How people read a member: by its name when known, with its ID; else its IDs. A deployment's
 * ends with its call, which tells one change of a target from another: "E2ABC... UpdateDistribution".
 */
export function memberLabel(member: BurstMember): string {
  const id = member.targetId ?? member.invalidationId ?? 'unknown target';
  const label = member.targetName ? `${member.targetName} (${id})` : id;
  return member.work === 'deployment' && member.change ? `${label} ${member.change}` : label;
}

/** What became of a member, in words shared by every channel: "completed in about 3 min", "deployed in about 4 min, together with 1 later change". */
export function memberStatus(member: BurstMember): string {
  const deployment = member.work === 'deployment';
  switch (member.outcome) {
    case 'completed': {
      const done = `${PHASE_WORDS[workOfMember(member)].completed}${member.durationSeconds !== undefined ? ` in about ${formatDuration(member.durationSeconds)}` : ''}`;
      return deployment && member.laterChanges !== undefined ? `${done}, ${laterChangesText(member.laterChanges)}` : done;
    }
    case 'still-in-progress':
      return `still ${deployment ? 'deploying' : 'in progress'}${member.waitedSeconds !== undefined ? ` after ${formatDuration(member.waitedSeconds)}` : ''}; no longer watched${member.reason ? ` (${member.reason})` : ''}`;
    case 'could-not-track':
      return `could not be tracked${member.reason ? `: ${member.reason}` : ''}`;
    case undefined:
      return `${deployment ? 'deploying' : 'running'} since ${formatTime(member.startedAt)}`;
  }
}

const workOfMember = (member: BurstMember): WorkKind => member.work ?? 'invalidation';

/**
 * The kind of work a burst's members are: deployments when every one is, else invalidations
 * (the members of bursts stored before deployments were watched carry no kind).
 */
export function workOfMembers(members: readonly BurstMember[]): WorkKind {
  return members.length > 0 && members.every((member) => member.work === 'deployment') ? 'deployment' : 'invalidation';
}

/** A phase in words, after a count, for each kind of work: "2 could not be tracked", "10 deployed". */
export const PHASE_WORDS: Readonly<Record<WorkKind, Readonly<Record<MessagePhase, string>>>> = {
  invalidation: {
    completed: 'completed',
    'could-not-track': 'could not be tracked',
    'still-in-progress': 'still in progress when the watch stopped',
    [IN_PROGRESS]: 'running',
  },
  deployment: {
    completed: 'deployed',
    'could-not-track': 'could not be tracked',
    'still-in-progress': 'still deploying when the watch stopped',
    [IN_PROGRESS]: 'deploying',
  },
};

/** What people read for a kind of work: after "CloudFront" ("1 CloudFront deployment"), and above a list of members. */
export const WORK_NOUNS: Readonly<Record<WorkKind, { readonly one: string; readonly many: string; readonly heading: string }>> = {
  invalidation: { one: 'invalidation', many: 'invalidations', heading: 'Invalidations' },
  deployment: { one: 'deployment', many: 'deployments', heading: 'Deployments' },
};

/** "10 completed, 2 running": the phases with a count, in {@link LIST_ORDER}, in the words of the work. */
export function describeCounts(counts: PhaseCounts, work: WorkKind): string {
  return LIST_ORDER.filter((phase) => counts[phase] > 0)
    .map((phase) => `${counts[phase]} ${PHASE_WORDS[work][phase]}`)
    .join(', ');
}

/** The last line of a cut list: "… and 12 more: 10 completed, 2 running". */
export function omittedLine(omitted: PhaseCounts, work: WorkKind): string {
  const count = OUTCOMES.reduce((sum, outcome) => sum + omitted[outcome], omitted[IN_PROGRESS]);
  return `… and ${count} more: ${describeCounts(omitted, work)}`;
}

/** A live message's title when every member ended well ("CloudFront deployments deployed" would stutter). */
const ALL_DONE_TITLES: Readonly<Record<WorkKind, string>> = {
  invalidation: 'CloudFront invalidations completed',
  deployment: 'CloudFront changes deployed',
};

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export function buildBurstNotification(input: BurstInput): BurstNotification {
  const members = input.members;
  const counts = countPhases(members);
  const total = Math.max(Math.trunc(input.total) || 0, members.length);
  const separately = Math.max(0, Math.trunc(input.separately ?? 0) || 0);
  const by = input.by ? oneLine(input.by, BURST_LIMITS.byChars) : '';
  const work = workOfMembers(members);
  const noun = `CloudFront ${WORK_NOUNS[work].many}`;
  const words = PHASE_WORDS[work];
  const what = `${noun}${by ? ` by ${by}` : ''}`;

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
      .map((phase) => `; ${of[phase]} ${words[phase]}`)
      .join('');

  let title: string;
  let summary: string;
  let done: boolean;
  if (input.kind === 'live') {
    done = counts[IN_PROGRESS] === 0 && members.length >= total;
    const failed = counts['could-not-track'] + counts['still-in-progress'];
    title = !done ? `${noun} in progress` : failed === 0 ? ALL_DONE_TITLES[work] : `${noun} ended`;
    summary = `${counts.completed} of ${total} ${what} ${words.completed}${others(counts)}.`;
  } else {
    done = input.final === true;
    const number = input.digestNumber !== undefined ? ` ${Math.max(1, Math.trunc(input.digestNumber) || 1)}` : '';
    title = `${noun}: digest${number}${done ? ' (last)' : ''}`;
    const told =
      separately > 0 ? ` ${separately} ${plural(separately, 'was', 'were')} told on ${plural(separately, 'its', 'their')} own.` : '';
    summary =
      `${members.length} of ${total} ${what} ended: ${describeCounts(counts, work) || 'none'}.` +
      `${told}${done ? ' The burst has ended.' : ' More will follow.'}`;
  }
  return {
    kind: input.kind,
    work,
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
