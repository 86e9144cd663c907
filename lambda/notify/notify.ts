import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import { buildBurstNotification, burstMemberOf, type BurstMember } from '../shared/burst-notification';
import { burstFactsOf, burstKeyFor, burstSettingsOf, joinBursts, LONE } from '../shared/bursts';
import { ErrorNames, NamedError } from '../shared/errors';
import { buildNotification, buildProgressNotification, type Notification, type Outcome, type WatchState } from '../shared/notification';
import type { RuntimeDestination } from '../shared/routing';
import type { TellStore } from '../shared/tell-store';
import { oneLine } from '../shared/text';
import { buildWatchEvent } from '../shared/watch-event';
import { putWatchEvent } from './deliver-eventbridge';
import { publishRendered, publishToTopic } from './deliver-sns';
import { deliverToWebhook } from './deliver-webhook';
import type { AnnounceInput, DeliveryInput } from './notify-input';
import { PACES } from './pacing';
import { renderGoogleChat, renderGoogleChatBurst } from './render-google-chat';
import { renderSlack, renderSlackBurst, renderSlackFailureReply } from './render-slack';
import { renderBurstSubject, renderSnsBurstMessage } from './render-sns';
import { renderTeams, renderTeamsBurst } from './render-teams';
import { slackApi, slackCodeOf, type SlackApiOptions } from './slack-api';
import { readBotToken } from './slack-token-secret';
import {
  tellAlone,
  tellInBurst,
  tellLive,
  type DigestContent,
  type LiveContent,
  type LiveSender,
  type MessageSender,
  type TellDeps,
  type TellResult,
} from './tell';
import { DEFAULT_REMAINING_MS, timeBudget, type TimeBudget } from './time-budget';
import { WEBHOOK_PLATFORMS } from './webhook-platforms';

export interface DeliveryResult {
  readonly destination: string;
  readonly type: RuntimeDestination['type'];
  readonly delivered: true;
  readonly outcome: Outcome;
  /** How it was told: alone, in a burst's digest (its number), in a live message; or refused (`failed`, never here: thrown). */
  readonly told: TellResult['told'];
  readonly digest?: number;
}

export interface NotifyDependencies {
  /** Every destination this function may deliver to, by name (from the construct). */
  readonly destinations: Readonly<Record<string, RuntimeDestination>>;
  readonly sns: () => SNSClient;
  readonly eventBridge: () => EventBridgeClient;
  readonly sfn: () => SFNClient;
  /** Reads a secret's value (cached: webhook URLs and tokens rarely change). */
  readonly readSecret: (secretId: string) => Promise<unknown>;
  /** Bursts, live messages and paces (the checker's table). */
  readonly store: TellStore;
  /** Options of the Slack Web API client (tests: its fetch). */
  readonly slackOptions?: Omit<SlackApiOptions, 'budget' | 'configuredIn'>;
  readonly now?: () => number;
  /** Told of a token another watch's message answered but Step Functions refused. */
  readonly onTokenRefused?: (error: Error) => void;
  /** Told of a Slack thread reply refused for good after its message was updated. */
  readonly onReplyRefused?: (error: Error) => void;
}

/** Each chat platform's rendering of one notification, and of a burst. */
const RENDER_FOR_WEBHOOK = {
  slack: { single: renderSlack, burst: renderSlackBurst },
  teams: { single: renderTeams, burst: renderTeamsBurst },
  'google-chat': { single: renderGoogleChat, burst: renderGoogleChatBurst },
} as const;

/** Slack errors on chat.update after which the message is posted anew: it is gone, or the app lost the channel (the new post says which). */
const SLACK_GONE = new Set(['message_not_found', 'channel_not_found', 'not_in_channel']);

/** A stored member summary, as the store keeps it (written by this function). */
function memberOf(summary: string): BurstMember {
  return JSON.parse(summary) as BurstMember;
}

/** What a burst's headline says it is "by", for a destination's `by`. */
function burstBy(destination: RuntimeDestination, watch: Omit<WatchState, 'outcome'>): string | undefined {
  const settings = burstSettingsOf(destination);
  if (!settings || settings.by === 'destination') return undefined;
  const facts = burstFactsOf({ ...(watch.request ?? watch.rejected ?? {}) });
  return settings.by === 'caller-reference-prefix' && facts.callerReference ? undefined : facts.createdBy;
}

/** What the tell logic needs of the function's dependencies. */
function tellDepsOf(deps: NotifyDependencies): TellDeps {
  return {
    store: deps.store,
    sfn: deps.sfn(),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.onTokenRefused ? { onTokenRefused: deps.onTokenRefused } : {}),
    ...(deps.onReplyRefused ? { onReplyRefused: deps.onReplyRefused } : {}),
  };
}

