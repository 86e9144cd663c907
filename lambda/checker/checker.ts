/**
 * The account's one checker: each tick it reads the watches in flight, checks the due ones
 * within each account's budget of CloudFront calls, ends every watch that is over with its task
 * token, and sends the next tick. Also the watchdog (a chain that died is started again) and
 * the watcher's final check (a token nobody answered).
 *
 * Every side effect is safe to repeat: a tick that fails is delivered again (SQS) and does it
 * all again; ending a watch twice meets a token already answered (TaskTimedOut, ignored); a
 * duplicate chain stops at its next clock record. A watch is never lost: it stays in the table
 * until it is ended, and a table the checker lost track of is found again by the watchdog.
 */
import { isThrottlingError } from '@smithy/core/retry';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { adjust, grant, grantable, newBudget, refill, type BudgetSettings, type BudgetState } from '../shared/budget';
import { formatTickMessage, type TickMessage, type WatchCheckState } from '../shared/chain-state';
import { CLOCK_TIMING, wakeChecker, type TickQueue } from '../shared/checker-clock';
import { ErrorNames, NOT_TRACKABLE_ERRORS } from '../shared/errors';
import { checkWork, type CheckedRequest } from '../shared/invalidation-status';
import type { PollSchedule } from '../shared/schedule';
import { DONE_STATUSES, LAST_ERROR_MAX_CHARS, type StatusResult } from '../shared/status-result';
import { clip } from '../shared/text';
import { checkedRequestOf, MalformedClockItem, watchedWorkOf, type WatchItem, type WatchStore } from '../shared/watch-store';
import { nextTickDelaySeconds, selectWatches } from './selection';
import type { WatchCache } from './watch-cache';

/** How a watch ended, as the checker saw it. */
export type WatchEnding =
  | { readonly outcome: 'completed' | 'still-in-progress'; readonly status: StatusResult }
  /** Not an end of the watch: its first check, still in progress, answered so the watcher announces it (it registers again). */
  | { readonly outcome: 'announced'; readonly status: StatusResult }
  | { readonly outcome: 'could-not-track'; readonly error: string; readonly cause: string };

/** After its deadline, how long a watch whose checks are throttled or unanswered is tried before it ends as still in progress (status Unknown). */
export const FINAL_CHECK_GRACE_MS = 5 * 60_000;

export interface CheckerDeps {
  readonly store: WatchStore;
  /**
   * What the container remembers of the watches between ticks (the handler keeps one for its
   * container's life). @default none: every tick reads every watch
   */
  readonly cache?: WatchCache;
  readonly queue: TickQueue;
  readonly sfn: SFNClient;
  /** The CloudFront client for an account (organization mode: through its reader role). */
  readonly cloudFront: (account: string) => Promise<CloudFrontClient>;
  readonly schedule: PollSchedule;
  readonly budgetSettings?: BudgetSettings;
  /** How long one CloudFront call may take. */
  readonly callTimeoutMs?: () => number;
  readonly now?: () => number;
  /** Told of every watch the tick ended, with its counters. */
  readonly onWatchEnd?: (watch: WatchItem, ending: WatchEnding, state: WatchCheckState) => void;
  /** Told of every check CloudFront throttled or did not answer (the watch goes on). */
  readonly onCheckFailed?: (watch: WatchItem, error: Error, throttled: boolean) => void;
  /**
   * Told of every watch whose token Step Functions would not take. `kept`: a passing refusal
   * (throttling, a 5xx), tried again at the watch's next check; else refused for good (a token
   * edited by hand, a denied permission), the watch left to the watcher's final check.
   */
  readonly onEndFailed?: (watch: WatchItem, error: Error, kept: boolean) => void;
}

