import { WebhookEmulator, type WebhookAnswer } from './webhook-emulator';

export type SlackAnswer = WebhookAnswer;

/** A loopback Slack incoming webhook: records what it accepts, answers what a test scripts. */
export class SlackEmulator extends WebhookEmulator<{ text: string; blocks: Record<string, unknown>[] }> {}