function lookUp(deps: NotifyDependencies, name: string): RuntimeDestination {
  const destination = Object.hasOwn(deps.destinations, name) ? deps.destinations[name] : undefined;
  if (!destination) {
    throw new NamedError(
      ErrorNames.InvalidWatcherInput,
      `No destination "${oneLine(name, 64)}" is configured for this function (known: ${Object.keys(deps.destinations).join(', ')})`,
    );
  }
  return destination;
}

/** The watch's membership in the destination's burst: joined when it started, else now (a rejected event never registers). */
async function membershipOf(
  deps: NotifyDependencies,
  name: string,
  execution: string,
  watch: Omit<WatchState, 'outcome'>,
  startedAt: string,
) {
  const known = await deps.store.membership(name, execution);
  if (known) return known;
  const nowMs = (deps.now ?? Date.now)();
  const running = JSON.stringify(burstMemberOf(watch, startedAt));
  const facts = burstFactsOf({ ...(watch.request ?? watch.rejected ?? {}) });
  return (await joinBursts(deps.store, deps.destinations, [name], { key: execution, startedAtMs: nowMs, facts, running }, nowMs))[name]!;
}

/**
 * Tells one destination how the watch ended: alone, in a burst (see tell.ts), or in a live
 * message. Returns the result once the watch is told (its task's token answered here); `undefined`
 * while it waits to be told by another watch's message (that watch's Notify answers the token).
 * Throws a named error on failure, transient or permanent.
 */
export async function notify(
  input: DeliveryInput,
  deps: NotifyDependencies,
  budget: TimeBudget = timeBudget(DEFAULT_REMAINING_MS),
): Promise<DeliveryResult | undefined> {
  const destination = lookUp(deps, input.destination);
  const notification = buildNotification(input.watch);
  const tellDeps = tellDepsOf(deps);
  const told = await tellDestination(input, destination, notification, deps, tellDeps, budget);
  if (!told) return undefined;
  const result: DeliveryResult = {
    destination: input.destination,
    type: destination.type,
    delivered: true,
    outcome: notification.outcome,
    told: told.told,
    ...(told.digest !== undefined ? { digest: told.digest } : {}),
  };
  try {
    await tellDeps.sfn.send(new SendTaskSuccessCommand({ taskToken: input.taskToken, output: JSON.stringify(result) }), {
      abortSignal: budget.signal,
    });
  } catch (error) {
    // The task came back since (its token timed out): the new attempt finds the watch told and answers.
    if (!['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'].includes((error as Error).name)) throw error;
  }
  return result;
}

async function tellDestination(
  input: DeliveryInput,
  destination: RuntimeDestination,
  notification: Notification,
  deps: NotifyDependencies,
  tellDeps: TellDeps,
  budget: TimeBudget,
): Promise<TellResult | undefined> {
  const { watch } = input;
  if (destination.type === 'eventbridge') {
    // Automation keeps one event per watch: never in a burst, no pace (PutEvents takes thousands a second).
    const sender: MessageSender = {
      single: () =>
        putWatchEvent(deps.eventBridge(), destination.busName, buildWatchEvent(watch, notification), budget).then(() => undefined),
      digest: () => Promise.reject(new Error('An event bus is never told in digests')),
    };
    return tellAlone({ destination: input.destination }, sender, tellDeps);
  }
  const settings = burstSettingsOf(destination);
  if (!settings && destination.type !== 'slack-app') {
    return tellAlone({ destination: input.destination }, messageSender(destination, notification, watch, deps, budget), tellDeps);
  }
  const membership = await membershipOf(deps, input.destination, input.execution, watch, input.startedAt);
  const facts = burstFactsOf({ ...(watch.request ?? watch.rejected ?? {}) });
  const tellWatch = {
    destination: input.destination,
    taskToken: input.taskToken,
    summary: JSON.stringify(burstMemberOf(watch, input.startedAt)),
    outcome: notification.outcome,
    membership,
    burstKey: burstKeyFor(destination, facts, input.execution),
    settings: settings ?? LONE,
  };
  if (destination.type === 'slack-app') {
    return tellLive(tellWatch, await liveSender(destination, notification, watch, deps, budget), tellDeps);
  }
  return tellInBurst(tellWatch, messageSender(destination, notification, watch, deps, budget), tellDeps);
}

