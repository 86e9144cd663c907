import { createServer } from 'node:net';
import { postToSlack } from '../../../lambda/notify/deliver-slack';
import { renderSlack } from '../../../lambda/notify/render-slack';
import { timeBudget } from '../../../lambda/notify/time-budget';
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
    slack.reset();
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
    await postToSlack(webhook, message, { sleep, maxInlineWaitMs: 5_000 });

    // Assert
    expect(waits).toEqual([3000]);
    expect(slack.messages).toHaveLength(1);
  });

  it('throws WebhookRateLimited without sleeping when Retry-After is over the inline limit', async () => {
    // Prepare
    slack.answerNext({ status: 429, body: 'rate_limited', retryAfterSeconds: 30 });
    const { waits, sleep } = recordingSleep();

    // Act
    const error = await failureOf(() => postToSlack(webhook, message, { sleep, maxInlineWaitMs: 10_000 }));

    // Assert
    expect(error).toBeInstanceOf(NamedError);
    expect(error.name).toBe('WebhookRateLimited');
    expect(error.message).toContain('30');
    expect(waits).toEqual([]);
    expect(slack.attempts).toHaveLength(1);
    expect(slack.messages).toHaveLength(0);
  });

  it('throws WebhookRateLimited after the inline retries are used up', async () => {
    // Prepare
    slack.answerNext(...Array.from({ length: 3 }, () => ({ status: 429, body: 'rate_limited', retryAfterSeconds: 1 })));
    const { waits, sleep } = recordingSleep();

    // Act
    const error = await failureOf(() => postToSlack(webhook, message, { sleep, maxInlineRetries: 2 }));

    // Assert
    expect(error.name).toBe('WebhookRateLimited');
    expect(waits).toEqual([1000, 1000]);
    expect(slack.attempts).toHaveLength(3);
    expect(slack.messages).toHaveLength(0);
  });

  it.each<[number, string]>([
    [400, 'invalid_blocks'],
    [400, 'invalid_blocks_format'],
    [400, 'invalid_payload'],
    [400, 'msg_too_long'],
    [400, 'msg_blocks_too_long'],
    [400, 'missing_text_or_fallback_or_attachments'],
    [400, 'too_many_attachments'],
  ])("%i %s is our payload: WebhookPayloadRejected, a bug to report with Slack's code, after one attempt", async (status, code) => {
    // Prepare
    slack.answerNext({ status, body: code });
    const { waits, sleep } = recordingSleep();

    // Act
    const error = await failureOf(() => postToSlack(webhook, message, { sleep, configuredIn: 'the webhook URL in secret "s"' }));

    // Assert
    expect(error.name).toBe('WebhookPayloadRejected');
    expect(error.message).toContain(`Slack refused the message as malformed (${status} ${code})`);
    expect(error.message).toMatch(/bug/);
    expect(error.message).not.toMatch(/check the webhook|secret/i);
    expect(slack.attempts).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it.each<[number, string]>([
    [404, 'no_service'],
    [403, 'invalid_token'],
    [400, 'no_service_id'],
    [404, 'no_team'],
    [404, 'team_disabled'],
    [404, 'channel_not_found'],
    [410, 'channel_is_archived'],
    [403, 'action_prohibited'],
    [400, 'user_not_found'],
    [403, 'some_new_code'],
  ])('%i %s means the webhook was revoked or is wrong: WebhookRejected naming the secret, after one attempt', async (status, code) => {
    // Prepare
    slack.answerNext({ status, body: code });
    const { waits, sleep } = recordingSleep();

    // Act
    const error = await failureOf(() => postToSlack(webhook, message, { sleep, configuredIn: 'the webhook URL in secret "s"' }));

    // Assert
    expect(error.name).toBe('WebhookRejected');
    expect(error.message).toContain(`Slack refused the webhook (${status} ${code})`);
    expect(error.message).toContain('revoked or is wrong');
    expect(error.message).toContain('check the webhook URL in secret "s"');
    expect(error.message).not.toMatch(/malformed/);
    expect(slack.attempts).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('keeps inline Retry-After waits inside the time budget, leaving the rest to the state machine', async () => {
    // Prepare: a fake clock that the fake sleep moves; Slack keeps asking for 9 s.
    let now = 0;
    const budget = timeBudget(20_000, () => now);
    slack.answerNext(...Array.from({ length: 3 }, () => ({ status: 429, body: 'rate_limited', retryAfterSeconds: 9 })));
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      now += ms;
    };

    // Act
    const error = await failureOf(() => postToSlack(webhook, message, { sleep, budget, now: () => now, maxInlineRetries: 5 }));

    // Assert
    expect(error.name).toBe('WebhookRateLimited');
    expect(waits).toEqual([9000, 9000]);
    expect(now).toBeLessThanOrEqual(20_000);
    expect(slack.attempts).toHaveLength(3);
    expect(slack.messages).toHaveLength(0);
  });

  it('throws WebhookUnavailable when Slack answers 500', async () => {
    // Prepare
    slack.answerNext({ status: 500, body: 'internal_error' });

    // Act
    const error = await failureOf(() => postToSlack(webhook, message, { sleep: async () => undefined }));

    // Assert
    expect(error.name).toBe('WebhookUnavailable');
    expect(error.message).toContain('500');
    expect(slack.attempts).toHaveLength(1);
  });

  it('throws WebhookUnavailable when nothing listens at the webhook address', async () => {
    // Prepare
    const unreachable = new URL(`http://127.0.0.1:${await closedPort()}/services/T000/B000/local`);

    // Act
    const error = await failureOf(() => postToSlack(unreachable, message, { sleep: async () => undefined }));

    // Assert
    expect(error.name).toBe('WebhookUnavailable');
    expect(error.message).not.toContain('services/T000');
  });
});
