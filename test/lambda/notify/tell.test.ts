/**
 * Telling in bursts, against a real table (dynalite) with fake senders and a fake Step
 * Functions: who sends, when, what each message reports, and which tokens it answers.
 */
import { joinBursts } from '../../../lambda/shared/bursts';
import { ErrorNames, NamedError } from '../../../lambda/shared/errors';
import type { BurstSettings, RuntimeDestination } from '../../../lambda/shared/routing';
import {
  JOIN_GRACE_MS,
  tellAlone,
  tellInBurst,
  tellLive,
  type DigestContent,
  type LiveContent,
  type LiveSender,
  type MessageSender,
  type TellWatch,
} from '../../../lambda/notify/tell';
import { burstKeyOf } from '../../../lambda/shared/bursts';
import { failureOf } from '../../support/failure-of';
import { T0, tellHarness, useTellTable } from '../../support/tell-table';

const SETTINGS: BurstSettings = { windowSeconds: 10, maxSeparate: 2, digestEverySeconds: 60, by: 'creator' };
const DESTINATIONS: Record<string, RuntimeDestination> = {
  hook: { type: 'slack', secretId: 'hook-secret', burst: SETTINGS },
  app: { type: 'slack-app', secretId: 'bot', channel: 'C0123ABCD', burst: SETTINGS },
};

const table = useTellTable();

/** A clock the test moves, and a fake Step Functions that keeps every answer. */
const harness = () => tellHarness(table.store());

function messages() {
  const singles: number[] = [];
  const digests: DigestContent[] = [];
  let failWith: Error | undefined;
  const sender: MessageSender = {
    pace: { key: 'webhook:hook-secret', intervalMs: 1000 },
    single: async () => {
      if (failWith) throw failWith;
      singles.push(1);
    },
    digest: async (content) => {
      if (failWith) throw failWith;
      digests.push(content);
    },
  };
  return { sender, singles, digests, fail: (error: Error | undefined) => (failWith = error) };
}

const creator = { createdBy: 'alice', createdByArn: 'arn:aws:iam::111111111111:user/alice' };

async function join(destination: string, index: number, startedAtMs: number, nowMs = startedAtMs) {
  const key = `exec-${index}`;
  const joined = await joinBursts(
    table.store(),
    DESTINATIONS,
    [destination],
    { key, startedAtMs, facts: creator, running: JSON.stringify({ n: index }) },
    nowMs,
  );
  return { key, membership: joined[destination]! };
}

const watchOf = (destination: string, index: number, membership: TellWatch['membership'], outcome = 'completed'): TellWatch => ({
  destination,
  taskToken: `token-${index}`,
  summary: JSON.stringify({ n: index, outcome }),
  outcome,
  membership,
  burstKey: burstKeyOf('creator', creator),
  settings: SETTINGS,
});

describe('joining bursts', () => {
  it('puts watches starting within the window of the last one in one burst, and a later one in a new burst', async () => {
    const a = await join('hook', 1, T0);
    const b = await join('hook', 2, T0 + 9_000);
    const c = await join('hook', 3, T0 + 18_000);
    const d = await join('hook', 4, T0 + 29_000);
    expect(b.membership.burstId).toBe(a.membership.burstId);
    expect(c.membership.burstId).toBe(a.membership.burstId);
    expect(d.membership.burstId).not.toBe(a.membership.burstId);
  });

  it('finds the first membership when a watch joins again (a retried task)', async () => {
    const first = await join('hook', 1, T0);
    await join('hook', 2, T0 + 60_000);
    const again = await join('hook', 1, T0 + 120_000);
    // The same burst and member; only the join that made it first says so.
    expect(again.membership).toEqual({ burstId: first.membership.burstId, memberSk: first.membership.memberSk });
    expect(first.membership.first).toBe(true);
    expect(await table.store().members(first.membership.burstId)).toHaveLength(1);
  });

  it('keeps the bursts of two creators apart', async () => {
    const a = await joinBursts(
      table.store(),
      DESTINATIONS,
      ['hook'],
      { key: 'x', startedAtMs: T0, facts: { createdBy: 'alice' }, running: '{}' },
      T0,
    );
    const b = await joinBursts(
      table.store(),
      DESTINATIONS,
      ['hook'],
      { key: 'y', startedAtMs: T0, facts: { createdBy: 'bob' }, running: '{}' },
      T0,
    );
    expect(a.hook!.burstId).not.toBe(b.hook!.burstId);
  });
});

