import type { SNSClient } from '@aws-sdk/client-sns';
import { ErrorNames, NamedError } from '../shared/errors';
import { buildNotification, type Outcome, type WatchState } from '../shared/notification';
import { SLACK } from './deliver-slack';
import { publishToTopic } from './deliver-sns';
import { deliverToWebhook, type WebhookDestination } from './deliver-webhook';
import { renderSlack } from './render-slack';
import { DEFAULT_REMAINING_MS, timeBudget, type TimeBudget } from './time-budget';

export const CHANNELS = ['sns', 'slack'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What each notify task of the watcher passes: which channel, and the whole watch state. */
export interface NotifyInput {
  readonly channel: Channel;
  readonly watch: WatchState;
}

export interface DeliveryResult {
  readonly channel: Channel;
  readonly delivered: true;
  readonly outcome: Outcome;
}

export interface NotifyDependencies {
  readonly sns?: { readonly client: SNSClient; readonly topicArn: string };
  readonly slack?: WebhookDestination;
}

const OUTCOMES: readonly Outcome[] = ['completed', 'still-in-progress', 'could-not-track'];

export function parseNotifyInput(event: unknown): NotifyInput {
  const input = event as Partial<NotifyInput> | null;
  const fail = (what: string): never => {
    throw new NamedError(ErrorNames.InvalidWatcherInput, `Notify input: ${what}`);
  };
  if (!CHANNELS.includes(input?.channel as Channel)) return fail(`"channel" must be one of ${CHANNELS.join(', ')}`);
  if (!input?.watch || !OUTCOMES.includes(input.watch.outcome)) return fail(`"watch.outcome" must be one of ${OUTCOMES.join(', ')}`);
  return input as NotifyInput;
}

/**
 * Renders the notification for one channel and delivers it within `budget` (the time this
 * invocation may still spend); throws a named error on failure.
 */
export async function notify(
  input: NotifyInput,
  deps: NotifyDependencies,
  budget: TimeBudget = timeBudget(DEFAULT_REMAINING_MS),
): Promise<DeliveryResult> {
  const notification = buildNotification(input.watch);
  switch (input.channel) {
    case 'sns': {
      if (!deps.sns) throw new NamedError(ErrorNames.InvalidWatcherInput, 'No SNS topic is configured for this function');
      await publishToTopic(deps.sns.client, deps.sns.topicArn, notification, budget);
      break;
    }
    case 'slack': {
      if (!deps.slack) throw new NamedError(ErrorNames.InvalidWatcherInput, 'No Slack secret is configured for this function');
      await deliverToWebhook(deps.slack, SLACK, renderSlack(notification), budget);
      break;
    }
  }
  return { channel: input.channel, delivered: true, outcome: notification.outcome };
}
