/**
 * Register watch against a real DynamoDB table (dynalite): the items it writes, in which order,
 * and when it wakes the checker.
 */
import { parseRegisterInput, registerWatch, type RegisterInput } from '../../../lambda/register-watch/register-watch';
import { parseTickMessage } from '../../../lambda/shared/chain-state';
import { CLOCK_TIMING } from '../../../lambda/shared/checker-clock';
import { ErrorNames } from '../../../lambda/shared/errors';
import { DEFAULT_POLL_SCHEDULE } from '../../../lambda/shared/schedule';
import { errorOf } from '../../support/failure-of';
import { TellStore } from '../../../lambda/shared/tell-store';
import { BURST_DEFAULTS, type RuntimeDestination } from '../../../lambda/shared/routing';
import { WATCH_TABLE, capturingTickQueue, startWatchTable, type WatchTable } from '../../support/watch-table';

const T0 = Date.parse('2026-05-01T12:00:00.000Z');
/** The tick queue: every body sent, with its delay. */
const { queue, sent } = capturingTickQueue();

let table: WatchTable;
/** No destination tells in bursts or keeps a live message: the watch joins no burst. */
let telling: { store: TellStore; destinations: Record<string, never> };
beforeAll(async () => {
  table = await startWatchTable();
  telling = { store: new TellStore(WATCH_TABLE, table.client), destinations: {} };
});
afterAll(() => table.stop());
beforeEach(async () => {
  await table.empty();
  sent.length = 0;
});

const inputFor = (invalidationId: string, startedAtMs = T0): RegisterInput =>
  parseRegisterInput({
    taskToken: `token-${invalidationId}`,
    request: { account: '111111111111', target: { kind: 'distribution', id: 'E2QWRUHAPOMQZL' }, invalidationId, paths: ['/x'] },
    startedAt: new Date(startedAtMs).toISOString(),
    execution: `exec-${invalidationId}`,
    audience: { destinations: ['team'], routes: [] },
  });

describe('registerWatch', () => {
  it('writes the token, then the watch (its deadline the start plus the maximum wait), and wakes a checker that has no clock', async () => {
    // Prepare: every write the store makes, in order.
    const writes: string[] = [];
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        const item = (args.input as { Item?: { pk?: string | { S?: string } } }).Item;
        if (context.commandName === 'PutItemCommand') writes.push(typeof item?.pk === 'object' ? item.pk.S! : String(item?.pk));
        return next(args);
      },
      { step: 'initialize', name: 'recordWrites' },
    );

    // Act
    const { watch, wokeChecker } = await registerWatch(
      inputFor('IREGISTER0001', T0),
      DEFAULT_POLL_SCHEDULE,
      table.store,
      queue,
      telling,
      T0 + 2000,
    );
    table.client.middlewareStack.remove('recordWrites');

    // Assert
    expect(writes).toEqual(['token', 'watch']);
    expect(watch).toMatchObject({
      key: '111111111111/distribution/E2QWRUHAPOMQZL/IREGISTER0001',
      startedAtMs: T0,
      deadlineAtMs: T0 + DEFAULT_POLL_SCHEDULE.maxWaitSeconds * 1000,
      registeredAtMs: T0 + 2000,
    });
    expect((await table.store.watches()).watches).toEqual([watch]);
    expect(await table.store.token(watch.key)).toBe('token-IREGISTER0001');
    expect(wokeChecker).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.delaySeconds).toBe(0);
    expect(await table.store.clock()).toMatchObject({ state: 'running', chain: parseTickMessage(sent[0]!.body).chain });
  });

  it('leaves a live clock alone, and wakes an idle or a stale one', async () => {
    // Prepare
    await registerWatch(inputFor('IWAKE00000001'), DEFAULT_POLL_SCHEDULE, table.store, queue, telling, T0);
    const { chain } = parseTickMessage(sent.shift()!.body);

    // Act
    const live = await registerWatch(inputFor('IWAKE00000002'), DEFAULT_POLL_SCHEDULE, table.store, queue, telling, T0 + 1000);
    const stale = await registerWatch(
      inputFor('IWAKE00000003'),
      DEFAULT_POLL_SCHEDULE,
      table.store,
      queue,
      telling,
      T0 + CLOCK_TIMING.staleAfterMs + 1000,
    );
    const { chain: revived } = parseTickMessage(sent.shift()!.body);
    await table.store.idleClock(revived, T0 + CLOCK_TIMING.staleAfterMs + 2000);
    const idle = await registerWatch(
      inputFor('IWAKE00000004'),
      DEFAULT_POLL_SCHEDULE,
      table.store,
      queue,
      telling,
      T0 + CLOCK_TIMING.staleAfterMs + 3000,
    );

    // Assert
    expect(live.wokeChecker).toBe(false);
    expect(stale.wokeChecker).toBe(true);
    expect(revived).not.toBe(chain);
    expect(idle.wokeChecker).toBe(true);
    expect(sent).toHaveLength(1);
  });

  it('two registrations at once start one chain: one first tick', async () => {
    // Act
    const results = await Promise.all(
      ['IATONCE000001', 'IATONCE000002', 'IATONCE000003'].map((id) =>
        registerWatch(inputFor(id), DEFAULT_POLL_SCHEDULE, table.store, queue, telling, T0),
      ),
    );

    // Assert
    expect(results.filter((result) => result.wokeChecker)).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect((await table.store.watches()).watches).toHaveLength(3);
  });

  it('registering the same invalidation again (the task retried) replaces the token: the answer goes to the task waiting', async () => {
    await registerWatch(inputFor('IRETRIED00001'), DEFAULT_POLL_SCHEDULE, table.store, queue, telling, T0);
    await registerWatch(
      { ...inputFor('IRETRIED00001'), taskToken: 'token-of-the-retry' },
      DEFAULT_POLL_SCHEDULE,
      table.store,
      queue,
      telling,
      T0 + 5000,
    );

    const { watches } = await table.store.watches();
    expect(watches).toHaveLength(1);
    expect(await table.store.token(watches[0]!.key)).toBe('token-of-the-retry');
  });
});

