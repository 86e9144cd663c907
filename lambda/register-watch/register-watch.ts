import * as v from 'valibot';
import { describeIssues } from '../shared/schema-issues';
import { ErrorNames, NamedError } from '../shared/errors';
import { CheckedRequestSchema } from '../shared/invalidation-status';
import type { PollSchedule } from '../shared/schedule';
import { wakeChecker, type TickQueue } from '../shared/checker-clock';
import { watchedWorkOf, type WatchItem, type WatchStore } from '../shared/watch-store';
import { burstFactsOf, hasLiveMessage, joinBursts } from '../shared/bursts';
import type { RuntimeDestination } from '../shared/routing';
import type { TellStore } from '../shared/tell-store';
import { burstMemberOf } from '../shared/burst-notification';
import type { WatchRequest } from '../shared/watch-request';
import { AudienceSchema } from '../shared/watcher-input';

const nonEmpty = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
const isoTime = v.pipe(
  v.string(),
  v.check((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 time'),
);

/**
 * What "Watch until completed" sends Register watch (`lambda:invoke.waitForTaskToken`): the
 * task's token, the fields of the watch request a check reads (Start watch wrote and checked
 * the whole request), and the watch's start (`$$.Execution.StartTime`).
 */
export const RegisterInputSchema = v.object({
  taskToken: nonEmpty,
  request: CheckedRequestSchema,
  startedAt: isoTime,
  /** The execution's name: the watch's identity in its destinations' bursts. */
  execution: nonEmpty,
  /** Who hears about it (Start watch's decision): the destinations it joins a burst of. */
  audience: AudienceSchema,
});
export type RegisterInput = v.InferOutput<typeof RegisterInputSchema>;

export function parseRegisterInput(event: unknown): RegisterInput {
  const parsed = v.safeParse(RegisterInputSchema, event);
  if (parsed.success) return parsed.output;
  throw new NamedError(ErrorNames.InvalidWatcherInput, `Register watch input: ${describeIssues(parsed.issues)}`);
}

export interface Registered {
  readonly watch: WatchItem;
  /** This registration started the checker's clock (it was idle or its chain had died). */
  readonly wokeChecker: boolean;
}

/**
 * Hands the watch to the account's checker: writes it (and its token) to the table of watches
 * in flight, and starts the checker's clock if it is not running. The watcher then waits on
 * the token, at no cost, until the checker answers. Registering the same invalidation again
 * (the task retried) replaces the token, so the answer goes to the task that is waiting.
 */
export interface Telling {
  readonly store: TellStore;
  readonly destinations: Readonly<Record<string, RuntimeDestination>>;
}

export async function registerWatch(
  input: RegisterInput,
  schedule: PollSchedule,
  store: WatchStore,
  queue: TickQueue,
  telling: Telling,
  nowMs: number = Date.now(),
): Promise<Registered> {
  const { request } = input;
  const startedAtMs = Date.parse(input.startedAt);
  // Before the checker can see the watch: a burst knows its members before any of them ends.
  const names = input.audience.destinations;
  const joined = await joinBursts(
    telling.store,
    telling.destinations,
    names,
    {
      key: input.execution,
      startedAtMs,
      facts: burstFactsOf(request),
      running: JSON.stringify(
        burstMemberOf(
          { request: request as unknown as WatchRequest /* the whole request passes through the loose schema */, audience: input.audience },
          input.startedAt,
        ),
      ),
    },
    nowMs,
  );
  const watch: WatchItem = {
    ...watchedWorkOf(request),
    startedAtMs,
    deadlineAtMs: startedAtMs + schedule.maxWaitSeconds * 1000,
    registeredAtMs: nowMs,
    // The first of a burst with a live message, registered for the first time: the checker answers
    // at its first check, to announce the burst. Its later members are shown by the same message
    // (as running, then as they end), without a check spent and a registration each.
    ...(names.some((name) => joined[name]?.first && hasLiveMessage(telling.destinations[name]!)) ? { announce: true } : {}),
  };
  await store.register(watch, input.taskToken);
  const wokeChecker = await wakeChecker(store, queue, nowMs);
  return { watch, wokeChecker };
}
