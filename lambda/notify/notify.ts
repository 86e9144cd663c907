import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ErrorNames, NamedError } from '../shared/errors';
import { buildInvalidationEvent } from '../shared/invalidation-event';
import { buildNotification, type Notification, type Outcome, type WatchState } from '../shared/notification';
import type { RuntimeDestination } from '../shared/routing';
import { oneLine } from '../shared/text';
import { putInvalidationEvent } from './deliver-eventbridge';
import { publishToTopic } from './deliver-sns';
import { deliverToWebhook } from './deliver-webhook';
import { renderGoogleChat } from './render-google-chat';
import { renderSlack } from './render-slack';
import { renderTeams } from './render-teams';
import { DEFAULT_REMAINING_MS, timeBudget, type TimeBudget } from './time-budget';
import { WEBHOOK_PLATFORMS } from './webhook-platforms';

/** What each "Notify destination" task passes: which destination, and the whole watch state. */
export interface NotifyInput {
  readonly destination: string;
  readonly watch: WatchState;
}

export interface DeliveryResult {
  readonly destination: string;
  readonly type: RuntimeDestination['type'];
  readonly delivered: true;
  readonly outcome: Outcome;
}

export interface NotifyDependencies {
  /** Every destination this function may deliver to, by name (from the construct). */
  readonly destinations: Readonly<Record<string, RuntimeDestination>>;
  readonly sns: () => SNSClient;
  readonly eventBridge: () => EventBridgeClient;
  /** Reads a webhook secret's value (cached: the URL rarely changes). */
  readonly readSecret: (secretId: string) => Promise<unknown>;
}

/** Each chat platform's rendering of the one notification. */
const RENDER_FOR_WEBHOOK: Record<keyof typeof WEBHOOK_PLATFORMS, (notification: Notification) => unknown> = {
  slack: renderSlack,
  teams: renderTeams,
  'google-chat': renderGoogleChat,
};

const OUTCOMES: readonly Outcome[] = ['completed', 'still-in-progress', 'could-not-track'];

export function parseNotifyInput(event: unknown): NotifyInput {
  const input = event as Partial<NotifyInput> | null;
  const fail = (what: string): never => {
    throw new NamedError(ErrorNames.InvalidWatcherInput, `Notify input: ${what}`);
  };
  if (typeof input?.destination !== 'string' || input.destination === '') return fail('"destination" must be a destination name');
  if (!input.watch || !OUTCOMES.includes(input.watch.outcome)) return fail(`"watch.outcome" must be one of ${OUTCOMES.join(', ')}`);
  return input as NotifyInput;
}

/**
 * Renders the notification for one destination and delivers it within `budget` (the time this
 * invocation may still spend); throws a named error on failure, transient or permanent.
 */
export async function notify(
  input: NotifyInput,
  deps: NotifyDependencies,
  budget: TimeBudget = timeBudget(DEFAULT_REMAINING_MS),
): Promise<DeliveryResult> {
  const destination = Object.hasOwn(deps.destinations, input.destination) ? deps.destinations[input.destination] : undefined;
  if (!destination) {
    throw new NamedError(
      ErrorNames.InvalidWatcherInput,
      `No destination "${oneLine(input.destination, 64)}" is configured for this function (known: ${Object.keys(deps.destinations).join(', ')})`,
    );
  }
  const notification = buildNotification(input.watch);
  await deliver(destination, notification, input.watch, deps, budget);
  return { destination: input.destination, type: destination.type, delivered: true, outcome: notification.outcome };
}

function deliver(
  destination: RuntimeDestination,
  notification: Notification,
  watch: WatchState,
  deps: NotifyDependencies,
  budget: TimeBudget,
): Promise<unknown> {
  switch (destination.type) {
    case 'slack':
    case 'teams':
    case 'google-chat':
      return deliverToWebhook(
        { secretId: destination.secretId, readSecret: deps.readSecret },
        WEBHOOK_PLATFORMS[destination.type],
        RENDER_FOR_WEBHOOK[destination.type](notification),
        budget,
      );
    case 'sns':
      return publishToTopic(deps.sns(), destination.topicArn, notification, budget);
    case 'eventbridge':
      return putInvalidationEvent(deps.eventBridge(), destination.busName, buildInvalidationEvent(watch, notification), budget);
  }
}
