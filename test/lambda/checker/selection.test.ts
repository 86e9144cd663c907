import fc from 'fast-check';
import {
  DEFAULT_SELECTION_SETTINGS,
  MAX_TICK_DELAY_SECONDS,
  dueAtMs,
  nextTickDelaySeconds,
  selectWatches,
  youthFactor,
  type SelectionSettings,
  type WatchInFlight,
} from '../../../lambda/checker/selection';
import { DEFAULT_POLL_SCHEDULE, type PollSchedule } from '../../../lambda/shared/schedule';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
/** Every watch due every second: with 1 s ticks, only the budget decides who is checked. */
const EVERY_SECOND: PollSchedule = { firstIntervalSeconds: 1, backoffRate: 1, maxIntervalSeconds: 1, maxWaitSeconds: 3600 };

const watch = (key: string, fields: Partial<WatchInFlight> = {}): WatchInFlight => ({
  key,
  account: '111111111111',
  startedAtMs: T0,
  deadlineAtMs: T0 + HOUR,
  ...fields,
});

/** Runs `ticks` one-second ticks from `fromMs`, checking the chosen watches; returns the tick numbers each watch was checked at. */
function simulate(
  watches: WatchInFlight[],
  grantsPerTick: number,
  ticks: number,
  fromMs: number,
  settings: SelectionSettings = DEFAULT_SELECTION_SETTINGS,
): Map<string, number[]> {
  const state = new Map(watches.map((w) => [w.key, { ...w }]));
  const checkedAt = new Map(watches.map((w) => [w.key, [] as number[]]));
  for (let tick = 0; tick < ticks; tick++) {
    const nowMs = fromMs + tick * 1000;
    const accounts = new Set([...state.values()].map((w) => w.account));
    const grants = Object.fromEntries([...accounts].map((a) => [a, grantsPerTick]));
    const selection = selectWatches({ watches: [...state.values()], nowMs, schedule: EVERY_SECOND, grants }, settings);
    for (const chosen of Object.values(selection.chosen).flat()) {
      state.set(chosen.key, { ...chosen, lastCheckedAtMs: nowMs });
      checkedAt.get(chosen.key)!.push(tick);
    }
  }
  return checkedAt;
}

/** The longest run of ticks in [0, ticks) without a check, counting the edges. */
function longestGap(checks: number[], ticks: number): number {
  let longest = 0;
  let previous = -1;
  for (const tick of [...checks, ticks]) {
    longest = Math.max(longest, tick - previous);
    previous = tick;
  }
  return longest;
}

describe('selectWatches: a crowd larger than the budget', () => {
  it('checks every watch of an equal crowd within ceil(N/R) ticks, in every window (round robin)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 10 }),
        // The crowd's common age: young (weighted up, all alike) or old.
        fc.integer({ min: 0, max: 7200 }),
        // Each watch's last check (seconds before the first tick), or never.
        fc.array(fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }), { minLength: 80, maxLength: 80 }),
        (n, r, ageSeconds, lastChecks) => {
          const fromMs = T0 + 10 * HOUR;
          const startedAtMs = fromMs - ageSeconds * 1000;
          const crowd = Array.from({ length: n }, (_, i) => {
            const back = lastChecks[i];
            return watch(`w${String(i).padStart(3, '0')}`, {
              startedAtMs,
              deadlineAtMs: fromMs + 10 * HOUR,
              // A check at least a second ago (so due at the first tick), and never before the start.
              ...(back === undefined || back > ageSeconds ? {} : { lastCheckedAtMs: fromMs - back * 1000 }),
            });
          });
          const window = Math.ceil(n / r);
          const ticks = 3 * window + 2;

          const checked = simulate(crowd, r, ticks, fromMs);

          for (const [key, ticksChecked] of checked) {
            expect({ key, gap: longestGap(ticksChecked, ticks) <= window }).toEqual({ key, gap: true });
          }
        },
      ),
    );
  });

  it('checks young watches more often than an old crowd, without starving the old ones', () => {
    const fromMs = T0 + 10 * HOUR;
    const old = Array.from({ length: 100 }, (_, i) => watch(`old-${i}`, { startedAtMs: fromMs - 2 * HOUR, deadlineAtMs: fromMs + HOUR }));
    const young = Array.from({ length: 10 }, (_, i) => watch(`young-${i}`, { startedAtMs: fromMs, deadlineAtMs: fromMs + 2 * HOUR }));
    const ticks = 120;
    const meanGap = (checks: Map<string, number[]>, prefix: string) => {
      const counts = [...checks].filter(([key]) => key.startsWith(prefix)).map(([, t]) => t.length);
      return ticks / (counts.reduce((a, b) => a + b, 0) / counts.length);
    };

    const weighted = simulate([...old, ...young], 5, ticks, fromMs);
    const unweighted = simulate([...old, ...young], 5, ticks, fromMs, { ...DEFAULT_SELECTION_SETTINGS, youthWeight: 1 });

    // 110 watches at 5 per tick: 22 ticks each if all were alike.
    expect(meanGap(weighted, 'young-')).toBeLessThan(12);
    expect(meanGap(weighted, 'old-')).toBeGreaterThan(22);
    expect(Math.max(...[...weighted].filter(([k]) => k.startsWith('old-')).map(([, t]) => longestGap(t, ticks)))).toBeLessThanOrEqual(30);
    // Without the weight the young wait like everybody else: what the weighting changes.
    expect(meanGap(unweighted, 'young-')).toBeGreaterThan(20);
  });

  it('weighs a brand-new watch up to youthWeight, falling to 1 at youthSeconds', () => {
    expect(youthFactor(0)).toBe(3);
    expect(youthFactor(150)).toBe(2);
    expect(youthFactor(300)).toBe(1);
    expect(youthFactor(3600)).toBe(1);
  });
});

