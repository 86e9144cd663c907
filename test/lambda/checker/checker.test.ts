/**
 * The checker's tick, watchdog and final check against a real DynamoDB table (dynalite), with
 * Step Functions and CloudFront mocked and the tick queue captured. Time is injected: every
 * test starts at T0 and moves `now` itself.
 */
import { CloudFrontClient, GetInvalidationCommand, NoSuchInvalidation, type GetInvalidationCommandInput } from '@aws-sdk/client-cloudfront';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import {
  FINAL_CHECK_GRACE_MS,
  endWatch,
  finalCheck,
  runTick,
  runWatchdog,
  type CheckerDeps,
  type WatchEnding,
} from '../../../lambda/checker/checker';
import { DEFAULT_BUDGET_SETTINGS } from '../../../lambda/shared/budget';
import { formatTickMessage, parseTickMessage, type TickMessage } from '../../../lambda/shared/chain-state';
import { CLOCK_TIMING, wakeChecker } from '../../../lambda/shared/checker-clock';
import { ErrorNames } from '../../../lambda/shared/errors';
import { DEFAULT_POLL_SCHEDULE } from '../../../lambda/shared/schedule';
import type { StatusResult } from '../../../lambda/shared/status-result';
import { WatchStore, watchKey, type WatchItem } from '../../../lambda/shared/watch-store';
import { failureOf } from '../../support/failure-of';
import { WATCH_TABLE, capturingTickQueue, startWatchTable, type WatchTable } from '../../support/watch-table';

const cloudFrontMock = mockClient(CloudFrontClient);
const sfnMock = mockClient(SFNClient);
const cloudFront = new CloudFrontClient({ region: 'us-east-1' });
const sfn = new SFNClient({ region: 'us-east-1' });

const T0 = Date.parse('2026-05-01T12:00:00.000Z');
const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
let now = T0;

/** What CloudFront answers, by invalidation ID: InProgress unless told. */
const answers = new Map<string, 'InProgress' | 'Completed' | Error>();
/** The tick queue: every body sent, with its delay. */
const { queue, sent } = capturingTickQueue();

let table: WatchTable;
beforeAll(async () => {
  table = await startWatchTable();
});
afterAll(() => table.stop());
beforeEach(async () => {
  await table.empty();
  now = T0;
  answers.clear();
  sent.length = 0;
  cloudFrontMock.reset();
  sfnMock.reset();
  cloudFrontMock.on(GetInvalidationCommand).callsFake((input: GetInvalidationCommandInput) => {
    const answer = answers.get(input.Id!) ?? 'InProgress';
    if (answer instanceof Error) throw answer;
    return {
      Invalidation: {
        Id: input.Id,
        Status: answer,
        CreateTime: new Date(T0),
        InvalidationBatch: { CallerReference: 'ref', Paths: { Quantity: 1, Items: ['/index.html'] } },
      },
    };
  });
  sfnMock.on(SendTaskSuccessCommand).resolves({});
  sfnMock.on(SendTaskFailureCommand).resolves({});
});

const deps = (overrides: Partial<CheckerDeps> = {}): CheckerDeps => ({
  store: table.store,
  queue,
  sfn,
  cloudFront: async () => cloudFront,
  schedule: DEFAULT_POLL_SCHEDULE,
  now: () => now,
  ...overrides,
});

function watchOf(
  invalidationId: string,
  options: { account?: string; startedAtMs?: number; maxWaitSeconds?: number } = {},
): WatchItem & { invalidationId: string } {
  const account = options.account ?? ACCOUNT;
  const startedAtMs = options.startedAtMs ?? T0;
  const target = { kind: 'distribution' as const, id: `E${account.slice(0, 6)}` };
  return {
    key: watchKey({ account, target, invalidationId }),
    account,
    kind: target.kind,
    targetId: target.id,
    invalidationId,
    startedAtMs,
    deadlineAtMs: startedAtMs + (options.maxWaitSeconds ?? DEFAULT_POLL_SCHEDULE.maxWaitSeconds) * 1000,
    registeredAtMs: startedAtMs,
  };
}
const tokenOf = (watch: WatchItem) => `token-${watch.invalidationId}`;
async function register(...watches: WatchItem[]): Promise<void> {
  for (const watch of watches) await table.store.register(watch, tokenOf(watch));
}