describe('registerWatch with destinations that tell in bursts', () => {
  const destinations: Record<string, RuntimeDestination> = {
    app: { type: 'slack-app', secretId: 'bot', channel: 'C0123ABCD', burst: BURST_DEFAULTS },
    hook: { type: 'slack', secretId: 'hook', burst: BURST_DEFAULTS },
  };
  const withAudience = (invalidationId: string, names: string[]) => ({
    ...inputFor(invalidationId),
    audience: { destinations: names, routes: [] },
  });

  it('joins each watch to its bursts, and asks the checker to announce only the first of a burst with a live message', async () => {
    const bursts = { store: telling.store, destinations };
    const first = await registerWatch(
      withAudience('IBURSTFIRST01', ['app', 'hook']),
      DEFAULT_POLL_SCHEDULE,
      table.store,
      queue,
      bursts,
      T0,
    );
    const second = await registerWatch(
      withAudience('IBURSTNEXT002', ['app', 'hook']),
      DEFAULT_POLL_SCHEDULE,
      table.store,
      queue,
      bursts,
      T0,
    );
    const webhookOnly = await registerWatch(withAudience('IHOOKONLY0003', ['hook']), DEFAULT_POLL_SCHEDULE, table.store, queue, bursts, T0);

    expect(first.watch.announce).toBe(true);
    expect(second.watch.announce).toBeUndefined();
    expect(webhookOnly.watch.announce).toBeUndefined();
    const app = await telling.store.membership('app', 'exec-IBURSTNEXT002');
    expect(app?.burstId).toBe((await telling.store.membership('app', 'exec-IBURSTFIRST01'))?.burstId);
    expect(await telling.store.members(app!.burstId)).toHaveLength(2);
  });

  it('does not announce again when the watch registers again (after its announcement, or a retried task)', async () => {
    const bursts = { store: telling.store, destinations };
    await registerWatch(withAudience('IBURSTAGAIN01', ['app']), DEFAULT_POLL_SCHEDULE, table.store, queue, bursts, T0);
    const again = await registerWatch(withAudience('IBURSTAGAIN01', ['app']), DEFAULT_POLL_SCHEDULE, table.store, queue, bursts, T0 + 5000);
    expect(again.watch.announce).toBeUndefined();
  });
});

describe('parseRegisterInput', () => {
  it.each([
    ['no task token', { taskToken: '' }, /"taskToken": must not be empty/],
    ['no invalidation ID', { request: { account: '1', target: { kind: 'distribution', id: 'E1' } } }, /"request\.invalidationId"/],
    [
      'an unknown target kind',
      { request: { account: '1', target: { kind: 'bucket', id: 'E1' }, invalidationId: 'I1' } },
      /"request\.target\.kind"/,
    ],
    ['a start time that is not a time', { startedAt: 'yesterday' }, /"startedAt": must be an ISO 8601 time/],
  ])('refuses %s with InvalidWatcherInput naming the field', (_name, change, message) => {
    const input = {
      taskToken: 'token',
      request: { account: '1', target: { kind: 'distribution', id: 'E1' }, invalidationId: 'I1' },
      startedAt: new Date(T0).toISOString(),
      ...change,
    };

    const error = errorOf(() => parseRegisterInput(input));

    expect(error.name).toBe(ErrorNames.InvalidWatcherInput);
    expect(error.message).toMatch(message);
  });

  it('refuses what is not an object at all', () => {
    const error = errorOf(() => parseRegisterInput('watch this'));
    expect(error.name).toBe(ErrorNames.InvalidWatcherInput);
    expect(error.message).toMatch(/^Register watch input: the input/);
  });
});