/** A webhook's or a topic's sender: the watch's own message, or a digest, within the channel's pace. */
function messageSender(
  destination: Exclude<RuntimeDestination, { type: 'eventbridge' | 'slack-app' }>,
  notification: Notification,
  watch: WatchState,
  deps: NotifyDependencies,
  budget: TimeBudget,
): MessageSender {
  const digestOf = (content: DigestContent) =>
    buildBurstNotification({
      kind: 'digest',
      members: content.members.map(memberOf),
      total: content.total,
      separately: content.separately,
      digestNumber: content.number,
      final: content.final,
      ...(burstBy(destination, watch) ? { by: burstBy(destination, watch)! } : {}),
    });
  if (destination.type === 'sns') {
    return {
      single: () => publishToTopic(deps.sns(), destination.topicArn, notification, budget).then(() => undefined),
      digest: async (content) => {
        const burst = digestOf(content);
        await publishRendered(
          deps.sns(),
          destination.topicArn,
          { subject: renderBurstSubject(burst), message: renderSnsBurstMessage(burst), attributes: { outcome: 'burst' } },
          budget,
        );
      },
    };
  }
  const webhook = { secretId: destination.secretId, readSecret: deps.readSecret };
  const platform = WEBHOOK_PLATFORMS[destination.type];
  const render = RENDER_FOR_WEBHOOK[destination.type];
  return {
    pace: { key: `webhook:${destination.secretId}`, intervalMs: PACES[destination.type] },
    single: () => deliverToWebhook(webhook, platform, render.single(notification), budget),
    digest: (content) => deliverToWebhook(webhook, platform, render.burst(digestOf(content)), budget),
  };
}

/** A Slack app channel's live message: the watch's own while it is alone in its burst, else the burst's. */
async function liveSender(
  destination: Extract<RuntimeDestination, { type: 'slack-app' }>,
  notification: Notification | ReturnType<typeof buildProgressNotification>,
  watch: Omit<WatchState, 'outcome'>,
  deps: NotifyDependencies,
  budget: TimeBudget,
): Promise<LiveSender> {
  const token = await readBotToken(destination.secretId, deps.readSecret);
  const api = slackApi(token, { ...deps.slackOptions, budget, configuredIn: `the bot token in secret "${destination.secretId}"` });
  const render = (content: LiveContent) => {
    if (content.single) return renderSlack(notification);
    const members = content.members.map((member) => memberOf(member.summary));
    const by = burstBy(destination, watch);
    return renderSlackBurst(buildBurstNotification({ kind: 'live', members, total: members.length, ...(by ? { by } : {}) }));
  };
  return {
    postPace: { key: `slack-channel:${destination.channel}`, intervalMs: PACES['slack-app-post'] },
    updatePace: { key: `slack-token:${destination.secretId}`, intervalMs: PACES['slack-app-update'] },
    post: (content) => api.postMessage({ channel: destination.channel, ...render(content) }),
    update: async (ts, channel, content) => {
      await api.update({ channel, ts, ...render(content) });
    },
    reply: async (ts, channel, failures) => {
      const reply = renderSlackFailureReply(failures.map(memberOf));
      if (reply) await api.postMessage({ channel, thread_ts: ts, ...reply });
    },
    isGone: (error) => SLACK_GONE.has(slackCodeOf(error) ?? ''),
  };
}

/**
 * A watch still in progress at its first check: every destination of it that keeps a live
 * message (a Slack app's) shows it in progress. Best effort: nothing waits on it, and a message
 * that cannot be posted now is posted at the end; returns what each destination did.
 */
export async function announce(
  input: AnnounceInput['announce'],
  deps: NotifyDependencies,
  budget: TimeBudget = timeBudget(DEFAULT_REMAINING_MS),
): Promise<Record<string, string>> {
  const outcomes: Record<string, string> = {};
  const paced: string[] = [];
  const tellDeps = tellDepsOf(deps);
  const notification = buildProgressNotification(input.watch);
  for (const name of input.watch.audience?.destinations ?? []) {
    const destination = Object.hasOwn(deps.destinations, name) ? deps.destinations[name] : undefined;
    if (destination?.type !== 'slack-app') continue;
    try {
      const membership = await membershipOf(deps, name, input.execution, input.watch, input.startedAt);
      const facts = burstFactsOf({ ...(input.watch.request ?? {}) });
      const sender = await liveSender(destination, notification, input.watch, deps, budget);
      await tellLive(
        {
          destination: name,
          membership,
          burstKey: burstKeyFor(destination, facts, input.execution),
          settings: burstSettingsOf(destination) ?? LONE,
        },
        sender,
        tellDeps,
      );
      // Shown now, or by the next update of its burst's message (another watch's, or its own end).
      outcomes[name] = 'up to date';
    } catch (error) {
      outcomes[name] = `${(error as Error).name}: ${(error as Error).message}`;
      if ((error as Error).name === ErrorNames.TellLater) paced.push(name);
    }
  }
  // A channel whose pace another message took this second (a pipeline invalidating and deploying
  // at once): the watcher tries again in a second or two, so that both are announced. The other
  // destinations are up to date already: told again, their message is only edited (or left).
  if (paced.length > 0) throw new NamedError(ErrorNames.TellLater, `announcing to ${paced.join(', ')}: tried again in seconds`);
  return outcomes;
}