/** Starts a chain as Register watch would, and returns its first tick. */
async function startChain(): Promise<TickMessage> {
  expect(await wakeChecker(table.store, queue, now)).toBe(true);
  return parseTickMessage(sent.shift()!.body);
}
/** The one tick sent since the last call, read back. */
function takeSentTick(): { tick: TickMessage; delaySeconds: number } {
  expect(sent).toHaveLength(1);
  const { body, delaySeconds } = sent.shift()!;
  return { tick: parseTickMessage(body), delaySeconds };
}

const checkedIds = () => cloudFrontMock.commandCalls(GetInvalidationCommand).map((call) => call.args[0].input.Id);
const successOutputs = () =>
  sfnMock.commandCalls(SendTaskSuccessCommand).map((call) => ({
    taskToken: call.args[0].input.taskToken,
    output: JSON.parse(call.args[0].input.output!) as StatusResult,
  }));
const sdkError = (name: string, httpStatusCode: number, message = `${name} from CloudFront`) =>
  Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
const throttling = () => sdkError('Throttling', 400, 'Rate exceeded');
const watchItems = async () => (await table.items()).filter((item) => item.pk === 'watch' || item.pk === 'token');

describe('a tick that is not the live chain', () => {
  it("does nothing when its chain is not the clock's", async () => {
    // Prepare
    await register(watchOf('ISTRANGER0001'));
    await startChain();
    const { body } = formatTickMessage(
      { chain: randomUUID(), seq: 5, sentAtMs: now, lastClockWriteAtMs: 0, tally: { calls: 0, throttled: 0 }, budgets: {} },
      new Map(),
    );

    // Act
    const report = await runTick(parseTickMessage(body), deps());

    // Assert
    expect(report.result).toBe('superseded');
    expect(checkedIds()).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('does nothing when the clock is idle, even for its own chain', async () => {
    // Prepare
    await register(watchOf('IIDLE00000001'));
    const tick = await startChain();
    expect(await table.store.idleClock(tick.chain, now)).toBe(true);

    // Act
    const report = await runTick(tick, deps());

    // Assert
    expect(report.result).toBe('superseded');
    expect(checkedIds()).toEqual([]);
    expect(sent).toEqual([]);
  });
});

describe('a lone watch', () => {
  it('in progress: the next tick comes at the interval, carrying the watch’s check state', async () => {
    // Prepare
    const watch = watchOf('ILONE00000001');
    await register(watch);
    const tick = await startChain();

    // Act
    const report = await runTick(tick, deps());

    // Assert
    expect(report).toMatchObject({
      result: 'ticked',
      watches: 1,
      calls: 1,
      ended: 0,
      nextTickInSeconds: DEFAULT_POLL_SCHEDULE.firstIntervalSeconds,
    });
    const next = takeSentTick();
    expect(next.delaySeconds).toBe(DEFAULT_POLL_SCHEDULE.firstIntervalSeconds);
    expect(next.tick).toMatchObject({ chain: tick.chain, seq: 1 });
    expect(next.tick.watches.get(watch.key)).toEqual({ lastCheckedAtMs: now, checks: 1, throttledChecks: 0 });
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('completed: its token is answered with the status, its items removed, the clock goes idle and no tick follows', async () => {
    // Prepare: checked once in progress, then completed at the next check 4 s later.
    const watch = watchOf('ILONE00000002');
    await register(watch);
    await runTick(await startChain(), deps());
    const { tick, delaySeconds } = takeSentTick();
    now += delaySeconds * 1000;
    answers.set(watch.invalidationId, 'Completed');

    // Act
    const report = await runTick(tick, deps());

    // Assert
    expect(report).toMatchObject({ result: 'idle', ended: 1 });
    expect(successOutputs()).toEqual([
      { taskToken: tokenOf(watch), output: expect.objectContaining({ status: 'Completed', detectionBoundSeconds: delaySeconds }) },
    ]);
    expect(await watchItems()).toEqual([]);
    expect((await table.store.clock())?.state).toBe('idle');
    expect(sent).toEqual([]);
  });
});

/** A store whose clock goes idle with `arrival` run just before or just after (a registration racing the last watch's end). */
class RacingStore extends WatchStore {
  arrival?: { readonly when: 'before' | 'after'; readonly run: () => Promise<void> };

  override async idleClock(chain: string, nowMs: number): Promise<boolean> {
    const arrival = this.arrival;
    this.arrival = undefined;
    if (arrival?.when === 'before') await arrival.run();
    const idled = await super.idleClock(chain, nowMs);
    if (arrival?.when === 'after') await arrival.run();
    return idled;
  }
}

it('a schedule with long intervals: no tick further ahead than the clock allows, and each such tick records, so the live chain never looks dead', async () => {
  // Prepare: a check every 120 s, longer than the stale limit.
  const schedule = { ...DEFAULT_POLL_SCHEDULE, firstIntervalSeconds: 120, maxIntervalSeconds: 120 };
  const watch = watchOf('ISLOWSCHED001');
  await register(watch);
  let tick = await startChain();

  for (let i = 0; i < 6; i++) {
    // Act
    const report = await runTick(tick, deps({ schedule }));

    // Assert
    expect(report.nextTickInSeconds).toBe(CLOCK_TIMING.maxTickDelaySeconds);
    const next = takeSentTick();
    expect(next.delaySeconds).toBe(CLOCK_TIMING.maxTickDelaySeconds);
    tick = next.tick;
    now += next.delaySeconds * 1000;
    // The clock, read as the watchdog reads it: never stale.
    const clock = (await table.store.clock())!;
    expect(now - clock.lastTickAtMs).toBeLessThan(CLOCK_TIMING.staleAfterMs);
  }
  // Checked at its own interval, not at every tick.
  expect(checkedIds().length).toBeLessThanOrEqual(3);
});

describe('the last watch ends while another registers', () => {
  const racing = () => new RacingStore(WATCH_TABLE, table.client);
  const registration = (store: WatchStore, watch: WatchItem) => async () => {
    await store.register(watch, tokenOf(watch));
    await wakeChecker(store, queue, now);
  };

  it('registered before the clock goes idle (its wake-up found the chain live): the chain goes on at once', async () => {
    // Prepare
    const store = racing();
    const first = watchOf('IRACE00000001');
    const second = watchOf('IRACE00000002');
    await register(first);
    const tick = await startChain();
    answers.set(first.invalidationId, 'Completed');
    store.arrival = { when: 'before', run: registration(store, second) };

    // Act
    const report = await runTick(tick, deps({ store }));

    // Assert: one tick, of the same chain, at once; the clock running; the new watch checked by it.
    expect(report).toMatchObject({ result: 'ticked', ended: 1, nextTickInSeconds: 0 });
    const next = takeSentTick();
    expect(next).toMatchObject({ delaySeconds: 0, tick: { chain: tick.chain } });
    expect(await table.store.clock()).toMatchObject({ state: 'running', chain: tick.chain });
    await runTick(next.tick, deps({ store }));
    expect(checkedIds()).toEqual([first.invalidationId, second.invalidationId]);
  });

  it('registered after the clock went idle: its own chain starts and the old one stops (one chain)', async () => {
    // Prepare
    const store = racing();
    const first = watchOf('IRACE00000003');
    await register(first);
    const tick = await startChain();
    answers.set(first.invalidationId, 'Completed');
    store.arrival = { when: 'after', run: registration(store, watchOf('IRACE00000004')) };

    // Act
    const report = await runTick(tick, deps({ store }));

    // Assert
    expect(report.result).toBe('idle');
    const next = takeSentTick();
    expect(next.tick.chain).not.toBe(tick.chain);
    expect(await table.store.clock()).toMatchObject({ state: 'running', chain: next.tick.chain });
  });
});

it('a twin of a tick (delivered twice) stops at its record and sends nothing', async () => {
  // Prepare: a tick due to record itself, already run once.
  const watch = watchOf('ITWIN00000001');
  await register(watch);
  const tick = await startChain();
  now += CLOCK_TIMING.recordEveryMs + 1000;
  const first = await runTick(tick, deps());
  expect(first).toMatchObject({ result: 'ticked', recorded: true });
  takeSentTick();

  // Act
  const twin = await runTick(tick, deps());

  // Assert
  expect(twin).toMatchObject({ result: 'superseded', recorded: false });
  expect(sent).toEqual([]);
  expect(await table.store.clock()).toMatchObject({ chain: tick.chain, seq: 1 });
});

it("times ahead of the checker's clock in a tick (a forged tick of the live chain, a container's clock far off) count as now: the watch is still checked and ends", async () => {
  // Prepare: the live chain's tick, claiming the watch was checked a year from now and the budget was spent then.
  const watch = watchOf('IFUTURE000001');
  await register(watch);
  const live = await startChain();
  const aYearAhead = now + 365 * 24 * 3600 * 1000;
  const { body } = formatTickMessage(
    { ...live, budgets: { [ACCOUNT]: { perSecond: 2, tokens: 0, atMs: aYearAhead } } },
    new Map([[watch.key, { lastCheckedAtMs: aYearAhead, checks: 1, throttledChecks: 0 }]]),
  );
  answers.set(watch.invalidationId, 'Completed');

  // Act: follow the chain for a minute.
  let tick = parseTickMessage(body);
  let report = await runTick(tick, deps());
  for (let i = 0; i < 30 && report.result === 'ticked'; i++) {
    const next = takeSentTick();
    now += next.delaySeconds * 1000;
    tick = next.tick;
    report = await runTick(tick, deps());
    if (now - T0 > 60_000) break;
  }

  // Assert: without it, the watch was never due and the budget never refilled, until the watcher's final check.
  expect(report).toMatchObject({ result: 'idle', ended: 1 });
  expect(successOutputs()).toEqual([{ taskToken: tokenOf(watch), output: expect.objectContaining({ status: 'Completed' }) }]);
  expect(now - T0).toBeLessThanOrEqual(10_000);
});

it('a refusal (NoSuchInvalidation, 404) fails the task with InvalidationNotTrackable, naming the invalidation, and removes the watch', async () => {
  // Prepare
  const watch = watchOf('IREFUSED00001');
  await register(watch);
  answers.set(
    watch.invalidationId,
    new NoSuchInvalidation({ message: 'The specified invalidation does not exist.', $metadata: { httpStatusCode: 404 } }),
  );

  // Act
  const report = await runTick(await startChain(), deps());

  // Assert
  expect(report).toMatchObject({ ended: 1, result: 'idle' });
  const failures = sfnMock.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input);
  expect(failures).toEqual([
    { taskToken: tokenOf(watch), error: ErrorNames.InvalidationNotTrackable, cause: expect.stringContaining('IREFUSED00001') },
  ]);
  expect(failures[0]!.cause).toMatch(/NoSuchInvalidation/);
  expect(await watchItems()).toEqual([]);
});

describe('past the deadline', () => {
  const short = { maxWaitSeconds: 60 };

  it('still in progress: the token is answered with InProgress', async () => {
    // Prepare
    const watch = watchOf('IDEADLINE0001', short);
    await register(watch);
    now = watch.deadlineAtMs + 1000;

    // Act
    await runTick(await startChain(), deps());

    // Assert
    expect(successOutputs()).toEqual([{ taskToken: tokenOf(watch), output: expect.objectContaining({ status: 'InProgress' }) }]);
    expect(await watchItems()).toEqual([]);
  });

  it('throttled: tried again within the grace, then ended as Unknown with the last error', async () => {
    // Prepare
    const watch = watchOf('IDEADLINE0002', short);
    await register(watch);
    answers.set(watch.invalidationId, throttling());
    now = watch.deadlineAtMs + 1000;

    // Act: throttled just past the deadline, then past the grace.
    const within = await runTick(await startChain(), deps());
    const { tick } = takeSentTick();
    const itemsWithin = await watchItems();
    now = watch.deadlineAtMs + FINAL_CHECK_GRACE_MS + 1000;
    const after = await runTick(tick, deps());

    // Assert
    expect(within).toMatchObject({ result: 'ticked', throttled: 1, ended: 0 });
    expect(itemsWithin).toHaveLength(2);
    expect(after).toMatchObject({ ended: 1, result: 'idle' });
    const [ending, ...more] = successOutputs();
    expect(more).toEqual([]);
    expect(ending!.output).toMatchObject({ status: 'Unknown', lastError: expect.stringMatching(/Throttl/) });
    expect(await watchItems()).toEqual([]);
  });
});

describe('endWatch', () => {
  const ending: WatchEnding = {
    outcome: 'completed',
    status: { status: 'Completed', checkedAt: new Date(T0).toISOString(), elapsedSeconds: 30, paths: { total: 0, sample: [] } },
  };

  it.each(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'])(
    'removes the watch when Step Functions answers %s (the task is over)',
    async (name) => {
      // Prepare
      const watch = watchOf(`IOVER${name}`.slice(0, 20));
      await register(watch);
      sfnMock.on(SendTaskSuccessCommand).rejects(Object.assign(new Error(`${name} from Step Functions`), { name }));

      // Act
      await endWatch(watch, ending, deps());

      // Assert
      expect(await watchItems()).toEqual([]);
    },
  );

  it('keeps a registration that came while the old token was being answered (the task retried: a new token waits)', async () => {
    // Prepare: while the old token is answered, Register watch runs again (its task was retried) and writes a new one.
    const watch = watchOf('IRACE00000001');
    await register(watch);
    const again = { ...watch, registeredAtMs: watch.registeredAtMs + 2_000 };
    sfnMock.on(SendTaskSuccessCommand).callsFake(async () => {
      await table.store.register(again, 'token-of-the-retry');
      return {};
    });

    // Act
    await endWatch(watch, ending, deps());

    // Assert: the new registration stands, for the next tick to check and end with its own token.
    expect((await table.store.watches()).watches).toEqual([again]);
    expect(await table.store.token(watch.key)).toBe('token-of-the-retry');
  });

  it('throws any other error and keeps the watch (the tick decides what to do with it)', async () => {
    // Prepare
    const watch = watchOf('ISFNDOWN00001');
    await register(watch);
    sfnMock.on(SendTaskSuccessCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const error = await failureOf(() => endWatch(watch, ending, deps()));

    // Assert
    expect(error.name).toBe('ThrottlingException');
    expect(await watchItems()).toHaveLength(2);
    expect(await table.store.token(watch.key)).toBe(tokenOf(watch));
  });
});

describe('a token Step Functions will not take', () => {
  /** Two watches completed at the first tick; `poisoned`'s token is refused with `error`. */
  async function tickWithRefusedToken(error: Error): Promise<{ poisoned: WatchItem; healthy: WatchItem; tick: TickMessage }> {
    const poisoned = watchOf('IPOISONED0001');
    const healthy = watchOf('IHEALTHY00001');
    await register(poisoned, healthy);
    answers.set(poisoned.invalidationId, 'Completed');
    answers.set(healthy.invalidationId, 'Completed');
    sfnMock.on(SendTaskSuccessCommand, { taskToken: tokenOf(poisoned) }).rejects(error);
    return { poisoned, healthy, tick: await startChain() };
  }

  it('refused for good (a token edited by hand: ValidationException): the other watches end, the tick goes on, and the watch is left to its final check', async () => {
    // Prepare
    const { poisoned, healthy, tick } = await tickWithRefusedToken(
      sdkError('ValidationException', 400, 'Invalid Length for parameter taskToken'),
    );
    const endFailures: { key: string; errorName: string; kept: boolean }[] = [];

    // Act
    const report = await runTick(
      tick,
      deps({ onEndFailed: (watch, error, kept) => endFailures.push({ key: watch.key, errorName: error.name, kept }) }),
    );

    // Assert: a tick that threw would be delivered again, fail again, and stall every watch of the account.
    expect(report).toMatchObject({ result: 'idle', ended: 1 });
    expect(successOutputs().map((success) => success.taskToken)).toEqual(expect.arrayContaining([tokenOf(healthy)]));
    expect(endFailures).toEqual([{ key: poisoned.key, errorName: 'ValidationException', kept: false }]);
    expect(await watchItems()).toEqual([]);
  });

  it('refused for now (ThrottlingException, a 5xx): the other watches end, the tick goes on, and the watch is ended at a later tick', async () => {
    // Prepare
    const { poisoned, healthy, tick } = await tickWithRefusedToken(
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } }),
    );
    const endFailures: { key: string; kept: boolean }[] = [];
    const tickDeps = deps({ onEndFailed: (watch, _error, kept) => endFailures.push({ key: watch.key, kept }) });

    // Act
    const report = await runTick(tick, tickDeps);

    // Assert
    expect(report).toMatchObject({ result: 'ticked', ended: 1 });
    expect(endFailures).toEqual([{ key: poisoned.key, kept: true }]);
    expect((await table.items()).filter((item) => item.pk === 'watch').map((item) => item.sk)).toEqual([poisoned.key]);
    expect(await table.store.token(healthy.key)).toBeUndefined();

    // Act: Step Functions takes it again; the next tick, at the watch's interval, ends it.
    sfnMock.on(SendTaskSuccessCommand, { taskToken: tokenOf(poisoned) }).resolves({});
    const next = takeSentTick();
    now += next.delaySeconds * 1000;
    const again = await runTick(next.tick, tickDeps);

    // Assert
    expect(again).toMatchObject({ result: 'idle', ended: 1 });
    expect(successOutputs().filter((success) => success.taskToken === tokenOf(poisoned))).toHaveLength(2);
    expect(await watchItems()).toEqual([]);
  });
});

it('two accounts: each has its own budget; throttling in one does not shrink the other', async () => {
  // Prepare
  const throttled = watchOf('IACCOUNTA0001', { account: ACCOUNT });
  const fine = watchOf('IACCOUNTB0001', { account: OTHER_ACCOUNT });
  await register(throttled, fine);
  answers.set(throttled.invalidationId, throttling());

  // Act
  await runTick(await startChain(), deps());

  // Assert
  const { budgets } = takeSentTick().tick;
  expect(Object.keys(budgets).sort()).toEqual([ACCOUNT, OTHER_ACCOUNT]);
  expect(budgets[ACCOUNT]!.perSecond).toBeCloseTo(DEFAULT_BUDGET_SETTINGS.startPerSecond * DEFAULT_BUDGET_SETTINGS.decreaseFactor);
  expect(budgets[ACCOUNT]!.tokens).toBe(0);
  expect(budgets[OTHER_ACCOUNT]!.perSecond).toBe(DEFAULT_BUDGET_SETTINGS.startPerSecond);
  expect(budgets[OTHER_ACCOUNT]!.tokens).toBe(DEFAULT_BUDGET_SETTINGS.startPerSecond * DEFAULT_BUDGET_SETTINGS.burstSeconds - 1);
});

it('more due watches than the budget grants: the next tick in 1 s, the rest waiting, and every watch checked once before any twice', async () => {
  // Prepare
  const watches = Array.from({ length: 10 }, (_, i) => watchOf(`ICROWD${String(i).padStart(7, '0')}`));
  await register(...watches);
  const cold = DEFAULT_BUDGET_SETTINGS.startPerSecond * DEFAULT_BUDGET_SETTINGS.burstSeconds;

  // Act
  const first = await runTick(await startChain(), deps());
  const ticks = [first];
  while (new Set(checkedIds()).size < watches.length && ticks.length < 20) {
    const { tick, delaySeconds } = takeSentTick();
    now += delaySeconds * 1000;
    ticks.push(await runTick(tick, deps()));
  }

  // Assert
  expect(first).toMatchObject({ calls: cold, waiting: watches.length - cold, nextTickInSeconds: 1 });
  const checked = checkedIds();
  expect(new Set(checked).size).toBe(watches.length);
  expect(checked).toHaveLength(watches.length);
  expect(ticks.length).toBeLessThan(watches.length);
});

it('an unreadable watch item is reported by key, not checked and not deleted', async () => {
  // Prepare
  const readable = watchOf('IREADABLE0001');
  await register(readable);
  const brokenKey = `${ACCOUNT}/distribution/EBROKEN/IBROKEN000001`;
  await table.documents.send(new PutCommand({ TableName: WATCH_TABLE, Item: { pk: 'watch', sk: brokenKey, account: ACCOUNT } }));

  // Act
  const report = await runTick(await startChain(), deps());

  // Assert
  expect(report.unreadable).toEqual([brokenKey]);
  expect(checkedIds()).toEqual([readable.invalidationId]);
  expect((await table.items()).map((item) => item.sk)).toContain(brokenKey);
});

it('a table holding only unreadable watch items lets the chain go idle (no tick loop) and the watchdog start none', async () => {
  // Prepare: the last readable watch ends; an unreadable item stays behind.
  const last = watchOf('ILASTREADABLE');
  await register(last);
  answers.set(last.invalidationId, 'Completed');
  await table.documents.send(
    new PutCommand({
      TableName: WATCH_TABLE,
      Item: { pk: 'watch', sk: `${ACCOUNT}/distribution/EBROKEN/IBROKEN000002`, account: ACCOUNT },
    }),
  );

  // Act
  const report = await runTick(await startChain(), deps());
  now += CLOCK_TIMING.staleAfterMs + 1000;
  const watchdog = await runWatchdog(deps());

  // Assert
  expect(report).toMatchObject({ result: 'idle', ended: 1 });
  expect(sent).toEqual([]);
  expect(watchdog).toBe('nothing to watch');
  expect(sent).toEqual([]);
});

describe('the watchdog', () => {
  it('leaves a live chain alone', async () => {
    await register(watchOf('IWATCHDOG0001'));
    await startChain();
    now += CLOCK_TIMING.staleAfterMs - 1000;

    expect(await runWatchdog(deps())).toBe('live');
    expect(sent).toEqual([]);
  });

  it('starts a new chain when the live one is stale and watches wait', async () => {
    // Prepare
    await register(watchOf('IWATCHDOG0002'));
    const dead = await startChain();
    now += CLOCK_TIMING.staleAfterMs + 1000;

    // Act
    const result = await runWatchdog(deps());

    // Assert
    expect(result).toBe('started');
    const { tick, delaySeconds } = takeSentTick();
    expect(delaySeconds).toBe(0);
    expect(tick.chain).not.toBe(dead.chain);
    expect(await table.store.clock()).toMatchObject({ state: 'running', chain: tick.chain });
  });

  it('does nothing when nothing is watched', async () => {
    expect(await runWatchdog(deps())).toBe('nothing to watch');
    await startChain();
    now += CLOCK_TIMING.staleAfterMs + 1000;
    expect(await runWatchdog(deps())).toBe('nothing to watch');
    expect(sent).toEqual([]);
  });
});

it.each([
  ['a state of its own', { state: 'paused', chain: 'chain-a', seq: 0, lastTickAtMs: T0 }],
  ['no time', { state: 'running', chain: 'chain-a', seq: 0 }],
  ['a time as text', { state: 'running', chain: 'chain-a', seq: 0, lastTickAtMs: 'yesterday' }],
])(
  'a clock item edited by hand (%s): the watchdog starts a new chain over it (else every tick and watchdog call failed until the final checks)',
  async (_name, edited) => {
    // Prepare
    const watch = watchOf('ICLOCKEDITED1');
    await register(watch);
    await table.documents.send(new PutCommand({ TableName: WATCH_TABLE, Item: { pk: 'checker', sk: 'clock', ...edited } }));

    // Act
    const watchdog = await runWatchdog(deps());

    // Assert
    expect(watchdog).toBe('started');
    const { tick } = takeSentTick();
    expect(await table.store.clock()).toEqual({ state: 'running', chain: tick.chain, seq: 0, lastTickAtMs: now });
    expect(await runTick(tick, deps())).toMatchObject({ result: 'ticked', calls: 1 });
  },
);

describe('the final check', () => {
  const requestOf = (watch: WatchItem) => ({
    account: watch.account,
    target: { kind: watch.kind, id: watch.targetId },
    invalidationId: watch.invalidationId,
  });
  const startedAt = new Date(T0).toISOString();
  beforeEach(() => {
    now = T0 + 3_600_000;
  });

  it('completed: status Completed, the watch removed', async () => {
    const watch = watchOf('IFINAL0000001');
    await register(watch);
    answers.set(watch.invalidationId, 'Completed');

    const status = await finalCheck(requestOf(watch) as never, startedAt, deps());

    expect(status).toMatchObject({ status: 'Completed', elapsedSeconds: 3600 });
    expect(await watchItems()).toEqual([]);
  });

  it('refused: thrown as InvalidationNotTrackable, the watch removed', async () => {
    const watch = watchOf('IFINAL0000002');
    await register(watch);
    answers.set(watch.invalidationId, sdkError('AccessDenied', 403, 'Access denied.'));

    const error = await failureOf(() => finalCheck(requestOf(watch) as never, startedAt, deps()));

    expect(error.name).toBe(ErrorNames.InvalidationNotTrackable);
    expect(error.message).toContain('IFINAL0000002');
    expect(await watchItems()).toEqual([]);
  });

  it('throttled: status Unknown with the last error, the watch removed', async () => {
    const watch = watchOf('IFINAL0000003');
    await register(watch);
    answers.set(watch.invalidationId, throttling());

    const status = await finalCheck(requestOf(watch) as never, startedAt, deps());

    expect(status).toMatchObject({ status: 'Unknown', lastError: expect.stringMatching(/Throttl/) });
    expect(await watchItems()).toEqual([]);
  });
});
