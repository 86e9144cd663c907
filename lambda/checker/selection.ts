/**
 * Which watches the checker checks this tick, under each account's budget of calls.
 *
 * A watch is due when the schedule's interval (`intervalAt` at its age when last checked) has
 * passed since its last check, or at its deadline if that comes first; a watch never checked
 * is due from its start. When an account has more due watches than calls granted:
 * 1. watches past their deadline first (their one final check, earliest deadline first);
 * 2. then the highest priority: the time since the last check (or the start) weighted by
 *    youth. In a crowd of equal age this is round robin (the watch checked longest ago goes
 *    first, so N watches with R calls per tick are each checked every ceil(N/R) ticks), and a
 *    young watch, whose invalidation is the most likely to complete soon, counts up to
 *    `youthWeight` times its wait, so an old crowd does not starve it; an old watch still waits
 *    at most `youthWeight` times as long as a young one, never forever.
 * Ties go to the watch never checked, then to the older check, then by key, so a selection is a
 * function of its input.
 *
 * The final check stays within the budget like every other: a call beyond it would only be
 * throttled. Its watch stays first in line until it is made (the token's timeout leaves room).
 */
import { intervalAt, type PollSchedule } from '../shared/schedule';

export interface WatchInFlight {
  /** `<account>/<kind>/<targetId>/<invalidationId>`, unique among the watches. */
  readonly key: string;
  /** Whose budget the watch's calls come from. */
  readonly account: string;
  readonly startedAtMs: number;
  /** After this the watch gets one final check and ends. */
  readonly deadlineAtMs: number;
  /** Absent when the watch has not been checked yet. */
  readonly lastCheckedAtMs?: number;
}

export interface SelectionSettings {
  /** Seconds during which a watch counts as young, its weight falling linearly to 1 at the end. */
  readonly youthSeconds: number;
  /** A brand-new watch's wait counts this many times an old watch's. */
  readonly youthWeight: number;
}

/**
 * Young for 5 minutes, up to 3x: most invalidations complete within a few minutes, so that is
 * where a check most often finds a completion and a late one adds delay to most notifications.
 */
export const DEFAULT_SELECTION_SETTINGS: SelectionSettings = { youthSeconds: 300, youthWeight: 3 };

/** SQS's longest delivery delay: no tick can be sent further ahead than this. */
export const MAX_TICK_DELAY_SECONDS = 900;

export interface SelectionInput<W extends WatchInFlight> {
  readonly watches: readonly W[];
  readonly nowMs: number;
  readonly schedule: PollSchedule;
  /** Calls each account's budget grants this tick; every account with watches must have one. */
  readonly grants: Readonly<Record<string, number>>;
}

export interface Selection<W extends WatchInFlight> {
  /** Per account, the watches to check now, in the order chosen (final checks first). Accounts with none are left out. */
  readonly chosen: Readonly<Record<string, readonly W[]>>;
  /** Per account with watches, how many due watches the budget left waiting (what `adjust` calls `heldBack`). */
  readonly waiting: Readonly<Record<string, number>>;
  /**
   * When the next watch falls due after this tick, counting the chosen watches as checked now
   * and those given their final check as ended; undefined when none is left. Due watches left
   * waiting are not in it: they are in `waiting`.
   */
  readonly nextDueAtMs?: number;
}

/** When the watch falls due: its start if never checked, else its interval after the last check, at the latest its deadline. */
export function dueAtMs(watch: WatchInFlight, schedule: PollSchedule): number {
  const last = watch.lastCheckedAtMs;
  if (last === undefined) return watch.startedAtMs;
  const ageSeconds = Math.max(0, last - watch.startedAtMs) / 1000;
  const regular = last + intervalAt(schedule, ageSeconds) * 1000;
  return last < watch.deadlineAtMs ? Math.min(regular, watch.deadlineAtMs) : regular;
}

/** Past its deadline and not yet given the final check after it. */
export function needsFinalCheck(watch: WatchInFlight, nowMs: number): boolean {
  return nowMs >= watch.deadlineAtMs && (watch.lastCheckedAtMs === undefined || watch.lastCheckedAtMs < watch.deadlineAtMs);
}