/** What one tick did: for the log, the metrics and the tests. */
export interface TickReport {
  /** `superseded`: the tick belonged to a chain that is no longer live, and did nothing. */
  readonly result: 'ticked' | 'idle' | 'superseded';
  readonly watches: number;
  readonly calls: number;
  readonly throttled: number;
  readonly ended: number;
  /** Due watches the budget held back. */
  readonly waiting: number;
  readonly nextTickInSeconds?: number;
  /** Watch items that did not parse (left for their TTL, named in the log). */
  readonly unreadable: readonly string[];
  /** Watches whose check state did not fit the tick message. */
  readonly dropped: readonly string[];
  readonly budgets: Readonly<Record<string, BudgetState>>;
  /** Age of the oldest watch in flight, in seconds. */
  readonly oldestWatchSeconds: number;
  /** The chain recorded itself on the clock item at this tick (or went idle): time to report. */
  readonly recorded: boolean;
  /** Calls and throttled calls since the chain last recorded itself, this tick's included. */
  readonly tally: { readonly calls: number; readonly throttled: number };
}

type CheckAnswer =
  /** `laterVersion`: a deployment's target reads a version made after the watch's change. */
  | { readonly kind: 'answered'; readonly status: StatusResult; readonly laterVersion?: boolean }
  | { readonly kind: 'refused'; readonly error: Error }
  | { readonly kind: 'failed'; readonly throttled: boolean; readonly error: Error };

