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
 * Reads a webhook URL out of a secret's value: the bare URL, or JSON with the platform's key.
 * Every refusal is SecretInvalid, names the secret and says what is wrong, never showing the value.
 */
export function webhookUrlFromSecret(secretValue: unknown, secretId: string, format: WebhookSecretFormat): URL {
  const invalid = (what: string): never => {
    throw new NamedError(ErrorNames.SecretInvalid, `Secret "${secretId}" ${what}`);
  };
  const expected = `the bare ${format.label} webhook URL (${format.exampleUrl}) or {"${format.secretJsonKey}": "${format.exampleUrl}"}`;
  if (typeof secretValue !== 'string') return invalid(`holds binary data, not text: store ${expected}`);
  let candidate = secretValue.trim();
  if (candidate === '') return invalid(`is empty: store ${expected}`);
  if (candidate.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(candidate);
    } catch {
      return invalid(`starts with "{" but is not valid JSON: store ${expected}`);
    }
    const url = (parsed as Record<string, unknown>)[format.secretJsonKey];
    if (typeof url !== 'string') return invalid(`is JSON without a "${format.secretJsonKey}" string: store ${expected}`);
    candidate = url.trim();
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
  // Plain HTTP only for loopback test servers; a real webhook is always HTTPS.
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(loopback && url.protocol === 'http:')) {
    return invalid(`holds a URL that is not https (expected ${format.exampleUrl})`);
  }
  return url;
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
 * Reads a webhook's secret and the URL in it. A fault that may pass (throttling, 5xx, no
 * answer) is SecretUnavailable, retried by the state machine; anything else is SecretInvalid,
 * naming the secret, the real error and what to check.
 */
export async function readWebhookUrl(
  secretId: string,
  readSecret: (secretId: string) => Promise<unknown>,
  format: WebhookSecretFormat,
): Promise<URL> {
  let secretValue: unknown;
  try {
    secretValue = await readSecret(secretId);
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
  return webhookUrlFromSecret(secretValue, secretId, format);
}
