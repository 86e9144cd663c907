import { DecryptionFailure, InternalServiceError, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { SLACK } from '../../../lambda/notify/deliver-slack';
import { GOOGLE_CHAT, TEAMS } from '../../../lambda/notify/webhook-platforms';
import { readWebhookUrl, webhookUrlFromSecret } from '../../../lambda/notify/webhook-secret';
import { errorOf, failureOf } from '../../support/failure-of';

const SECRET_ID = 'cloudfront-notifier/slack-webhook';

/** An AWS SDK service error as the SDK raises it: a name, an HTTP status, no answer for network faults. */
const awsError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`Emulated ${name}`), { name, $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });

/** What Powertools' getSecret throws: its own error, with the SDK's as the cause. */
const wrappedByPowertools = (cause: Error) => Object.assign(new Error(cause.message, { cause }), { name: 'GetParameterError' });

describe('webhookUrlFromSecret', () => {
  it('accepts the bare webhook URL', () => {
    // Act
    const url = webhookUrlFromSecret('  https://hooks.slack.com/services/T0/B0/abc  ', SECRET_ID, SLACK);

    // Assert
    expect(url.href).toBe('https://hooks.slack.com/services/T0/B0/abc');
  });

  it('accepts JSON with the platform key', () => {
    // Act
    const url = webhookUrlFromSecret('{"webhookUrl": "https://hooks.slack.com/services/T0/B0/abc"}', SECRET_ID, SLACK);

    // Assert
    expect(url.href).toBe('https://hooks.slack.com/services/T0/B0/abc');
  });

  it('accepts plain HTTP on loopback, for the local emulator', () => {
    // Act
    const url = webhookUrlFromSecret('http://127.0.0.1:8080/services/T000/B000/local', SECRET_ID, SLACK);

    // Assert
    expect(url.protocol).toBe('http:');
  });

  it.each<[string, unknown, RegExp]>([
    ['an empty secret', '   ', /is empty/],
    ['a binary secret', new Uint8Array([1, 2, 3]), /not text|binary/],
    ['JSON with another key', '{"url": "https://hooks.slack.com/services/T0/B0/sekr1t-json"}', /JSON without a "webhookUrl" string/],
    ['JSON whose key is not a string', '{"webhookUrl": 42}', /JSON without a "webhookUrl" string/],
    ['JSON that is not an object', '{"sekr1t"}', /not valid JSON/],
    ['text starting with { that is not JSON', '{sekr1t-not-json', /not valid JSON/],
    ['text that is not a URL', 'sekr1t-not-a-url', /does not hold a URL.*https:\/\/hooks\.slack\.com\/services\//],
    ['an http URL that is not loopback', 'http://hooks.slack.com/services/T0/B0/sekr1t-http', /not https/],
    ['a URL of another scheme', 'ftp://hooks.slack.com/services/T0/B0/sekr1t-ftp', /not https/],
  ])('rejects %s with SecretInvalid saying what is wrong, naming the secret, never showing its value', (_name, secretValue, what) => {
    // Act
    let error: Error | undefined;
    try {
      webhookUrlFromSecret(secretValue, SECRET_ID, SLACK);
    } catch (caught) {
      error = caught as Error;
    }

    // Assert
    expect(error?.name).toBe('SecretInvalid');
    expect(error?.message).toContain(`"${SECRET_ID}"`);
    expect(error?.message).toMatch(what);
    expect(error?.message).not.toContain('sekr1t');
  });

  it('says which key is missing, not that the JSON is invalid (the case reported)', () => {
    // Act
    const error = (() => {
      try {
        webhookUrlFromSecret('{"url": "https://hooks.slack.com/services/T0/B0/abc"}', SECRET_ID, SLACK);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a SecretInvalid');
    })();

    // Assert
    expect(error.message).not.toMatch(/not valid JSON/);
    expect(error.message).toContain('"webhookUrl"');
  });
});

describe('webhookUrlFromSecret: a URL of another platform', () => {
  it.each([
    [
      'a Slack URL for Teams',
      'https://hooks.slack.com/services/T0/B0/sekr1t',
      TEAMS,
      /a webhook URL of Slack, but this destination is Microsoft Teams/,
    ],
    [
      'a Google Chat URL for Slack',
      'https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=sekr1t',
      SLACK,
      /of Google Chat, but this destination is Slack/,
    ],
    [
      'a Teams URL for Google Chat',
      'https://prod-01.westus.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=sekr1t',
      GOOGLE_CHAT,
      /of Microsoft Teams, but this destination is Google Chat/,
    ],
    [
      'a retired Office 365 connector for Teams',
      'https://acme.webhook.office.com/webhookb2/sekr1t',
      TEAMS,
      /retired Office 365 connector[^]*Workflows webhook/,
    ],
  ])('refuses %s, saying which platform it is, never the URL', (_, value, platform, message) => {
    const error = (() => {
      try {
        webhookUrlFromSecret(value, SECRET_ID, platform);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('accepted');
    })();
    expect(error.name).toBe('SecretInvalid');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('sekr1t');
  });

  it('accepts each platform its own URL', () => {
    expect(webhookUrlFromSecret('https://prod-01.westus.logic.azure.com/workflows/x', SECRET_ID, TEAMS).hostname).toBe(
      'prod-01.westus.logic.azure.com',
    );
    expect(webhookUrlFromSecret('https://chat.googleapis.com/v1/spaces/A/messages', SECRET_ID, GOOGLE_CHAT).hostname).toBe(
      'chat.googleapis.com',
    );
  });
});

describe('webhookUrlFromSecret: a Slack token where a webhook URL belongs', () => {
  it.each([
    ['a bot token', 'xoxb-1111-2222-sekr1t', SLACK],
    ['a user token', 'xoxp-1111-2222-sekr1t', SLACK],
    ['a bot token in the JSON key', '{"webhookUrl": "xoxb-1111-2222-sekr1t"}', SLACK],
    ['an app-level token, for Teams', 'xapp-1-A111-sekr1t', TEAMS],
  ])('refuses %s, pointing at the slack-app type, never showing the token', (_, value, platform) => {
    // Act
    const error = errorOf(() => webhookUrlFromSecret(value, SECRET_ID, platform));

    // Assert
    expect(error.name).toBe('SecretInvalid');
    expect(error.message).toContain(`"${SECRET_ID}"`);
    expect(error.message).toContain(`holds a Slack token, but this destination is a ${platform.label} webhook`);
    expect(error.message).toContain('use type "slack-app" with a channel, or store');
    expect(error.message).not.toContain('sekr1t');
  });
});

describe('readWebhookUrl: faults reading the secret', () => {
  it.each<[string, Error]>([
    ['InternalServiceError (500)', new InternalServiceError({ message: 'Internal error', $metadata: { httpStatusCode: 500 } })],
    ['ThrottlingException', awsError('ThrottlingException', 400)],
    ['a 503 of any name', awsError('ServiceUnavailable', 503)],
    ['a 429 of any name', awsError('TooManyRequestsException', 429)],
    ['no answer (TimeoutError)', awsError('TimeoutError')],
    ['a socket reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an error the SDK marks retryable', awsError('SomethingNew', 400, { $retryable: {} })],
    ['a 500 wrapped by Powertools', wrappedByPowertools(awsError('InternalServiceError', 500))],
  ])('%s is transient: SecretUnavailable naming the secret and the real error', async (_name, failure) => {
    // Prepare
    const readSecret = jest.fn(async () => Promise.reject(failure));

    // Act
    const error = await failureOf(() => readWebhookUrl(SECRET_ID, readSecret, SLACK));

    // Assert
    expect(error.name).toBe('SecretUnavailable');
    expect(error.message).toContain(`"${SECRET_ID}"`);
    const real = failure.name === 'GetParameterError' ? (failure.cause as Error).name : failure.name;
    expect(error.message).toContain(real === 'Error' ? 'ECONNRESET' : real);
    expect(readSecret).toHaveBeenCalledWith(SECRET_ID);
  });

  it.each<[string, Error, RegExp]>([
    [
      'ResourceNotFoundException',
      new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: { httpStatusCode: 400 } }),
      /does not exist/,
    ],
    ['AccessDeniedException', awsError('AccessDeniedException', 400), /access denied/i],
    ['DecryptionFailure', new DecryptionFailure({ message: 'KMS key is disabled', $metadata: { httpStatusCode: 400 } }), /KMS key/],
    ['InvalidRequestException', awsError('InvalidRequestException', 400), /deletion|cannot be read/],
    ['ResourceNotFoundException wrapped by Powertools', wrappedByPowertools(awsError('ResourceNotFoundException', 400)), /does not exist/],
  ])('%s is permanent: SecretInvalid naming the secret and what to check', async (_name, failure, what) => {
    // Prepare
    const readSecret = async () => Promise.reject(failure);

    // Act
    const error = await failureOf(() => readWebhookUrl(SECRET_ID, readSecret, SLACK));

    // Assert
    expect(error.name).toBe('SecretInvalid');
    expect(error.message).toContain(`"${SECRET_ID}"`);
    expect(error.message).toMatch(what);
    expect(error.cause).toBe(failure);
  });

  it('reads the secret and returns its URL', async () => {
    // Act
    const url = await readWebhookUrl(SECRET_ID, async () => 'https://hooks.slack.com/services/T0/B0/abc', SLACK);

    // Assert
    expect(url.hostname).toBe('hooks.slack.com');
  });
});