export async function runTick(tick: TickMessage, deps: CheckerDeps): Promise<TickReport> {
  const now = deps.now ?? Date.now;
  const nowMs = now();
  const quiet = {
    watches: 0,
    calls: 0,
    throttled: 0,
    ended: 0,
    waiting: 0,
    unreadable: [],
    dropped: [],
    budgets: tick.budgets,
    tally: tick.tally,
  };
  const clock = await deps.store.clock();
  if (!clock || clock.chain !== tick.chain || clock.state !== 'running') {
    return { result: 'superseded', ...quiet, oldestWatchSeconds: 0, recorded: false };
  }
  const { watches, unreadable } = deps.cache ? await deps.cache.read(deps.store, tick.chain, tick.seq, nowMs) : await deps.store.watches();

  // Each account's budget, refilled to now; the grants it allows.
  const budgets: Record<string, BudgetState> = {};
  const grants: Record<string, number> = {};
  for (const account of new Set(watches.map((watch) => watch.account))) {
    const budget = refill(tick.budgets[account] ?? newBudget(nowMs, deps.budgetSettings), nowMs, deps.budgetSettings);
    grants[account] = grantable(budget, nowMs, deps.budgetSettings);
    budgets[account] = budget;
  }
  // A last check ahead of this clock (a forged tick, a clock far off) counts as now: else the watch would never fall due.
  const carried = (key: string): WatchCheckState | undefined => {
    const state = tick.watches.get(key);
    return state && state.lastCheckedAtMs > nowMs ? { ...state, lastCheckedAtMs: nowMs } : state;
  };
  const inFlight = watches.map((watch) => ({ ...watch, lastCheckedAtMs: carried(watch.key)?.lastCheckedAtMs }));
  const selection = selectWatches({ watches: inFlight, nowMs, schedule: deps.schedule, grants });
  const chosen = Object.values(selection.chosen).flat();

  const answers = await Promise.all(chosen.map((watch) => check(watch, nowMs, deps)));
  const states = new Map<string, WatchCheckState>();
  for (const watch of watches) {
    const state = carried(watch.key);
    if (state) states.set(watch.key, state);
  }
  const perAccount: Record<string, { calls: number; throttled: number }> = {};
  const endings: { watch: WatchItem; ending: WatchEnding }[] = [];
  chosen.forEach((watch, index) => {
    const answer = answers[index]!;
    const before = states.get(watch.key);
    const throttled = answer.kind === 'failed' && answer.throttled;
    if (answer.kind === 'failed') deps.onCheckFailed?.(watch, answer.error, answer.throttled);
    const state: WatchCheckState = {
      lastCheckedAtMs: nowMs,
      checks: (before?.checks ?? 0) + 1,
      throttledChecks: (before?.throttledChecks ?? 0) + (throttled ? 1 : 0),
    };
    states.set(watch.key, state);
    const tally = (perAccount[watch.account] ??= { calls: 0, throttled: 0 });
    tally.calls += 1;
    if (throttled) tally.throttled += 1;
    const ending = endingOf(watch, answer, before, nowMs, () => laterChangesIn(watches, watch));
    if (ending) endings.push({ watch, ending });
  });
  for (const [account, budget] of Object.entries(budgets)) {
    const spent = grant(budget, perAccount[account]?.calls ?? 0, nowMs, deps.budgetSettings).budget;
    budgets[account] = adjust(
      spent,
      { calls: perAccount[account]?.calls ?? 0, throttled: perAccount[account]?.throttled ?? 0, heldBack: selection.waiting[account] ?? 0 },
      deps.budgetSettings,
    );
  }

  // Each ending on its own: one token Step Functions refuses must not fail the tick, which would
  // fail again at every delivery and stall every watch of the account with it.
  const settled = await Promise.allSettled(endings.map(({ watch, ending }) => endWatch(watch, ending, deps)));
  const ended = new Set<string>();
  const gone = new Set<string>();
  for (const [index, { watch, ending }] of endings.entries()) {
    const result = settled[index]!;
    if (result.status === 'fulfilled') {
      deps.onWatchEnd?.(watch, ending, states.get(watch.key)!);
      ended.add(watch.key);
      gone.add(watch.key);
      states.delete(watch.key);
      deps.cache?.forget(watch.key);
      continue;
    }
    const error = result.reason as Error;
    const kept = !refusedForGood(error);
    deps.onEndFailed?.(watch, error, kept);
    if (kept) continue;
    // The watcher's own final check ends it at its maximum wait plus the grace: late, told once.
    await deps.store.remove(watch.key);
    gone.add(watch.key);
    states.delete(watch.key);
    deps.cache?.forget(watch.key);
  }
  const remaining = watches.filter((watch) => !gone.has(watch.key));
  const calls = chosen.length;
  const throttled = Object.values(perAccount).reduce((sum, tally) => sum + tally.throttled, 0);
  const waiting = Object.values(selection.waiting).reduce((sum, n) => sum + n, 0);
  const oldestWatchSeconds = remaining.reduce((oldest, watch) => Math.max(oldest, (nowMs - watch.startedAtMs) / 1000), 0);
  const tally = { calls: tick.tally.calls + calls, throttled: tick.tally.throttled + throttled };
  const report = { watches: watches.length, calls, throttled, ended: ended.size, waiting, unreadable, oldestWatchSeconds, tally };

  let delay = nextTickDelaySeconds({ nowMs, waiting: selection.waiting, nextDueAtMs: selection.nextDueAtMs });
  // A watch that was checked and not ended (a throttled final check) is due again at its interval.
  if (remaining.length > 0 && delay === undefined) delay = 1;
  if (remaining.length === 0) {
    // Nothing left: the clock goes idle, unless a watch arrived meanwhile (then this chain goes on).
    if (!(await deps.store.idleClock(tick.chain, nowMs))) return { result: 'superseded', ...report, dropped: [], budgets, recorded: false };
    if (!(await deps.store.anyWatch()) || !(await deps.store.resumeClock(tick.chain, nowMs))) {
      return { result: 'idle', ...report, dropped: [], budgets, recorded: true };
    }
    delay = 0;
  }
  const seq = tick.seq + 1;
  let lastClockWriteAtMs = tick.lastClockWriteAtMs;
  let recorded = false;
  if (nowMs - tick.lastClockWriteAtMs >= CLOCK_TIMING.recordEveryMs) {
    // Another chain took the clock, or a twin of this one (a tick delivered twice) got further: stop here.
    if (!(await deps.store.recordTick(tick.chain, seq, nowMs)))
      return { result: 'superseded', ...report, dropped: [], budgets, recorded: false };
    lastClockWriteAtMs = nowMs;
    recorded = true;
  }
  const { body, dropped } = formatTickMessage(
    { chain: tick.chain, seq, sentAtMs: nowMs, lastClockWriteAtMs, tally: recorded ? { calls: 0, throttled: 0 } : tally, budgets },
    states,
  );
  const nextTickInSeconds = Math.min(delay ?? 1, CLOCK_TIMING.maxTickDelaySeconds);
  await deps.queue.sendBody(body, nextTickInSeconds);
  return { result: 'ticked', ...report, dropped, budgets, nextTickInSeconds, recorded };
}

