import { createServer } from 'node:net';
import { postToSlack, webhookUrlFromSecret } from '../../../lambda/notify/deliver-slack';
import { renderSlack } from '../../../lambda/notify/render-slack';
import { NamedError } from '../../../lambda/shared/errors';
import { SlackEmulator } from '../../../local/slack-emulator';
import { completedWith } from './fixtures';
import { failureOf } from '../../support/failure-of';

const message = renderSlack(completedWith(['/index.html', '/images/hero <new>.png']));

/** A `sleep` that only records what it was asked to wait. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('postToSlack against the loopback Slack emulator', () => {
  const slack = new SlackEmulator();
  let webhook: URL;

  beforeAll(async () => {
    webhook = new URL(await slack.start());
  });

  afterAll(async () => {
    await slack.stop();
  });

  beforeEach(() => {
    slack.messages.splice(0);
    slack.attempts.splice(0);
  });

  it('delivers the message once when Slack answers 200', async () => {
    // Prepare
    const { waits, sleep } = recordingSleep();

    // Act
    await postToSlack(webhook, message, { sleep });

    // Assert
    expect(slack.attempts.map((attempt) => attempt.status)).toEqual([200]);
    expect(slack.messages).toEqual([JSON.parse(JSON.stringify(message))]);
    expect(waits).toEqual([]);
  });

  it('honours a 429 with Retry-After 0 and delivers exactly once', async () => {
    // Prepare
    slack.answerNext({ status: 429, body: 'rate_limited', retryAfterSeconds: 0 });
    const { waits, sleep } = recordingSleep();

    // Act
    await postToSlack(webhook, message, { sleep });

    // Assert
    expect(slack.attempts.map((attempt) => attempt.status)).toEqual([429, 200]);
    expect(slack.messages).toHaveLength(1);
    expect(waits).toEqual([0]);
  });

  it('waits the Retry-After seconds Slack asks for, within the inline limit', async () => {
    // Prepare
    slack.answerNext({ status: 429, body: 'rate_limited', retryAfterSeconds: 3 });
    const { waits, sleep } = recordingSleep();

    // Act
    await postToSlack(webhook, message, { sleep, maxInlineRetryAfterSeconds: 5 });

    // Assert
    expect(waits).toEqual([3000]);
    expect(slack.messages).toHaveLength(1);
  });

  it('throws SlackRateLimited without sleeping when Retry-After is over the inline limit', async () => {
    // Prepare
    slack.answerNext({ status: 429, body: 'rate_limited', retryAfterSeconds: 30 });
    const { waits, sleep } = recordingSleep();

    // Act
    const error = await failureOf(() => postToSlack(webhook, message, { sleep, maxInlineRetryAfterSeconds: 10 }));

    // Assert
    expect(error).toBeInstanceOf(NamedError);
    expect(error.name).toBe('SlackRateLimited');
    expect(error.message).toContain('30');
    expect(waits).toEqual([]);
    expect(slack.attempts).toHaveLength(1);
    expect(slack.messages).toHaveLength(0);
  });

  it('throws SlackRateLimited after the inline retries are used up', async () => {
    // Prepare
    slack.answerNext(...Array.from({ length: 3 }, () => ({ status: 429, body: 'rate_limited', retryAfterSeconds: 1 })));
    const { waits, sleep } = recordingSleep();

    // Act
    const error = await failureOf(() => postToSlack(webhook, message, { sleep, maxInlineRetries: 2 }));

    // Assert
    expect(error.name).toBe('SlackRateLimited');
    expect(waits).toEqual([1000, 1000]);
    expect(slack.attempts).toHaveLength(3);
    expect(slack.messages).toHaveLength(0);
  });

  it('throws SlackWebhookRejected after exactly one attempt when Slack answers 404 no_service', async () => {
    // Prepare
    slack.answerNext({ status: 404, body: 'no_service' });
    const { waits, sleep } = recordingSleep();

    // Act
    const error = await failureOf(() => postToSlack(webhook, message, { sleep }));

    // Assert
    expect(error.name).toBe('SlackWebhookRejected');
    expect(error.message).toContain('404');
    expect(error.message).toContain('no_service');
    expect(slack.attempts).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('throws SlackUnavailable when Slack answers 500', async () => {
    // Prepare
    slack.answerNext({ status: 500, body: 'internal_error' });

    // Act
    const error = await failureOf(() => postToSlack(webhook, message, { sleep: async () => undefined }));

    // Assert
    expect(error.name).toBe('SlackUnavailable');
    expect(error.message).toContain('500');
    expect(slack.attempts).toHaveLength(1);
  });

  it('throws SlackUnavailable when nothing listens at the webhook address', async () => {
    // Prepare
    const unreachable = new URL(`http://127.0.0.1:${await closedPort()}/services/T000/B000/local`);

    // Act
    const error = await failureOf(() => postToSlack(unreachable, message, { sleep: async () => undefined }));

    // Assert
    expect(error.name).toBe('SlackUnavailable');
    expect(error.message).not.toContain('services/T000');
  });
});

describe('webhookUrlFromSecret', () => {
  const SECRET_ID = 'cloudfront-notifier/slack-webhook';

  it('accepts the bare webhook URL', () => {
    // Act
    const url = webhookUrlFromSecret('  https://hooks.slack.com/services/T0/B0/abc  ', SECRET_ID);

    // Assert
    expect(url.href).toBe('https://hooks.slack.com/services/T0/B0/abc');
  });

  it('accepts JSON with a webhookUrl', () => {
    // Act
    const url = webhookUrlFromSecret('{"webhookUrl": "https://hooks.slack.com/services/T0/B0/abc"}', SECRET_ID);

    // Assert
    expect(url.href).toBe('https://hooks.slack.com/services/T0/B0/abc');
  });

  it('accepts plain HTTP on loopback, for the local emulator', () => {
    // Act
    const url = webhookUrlFromSecret('http://127.0.0.1:8080/services/T000/B000/local', SECRET_ID);

    // Assert
    expect(url.protocol).toBe('http:');
  });

  it.each<[string, unknown]>([
    ['an empty secret', '   '],
    ['a secret that is not a string', 42],
    ['JSON without webhookUrl', '{"url": "https://hooks.slack.com/services/T0/B0/sekr1t-json"}'],
    ['text starting with { that is not JSON', '{sekr1t-not-json'],
    ['text that is not a URL', 'sekr1t-not-a-url'],
    ['an http URL that is not loopback', 'http://hooks.slack.com/services/T0/B0/sekr1t-http'],
    ['a URL of another scheme', 'ftp://hooks.slack.com/services/T0/B0/sekr1t-ftp'],
  ])('rejects %s with SlackSecretInvalid naming the secret but never showing its value', (_name, secretValue) => {
    // Act
    let error: Error | undefined;
    try {
      webhookUrlFromSecret(secretValue, SECRET_ID);
    } catch (caught) {
      error = caught as Error;
    }

    // Assert
    expect(error?.name).toBe('SlackSecretInvalid');
    expect(error?.message).toContain(SECRET_ID);
    expect(error?.message).not.toContain('sekr1t');
    if (typeof secretValue === 'string' && secretValue.trim() !== '') expect(error?.message).not.toContain(secretValue.trim());
  });
});