describe('tellAlone', () => {
  it('sends within the pace: a second message on the channel in the same second is TellLater, and goes once the pace allows', async () => {
    const { deps, at } = harness();
    const { sender, singles } = messages();
    await tellAlone({ destination: 'hook' }, sender, deps);
    const error = await failureOf(() => tellAlone({ destination: 'hook' }, sender, deps));
    expect(error.name).toBe(ErrorNames.TellLater);
    at(1000);
    await tellAlone({ destination: 'hook' }, sender, deps);
    expect(singles).toHaveLength(2);
  });

  it('holds the channel for as long as the platform asks when it rate limits', async () => {
    const { deps, at } = harness();
    const { sender, fail } = messages();
    fail(Object.assign(new NamedError(ErrorNames.WebhookRateLimited, 'slow down'), { retryAfterMs: 30_000 }));
    expect((await failureOf(() => tellAlone({ destination: 'hook' }, sender, deps))).name).toBe(ErrorNames.WebhookRateLimited);
    fail(undefined);
    at(20_000);
    expect((await failureOf(() => tellAlone({ destination: 'hook' }, sender, deps))).name).toBe(ErrorNames.TellLater);
    at(30_000);
    await expect(tellAlone({ destination: 'hook' }, sender, deps)).resolves.toMatchObject({ told: 'separate' });
  });
});