/** One CloudFront call for the watch, its answer read (never thrown: a refusal is an answer too). */
async function check(watch: WatchItem, nowMs: number, deps: Pick<CheckerDeps, 'cloudFront' | 'callTimeoutMs'>): Promise<CheckAnswer> {
  try {
    const client = await deps.cloudFront(watch.account);
    const checked = await checkWork(
      client,
      checkedRequestOf(watch),
      new Date(nowMs),
      secondsSince(watch.startedAtMs, nowMs),
      deps.callTimeoutMs?.(),
    );
    return { kind: 'answered', status: checked.status, ...(checked.laterVersion ? { laterVersion: true } : {}) };
  } catch (error) {
    const named = error as Error;
    if (NOT_TRACKABLE_ERRORS.includes(named.name)) return { kind: 'refused', error: named };
    return { kind: 'failed', throttled: named.name === ErrorNames.CloudFrontThrottled || isThrottlingError(named as never), error: named };
  }
}

/**
 * How many changes of the same target were made after a deployment watch's change, as far as the
 * watches in flight tell: at least one, since its target reads a later version (that change's
 * watch may have ended, or not be registered yet).
 */
function laterChangesIn(watches: readonly WatchItem[], watch: WatchItem): number {
  const later = watches.filter(
    (other) =>
      other.work === 'deployment' &&
      other.key !== watch.key &&
      other.account === watch.account &&
      other.kind === watch.kind &&
      other.targetId === watch.targetId &&
      (other.changedAtMs ?? 0) > (watch.changedAtMs ?? 0),
  ).length;
  return Math.max(1, later);
}

/**
 * Whether the answer ends the watch, and how; undefined while it goes on. A deployment is over
 * when its target reads Deployed: its own version, or a later one (then it was deployed together
 * with the later changes, and says so). Its target still deploying a later version says nothing
 * of its own change: the watch goes on, so that it is never reported deployed while a later
 * change is in progress.
 */
function endingOf(
  watch: WatchItem,
  answer: CheckAnswer,
  before: WatchCheckState | undefined,
  nowMs: number,
  laterChanges: () => number,
): WatchEnding | undefined {
  if (answer.kind === 'refused') {
    const error = watch.work === 'deployment' ? ErrorNames.DeploymentNotTrackable : ErrorNames.InvalidationNotTrackable;
    return { outcome: 'could-not-track', error, cause: answer.error.message };
  }
  const pastDeadline = nowMs >= watch.deadlineAtMs;
  if (answer.kind === 'answered') {
    if ((DONE_STATUSES as readonly string[]).includes(answer.status.status)) {
      const lastCheckedAtMs = before?.lastCheckedAtMs ?? watch.startedAtMs;
      const detectionBoundSeconds = Math.max(0, (nowMs - lastCheckedAtMs) / 1000);
      return {
        outcome: 'completed',
        status: { ...answer.status, detectionBoundSeconds, ...(answer.laterVersion ? { laterChanges: laterChanges() } : {}) },
      };
    }
    if (pastDeadline) return { outcome: 'still-in-progress', status: answer.status };
    return watch.announce ? { outcome: 'announced', status: { ...answer.status, announce: true } } : undefined;
  }
  // Throttled or unanswered: past the deadline it is tried a while longer, then it ends saying CloudFront could not tell.
  if (nowMs < watch.deadlineAtMs + FINAL_CHECK_GRACE_MS) return undefined;
  return {
    outcome: 'still-in-progress',
    status: {
      status: 'Unknown',
      lastError: clip(`${answer.error.name}: ${answer.error.message}`, LAST_ERROR_MAX_CHARS),
      checkedAt: new Date(nowMs).toISOString(),
      elapsedSeconds: secondsSince(watch.startedAtMs, nowMs),
      paths: { total: 0, sample: [] },
    },
  };
}

