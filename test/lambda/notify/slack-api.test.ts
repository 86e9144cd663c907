import {
  DEFAULT_SLACK_API_URL,
  isMessageGone,
  SLACK_API_URL_ENV,
  SlackApiError,
  slackApi,
  slackApiBaseUrl,
  slackCodeOf,
  type SlackApiOptions,
} from '../../../lambda/notify/slack-api';
import { timeBudget } from '../../../lambda/notify/time-budget';
import { LOCAL_BOT_TOKEN, LOCAL_CHANNEL, SlackApiEmulator } from '../../../local/slack-api-emulator';
import { failureOf } from '../../support/failure-of';

const TOKEN = 'xoxb-1111-2222-sekr1tT0ken';
const CONFIGURED_IN = 'the bot token in secret "team/slack-app"';

/** A `sleep` that only records what it was asked to wait. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

/** A fetch that answers from a script (the last answer repeats) and records each request. */
function scriptedFetch(...answers: (() => Response)[]) {
  const requests: { url: string; init: RequestInit }[] = [];
  const fetch = async (url: URL, init: RequestInit) => {
    const answer = answers[Math.min(requests.length, answers.length - 1)]!;
    requests.push({ url: url.href, init });
    return answer();
  };
  return { requests, fetch };
}

const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('slackApi against the loopback Slack Web API', () => {
  const slack = new SlackApiEmulator({
    tokens: { [LOCAL_BOT_TOKEN]: ['chat:write'], 'xoxb-no-scope': ['channels:read'] },
    notJoined: ['C0NOTJOINED'],
  });
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await slack.start();
  });

  afterAll(async () => {
    await slack.stop();
  });

  beforeEach(() => {
    slack.reset();
  });

  it('posts, replies in the thread and updates the same message, authenticated by the bearer token', async () => {
    // Prepare
    const api = slackApi(LOCAL_BOT_TOKEN, { baseUrl });

    // Act
    const posted = await api.postMessage({ channel: LOCAL_CHANNEL, text: 'Invalidating...', blocks: [{ type: 'section' }] });
    const reply = await api.postMessage({ channel: LOCAL_CHANNEL, text: 'It failed', thread_ts: posted.ts });
    const updated = await api.update({ channel: LOCAL_CHANNEL, ts: posted.ts, text: 'Completed in 42 s' });

    // Assert
    expect(posted.channel).toBe(LOCAL_CHANNEL);
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(updated).toEqual(posted);
    expect(slack.messages(LOCAL_CHANNEL)).toEqual([
      expect.objectContaining({
        ts: posted.ts,
        text: 'Completed in 42 s',
        history: [{ text: 'Invalidating...', blocks: [{ type: 'section' }] }],
      }),
    ]);
    expect(slack.threadReplies(LOCAL_CHANNEL, posted.ts)).toEqual([expect.objectContaining({ ts: reply.ts, text: 'It failed' })]);
  });

  it('reads SLACK_API_URL when no base URL is given (the offline pipeline)', async () => {
    // Prepare
    process.env[SLACK_API_URL_ENV] = baseUrl;
    try {
      // Act
      await slackApi(LOCAL_BOT_TOKEN).postMessage({ channel: LOCAL_CHANNEL, text: 'hello' });
    } finally {
      delete process.env[SLACK_API_URL_ENV];
    }

    // Assert
    expect(slack.posts).toEqual([expect.objectContaining({ channel: LOCAL_CHANNEL, text: 'hello' })]);
  });

  it('a token without chat:write: WebhookRejected naming the scope to add, and the scope on the error', async () => {
    // Act
    const error = await failureOf(() =>
      slackApi('xoxb-no-scope', { baseUrl, configuredIn: CONFIGURED_IN }).postMessage({ channel: LOCAL_CHANNEL, text: 'x' }),
    );

    // Assert
    expect(error.name).toBe('WebhookRejected');
    expect(error.message).toContain('missing_scope');
    expect(error.message).toContain('add the chat:write scope to the app (OAuth & Permissions) and reinstall it');
    expect(error.message).toContain(CONFIGURED_IN);
    expect(error).toBeInstanceOf(SlackApiError);
    expect((error as SlackApiError).needed).toBe('chat:write');
    expect(error.message).not.toContain('xoxb-no-scope');
  });

  it.each<[string, () => void, string, RegExp]>([
    ['an unknown token', () => slack.setToken('xoxb-other', ['chat:write']), 'invalid_auth', /store the app's bot token \(xoxb-...\) in/],
    ['a revoked token', () => slack.revokeToken(LOCAL_BOT_TOKEN), 'token_revoked', /reinstall the app/],
    [
      'a channel the app is not in',
      () => slack.leaveChannel(LOCAL_CHANNEL),
      'not_in_channel',
      /invite the app to the channel: \/invite @app/,
    ],
  ])("%s: WebhookRejected with Slack's code and what to do", async (_, arrange, code, advice) => {
    // Prepare
    arrange();
    const token = code === 'invalid_auth' ? 'xoxb-unknown-sekr1t' : LOCAL_BOT_TOKEN;

    // Act
    const error = await failureOf(() => slackApi(token, { baseUrl }).postMessage({ channel: LOCAL_CHANNEL, text: 'x' }));

    // Assert
    expect(error.name).toBe('WebhookRejected');
    expect(slackCodeOf(error)).toBe(code);
    expect(error.message).toContain(`(${code})`);
    expect(error.message).toMatch(advice);
    expect(error.message).not.toContain(token);
  });

  it('an unknown channel: check the channel ID, which the message names', async () => {
    // Act
    const error = await failureOf(() => slackApi(LOCAL_BOT_TOKEN, { baseUrl }).postMessage({ channel: 'C0NOSUCH', text: 'x' }));

    // Assert
    expect(error.name).toBe('WebhookRejected');
    expect(slackCodeOf(error)).toBe('channel_not_found');
    expect(error.message).toMatch(/check the channel ID C0NOSUCH .*the bot cannot see it/);
    expect(isMessageGone(error)).toBe(false);
  });

  it('updating a deleted message: message_not_found, which only isMessageGone recognises', async () => {
    // Prepare
    const api = slackApi(LOCAL_BOT_TOKEN, { baseUrl });
    const { ts } = await api.postMessage({ channel: LOCAL_CHANNEL, text: 'Invalidating...' });
    slack.deleteMessage(LOCAL_CHANNEL, ts);

    // Act
    const error = await failureOf(() => api.update({ channel: LOCAL_CHANNEL, ts, text: 'Completed' }));

    // Assert
    expect(error.name).toBe('WebhookRejected');
    expect(isMessageGone(error)).toBe(true);
    expect(error.message).toContain(`message ${ts} in channel ${LOCAL_CHANNEL} no longer exists (it was deleted)`);
  });

  it('a 429 within the inline limit is waited out and the message posted once', async () => {
    // Prepare
    slack.answerNext({ error: 'ratelimited', retryAfterSeconds: 1 });
    const { waits, sleep } = recordingSleep();

    // Act
    await slackApi(LOCAL_BOT_TOKEN, { baseUrl, sleep }).postMessage({ channel: LOCAL_CHANNEL, text: 'x' });

    // Assert
    expect(waits).toEqual([1000]);
    expect(slack.attempts.map(({ status }) => status)).toEqual([429, 200]);
    expect(slack.posts).toHaveLength(1);
  });

  it('a Retry-After longer than the inline limit: WebhookRateLimited at once, with the wait asked for', async () => {
    // Prepare
    slack.answerNext({ error: 'ratelimited', retryAfterSeconds: 30 });
    const { waits, sleep } = recordingSleep();

    // Act
    const error = await failureOf(() =>
      slackApi(LOCAL_BOT_TOKEN, { baseUrl, sleep }).update({ channel: LOCAL_CHANNEL, ts: '1.000001', text: 'x' }),
    );

    // Assert
    expect(error.name).toBe('WebhookRateLimited');
    expect(slackCodeOf(error)).toBe('ratelimited');
    expect((error as SlackApiError).retryAfterMs).toBe(30_000);
    expect(error.message).toContain('Slack chat.update answered 429 (Retry-After 30 s)');
    expect(waits).toEqual([]);
  });
});

