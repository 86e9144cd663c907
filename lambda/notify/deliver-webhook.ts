import type { TimeBudget } from './time-budget';
import { postWebhook, type WebhookPlatform, type WebhookPostOptions } from './webhook-post';
import { readWebhookUrl } from './webhook-secret';

/** A chat webhook destination: the secret holding its URL, and how to read it. */
export interface WebhookDestination {
  readonly secretId: string;
  /** Reads the secret's value (cached by the caller: the URL rarely changes). */
  readonly readSecret: (secretId: string) => Promise<unknown>;
  readonly postOptions?: Omit<WebhookPostOptions, 'budget' | 'configuredIn'>;
}

/**
 * Reads the destination's URL from its secret and posts the platform's rendering of the
 * message to it, within the invocation's budget. Throws the named errors of
 * {@link readWebhookUrl} and {@link postWebhook}.
 */
export async function deliverToWebhook(
  destination: WebhookDestination,
  platform: WebhookPlatform,
  body: unknown,
  budget: TimeBudget,
): Promise<void> {
  const url = await readWebhookUrl(destination.secretId, destination.readSecret, platform);
  await postWebhook(url, body, platform, {
    ...destination.postOptions,
    budget,
    configuredIn: `the webhook URL in secret "${destination.secretId}"`,
  });
}