/** Step Functions will answer the same for this token every time (not throttling, not its own fault): trying again cannot help. */
function refusedForGood(error: Error): boolean {
  return (error as { $fault?: string }).$fault === 'client' && !isThrottlingError(error as never);
}

/** Errors SendTask* answers for a token whose task is over: the watch was ended before (or its execution stopped). */
const TASK_OVER = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Answers the watch's token, then removes the watch. A token already answered is over all the same. */
export async function endWatch(watch: WatchItem, ending: WatchEnding, deps: Pick<CheckerDeps, 'store' | 'sfn'>): Promise<void> {
  const taskToken = await deps.store.token(watch.key);
  if (taskToken) {
    try {
      if (ending.outcome === 'could-not-track') {
        await deps.sfn.send(new SendTaskFailureCommand({ taskToken, error: ending.error, cause: clip(ending.cause, 32_000) }));
      } else {
        await deps.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(ending.status) }));
      }
    } catch (error) {
      if (!TASK_OVER.has((error as Error).name)) throw error;
    }
  }
  await deps.store.remove(watch.key, { registeredAtMs: watch.registeredAtMs, taskToken });
}

/** Once a minute: a chain that has not recorded itself for a while is taken for dead, and another is started if watches wait. */
export async function runWatchdog(deps: Pick<CheckerDeps, 'store' | 'queue' | 'now'>): Promise<'live' | 'started' | 'nothing to watch'> {
  const nowMs = (deps.now ?? Date.now)();
  // A clock item edited by hand holds no live chain: claiming it replaces it (else nothing would ever tick again).
  const clock = await deps.store.clock().catch((error: unknown) => {
    if (error instanceof MalformedClockItem) return undefined;
    throw error;
  });
  if (clock?.state === 'running' && nowMs - clock.lastTickAtMs < CLOCK_TIMING.staleAfterMs) return 'live';
  if (!(await deps.store.anyWatch())) return 'nothing to watch';
  return (await wakeChecker(deps.store, deps.queue, nowMs)) ? 'started' : 'live';
}

/**
 * The watcher's final check, when its token was never answered: one call, its status (Unknown
 * with the reason when CloudFront did not answer). A refusal is thrown (InvalidationNotTrackable, DeploymentNotTrackable).
 * The watch leaves the table: its execution is ending.
 */
export async function finalCheck(
  request: CheckedRequest,
  startedAt: string,
  deps: Pick<CheckerDeps, 'store' | 'cloudFront' | 'callTimeoutMs' | 'now'>,
): Promise<StatusResult> {
  const nowMs = (deps.now ?? Date.now)();
  const startedAtMs = Date.parse(startedAt);
  const watch: WatchItem = { ...watchedWorkOf(request), startedAtMs, deadlineAtMs: nowMs, registeredAtMs: startedAtMs };
  const key = watch.key;
  const answer = await check(watch, nowMs, deps);
  await deps.store.remove(key);
  if (answer.kind === 'refused') throw answer.error;
  if (answer.kind === 'answered') return answer.status;
  return {
    status: 'Unknown',
    lastError: clip(`${answer.error.name}: ${answer.error.message}`, LAST_ERROR_MAX_CHARS),
    checkedAt: new Date(nowMs).toISOString(),
    elapsedSeconds: secondsSince(startedAtMs, nowMs),
    paths: { total: 0, sample: [] },
  };
}

const secondsSince = (startMs: number, nowMs: number) => Math.max(0, Math.round((nowMs - startMs) / 1000));
