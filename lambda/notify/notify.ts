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
import type { DeliveryInput } from './notify-input';
import { WEBHOOK_PLATFORMS } from './webhook-platforms';

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

/**
 * Renders the notification for one destination and delivers it within `budget` (the time this
 * invocation may still spend); throws a named error on failure, transient or permanent.
 */
export async function notify(
  input: DeliveryInput,
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
    case 'slack-app':
      // Replaced by the tell logic of issue 14 before this branch lands.
      throw new NamedError(ErrorNames.InvalidWatcherInput, 'slack-app destinations are not delivered yet');
    case 'eventbridge':
      return putInvalidationEvent(deps.eventBridge(), destination.busName, buildInvalidationEvent(watch, notification), budget);
  }
}