describe('tellInBurst (webhooks and SNS)', () => {
  it('tells the first maxSeparate alone and the rest in one digest when the burst is over, answering each token once', async () => {
    const { deps, answers, at } = harness();
    const { sender, singles, digests } = messages();
    const members: Awaited<ReturnType<typeof join>>[] = [];
    for (let i = 0; i < 6; i++) members.push(await join('hook', i, T0 + i * 1000));
    // Every watch ends at 40 s, one a second apart, in order of start.
    const results = [];
    for (const [i, { membership }] of members.entries()) {
      at(40_000 + i * 1000 + (i === 5 ? JOIN_GRACE_MS + 10_000 : 0));
      results.push(await tellInBurst(watchOf('hook', i, membership), sender, deps));
    }
    expect(singles).toHaveLength(2);
    expect(results.slice(0, 2)).toEqual([
      { destination: 'hook', delivered: true, told: 'separate' },
      { destination: 'hook', delivered: true, told: 'separate' },
    ]);
    // The 3rd to 5th wait; the 6th, the last, finds the burst over and sends the digest of the four.
    expect(results.slice(2, 5)).toEqual([undefined, undefined, undefined]);
    expect(results[5]).toEqual({ destination: 'hook', delivered: true, told: 'digest', digest: 1 });
    expect(digests).toHaveLength(1);
    expect(digests[0]).toMatchObject({ total: 6, separately: 2, number: 1, final: true });
    expect(digests[0]!.members.map((member) => JSON.parse(member).n)).toEqual([2, 3, 4, 5]);
    // The sender's own token is its handler's to answer; the others' are answered here, once.
    expect(answers.map((answer) => answer.token).sort()).toEqual(['token-2', 'token-3', 'token-4']);
    expect(answers.map((answer) => answer.output)).toEqual(
      ['token-2', 'token-3', 'token-4'].map(() => ({
        destination: 'hook',
        delivered: true,
        told: 'digest',
        digest: 1,
        outcome: 'completed',
      })),
    );
  });

  it('sends a digest of what has ended every digestEverySeconds while the burst runs', async () => {
    const { deps, at } = harness();
    const { sender, digests } = messages();
    const members: Awaited<ReturnType<typeof join>>[] = [];
    for (let i = 0; i < 5; i++) members.push(await join('hook', i, T0));
    for (const i of [0, 1]) {
      at(i * 1000);
      await tellInBurst(watchOf('hook', i, members[i]!.membership), sender, deps);
    }
    at(30_000);
    expect(await tellInBurst(watchOf('hook', 2, members[2]!.membership), sender, deps)).toBeUndefined();
    // A minute after the first waiting end, the watch's task comes back (its token timed out): the digest goes.
    at(90_000);
    expect(await tellInBurst(watchOf('hook', 2, members[2]!.membership), sender, deps)).toMatchObject({ told: 'digest', digest: 1 });
    expect(digests[0]).toMatchObject({ total: 5, final: false });
    expect(digests[0]!.members).toHaveLength(1);
    // The rest end later: the last one's end sends the final digest with the two.
    at(100_000);
    expect(await tellInBurst(watchOf('hook', 3, members[3]!.membership), sender, deps)).toBeUndefined();
    at(160_000);
    expect(await tellInBurst(watchOf('hook', 4, members[4]!.membership), sender, deps)).toMatchObject({ told: 'digest', digest: 2 });
    expect(digests[1]).toMatchObject({ number: 2, final: true });
    expect(digests[1]!.members.map((member) => JSON.parse(member).n)).toEqual([3, 4]);
  });

  it('a retried Notify of a watch already told answers the same, and sends nothing again', async () => {
    const { deps } = harness();
    const { sender, singles } = messages();
    const { membership } = await join('hook', 0, T0);
    const first = await tellInBurst(watchOf('hook', 0, membership), sender, deps);
    const again = await tellInBurst(watchOf('hook', 0, membership), sender, deps);
    expect(again).toEqual(first);
    expect(singles).toHaveLength(1);
  });

  it('a digest refused for good ends every watch it was to report as not delivered, with the error', async () => {
    const { deps, answers, at } = harness();
    const { sender, fail } = messages();
    const members: Awaited<ReturnType<typeof join>>[] = [];
    for (let i = 0; i < 4; i++) members.push(await join('hook', i, T0));
    for (const i of [0, 1, 2]) {
      at(i * 1000);
      await tellInBurst(watchOf('hook', i, members[i]!.membership), sender, deps);
    }
    fail(new NamedError(ErrorNames.WebhookRejected, 'Slack refused the webhook (404 no_service)'));
    at(60_000);
    const error = await failureOf(() => tellInBurst(watchOf('hook', 3, members[3]!.membership), sender, deps));
    expect(error).toMatchObject({ name: ErrorNames.WebhookRejected, message: expect.stringContaining('no_service') });
    expect(answers).toEqual([{ token: 'token-2', error: ErrorNames.WebhookRejected }]);
  });
});

