/**
 * Telling one destination how a watch ended, among every other watch telling it: the logic of
 * issue 14, over the store (lambda/shared/tell-store.ts) and each destination's senders
 * (notify.ts wires the renderers and the platforms in). Three ways a watch is told:
 * - **alone** (no bursts, the first `maxSeparate` of a burst, an event): sent now, within the
 *   channel's pace;
 * - **in a digest** (the rest of a burst, webhooks and SNS): its end is recorded with the task's
 *   token; whichever Notify finds a digest due (the burst over, or `digestEverySeconds` since the
 *   last) sends it and answers the token of every watch it reported;
 * - **in a live message** (a Slack app): one message per burst, posted at the first news and
 *   updated as watches end, failures replied in its thread; the update that shows a watch's end
 *   answers its token.
 * One sender at a time per burst (a lease on its head); a watch is marked told once (conditional),
 * so it is reported exactly once per destination. A send that would go past the channel's pace
 * throws TellLater: the state machine tries again in seconds. What returns `undefined` leaves the
 * task waiting on its token (answered by another's send, or coming back when it times out).
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import { ErrorNames, NamedError } from '../shared/errors';
import type { BurstSettings } from '../shared/routing';
import type { MemberItem, Membership, TellStore, Told } from '../shared/tell-store';

/** A channel's pace: the key of its slot in the store and the least time between two messages. */
export interface Pace {
  readonly key: string;
  readonly intervalMs: number;
}

/** What a digest reports: the members (their stored summaries), and where it stands in its burst. */
export interface DigestContent {
  /** The stored summaries (JSON of BurstMember) of exactly the members this digest reports. */
  readonly members: readonly string[];
  /** Members of the burst so far. */
  readonly total: number;
  /** Members told on their own before. */
  readonly separately: number;
  readonly number: number;
  /** The burst is over: this is its last digest. */
  readonly final: boolean;
}

/** A destination that takes one message per send (webhooks, SNS). */
export interface MessageSender {
  readonly pace?: Pace;
  /** The watch's own message. */
  single(): Promise<void>;
  digest(content: DigestContent): Promise<void>;
}

/** What a live message shows: every member, ended (their summaries) or running. */
export interface LiveContent {
  /** In order of start: the stored summary of each member, ended or still running. */
  readonly members: readonly { readonly summary: string; readonly ended: boolean }[];
  /** Set when the burst has exactly this one member: its own single message is shown instead. */
  readonly single: boolean;
}

/** A Slack app channel: a message posted once, then updated; replies in its thread. */
export interface LiveSender {
  readonly postPace: Pace;
  readonly updatePace: Pace;
  post(content: LiveContent): Promise<{ ts: string; channel: string }>;
  update(ts: string, channel: string, content: LiveContent): Promise<void>;
  /** Replies in the message's thread, listing these failures (stored summaries). */
  reply(ts: string, channel: string, failures: readonly string[]): Promise<void>;
  /** Whether an error of `update` means the message is gone (deleted, the channel gone): then a new one is posted. */
  isGone(error: unknown): boolean;
}

export interface TellResult {
  readonly destination: string;
  readonly delivered: true;
  readonly told: Told['kind'];
  readonly digest?: number;
}

export interface TellDeps {
  readonly store: TellStore;
  readonly sfn: SFNClient;
  readonly now?: () => number;
  /** Told of a thread reply refused for good after the message was brought up to date (the outcomes are shown; the notice is lost). */
  readonly onReplyRefused?: (error: Error) => void;
  /** Told of a token another watch's message answered but Step Functions refused (the task came back since, or ended). */
  readonly onTokenRefused?: (error: Error) => void;
}

/** A watch's place among the destination's watches. */
export interface TellWatch {
  readonly destination: string;
  readonly taskToken: string;
  /** How it ended, as stored for digests and live messages (JSON of BurstMember). */
  readonly summary: string;
  readonly outcome: string;
  readonly membership: Membership;
  /** What makes its burst (to tell whether the burst may still grow). */
  readonly burstKey: string;
  readonly settings: BurstSettings;
}

/** After its window, how long a burst waits for members whose start was slow to be registered. */
export const JOIN_GRACE_MS = 10_000;
/** A sender's lease: longer than Notify's timeout, so a sender that died never blocks its burst for long. */
export const LEASE_MS = 45_000;
/** How many members' tokens are answered at once. */
const ANSWER_CONCURRENCY = 10;

const tellLater = (what: string) => new NamedError(ErrorNames.TellLater, `${what}: tried again in seconds`);