describe('selectWatches: deadlines', () => {
  const nowMs = T0 + HOUR + 5_000;

  it('gives watches past their deadline their final check before any other, earliest deadline first', () => {
    const stale = Array.from({ length: 20 }, (_, i) => watch(`stale-${i}`, { deadlineAtMs: T0 + 2 * HOUR, lastCheckedAtMs: T0 }));
    // Checked last before their deadlines, and recently: only the deadline puts them first.
    const late = watch('late', { deadlineAtMs: T0 + HOUR, lastCheckedAtMs: T0 + HOUR - 1000 });
    const later = watch('later', { deadlineAtMs: T0 + HOUR + 1000, lastCheckedAtMs: T0 + HOUR - 500 });
    const input = { watches: [...stale, later, late], nowMs, schedule: DEFAULT_POLL_SCHEDULE };

    expect(selectWatches({ ...input, grants: { '111111111111': 1 } }).chosen['111111111111']!.map((w) => w.key)).toEqual(['late']);
    const two = selectWatches({ ...input, grants: { '111111111111': 3 } });
    expect(two.chosen['111111111111']!.map((w) => w.key)).toEqual(['late', 'later', 'stale-0']);
    expect(two.waiting['111111111111']).toBe(19);
  });

  it('makes a watch due at its deadline when its next interval would pass it, and only once after', () => {
    const deadlineAtMs = T0 + HOUR;
    const beforeDeadline = watch('w', { deadlineAtMs, lastCheckedAtMs: deadlineAtMs - 1000 });
    const afterFinal = watch('w', { deadlineAtMs, lastCheckedAtMs: deadlineAtMs + 500 });

    expect(dueAtMs(beforeDeadline, DEFAULT_POLL_SCHEDULE)).toBe(deadlineAtMs);
    const atDeadline = selectWatches({
      watches: [beforeDeadline],
      nowMs: deadlineAtMs,
      schedule: DEFAULT_POLL_SCHEDULE,
      grants: { '111111111111': 1 },
    });
    expect(atDeadline.chosen['111111111111']).toHaveLength(1);
    // Its final check ends it: nothing falls due after it.
    expect(atDeadline.nextDueAtMs).toBeUndefined();
    // A watch already given its final check is not final again (the handler ends it).
    expect(dueAtMs(afterFinal, DEFAULT_POLL_SCHEDULE)).toBe(deadlineAtMs + 4500);
  });
});