describe('tellLive (a Slack app)', () => {
  function live() {
    const log: string[] = [];
    let gone = false;
    const sender: LiveSender = {
      postPace: { key: 'slack-channel:C0123ABCD', intervalMs: 1000 },
      updatePace: { key: 'slack-token:bot', intervalMs: 1200 },
      post: async (content: LiveContent) => {
        log.push(`post ${content.single ? 'single' : `burst of ${content.members.length}`}`);
        return { ts: `ts-${log.length}`, channel: 'C0123ABCD' };
      },
      update: async (ts, _channel, content) => {
        if (gone) throw Object.assign(new Error('message_not_found'), { slackCode: 'message_not_found' });
        log.push(`update ${ts} ${content.members.filter((member) => member.ended).length} ended`);
      },
      reply: async (ts, _channel, failures) => {
        log.push(`reply ${ts} ${failures.length}`);
      },
      isGone: (error) => (error as { slackCode?: string }).slackCode === 'message_not_found',
    };
    return { sender, log, delete: () => (gone = true) };
  }
  const liveWatch = (index: number, membership: TellWatch['membership'], outcome?: string) => ({
    ...watchOf('app', index, membership, outcome ?? 'completed'),
    ...(outcome === undefined ? { taskToken: undefined, summary: undefined, outcome: undefined } : {}),
  });

  it('posts "in progress" at the first news, updates the same message at the end, and replies a failure in its thread', async () => {
    const { deps, at } = harness();
    const { sender, log } = live();
    const { membership } = await join('app', 0, T0);
    await tellLive(liveWatch(0, membership), sender, deps);
    at(30_000);
    await expect(tellLive(liveWatch(0, membership, 'could-not-track'), sender, deps)).resolves.toMatchObject({ told: 'live' });
    expect(log).toEqual(['post single', 'update ts-1 1 ended', 'reply ts-1 1']);
  });

  it('tells a failure whose thread reply is refused for good: the message shows it, only the notice is lost', async () => {
    const { deps } = harness();
    const { sender, log } = live();
    const refused: Error[] = [];
    const refusing: LiveSender = {
      ...sender,
      reply: async () => {
        throw new NamedError(ErrorNames.WebhookRejected, 'Slack refused chat.postMessage (restricted_action)');
      },
    };
    const { membership } = await join('app', 0, T0);
    const result = await tellLive(liveWatch(0, membership, 'could-not-track'), refusing, {
      ...deps,
      onReplyRefused: (error) => refused.push(error),
    });
    expect(result).toMatchObject({ told: 'live' });
    expect(log).toEqual(['post single']);
    expect(refused.map((error) => error.name)).toEqual([ErrorNames.WebhookRejected]);
  });

  it('posts once, no update, when the watch ended before any news', async () => {
    const { deps } = harness();
    const { sender, log } = live();
    const { membership } = await join('app', 0, T0);
    await tellLive(liveWatch(0, membership, 'completed'), sender, deps);
    expect(log).toEqual(['post single']);
  });

  it('posts a new message when the first was deleted', async () => {
    const { deps, at } = harness();
    const { sender, log, delete: remove } = live();
    const { membership } = await join('app', 0, T0);
    await tellLive(liveWatch(0, membership), sender, deps);
    remove();
    at(30_000);
    await tellLive(liveWatch(0, membership, 'completed'), sender, deps);
    expect(log).toEqual(['post single', 'post single']);
  });

  it('keeps one message for a burst, updated as its watches end, each token answered by the update that showed it', async () => {
    const { deps, answers, at } = harness();
    const { sender, log } = live();
    const members: Awaited<ReturnType<typeof join>>[] = [];
    for (let i = 0; i < 3; i++) members.push(await join('app', i, T0));
    await tellLive(liveWatch(0, members[0]!.membership), sender, deps);
    at(20_000);
    expect(await tellLive(liveWatch(0, members[0]!.membership, 'completed'), sender, deps)).toMatchObject({ told: 'live' });
    // Two end in the same second: the second finds the pace taken, tries again a moment later.
    at(30_000);
    await tellLive(liveWatch(1, members[1]!.membership, 'completed'), sender, deps);
    await tellLive(liveWatch(2, members[2]!.membership, 'still-in-progress'), sender, deps).catch((error: Error) => {
      expect(error.name).toBe(ErrorNames.TellLater);
    });
    at(32_000);
    await tellLive(liveWatch(2, members[2]!.membership, 'still-in-progress'), sender, deps);
    expect(log).toEqual(['post burst of 3', 'update ts-1 1 ended', 'update ts-1 2 ended', 'update ts-1 3 ended', 'reply ts-1 1']);
    expect(answers).toEqual([]);
  });
});