const resultOf = (destination: string, told: Told): TellResult => ({
  destination,
  delivered: true,
  told: told.kind,
  ...(told.kind === 'digest' ? { digest: told.number } : {}),
});

/** A member already told: its result, or its failure thrown (the message that was to tell it was refused). */
function alreadyTold(destination: string, told: Told): TellResult {
  if (told.kind === 'failed') throw new NamedError(told.error as never, told.cause);
  return resultOf(destination, told);
}

/**
 * The longest a rate limit holds a channel, whatever its Retry-After says: about as long as the
 * state machine retries a rate-limited send (30 + 60 + 120 + 240 + 300 s). A longer hold (a
 * proxy's or a misbehaving endpoint's Retry-After of days) would end every watch told there
 * "not delivered" (TellLater spent) until the hold's item expired, days later.
 */
export const MAX_RATE_LIMIT_HOLD_MS = 12.5 * 60_000;

/** Rate limited by the platform: nobody sends on the channel until it said (at most MAX_RATE_LIMIT_HOLD_MS). */
async function holdOnRateLimit(store: TellStore, pace: Pace | undefined, error: unknown, nowMs: number): Promise<void> {
  if (!pace || (error as Error).name !== ErrorNames.WebhookRateLimited) return;
  const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
  const holdMs = typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) ? Math.max(0, retryAfterMs) : 30_000;
  await store.holdPace(pace.key, nowMs + Math.min(holdMs, MAX_RATE_LIMIT_HOLD_MS), nowMs);
}

/** Transient errors leave the members waiting; anything else ends them (their messages cannot go out as configured). */
function permanent(error: unknown): boolean {
  const name = (error as Error).name;
  return [ErrorNames.WebhookRejected, ErrorNames.WebhookPayloadRejected, ErrorNames.SecretInvalid, ErrorNames.TopicRejected].includes(
    name as never,
  );
}

/**
 * Answers the tokens of the members a message told (theirs: this watch's own is answered by
 * its handler): each once; a refusal is reported, never thrown (the member comes back when its
 * task times out, finds itself told and ends).
 */
