import { postWebhook, type RateLimitedError, type WebhookPlatform, type WebhookPostOptions } from '../../../lambda/notify/webhook-post';
import type { TimeBudget } from '../../../lambda/notify/time-budget';
import { failureOf } from '../../support/failure-of';

/** A platform of our own, so these tests exercise the generic poster, not Slack's rules. */
const CHAT: WebhookPlatform = {
  label: 'Chat',
  exampleUrl: 'https://chat.example/hooks/...',
  secretJsonKey: 'webhookUrl',
  errorCode: (body) => (/^[a-z_]+$/.test(body.trim()) ? body.trim() : undefined),
  faultOfCode: (code) => (code === 'bad_card' ? 'payload' : code === 'hook_deleted' ? 'destination' : undefined),
};
const URL_WITH_SECRET = new URL('https://chat.example/hooks/sekr1t-token');
const BODY = { text: 'Invalidation I1 completed' };

interface Scripted {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Fake milliseconds the answer takes to arrive. */
  readonly takesMs?: number;
}

/**
 * A fake world: a clock that moves only when the poster sleeps or a request takes time, an
 * invocation whose signal (middy's) aborts when its time is up on that clock, a fetch that
 * answers from a script (the last answer repeats) unless its signal aborts first, and records
 * of every wait, request and the timeout each request was given.
 */
function fakeWorld(script: Scripted[], totalBudgetMs = 27_000) {
  let now = 1_000_000;
  const startedAt = now;
  const deadline = now + totalBudgetMs;
  const invocation = new AbortController();
  const budget: TimeBudget = { signal: invocation.signal, remainingMs: () => Math.max(0, deadline - now) };
  const waits: number[] = [];
  const requests: { init: RequestInit; remainingMs: number; timeoutMs?: number }[] = [];
  let requestTimeout: { readonly ms: number; readonly abort: () => void } | undefined;
  const options: WebhookPostOptions = {
    budget,
    configuredIn: 'the webhook URL in secret "team/chat"',
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    abortAfter: (ms) => {
      const timeout = new AbortController();
      requestTimeout = { ms, abort: () => timeout.abort(new DOMException('The operation timed out.', 'TimeoutError')) };
      return timeout.signal;
    },
    fetch: async (_url, init) => {
      const answer = script[Math.min(requests.length, script.length - 1)]!;
      requests.push({ init: init ?? {}, remainingMs: budget.remainingMs(), timeoutMs: requestTimeout?.ms });
      // A slow answer is cut by whichever ends first: the request's timeout or the invocation.
      const takesMs = answer.takesMs ?? 100;
      const left = budget.remainingMs();
      const limitMs = Math.min(left, requestTimeout?.ms ?? Infinity);
      if (takesMs < limitMs) {
        now += takesMs;
      } else {
        now += limitMs;
        if (limitMs === left) invocation.abort(new DOMException('This operation was aborted', 'AbortError'));
        else requestTimeout?.abort();
      }
      // Only a request that carries these signals stops: one that does not would answer late.
      if (init?.signal?.aborted) throw init.signal.reason;
      return new Response(answer.body ?? '', { status: answer.status, headers: answer.headers });
    },
  };
  return { options, waits, requests, elapsedMs: () => now - startedAt, budget };
}