/** How much a due watch's wait counts: up to `youthWeight` for a brand-new watch, 1 once past `youthSeconds`. */
export function youthFactor(ageSeconds: number, settings: SelectionSettings = DEFAULT_SELECTION_SETTINGS): number {
  const youth = Math.max(0, 1 - Math.max(0, ageSeconds) / settings.youthSeconds);
  return 1 + (settings.youthWeight - 1) * youth;
}

export function selectWatches<W extends WatchInFlight>(
  { watches, nowMs, schedule, grants }: SelectionInput<W>,
  settings: SelectionSettings = DEFAULT_SELECTION_SETTINGS,
): Selection<W> {
  const byAccount = new Map<string, W[]>();
  for (const watch of watches) {
    const list = byAccount.get(watch.account);
    if (list) list.push(watch);
    else byAccount.set(watch.account, [watch]);
  }
  const chosen: Record<string, W[]> = {};
  const waiting: Record<string, number> = {};
  let nextDueAtMs: number | undefined;
  const due = (at: number) => {
    if (nextDueAtMs === undefined || at < nextDueAtMs) nextDueAtMs = at;
  };
  for (const [account, list] of byAccount) {
    const granted = grants[account];
    if (granted === undefined) {
      throw new Error(
        `No grant for account ${account}, which has ${list.length} watch(es) in flight: give every account with watches a budget`,
      );
    }
    const finals: W[] = [];
    const others: { watch: W; priority: number }[] = [];
    for (const watch of list) {
      if (needsFinalCheck(watch, nowMs)) finals.push(watch);
      else if (dueAtMs(watch, schedule) <= nowMs) others.push({ watch, priority: priorityOf(watch, nowMs, settings) });
      else due(dueAtMs(watch, schedule));
    }
    finals.sort((a, b) => a.deadlineAtMs - b.deadlineAtMs || byKey(a, b));
    others.sort((a, b) => b.priority - a.priority || byLastCheck(a.watch, b.watch) || byKey(a.watch, b.watch));
    const ordered = [...finals, ...others.map((o) => o.watch)];
    const take = Math.max(0, Math.min(Math.floor(granted), ordered.length));
    const picked = ordered.slice(0, take);
    if (picked.length > 0) chosen[account] = picked;
    waiting[account] = ordered.length - take;
    for (const watch of picked) {
      // A final check ends the watch; any other is followed by the next interval.
      if (!needsFinalCheck(watch, nowMs)) due(dueAtMs({ ...watch, lastCheckedAtMs: nowMs }, schedule));
    }
  }
  return { chosen, waiting, ...(nextDueAtMs === undefined ? {} : { nextDueAtMs }) };
}

/**
 * The delay of the next tick: 1 s while the budget holds due watches back (the bucket refills
 * every second), else until the next watch falls due, in whole seconds from 1 to SQS's 900
 * (a tick with nothing due yet just sends the next one); undefined when no watch is left.
 */
export function nextTickDelaySeconds({
  nowMs,
  waiting,
  nextDueAtMs,
}: {
  readonly nowMs: number;
  /** Due watches left waiting, all accounts together (or per account: they are added up). */
  readonly waiting: number | Readonly<Record<string, number>>;
  readonly nextDueAtMs?: number;
}): number | undefined {
  const held = typeof waiting === 'number' ? waiting : Object.values(waiting).reduce((sum, n) => sum + n, 0);
  if (held > 0) return 1;
  if (nextDueAtMs === undefined) return undefined;
  return Math.min(MAX_TICK_DELAY_SECONDS, Math.max(1, Math.ceil((nextDueAtMs - nowMs) / 1000)));
}

/** Time since the last check (or the start), weighted by the watch's youth. */
function priorityOf(watch: WatchInFlight, nowMs: number, settings: SelectionSettings): number {
  const waitedMs = Math.max(0, nowMs - (watch.lastCheckedAtMs ?? watch.startedAtMs));
  return waitedMs * youthFactor((nowMs - watch.startedAtMs) / 1000, settings);
}

/**
 * Among equal priorities, a watch never checked first (it waits since its start, as long as one
 * checked at that start: without this, the same one would win the tie again), then the older check.
 */
const byLastCheck = (a: WatchInFlight, b: WatchInFlight) => (a.lastCheckedAtMs ?? -Infinity) - (b.lastCheckedAtMs ?? -Infinity) || 0;
const byKey = (a: WatchInFlight, b: WatchInFlight) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
