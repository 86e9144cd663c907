import type { SNSClient } from '@aws-sdk/client-sns';
import { ErrorNames, NamedError } from '../shared/errors';
import { buildNotification, type Outcome, type WatchState } from '../shared/notification';
import { postToSlack, webhookUrlFromSecret, type SlackPostOptions } from './deliver-slack';
import { publishToTopic } from './deliver-sns';
import { renderSlack } from './render-slack';

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
  readonly slack?: {
    readonly secretId: string;
    readonly readSecret: (secretId: string) => Promise<unknown>;
    readonly postOptions?: SlackPostOptions;
  };
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

/** Renders the notification for one channel and delivers it; throws a named error on failure. */
export async function notify(input: NotifyInput, deps: NotifyDependencies): Promise<DeliveryResult> {
  const notification = buildNotification(input.watch);
  switch (input.channel) {
    case 'sns': {
      if (!deps.sns) throw new NamedError(ErrorNames.InvalidWatcherInput, 'No SNS topic is configured for this function');
      await publishToTopic(deps.sns.client, deps.sns.topicArn, notification);
      break;
    }
    case 'slack': {
      if (!deps.slack) throw new NamedError(ErrorNames.InvalidWatcherInput, 'No Slack secret is configured for this function');
      let secretValue: unknown;
      try {
        secretValue = await deps.slack.readSecret(deps.slack.secretId);
      } catch (error) {
        throw new NamedError(ErrorNames.SlackSecretInvalid, `Secret "${deps.slack.secretId}" could not be read: ${(error as Error).name}`, {
          cause: error,
        });
      }
      const webhook = webhookUrlFromSecret(secretValue, deps.slack.secretId);
      await postToSlack(webhook, renderSlack(notification), deps.slack.postOptions);
      break;
    }
  }
  return { channel: input.channel, delivered: true, outcome: notification.outcome };
}