describe('postWebhook: what an answer means', () => {
  it('posts the JSON body once and returns on 2xx', async () => {
    // Prepare
    const world = fakeWorld([{ status: 200, body: 'ok' }]);

    // Act
    await postWebhook(URL_WITH_SECRET, BODY, CHAT, world.options);

    // Assert
    expect(world.requests).toHaveLength(1);
    const { init } = world.requests[0]!;
    expect(init.method).toBe('POST');
    expect(new Headers(init.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(String(init.body))).toEqual(BODY);
    // A webhook that redirects is not followed: the message would go somewhere else.
    expect(init.redirect).toBe('manual');
    expect(world.waits).toEqual([]);
  });

  it.each<[number, string, RegExp]>([
    [500, 'WebhookUnavailable', /Chat answered 500/],
    [502, 'WebhookUnavailable', /Chat answered 502/],
    [503, 'WebhookUnavailable', /Chat answered 503/],
    [408, 'WebhookUnavailable', /Chat answered 408/],
    [400, 'WebhookPayloadRejected', /refused the message as malformed \(400\)/],
    [413, 'WebhookPayloadRejected', /refused the message as malformed \(413\)/],
    [422, 'WebhookPayloadRejected', /refused the message as malformed \(422\)/],
    [401, 'WebhookRejected', /revoked or is wrong/],
    [403, 'WebhookRejected', /revoked or is wrong/],
    [404, 'WebhookRejected', /revoked or is wrong/],
    [410, 'WebhookRejected', /revoked or is wrong/],
    [302, 'WebhookRejected', /revoked or is wrong/],
  ])('HTTP %i without a known code: %s after one request, no inline wait', async (status, name, message) => {
    // Prepare
    const world = fakeWorld([{ status, body: '<html>Some page</html>' }]);

    // Act
    const error = await failureOf(() => postWebhook(URL_WITH_SECRET, BODY, CHAT, world.options));

    // Assert
    expect(error.name).toBe(name);
    expect(error.message).toMatch(message);
    expect(world.requests).toHaveLength(1);
    expect(world.waits).toEqual([]);
  });

  it('a payload fault says it is a bug to report, with the platform code, not "check the webhook"', async () => {
    // Prepare
    const world = fakeWorld([{ status: 400, body: 'bad_card' }]);

    // Act
    const error = await failureOf(() => postWebhook(URL_WITH_SECRET, BODY, CHAT, world.options));

    // Assert
    expect(error.name).toBe('WebhookPayloadRejected');
    expect(error.message).toContain('bad_card');
    expect(error.message).toMatch(/bug/);
    expect(error.message).not.toMatch(/check the webhook|secret/i);
  });

  it('a destination fault names where the URL is configured', async () => {
    // Prepare: the platform's own code wins over the status (a 400 that means "gone").
    const world = fakeWorld([{ status: 400, body: 'hook_deleted' }]);

    // Act
    const error = await failureOf(() => postWebhook(URL_WITH_SECRET, BODY, CHAT, world.options));

    // Assert
    expect(error.name).toBe('WebhookRejected');
    expect(error.message).toContain('400 hook_deleted');
    expect(error.message).toContain('the webhook URL in secret "team/chat"');
  });

  it.each<[string, Error, RegExp]>([
    ['a refused connection', Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), /ECONNREFUSED/],
    ['a timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), /TimeoutError/],
  ])('no answer (%s) is WebhookUnavailable, and the message never shows the URL', async (_name, failure, detail) => {
    // Prepare
    const world = fakeWorld([]);
    const options: WebhookPostOptions = { ...world.options, fetch: async () => Promise.reject(failure) };

    // Act
    const error = await failureOf(() => postWebhook(URL_WITH_SECRET, BODY, CHAT, options));

    // Assert
    expect(error.name).toBe('WebhookUnavailable');
    expect(error.message).toMatch(detail);
    expect(error.message).not.toContain('sekr1t');
    expect(error.cause).toBe(failure);
  });

  it('never shows the URL nor more than a bounded, one-line excerpt of an unexpected answer', async () => {
    // Prepare
    const world = fakeWorld([{ status: 500, body: `${'x'.repeat(5000)}\n${URL_WITH_SECRET.href}` }]);

    // Act
    const error = await failureOf(() => postWebhook(URL_WITH_SECRET, BODY, CHAT, world.options));

    // Assert
    expect(error.message).not.toContain('sekr1t');
    expect(error.message).not.toContain('\n');
    expect(error.message.length).toBeLessThan(400);
  });
});

describe('postWebhook: 429 and the time budget', () => {
  it('honours Retry-After inline and delivers exactly once', async () => {
    // Prepare
    const world = fakeWorld([{ status: 429, headers: { 'retry-after': '3' } }, { status: 200 }]);

    // Act
    await postWebhook(URL_WITH_SECRET, BODY, CHAT, world.options);

    // Assert
    expect(world.waits).toEqual([3000]);
    expect(world.requests).toHaveLength(2);
  });

  it.each<[string, Record<string, string>, number]>([
    ['no Retry-After', {}, 1000],
    ['a Retry-After that is not a number', { 'retry-after': 'soon' }, 1000],
    ['a negative Retry-After', { 'retry-after': '-5' }, 1000],
    ['a Retry-After as an HTTP date', { 'retry-after': new Date(1_000_000 + 100 + 4_000).toUTCString() }, 4000],
  ])('reads %s', async (_name, headers, expectedWaitMs) => {
    // Prepare
    const world = fakeWorld([{ status: 429, headers }, { status: 200 }]);

    // Act
    await postWebhook(URL_WITH_SECRET, BODY, CHAT, world.options);

    // Assert
    expect(world.waits).toHaveLength(1);
    expect(world.waits[0]).toBeGreaterThanOrEqual(expectedWaitMs - 1000);
    expect(world.waits[0]).toBeLessThanOrEqual(expectedWaitMs);
  });

  it('leaves a wait longer than the inline limit to the state machine: WebhookRateLimited, no sleep', async () => {
    // Prepare
    const world = fakeWorld([{ status: 429, headers: { 'retry-after': '30' } }]);

    // Act
    const error = await failureOf(() => postWebhook(URL_WITH_SECRET, BODY, CHAT, { ...world.options, maxInlineWaitMs: 10_000 }));

    // Assert
    expect(error.name).toBe('WebhookRateLimited');
    expect(error.message).toContain('Retry-After 30 s');
    // The wait asked for goes with the error, for whoever paces the destination.
    expect((error as RateLimitedError).retryAfterMs).toBe(30_000);
    expect(world.waits).toEqual([]);
    expect(world.requests).toHaveLength(1);
  });

  it('the case seen: Retry-After 10 s and slow answers no longer add up past the function timeout', async () => {
    // Prepare: 27 s of budget (a 30 s function less its margin); answers take 9 s each.
    const world = fakeWorld([{ status: 429, headers: { 'retry-after': '10' }, takesMs: 9_000 }], 27_000);

    // Act
    const error = await failureOf(() =>
      postWebhook(URL_WITH_SECRET, BODY, CHAT, { ...world.options, maxInlineWaitMs: 10_000, maxInlineRetries: 2 }),
    );

    // Assert: the second answer would come after the invocation's time: the signal cuts it there
    // (in the function, middy answers FunctionTimedOut at that moment; both are retried).
    expect(error.name).toBe('WebhookUnavailable');
    expect(world.elapsedMs()).toBe(27_000);
  });

  it.each(
    [0, 1, 4, 9, 10, 11, 25].flatMap((retryAfterSeconds) =>
      [0, 2_000, 9_000, 15_000].flatMap((takesMs) => [3_000, 12_000, 27_000].map((budgetMs) => ({ retryAfterSeconds, takesMs, budgetMs }))),
    ),
  )(
    'inline waits and requests stay inside the budget: $budgetMs ms, Retry-After $retryAfterSeconds s, answers in $takesMs ms',
    async ({ retryAfterSeconds, takesMs, budgetMs }) => {
      // Prepare: Slack keeps answering 429.
      const world = fakeWorld([{ status: 429, headers: { 'retry-after': String(retryAfterSeconds) }, takesMs }], budgetMs);

      // Act
      const error = await failureOf(() => postWebhook(URL_WITH_SECRET, BODY, CHAT, { ...world.options, maxInlineRetries: 5 }));

      // Assert
      expect(['WebhookRateLimited', 'WebhookUnavailable']).toContain(error.name);
      expect(world.elapsedMs()).toBeLessThanOrEqual(budgetMs);
      expect(world.waits.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(budgetMs);
      for (const wait of world.waits) expect(wait).toBeLessThanOrEqual(10_000);
      expect(world.requests.length).toBeLessThanOrEqual(6);
    },
  );

  it("ends a request still in flight when the invocation's time is up (middy's signal), even within the request's own timeout", async () => {
    // Prepare: 5 s left, the answer would take 8 s (the request's own limit is 10 s).
    const world = fakeWorld([{ status: 200, takesMs: 8_000 }], 5_000);

    // Act
    const error = await failureOf(() => postWebhook(URL_WITH_SECRET, BODY, CHAT, world.options));

    // Assert
    expect(world.requests[0]!.timeoutMs).toBe(10_000);
    expect(world.budget.signal.aborted).toBe(true);
    expect(error.name).toBe('WebhookUnavailable');
    expect(world.elapsedMs()).toBe(5_000);
  });

  it('ends a request at its own timeout while the invocation has time left', async () => {
    // Prepare
    const world = fakeWorld([{ status: 200, takesMs: 15_000 }], 27_000);

    // Act
    const error = await failureOf(() => postWebhook(URL_WITH_SECRET, BODY, CHAT, world.options));

    // Assert
    expect(error.name).toBe('WebhookUnavailable');
    expect(error.message).toContain('TimeoutError');
    expect(world.budget.signal.aborted).toBe(false);
    expect(world.elapsedMs()).toBe(10_000);
  });

  it('does not start a request without time left for it: WebhookUnavailable, retried by the state machine', async () => {
    // Prepare
    const world = fakeWorld([{ status: 200 }], 300);

    // Act
    const error = await failureOf(() => postWebhook(URL_WITH_SECRET, BODY, CHAT, world.options));

    // Assert
    expect(error.name).toBe('WebhookUnavailable');
    expect(error.message).toMatch(/time/);
    expect(world.requests).toHaveLength(0);
  });
});
