import { readSecretValue, secretRefusal, secretText, SLACK_TOKEN_PATTERN } from './webhook-secret';

/** The key holding the token when the secret is JSON: `{"botToken": "xoxb-..."}`. */
export const BOT_TOKEN_JSON_KEY = 'botToken';

const EXPECTED = `the Slack app's bot token, bare (xoxb-...) or as {"${BOT_TOKEN_JSON_KEY}": "xoxb-..."}`;

/** What a bot token is made of: `xoxb-` then digits, letters and dashes (no spaces, no quotes). */
const BOT_TOKEN = /^xoxb-[A-Za-z0-9-]+$/;

/**
 * Reads a Slack app's bot token out of a secret's value: the bare token, or JSON with
 * `botToken`. Every refusal is SecretInvalid, names the secret and says what is wrong and what
 * to store, never showing the value.
 */
export function botTokenFromSecret(secretValue: unknown, secretId: string): string {
  const invalid = secretRefusal(secretId);
  const token = secretText(secretValue, secretId, BOT_TOKEN_JSON_KEY, EXPECTED);
  if (BOT_TOKEN.test(token)) return token;
  if (/^https?:\/\//i.test(token)) {
    return invalid(
      `holds a webhook URL, but this destination is a Slack app, which needs a bot token (xoxb-...): use type "slack" for a webhook, or store the app's bot token`,
    );
  }
  if (token.startsWith('xoxp-')) return invalid(`holds a user token (xoxp-...): use the app's bot token xoxb-... (OAuth & Permissions)`);
  if (token.startsWith('xapp-')) {
    return invalid(
      `holds an app-level token (xapp-...), which cannot post messages: use the app's bot token xoxb-... (OAuth & Permissions)`,
    );
  }
  if (token.startsWith('xoxb-')) return invalid(`holds a bot token with characters a token never has (spaces, quotes?): store ${EXPECTED}`);
  if (SLACK_TOKEN_PATTERN.test(token)) return invalid(`holds a Slack token that is not a bot token: store ${EXPECTED}`);
  return invalid(`does not hold a Slack bot token: store ${EXPECTED}`);
}

/** Reads a Slack app's secret and the bot token in it (faults as for a webhook's secret: {@link readSecretValue}). */
export async function readBotToken(secretId: string, readSecret: (secretId: string) => Promise<unknown>): Promise<string> {
  return botTokenFromSecret(await readSecretValue(secretId, readSecret), secretId);
}
