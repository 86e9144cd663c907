import {
  LIST_ORDER,
  PHASE_WORDS,
  countPhases,
  omittedLine,
  type BurstMember,
  type BurstNotification,
  type PhaseCounts,
} from '../shared/burst-notification';
import { IN_PROGRESS, type MessagePhase } from '../shared/notification';
import type { WorkKind } from '../shared/watch-request';

export interface MemberListOptions {
  /** One member's line, already escaped and bounded for the channel; no line breaks. */
  readonly line: (member: BurstMember) => string;
  /** The "… and N more" line, escaped for the channel (it holds no caller text, but the channel may need its `…` or `&` written). */
  readonly moreLine?: (text: string) => string;
  /** Budget for the whole list, lines joined by `\n` and the "and N more" line included, counted by `measure`. */
  readonly maxChars: number;
  /** Additive. Default: UTF-16 units. */
  readonly measure?: (text: string) => number;
}

export interface MemberList {
  /** The members' lines, then, when some are not shown, the "… and N more: ..." line. */
  readonly lines: readonly string[];
  /** How many members have a line. */
  readonly shown: number;
  /** The members without a line (not listed by the notification, or cut here), by phase. */
  readonly omitted: PhaseCounts;
}

const add = (a: PhaseCounts, b: PhaseCounts): PhaseCounts => ({
  completed: a.completed + b.completed,
  'still-in-progress': a['still-in-progress'] + b['still-in-progress'],
  'could-not-track': a['could-not-track'] + b['could-not-track'],
  [IN_PROGRESS]: a[IN_PROGRESS] + b[IN_PROGRESS],
});

const isEmpty = (counts: PhaseCounts) => Object.values(counts).every((n) => n === 0);

/**
 * The listed members' lines that fit `maxChars`, in the notification's order (failures first),
 * and a last line counting every member left out by phase, so each member given is still
 * accounted for exactly once. Room for that line is kept before each member is added.
 */
export function fitMembers(burst: Pick<BurstNotification, 'listed' | 'omitted' | 'work'>, options: MemberListOptions): MemberList {
  const measure = options.measure ?? ((text: string) => text.length);
  const more = (omitted: PhaseCounts) => (options.moreLine ?? ((text: string) => text))(omittedLine(omitted, burst.work));
  const newline = measure('\n');
  // What stays out if the list stopped after member i: the notification's omitted, plus the listed after i.
  const after: PhaseCounts[] = [];
  let tail = burst.omitted;
  for (let i = burst.listed.length - 1; i >= 0; i -= 1) {
    after[i] = tail;
    tail = add(tail, countPhases([burst.listed[i]!]));
  }
  const lines: string[] = [];
  let used = 0;
  for (const [i, member] of burst.listed.entries()) {
    const line = options.line(member);
    const separator = lines.length > 0 ? newline : 0;
    const left = after[i]!;
    const reserve = isEmpty(left) ? 0 : newline + measure(more(left));
    if (used + separator + measure(line) + reserve > options.maxChars) break;
    lines.push(line);
    used += separator + measure(line);
  }
  const omitted = lines.length === burst.listed.length ? burst.omitted : add(burst.omitted, countPhases(burst.listed.slice(lines.length)));
  if (!isEmpty(omitted)) lines.push(more(omitted));
  return { lines, shown: lines.length - (isEmpty(omitted) ? 0 : 1), omitted };
}

/** Per phase, the emoji or icon a channel shows before a member or a count. */
export type PhaseIcons = Readonly<Record<MessagePhase, string>>;

/** "⚠️ 2 could not be tracked · 🔄 11 running · ✅ 27 completed": every phase with a count, in the list's order, in the words of the work. */
export function countsLine(counts: PhaseCounts, icons: PhaseIcons, work: WorkKind): string {
  return LIST_ORDER.filter((phase) => counts[phase] > 0)
    .map((phase) => `${icons[phase]} ${counts[phase]} ${PHASE_WORDS[work][phase]}`)
    .join(' · ');
}
