import { ErrorNames, NamedError } from '../shared/errors';
import { describeAwsFault, faultLabel } from '../shared/aws-faults';

/** How a chat platform's webhook URL is kept in its secret; the wording of every message about it. */
export interface WebhookSecretFormat {
  /** The platform as people name it: "Slack", "Microsoft Teams", "Google Chat". */
  readonly label: string;
  /** What a URL of this platform looks like, for "expected ..." hints: `https://hooks.slack.com/services/...`. */
  readonly exampleUrl: string;
  /** The key holding the URL when the secret is JSON: `{"webhookUrl": "https://..."}`. */
  readonly secretJsonKey: string;
}

/**
 * A secret's text: the bare value, or the string under `jsonKey` when it is JSON. Every refusal
 * is SecretInvalid, names the secret and says what to store (`expected`), never showing the value.
 */
export function secretText(secretValue: unknown, secretId: string, jsonKey: string, expected: string): string {
  const invalid = secretRefusal(secretId);
  if (typeof secretValue !== 'string') return invalid(`holds binary data, not text: store ${expected}`);
  const text = secretValue.trim();
  if (text === '') return invalid(`is empty: store ${expected}`);
  if (!text.startsWith('{')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return invalid(`starts with "{" but is not valid JSON: store ${expected}`);
  }
  const value = (parsed as Record<string, unknown>)[jsonKey];
  if (typeof value !== 'string') return invalid(`is JSON without a "${jsonKey}" string: store ${expected}`);
  return value.trim();
}

/** Throws SecretInvalid: `Secret "<id>" <what>`. */
export function secretRefusal(secretId: string): (what: string) => never {
  return (what) => {
    throw new NamedError(ErrorNames.SecretInvalid, `Secret "${secretId}" ${what}`);
  };
}

/** A Slack token of any kind (bot, user, app-level, refresh): never a webhook URL. */
export const SLACK_TOKEN_PATTERN = /^(xox[a-z]|xapp)-/;

/**
 * Reads a webhook URL out of a secret's value: the bare URL, or JSON with the platform's key.
 * Every refusal is SecretInvalid, names the secret and says what is wrong, never showing the value.
 */
export function webhookUrlFromSecret(secretValue: unknown, secretId: string, format: WebhookSecretFormat): URL {
  const invalid = secretRefusal(secretId);
  const expected = `the bare ${format.label} webhook URL (${format.exampleUrl}) or {"${format.secretJsonKey}": "${format.exampleUrl}"}`;
  const candidate = secretText(secretValue, secretId, format.secretJsonKey, expected);
  if (SLACK_TOKEN_PATTERN.test(candidate)) {
    return invalid(
      `holds a Slack token, but this destination is a ${format.label} webhook: use type "slack-app" with a channel, or store ${expected}`,
    );
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return invalid(`does not hold a URL: store ${expected}`);
  }
  // A URL of another platform would be refused by it with a 400 that reads like our bug.
  const foreign = KNOWN_WEBHOOK_HOSTS.find((known) => known.label !== format.label && known.pattern.test(url.hostname));
  if (foreign) {
    return invalid(
      `holds ${foreign.label === RETIRED_CONNECTOR ? 'the URL of' : 'a webhook URL of'} ${foreign.label}, but this destination is ${format.label}: store ${expected}${foreign.advice ?? ''}`,
    );
  }
  if (!isHttpsOrLoopback(url)) return invalid(`holds a URL that is not https (expected ${format.exampleUrl})`);
  return url;
}

/** Plain HTTP only for loopback test servers; a real platform is always HTTPS. */
export function isHttpsOrLoopback(url: URL): boolean {
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  return url.protocol === 'https:' || (loopback && url.protocol === 'http:');
}

const RETIRED_CONNECTOR = 'a retired Office 365 connector';

/** Hosts that say which platform a webhook URL belongs to (others are let through: proxies, new hosts). */
const KNOWN_WEBHOOK_HOSTS: readonly { readonly label: string; readonly pattern: RegExp; readonly advice?: string }[] = [
  { label: 'Slack', pattern: /(^|\.)hooks\.slack(-gov)?\.com$/ },
  { label: 'Microsoft Teams', pattern: /(\.logic\.azure\.com|\.powerplatform\.com|\.powerautomate\.com)$/ },
  { label: 'Google Chat', pattern: /^chat\.googleapis\.com$/ },
  {
    label: RETIRED_CONNECTOR,
    pattern: /(^|\.)webhook\.office\.com$|(^|\.)outlook\.office\.com$/,
    advice: ' (Office 365 connectors no longer post: create a Workflows webhook, "Post to a channel when a webhook request is received")',
  },
];

/** What to check for a secret that cannot be read, by the error Secrets Manager gave. */
const PERMANENT_READ_FAULTS: Record<string, string> = {
  ResourceNotFoundException: "it does not exist: check the secret's name in the notifier's configuration, and its account and region",
  AccessDeniedException:
    "access denied: the Notify function's role needs secretsmanager:GetSecretValue on it (and kms:Decrypt on its key, if it has its own)",
  DecryptionFailure:
    "its KMS key cannot decrypt it: the Notify function's role needs kms:Decrypt on the secret's key, and the key must be enabled",
  InvalidRequestException: 'Secrets Manager refused the request: is the secret scheduled for deletion, or its current version missing?',
  InvalidParameterException: 'Secrets Manager refused the request as invalid: check the secret name or ARN in the configuration',
};

/**
 * Reads a secret's value. A fault that may pass (throttling, 5xx, no answer) is
 * SecretUnavailable, retried by the state machine; anything else is SecretInvalid, naming the
 * secret, the real error and what to check.
 */
export async function readSecretValue(secretId: string, readSecret: (secretId: string) => Promise<unknown>): Promise<unknown> {
  try {
    return await readSecret(secretId);
  } catch (error) {
    const fault = describeAwsFault(error);
    if (fault.transient) {
      throw new NamedError(
        ErrorNames.SecretUnavailable,
        `Secret "${secretId}" could not be read (${faultLabel(fault)}): a passing Secrets Manager fault, retried`,
        { cause: error },
      );
    }
    const what = PERMANENT_READ_FAULTS[fault.name] ?? 'check that it exists and that the Notify function may read it';
    throw new NamedError(ErrorNames.SecretInvalid, `Secret "${secretId}" could not be read (${faultLabel(fault)}): ${what}`, {
      cause: error,
    });
  }
}

/** Reads a webhook's secret and the URL in it (see {@link readSecretValue} for the faults). */
export async function readWebhookUrl(
  secretId: string,
  readSecret: (secretId: string) => Promise<unknown>,
  format: WebhookSecretFormat,
): Promise<URL> {
  return webhookUrlFromSecret(await readSecretValue(secretId, readSecret), secretId, format);
}
