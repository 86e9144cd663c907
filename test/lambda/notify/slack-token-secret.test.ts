import { ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { botTokenFromSecret, readBotToken } from '../../../lambda/notify/slack-token-secret';
import { errorOf, failureOf } from '../../support/failure-of';

const SECRET_ID = 'cloudfront-notifier/slack-app';

describe('botTokenFromSecret', () => {
  it.each([
    ['the bare token', 'xoxb-1111-2222-abcDEF'],
    ['the bare token with spaces around it', '  xoxb-1111-2222-abcDEF\n'],
    ['JSON with botToken', '{"botToken": "xoxb-1111-2222-abcDEF"}'],
    ['JSON with botToken and other keys', '{"botToken": " xoxb-1111-2222-abcDEF ", "signingSecret": "x"}'],
  ])('accepts %s', (_, value) => {
    // Act
    const token = botTokenFromSecret(value, SECRET_ID);

    // Assert
    expect(token).toBe('xoxb-1111-2222-abcDEF');
  });

  it.each<[string, unknown, RegExp]>([
    ['an empty secret', '  ', /is empty: store the Slack app's bot token/],
    ['a binary secret', new Uint8Array([120, 111, 120, 98]), /binary data/],
    ['JSON without botToken', '{"token": "xoxb-1-sekr1t"}', /JSON without a "botToken" string/],
    ['JSON that is not valid', '{xoxb-1-sekr1t', /not valid JSON/],
    [
      'a Slack webhook URL',
      'https://hooks.slack.com/services/T0/B0/sekr1t',
      /holds a webhook URL, but this destination is a Slack app, which needs a bot token \(xoxb-...\): use type "slack" for a webhook, or store the app's bot token/,
    ],
    ['a webhook URL under botToken', '{"botToken": "https://hooks.slack.com/services/T0/B0/sekr1t"}', /holds a webhook URL/],
    ['a user token', 'xoxp-1111-2222-sekr1t', /a user token \(xoxp-...\): use the app's bot token xoxb-/],
    ['an app-level token', 'xapp-1-A0-sekr1t', /app-level token \(xapp-...\), which cannot post/],
    ['another kind of Slack token', 'xoxe-1-sekr1t', /a Slack token that is not a bot token/],
    ['a bot token with a space inside', 'xoxb-1111 sekr1t', /characters a token never has/],
    ['anything else', 'sekr1t-password', /does not hold a Slack bot token/],
  ])('refuses %s with SecretInvalid naming the secret, never showing the value', (_, value, what) => {
    // Act
    const error = errorOf(() => botTokenFromSecret(value, SECRET_ID));

    // Assert
    expect(error.name).toBe('SecretInvalid');
    expect(error.message).toContain(`Secret "${SECRET_ID}"`);
    expect(error.message).toMatch(what);
    expect(error.message).not.toContain('sekr1t');
  });
});

describe('readBotToken', () => {
  it('reads the secret and returns its token', async () => {
    // Prepare
    const readSecret = jest.fn(async () => '{"botToken": "xoxb-1-2-abc"}');

    // Act
    const token = await readBotToken(SECRET_ID, readSecret);

    // Assert
    expect(token).toBe('xoxb-1-2-abc');
    expect(readSecret).toHaveBeenCalledWith(SECRET_ID);
  });

  it('reports a missing secret as a webhook secret is reported: SecretInvalid, what to check', async () => {
    // Prepare
    const missing = new ResourceNotFoundException({
      message: "Secrets Manager can't find the specified secret.",
      $metadata: { httpStatusCode: 400 },
    });

    // Act
    const error = await failureOf(() => readBotToken(SECRET_ID, async () => Promise.reject(missing)));

    // Assert
    expect(error.name).toBe('SecretInvalid');
    expect(error.message).toMatch(
      /"cloudfront-notifier\/slack-app" could not be read \(ResourceNotFoundException[^)]*\): it does not exist/,
    );
  });

  it('reports a passing fault as SecretUnavailable, retried', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

    // Act
    const error = await failureOf(() => readBotToken(SECRET_ID, async () => Promise.reject(throttled)));

    // Assert
    expect(error.name).toBe('SecretUnavailable');
  });
});