describe('selectWatches: accounts', () => {
  it('spends each account only its own grant', () => {
    const a = Array.from({ length: 5 }, (_, i) => watch(`a-${i}`, { account: 'A' }));
    const b = Array.from({ length: 5 }, (_, i) => watch(`b-${i}`, { account: 'B' }));

    const selection = selectWatches({ watches: [...a, ...b], nowMs: T0, schedule: DEFAULT_POLL_SCHEDULE, grants: { A: 2, B: 0 } });

    expect(selection.chosen['A']).toHaveLength(2);
    expect(selection.chosen['B']).toBeUndefined();
    expect(selection.waiting).toEqual({ A: 3, B: 5 });
  });

  it("chooses the same watches of an account whatever another account's crowd looks like", () => {
    const arbitraryWatches = (account: string) =>
      fc
        .uniqueArray(
          fc.record({
            id: fc.integer({ min: 0, max: 999 }),
            startSecondsAgo: fc.integer({ min: 0, max: 7200 }),
            lastCheckedSecondsAgo: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
            deadlineSecondsAhead: fc.integer({ min: -60, max: 3600 }),
          }),
          { selector: (w) => w.id, maxLength: 40 },
        )
        .map((list) =>
          list.map((w) =>
            watch(`${account}/${w.id}`, {
              account,
              startedAtMs: T0 + 3 * HOUR - w.startSecondsAgo * 1000,
              deadlineAtMs: T0 + 3 * HOUR + w.deadlineSecondsAhead * 1000,
              ...(w.lastCheckedSecondsAgo === undefined
                ? {}
                : { lastCheckedAtMs: T0 + 3 * HOUR - Math.min(w.lastCheckedSecondsAgo, w.startSecondsAgo) * 1000 }),
            }),
          ),
        );
    fc.assert(
      fc.property(arbitraryWatches('A'), arbitraryWatches('B'), fc.nat(10), fc.nat(10), (a, b, grantA, grantB) => {
        const nowMs = T0 + 3 * HOUR;
        const alone = selectWatches({ watches: a, nowMs, schedule: DEFAULT_POLL_SCHEDULE, grants: { A: grantA } });
        const together = selectWatches({ watches: [...b, ...a], nowMs, schedule: DEFAULT_POLL_SCHEDULE, grants: { A: grantA, B: grantB } });

        expect(together.chosen['A']).toEqual(alone.chosen['A']);
        expect(together.waiting['A']).toEqual(alone.waiting['A']);
        expect((together.chosen['B'] ?? []).length).toBeLessThanOrEqual(grantB);
      }),
    );
  });

  it('refuses an account with watches but no grant, naming it', () => {
    expect(() =>
      selectWatches({ watches: [watch('w', { account: '222222222222' })], nowMs: T0, schedule: DEFAULT_POLL_SCHEDULE, grants: {} }),
    ).toThrow(/No grant for account 222222222222, which has 1 watch/);
  });
});

describe('when the next watch falls due, and the next tick', () => {
  it('checks a new watch at once and the next tick comes one interval later', () => {
    const selection = selectWatches({
      watches: [watch('lone')],
      nowMs: T0 + 300,
      schedule: DEFAULT_POLL_SCHEDULE,
      grants: { '111111111111': 4 },
    });

    expect(selection.chosen['111111111111']!.map((w) => w.key)).toEqual(['lone']);
    expect(selection.nextDueAtMs).toBe(T0 + 4300);
    expect(nextTickDelaySeconds({ nowMs: T0 + 300, ...selection })).toBe(4);
  });

  it('waits for a watch not yet due, following the schedule at its age', () => {
    const backoff: PollSchedule = { firstIntervalSeconds: 5, backoffRate: 1.5, maxIntervalSeconds: 60, maxWaitSeconds: 3600 };
    // Checked 10 s ago at an age of 20 s: interval 5 + 0.5 * 20 = 15 s.
    const w = watch('w', { lastCheckedAtMs: T0 + 20_000 });

    const selection = selectWatches({ watches: [w], nowMs: T0 + 30_000, schedule: backoff, grants: { '111111111111': 5 } });

    expect(selection.chosen).toEqual({});
    expect(selection.waiting['111111111111']).toBe(0);
    expect(selection.nextDueAtMs).toBe(T0 + 35_000);
    expect(nextTickDelaySeconds({ nowMs: T0 + 30_000, ...selection })).toBe(5);
  });

  it('ticks every second while the budget holds due watches back', () => {
    const crowd = Array.from({ length: 10 }, (_, i) => watch(`w${i}`));

    const selection = selectWatches({ watches: crowd, nowMs: T0, schedule: DEFAULT_POLL_SCHEDULE, grants: { '111111111111': 4 } });

    expect(selection.waiting['111111111111']).toBe(6);
    expect(nextTickDelaySeconds({ nowMs: T0, ...selection })).toBe(1);
  });

  it('rounds up to whole seconds between 1 and the SQS limit, and stops when no watch is left', () => {
    expect(nextTickDelaySeconds({ nowMs: 0, waiting: 0, nextDueAtMs: 3200 })).toBe(4);
    expect(nextTickDelaySeconds({ nowMs: 0, waiting: 0, nextDueAtMs: -5000 })).toBe(1);
    expect(nextTickDelaySeconds({ nowMs: 0, waiting: 0, nextDueAtMs: 10 })).toBe(1);
    expect(nextTickDelaySeconds({ nowMs: 0, waiting: 0, nextDueAtMs: 2_000_000 })).toBe(MAX_TICK_DELAY_SECONDS);
    expect(nextTickDelaySeconds({ nowMs: 0, waiting: { A: 0, B: 2 }, nextDueAtMs: 60_000 })).toBe(1);
    expect(nextTickDelaySeconds({ nowMs: 0, waiting: {} })).toBeUndefined();
  });
});
