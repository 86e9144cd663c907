import { LOCAL_BOT_TOKEN, LOCAL_CHANNEL, SlackApiEmulator, type SlackApiEmulatorOptions } from '../../local/slack-api-emulator';

/** Calls the emulator as a Slack client would: JSON, the bearer token. */
async function call(baseUrl: string, method: string, params: Record<string, unknown>, token: string | null = LOCAL_BOT_TOKEN) {
  const response = await fetch(`${baseUrl}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(params),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** An emulator started for one test, on a clock the test moves (the emulator reads Date.now()). */
async function started(options: SlackApiEmulatorOptions = {}) {
  const slack = new SlackApiEmulator(options);
  const baseUrl = await slack.start();
  emulators.push(slack);
  return { slack, baseUrl };
}

const emulators: SlackApiEmulator[] = [];
let nowMs = 1_700_000_000_000;

beforeEach(() => {
  nowMs = 1_700_000_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => nowMs);
});

afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(emulators.splice(0).map((slack) => slack.stop()));
});

describe('SlackApiEmulator: messages', () => {
  it('start() returns the base URL SLACK_API_URL takes', async () => {
    // Act
    const { baseUrl } = await started();

    // Assert
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
  });

  it("posts with unique, increasing ts in Slack's form, replies in threads, updates keeping the history", async () => {
    // Prepare
    const { slack, baseUrl } = await started();

    // Act: two posts in the same millisecond, a reply, two updates.
    const first = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: 'one', blocks: [{ type: 'section' }] });
    const second = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: 'two' });
    const firstTs = String(first.body.ts);
    const reply = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: 'failed', thread_ts: firstTs });
    await call(baseUrl, 'chat.update', { channel: LOCAL_CHANNEL, ts: firstTs, text: 'one, 5 of 9' });
    const updated = await call(baseUrl, 'chat.update', { channel: LOCAL_CHANNEL, ts: firstTs, text: 'one, done', blocks: [] });

    // Assert
    expect(first.body).toMatchObject({ ok: true, channel: LOCAL_CHANNEL, ts: '1700000000.000000' });
    expect(second.body.ts).toBe('1700000000.000001');
    expect(updated.body).toMatchObject({ ok: true, channel: LOCAL_CHANNEL, ts: firstTs });
    expect(slack.messages(LOCAL_CHANNEL)).toEqual([
      expect.objectContaining({
        ts: firstTs,
        text: 'one, done',
        blocks: [],
        history: [
          { text: 'one', blocks: [{ type: 'section' }] },
          // An update without blocks keeps the message's blocks, as Slack does.
          { text: 'one, 5 of 9', blocks: [{ type: 'section' }] },
        ],
      }),
      expect.objectContaining({ ts: second.body.ts, text: 'two', history: [] }),
    ]);
    expect(slack.threadReplies(LOCAL_CHANNEL, firstTs)).toEqual([expect.objectContaining({ ts: reply.body.ts, text: 'failed' })]);
    expect(slack.posts.map(({ text }) => text)).toEqual(['one', 'two', 'failed']);
    expect(slack.updates.map(({ text }) => text)).toEqual(['one, 5 of 9', 'one, done']);
  });

  it('a deleted message is gone: chat.update answers message_not_found, as does an unknown ts', async () => {
    // Prepare
    const { slack, baseUrl } = await started();
    const { body } = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: 'one' });
    slack.deleteMessage(LOCAL_CHANNEL, String(body.ts));

    // Act
    const deleted = await call(baseUrl, 'chat.update', { channel: LOCAL_CHANNEL, ts: body.ts, text: 'done' });
    const unknown = await call(baseUrl, 'chat.update', { channel: LOCAL_CHANNEL, ts: '1.000001', text: 'done' });

    // Assert
    expect(deleted).toMatchObject({ status: 200, body: { ok: false, error: 'message_not_found' } });
    expect(unknown.body.error).toBe('message_not_found');
    expect(slack.messages(LOCAL_CHANNEL)).toEqual([]);
    expect(slack.attempts.map(({ method, error }) => `${method} ${error ?? 'ok'}`)).toEqual([
      'chat.postMessage ok',
      'chat.update message_not_found',
      'chat.update message_not_found',
    ]);
  });
});

describe("SlackApiEmulator: Slack's refusals", () => {
  it.each<[string, Record<string, unknown>, string | null, Record<string, unknown>]>([
    ['no token', { channel: LOCAL_CHANNEL, text: 'x' }, null, { error: 'not_authed' }],
    ['an unknown token', { channel: LOCAL_CHANNEL, text: 'x' }, 'xoxb-unknown', { error: 'invalid_auth' }],
    [
      'a token without chat:write',
      { channel: LOCAL_CHANNEL, text: 'x' },
      'xoxb-read-only',
      { error: 'missing_scope', needed: 'chat:write', provided: 'channels:read' },
    ],
    ['an unknown channel', { channel: 'C0NOSUCH', text: 'x' }, LOCAL_BOT_TOKEN, { error: 'channel_not_found' }],
    ['a channel the bot is not in', { channel: 'C0OTHER', text: 'x' }, LOCAL_BOT_TOKEN, { error: 'not_in_channel' }],
    ['no text nor blocks', { channel: LOCAL_CHANNEL }, LOCAL_BOT_TOKEN, { error: 'no_text' }],
    ['blocks that are not a list', { channel: LOCAL_CHANNEL, text: 'x', blocks: {} }, LOCAL_BOT_TOKEN, { error: 'invalid_blocks' }],
    ['a text over 40,000 characters', { channel: LOCAL_CHANNEL, text: 'x'.repeat(40_001) }, LOCAL_BOT_TOKEN, { error: 'msg_too_long' }],
  ])('%s: HTTP 200 ok:false as Slack answers, nothing posted', async (_, params, token, refusal) => {
    // Prepare
    const { slack, baseUrl } = await started({
      tokens: { [LOCAL_BOT_TOKEN]: ['chat:write'], 'xoxb-read-only': ['channels:read'] },
      notJoined: ['C0OTHER'],
    });

    // Act
    const answer = await call(baseUrl, 'chat.postMessage', params, token);

    // Assert
    expect(answer).toMatchObject({ status: 200, body: { ok: false, ...refusal } });
    expect(slack.posts).toEqual([]);
    expect(slack.attempts).toEqual([expect.objectContaining({ method: 'chat.postMessage', status: 200, error: refusal.error })]);
  });

  it('a revoked token, a channel left and joined: token_revoked, not_in_channel, then accepted', async () => {
    // Prepare
    const { slack, baseUrl } = await started();

    // Act
    slack.revokeToken(LOCAL_BOT_TOKEN);
    const revoked = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: 'x' });
    slack.setToken(LOCAL_BOT_TOKEN, ['chat:write']);
    slack.leaveChannel(LOCAL_CHANNEL);
    const left = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: 'x' });
    slack.joinChannel(LOCAL_CHANNEL);
    const joined = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: 'x' });

    // Assert
    expect([revoked.body.error, left.body.error, joined.body.ok]).toEqual(['token_revoked', 'not_in_channel', true]);
  });

  it('a body that is not JSON, or not an object: invalid_json, json_not_object', async () => {
    // Prepare
    const { baseUrl } = await started();
    const post = (body: string) =>
      fetch(`${baseUrl}/chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${LOCAL_BOT_TOKEN}` }, body }).then(
        (response) => response.json() as Promise<Record<string, unknown>>,
      );

    // Act
    const [notJson, notObject] = await Promise.all([post('{channel'), post('[1]')]);

    // Assert
    expect(notJson.error).toBe('invalid_json');
    expect(notObject.error).toBe('json_not_object');
  });

  it('scripted answers come first, in order, then Slack behaves again', async () => {
    // Prepare
    const { slack, baseUrl } = await started();
    slack.answerNext(
      { error: 'ratelimited', retryAfterSeconds: 3 },
      { error: 'internal_error' },
      { status: 503, body: '<html>down</html>' },
    );

    // Act
    const rateLimited = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: 'x' });
    const internal = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: 'x' });
    const down = await fetch(`${baseUrl}/chat.postMessage`, { method: 'POST', body: '{}' });
    const accepted = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: 'x' });

    // Assert
    expect(rateLimited).toMatchObject({ status: 429, retryAfter: '3', body: { ok: false, error: 'ratelimited' } });
    expect(internal).toMatchObject({ status: 200, body: { ok: false, error: 'internal_error' } });
    expect([down.status, await down.text()]).toEqual([503, '<html>down</html>']);
    expect(accepted.body.ok).toBe(true);
    expect(slack.posts).toHaveLength(1);
  });
});

describe('SlackApiEmulator: rate limits on the clock', () => {
  it('one post per second per channel: 429 with the seconds left, accepted once the second has passed', async () => {
    // Prepare
    const { slack, baseUrl } = await started({ postIntervalMs: 1000, joined: [LOCAL_CHANNEL, 'C0SECOND'] });

    // Act
    const first = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: '1' });
    nowMs += 400;
    const tooSoon = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: '2' });
    const otherChannel = await call(baseUrl, 'chat.postMessage', { channel: 'C0SECOND', text: '2' });
    nowMs += 600;
    const onTime = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: '3' });

    // Assert
    expect(first.status).toBe(200);
    expect(tooSoon).toMatchObject({ status: 429, retryAfter: '1', body: { ok: false, error: 'ratelimited' } });
    expect(otherChannel.status).toBe(200);
    expect(onTime.status).toBe(200);
    expect(slack.posts.map(({ text }) => text)).toEqual(['1', '2', '3']);
  });

  it('about 50 updates a minute per token: the 51st within the minute answers 429 until the oldest is a minute old', async () => {
    // Prepare
    const { slack, baseUrl } = await started({ updatesPerMinute: 50 });
    const { body } = await call(baseUrl, 'chat.postMessage', { channel: LOCAL_CHANNEL, text: '0' });
    const update = (text: string) => call(baseUrl, 'chat.update', { channel: LOCAL_CHANNEL, ts: body.ts, text });

    // Act: 50 updates one second apart, then one more at once.
    const statuses: number[] = [];
    for (let index = 1; index <= 50; index++) {
      statuses.push((await update(String(index))).status);
      nowMs += 1000;
    }
    nowMs -= 1000;
    const over = await update('51');
    nowMs += 1000;
    const after = await update('51');

    // Assert: the first update (at 0 s) leaves the window at 60 s; the 51st came at 49 s.
    expect(statuses).toEqual(Array(50).fill(200));
    expect(over).toMatchObject({ status: 429, retryAfter: '11', body: { error: 'ratelimited' } });
    expect(after.status).toBe(429);
    nowMs += 10_000;
    expect((await update('51')).status).toBe(200);
    expect(slack.updates).toHaveLength(51);
  });
});