async function answer(deps: TellDeps, members: readonly MemberItem[], destination: string, told: Told, own: string): Promise<void> {
  const queue = members.filter((member) => member.taskToken && member.taskToken !== own);
  const work = async () => {
    for (let member = queue.shift(); member; member = queue.shift()) {
      try {
        if (told.kind === 'failed') {
          await deps.sfn.send(
            new SendTaskFailureCommand({ taskToken: member.taskToken, error: told.error, cause: told.cause.slice(0, 32_000) }),
          );
        } else {
          await deps.sfn.send(
            new SendTaskSuccessCommand({
              taskToken: member.taskToken,
              // What its own Notify would have answered: how it ended is the member's.
              output: JSON.stringify({ ...resultOf(destination, told), ...(member.outcome ? { outcome: member.outcome } : {}) }),
            }),
          );
        }
      } catch (error) {
        deps.onTokenRefused?.(error as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: ANSWER_CONCURRENCY }, work));
}

/** A watch told alone: sent now if the channel's pace allows (else TellLater), marked told once. */
export async function tellAlone(
  watch: Pick<TellWatch, 'destination'>,
  sender: MessageSender,
  deps: TellDeps,
  member?: { membership: Membership; item: MemberItem },
): Promise<TellResult> {
  const now = deps.now ?? Date.now;
  if (member?.item.told) return alreadyTold(watch.destination, member.item.told);
  if (sender.pace && !(await deps.store.takePace(sender.pace.key, sender.pace.intervalMs, now()))) {
    throw tellLater(
      `Another message is being sent to destination "${watch.destination}" now (its pace: one per ${sender.pace.intervalMs} ms)`,
    );
  }
  try {
    await sender.single();
  } catch (error) {
    await holdOnRateLimit(deps.store, sender.pace, error, now());
    throw error;
  }
  const told: Told = { kind: 'separate', atMs: now() };
  if (member) await deps.store.markTold(member.membership.burstId, member.item.sk, told);
  return resultOf(watch.destination, told);
}

/**
 * A watch of a burst told by a webhook or SNS: alone when it is among the burst's first
 * `maxSeparate`, else in a digest. `undefined`: it waits for a digest.
 */
export async function tellInBurst(watch: TellWatch, sender: MessageSender, deps: TellDeps): Promise<TellResult | undefined> {
  const now = deps.now ?? Date.now;
  const item = await deps.store.recordEnd(watch.membership, { summary: watch.summary, outcome: watch.outcome }, watch.taskToken, now());
  if (item.told) return alreadyTold(watch.destination, item.told);
  const first = watch.settings.maxSeparate > 0 ? await deps.store.members(watch.membership.burstId, watch.settings.maxSeparate) : [];
  // Among the first few (or taken for that before): told alone, unless a digest has taken it meanwhile.
  const alone = item.claim === 'separate' || (item.claim === undefined && first.some((member) => member.sk === item.sk));
  if (alone && (await deps.store.claim(watch.membership.burstId, item.sk, 'separate'))) {
    return tellAlone(watch, sender, deps, { membership: watch.membership, item });
  }
  await deps.store.notePending(watch.membership.burstId, item.endedAtMs ?? now());
  return sendDigestIfDue(watch, sender, deps);
}

async function sendDigestIfDue(watch: TellWatch, sender: MessageSender, deps: TellDeps): Promise<TellResult | undefined> {
  const now = deps.now ?? Date.now;
  const { store } = deps;
  const { burstId } = watch.membership;
  const state = async () => {
    const members = await store.members(burstId);
    const first = new Set(members.slice(0, watch.settings.maxSeparate).map((member) => member.sk));
    // Ended and untold, and not for telling alone: taken for a digest before, or not among the first few.
    const pending = members.filter(
      (member) =>
        member.ended !== undefined && !member.told && member.claim !== 'separate' && (member.claim === 'digest' || !first.has(member.sk)),
    );
    const running = members.some((member) => member.ended === undefined);
    const open = await store.stillOpen(
      watch.destination,
      watch.burstKey,
      burstId,
      now(),
      watch.settings.windowSeconds * 1000 + JOIN_GRACE_MS,
    );
    const separately = members.filter((member) => member.claim === 'separate').length;
    return { members, pending, over: !running && !open, separately };
  };
  // Whether a digest is due, from the burst's head alone: reading every member is for the sender.
  const head = await store.head(burstId);
  const ended = (head?.ended ?? 0) >= (head?.members ?? 0);
  const over =
    ended &&
    !(await store.stillOpen(watch.destination, watch.burstKey, burstId, now(), watch.settings.windowSeconds * 1000 + JOIN_GRACE_MS));
  const since = Math.max(head?.lastDigestAtMs ?? 0, head?.firstPendingAtMs ?? now());
  if (!over && now() - since < watch.settings.digestEverySeconds * 1000) return undefined;
  const owner = randomUUID();
  // Another sender has the burst: its digest reports this watch, or the next one will.
  if (!(await store.lease(burstId, owner, now(), now() + LEASE_MS))) return undefined;
  let released = false;
  try {
    // Read under the lease: what is reported is what no other digest has, and what no member
    // telling itself alone has taken (each taken for this digest first).
    const read = await state();
    const taken = await Promise.all(read.pending.map((member) => store.claim(burstId, member.sk, 'digest')));
    const current = { ...read, pending: read.pending.filter((_, index) => taken[index]) };
    // Already told by another sender, this watch still sends what is due of the others.
    const mine = current.members.find((member) => member.sk === watch.membership.memberSk);
    const toldBefore = () => (mine?.told ? alreadyTold(watch.destination, mine.told) : undefined);
    if (current.pending.length === 0) return toldBefore();
    if (sender.pace && !(await store.takePace(sender.pace.key, sender.pace.intervalMs, now()))) {
      throw tellLater(`A digest for destination "${watch.destination}" is due, but another message is being sent there now`);
    }
    // The head as the last sender left it: another digest may have gone since it was read above.
    const number = ((await store.head(burstId))?.digests ?? 0) + 1;
    const content: DigestContent = {
      members: current.pending.map((member) => member.ended!),
      total: current.members.length,
      separately: current.separately,
      number,
      final: current.over,
    };
    let told: Told;
    try {
      await sender.digest(content);
      told = { kind: 'digest', number, atMs: now() };
    } catch (error) {
      await holdOnRateLimit(store, sender.pace, error, now());
      if (!permanent(error)) throw error;
      told = { kind: 'failed', error: (error as Error).name, cause: (error as Error).message, atMs: now() };
    }
    const marked = await Promise.all(current.pending.map((member) => store.markTold(burstId, member.sk, told)));
    await store.release(burstId, owner, told.kind === 'digest' ? { digests: number, lastDigestAtMs: now() } : {});
    released = true;
    await answer(
      deps,
      current.pending.filter((_, index) => marked[index]),
      watch.destination,
      told,
      watch.taskToken,
    );
    return current.pending.some((member) => member.sk === watch.membership.memberSk) ? alreadyTold(watch.destination, told) : toldBefore();
  } finally {
    if (!released) await store.release(burstId, owner);
  }
}

/**
 * A watch told in a Slack app's live message (its burst's): the message brought up to date with
 * every member's state. `undefined`: it waits (another sender shows it). Without a summary it
 * announces the watch, still in progress at its first check: best effort, nothing waits on it,
 * but a first post the channel's pace holds back throws TellLater, for the watcher to try again.
 */
export async function tellLive(
  watch: Omit<TellWatch, 'taskToken' | 'summary' | 'outcome'> & {
    readonly taskToken?: string;
    readonly summary?: string;
    readonly outcome?: string;
  },
  sender: LiveSender,
  deps: TellDeps,
): Promise<TellResult | undefined> {
  const now = deps.now ?? Date.now;
  const { store } = deps;
  const { burstId, memberSk } = watch.membership;
  if (watch.summary !== undefined) {
    const item = await store.recordEnd(
      watch.membership,
      { summary: watch.summary, outcome: watch.outcome ?? 'completed' },
      watch.taskToken,
      now(),
    );
    if (item.told) return alreadyTold(watch.destination, item.told);
  }
  const owner = randomUUID();
  if (!(await store.lease(burstId, owner, now(), now() + LEASE_MS))) {
    // Another sender is updating the message now: if it read this end too late, the next try shows it.
    if (watch.summary === undefined) return undefined;
    throw tellLater(`The live message of destination "${watch.destination}" is being updated now`);
  }
  let released = false;
  // The live message, as the head has it, then as this sender posts it.
  let ts: string | undefined;
  let channel: string | undefined;
  try {
    const head = await store.head(burstId);
    ({ ts, channel } = head ?? {});
    const members = await store.members(burstId);
    const ended = members.filter((member) => member.ended !== undefined && !member.told);
    if (head?.ts && ended.length === 0 && watch.summary === undefined && members.length > 1) {
      // Nothing ended since the message was last brought up to date; news of a start alone waits for the next update.
      return undefined;
    }
    const content: LiveContent = {
      members: members.map((member) => ({ summary: member.ended ?? member.running ?? '{}', ended: member.ended !== undefined })),
      single: members.length === 1 && members[0]!.sk === memberSk,
    };
    const pace = ts ? sender.updatePace : sender.postPace;
    if (!(await store.takePace(pace.key, pace.intervalMs, now()))) {
      // An announcement of a burst whose message is not posted yet is tried again in seconds (the
      // watcher retries it): else another burst's post in the same second (a pipeline invalidating
      // and deploying at once) would leave it without its "in progress" message until it ends.
      if (watch.summary === undefined && ts) return undefined;
      throw tellLater(`Destination "${watch.destination}" has had a message a moment ago (its pace: one per ${pace.intervalMs} ms)`);
    }
    let told: Told = { kind: 'live', atMs: now() };
    try {
      if (ts && channel) {
        try {
          await sender.update(ts, channel, content);
        } catch (error) {
          if (!sender.isGone(error)) throw error;
          // The message is gone: the outcome goes in a new one, never lost.
          ({ ts, channel } = await sender.post(content));
        }
      } else {
        ({ ts, channel } = await sender.post(content));
      }
      const failures = ended.filter((member) => !member.replied && member.outcome !== 'completed');
      if (failures.length > 0) {
        try {
          await sender.reply(
            ts,
            channel,
            failures.map((member) => member.ended!),
          );
        } catch (error) {
          // The message itself shows them: a reply refused for good loses the channel's notice,
          // not the outcome, so they are told; anything passing is tried again (the lease keeps the ts).
          if (!permanent(error)) throw error;
          deps.onReplyRefused?.(error as Error);
        }
        await Promise.all(failures.map((member) => store.markReplied(burstId, member.sk)));
      }
    } catch (error) {
      await holdOnRateLimit(store, pace, error, now());
      if (!permanent(error) || ended.length === 0) throw error;
      told = { kind: 'failed', error: (error as Error).name, cause: (error as Error).message, atMs: now() };
    }
    const marked = await Promise.all(ended.map((member) => store.markTold(burstId, member.sk, told)));
    await store.release(burstId, owner, { ts, channel });
    released = true;
    await answer(
      deps,
      ended.filter((_, index) => marked[index]),
      watch.destination,
      told,
      watch.taskToken ?? '',
    );
    if (watch.summary === undefined) return undefined;
    return ended.some((member) => member.sk === memberSk) ? alreadyTold(watch.destination, told) : undefined;
  } finally {
    // A message posted is kept whatever failed after it (its thread reply): the next try updates it, never posts a second.
    if (!released) await store.release(burstId, owner, { ts, channel });
  }
}
