import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';

/**
 * Attempts the SDK makes per call (its standard mode's default, written down so the local
 * tests can fault a whole call). Its in-process retries absorb blips of a few hundred ms;
 * anything longer becomes a transient named error and waits in the state machine, for free.
 */
export const AWS_CLIENT_MAX_ATTEMPTS = 3;

/**
 * Every call ends well inside the function's 30 s timeout: a connection that does not open
 * in 2 s, or an answer that stalls for 3 s, counts as no answer (and is retried), so three
 * attempts stay under 20 s even when a service hangs.
 */
const requestHandler = { connectionTimeout: 2_000, requestTimeout: 3_000 };

export function createSnsClient(): SNSClient {
  return new SNSClient({ maxAttempts: AWS_CLIENT_MAX_ATTEMPTS, requestHandler });
}

export function createEventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient({ maxAttempts: AWS_CLIENT_MAX_ATTEMPTS, requestHandler });
}

/** Answers the watcher's Notify tasks (their task tokens). */
export function createSfnClient(): SFNClient {
  return new SFNClient({ maxAttempts: AWS_CLIENT_MAX_ATTEMPTS, requestHandler });
}

/**
 * Reads secrets through Powertools, cached for `maxAgeSeconds` (a webhook URL rarely changes;
 * a rotated one is picked up within that time). Failures are not cached.
 */
export function createSecretReader(maxAgeSeconds = 300): (secretId: string) => Promise<unknown> {
  const provider = new SecretsProvider({ clientConfig: { maxAttempts: AWS_CLIENT_MAX_ATTEMPTS, requestHandler } });
  return (secretId) => provider.get(secretId, { maxAge: maxAgeSeconds });
}