describe('slackApi: what an answer means', () => {
  const run = (fetch: SlackApiOptions['fetch'], options: SlackApiOptions = {}) =>
    failureOf(() =>
      slackApi(TOKEN, { baseUrl: 'https://slack.example/api', fetch, configuredIn: CONFIGURED_IN, ...options }).postMessage({
        channel: 'C1',
        text: 'x',
      }),
    );

  it('sends JSON with the bearer token to the method, and never follows a redirect', async () => {
    // Prepare
    const { requests, fetch } = scriptedFetch(json({ ok: true, channel: 'C1', ts: '1700000000.000100' }));

    // Act
    const posted = await slackApi(TOKEN, { fetch }).postMessage({ channel: 'C1', text: 'x', thread_ts: '1700000000.000001' });

    // Assert
    expect(posted).toEqual({ channel: 'C1', ts: '1700000000.000100' });
    expect(requests).toHaveLength(1);
    const [{ url, init }] = requests as [(typeof requests)[number]];
    expect(url).toBe(`${DEFAULT_SLACK_API_URL}/chat.postMessage`);
    const headers = new Headers(init.headers);
    expect(headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(String(init.body))).toEqual({ channel: 'C1', text: 'x', thread_ts: '1700000000.000001' });
    expect(init.redirect).toBe('manual');
  });

  it.each<[string, string, Record<string, unknown>?]>([
    ['WebhookUnavailable', 'internal_error'],
    ['WebhookUnavailable', 'fatal_error'],
    ['WebhookUnavailable', 'service_unavailable'],
    ['WebhookUnavailable', 'request_timeout'],
    ['WebhookRejected', 'invalid_auth'],
    ['WebhookRejected', 'not_authed'],
    ['WebhookRejected', 'account_inactive'],
    ['WebhookRejected', 'token_revoked'],
    ['WebhookRejected', 'token_expired'],
    ['WebhookRejected', 'no_permission'],
    ['WebhookRejected', 'missing_scope', { needed: 'chat:write', provided: 'channels:read' }],
    ['WebhookRejected', 'not_in_channel'],
    ['WebhookRejected', 'channel_not_found'],
    ['WebhookRejected', 'is_archived'],
    ['WebhookRejected', 'restricted_action'],
    ['WebhookRejected', 'cant_update_message'],
    ['WebhookRejected', 'edit_window_closed'],
    ['WebhookRejected', 'message_not_found'],
    ['WebhookRejected', 'some_new_code'],
    ['WebhookPayloadRejected', 'invalid_blocks'],
    ['WebhookPayloadRejected', 'invalid_arguments'],
    ['WebhookPayloadRejected', 'msg_too_long'],
    ['WebhookPayloadRejected', 'msg_blocks_too_long'],
    ['WebhookPayloadRejected', 'too_many_attachments'],
    ['WebhookPayloadRejected', 'no_text'],
    ['WebhookPayloadRejected', 'invalid_json'],
    ['WebhookPayloadRejected', 'json_not_object'],
  ])('%s for ok:false %s, naming the code, never the token', async (name, code, extra = {}) => {
    // Prepare
    const { requests, fetch } = scriptedFetch(json({ ok: false, error: code, ...extra }));

    // Act
    const error = await run(fetch);

    // Assert
    expect(error.name).toBe(name);
    expect(slackCodeOf(error)).toBe(code);
    expect(error.message).toContain(code);
    expect(error.message).not.toContain('sekr1t');
    expect(requests).toHaveLength(1);
  });

  it('advice for a bug says so, advice for configuration says where to fix it', async () => {
    // Act
    const bug = await run(scriptedFetch(json({ ok: false, error: 'invalid_blocks' })).fetch);
    const unknown = await run(scriptedFetch(json({ ok: false, error: 'some_new_code' })).fetch);

    // Assert
    expect(bug.message).toMatch(/this is a bug, please report it/);
    expect(bug.message).not.toContain(CONFIGURED_IN);
    expect(unknown.message).toMatch(
      /refused \(some_new_code\): check the app, its bot token in the bot token in secret "team\/slack-app" and channel C1/,
    );
  });

  it.each<[string, () => Response, string]>([
    ['a 500', json({ ok: false }, 500), 'WebhookUnavailable'],
    ['a 503 page', () => new Response('<html>down</html>', { status: 503 }), 'WebhookUnavailable'],
    ['a 408', () => new Response('', { status: 408 }), 'WebhookUnavailable'],
    ['a 200 that is not JSON (a captive portal)', () => new Response('<html>login</html>', { status: 200 }), 'WebhookUnavailable'],
    ['ok without a ts', json({ ok: true }), 'WebhookUnavailable'],
    ['a redirect', () => new Response('', { status: 302, headers: { location: 'https://elsewhere.example/' } }), 'WebhookRejected'],
    ['a 404', () => new Response('not found', { status: 404 }), 'WebhookRejected'],
    ['a 413', () => new Response('too large', { status: 413 }), 'WebhookPayloadRejected'],
  ])('%s: %s', async (_, answer, name) => {
    // Act
    const error = await run(scriptedFetch(answer).fetch);

    // Assert
    expect(error.name).toBe(name);
    expect(error.message).not.toContain('sekr1t');
  });

  it("repeats no text of an answer that is not one of Slack's codes (it could echo the request)", async () => {
    // Act
    const error = await run(scriptedFetch(json({ ok: false, error: `Bearer ${TOKEN}`, needed: `${TOKEN}` })).fetch);

    // Assert
    expect(error.name).toBe('WebhookRejected');
    expect(error.message).not.toContain('sekr1t');
    expect((error as SlackApiError).needed).toBeUndefined();
  });

  it('a 429 then success: waits Retry-After inline, then returns the message', async () => {
    // Prepare
    const { requests, fetch } = scriptedFetch(
      json({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': '2' }),
      json({ ok: true, channel: 'C1', ts: '1.000002' }),
    );
    const { waits, sleep } = recordingSleep();

    // Act
    const posted = await slackApi(TOKEN, { fetch, sleep }).postMessage({ channel: 'C1', text: 'x' });

    // Assert
    expect(posted.ts).toBe('1.000002');
    expect(waits).toEqual([2000]);
    expect(requests).toHaveLength(2);
  });

  it('429 every time: WebhookRateLimited after the inline retries', async () => {
    // Prepare
    const { requests, fetch } = scriptedFetch(json({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': '1' }));
    const { waits, sleep } = recordingSleep();

    // Act
    const error = await run(fetch, { sleep, maxInlineRetries: 2 });

    // Assert
    expect(error.name).toBe('WebhookRateLimited');
    expect((error as SlackApiError).retryAfterMs).toBe(1000);
    expect(waits).toEqual([1000, 1000]);
    expect(requests).toHaveLength(3);
  });

  it('no answer in time: WebhookUnavailable, the request cut by its timeout', async () => {
    // Prepare: a Slack that never answers until the request's signal aborts.
    const fetch = (_url: URL, init: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const started = Date.now();

    // Act
    const error = await run(fetch, { requestTimeoutMs: 50 });

    // Assert
    expect(error.name).toBe('WebhookUnavailable');
    expect(error.message).toMatch(/Slack chat.postMessage did not answer \(TimeoutError\)/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('no time left in the invocation: WebhookUnavailable without a request', async () => {
    // Prepare
    const { requests, fetch } = scriptedFetch(json({ ok: true, channel: 'C1', ts: '1.1' }));

    // Act
    const error = await run(fetch, { budget: timeBudget(500) });

    // Assert
    expect(error.name).toBe('WebhookUnavailable');
    expect(error.message).toMatch(/No time left/);
    expect(requests).toHaveLength(0);
  });
});

describe('slackApiBaseUrl', () => {
  afterEach(() => {
    delete process.env[SLACK_API_URL_ENV];
  });

  it("is Slack's unless SLACK_API_URL or the options say otherwise", () => {
    expect(slackApiBaseUrl()).toBe(DEFAULT_SLACK_API_URL);
    process.env[SLACK_API_URL_ENV] = 'http://127.0.0.1:4000/api/';
    expect(slackApiBaseUrl()).toBe('http://127.0.0.1:4000/api');
    expect(slackApiBaseUrl('https://slack-gov.com/api')).toBe('https://slack-gov.com/api');
  });

  it.each(['not a url', 'http://slack.example/api'])('refuses %s: plain HTTP only on loopback', (value) => {
    process.env[SLACK_API_URL_ENV] = value;
    expect(() => slackApiBaseUrl()).toThrow(/SLACK_API_URL is not/);
  });
});
