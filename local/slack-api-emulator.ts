import { startLoopbackServer, type LoopbackRequest, type LoopbackResponse, type LoopbackServer } from './loopback-server';

/** The token the emulator knows unless told otherwise, with chat:write. */
export const LOCAL_BOT_TOKEN = 'xoxb-local';
/** The channel the bot is in unless told otherwise. */
export const LOCAL_CHANNEL = 'C0LOCAL0001';

type Blocks = readonly Record<string, unknown>[];

export interface SlackApiEmulatorOptions {
  /** Tokens Slack knows, each with its scopes. @default { 'xoxb-local': ['chat:write'] } */
  readonly tokens?: Readonly<Record<string, readonly string[]>>;
  /** Channels the bot is a member of. @default ['C0LOCAL0001'] */
  readonly joined?: readonly string[];
  /** Channels that exist, the bot not in them (posting answers not_in_channel). @default [] */
  readonly notJoined?: readonly string[];
  /** Slack's posting limit, per channel: at most one message per this many ms. @default none */
  readonly postIntervalMs?: number;
  /** Slack's chat.update limit (Tier 3, about 50 a minute), per token, over any 60 s. @default none */
  readonly updatesPerMinute?: number;
}

/** A scripted answer: Slack's error code on a 200 (429 for `ratelimited`), or a raw status and body. */
export interface SlackApiAnswer {
  /** Answers `{"ok": false, "error": <error>, ...extra}`. */
  readonly error?: string;
  readonly extra?: Record<string, unknown>;
  /** @default 429 for `ratelimited`, else 200 */
  readonly status?: number;
  /** A raw body instead of Slack's JSON (a proxy's page). */
  readonly body?: string;
  readonly retryAfterSeconds?: number;
}

export interface SlackApiPost {
  readonly channel: string;
  readonly ts: string;
  readonly text?: string;
  readonly blocks?: Blocks;
  readonly thread_ts?: string;
}

export interface SlackApiUpdate {
  readonly channel: string;
  readonly ts: string;
  readonly text?: string;
  readonly blocks?: Blocks;
}

/** A message as it stands: its latest text and blocks, and what it said before each update. */
export interface SlackApiMessage extends SlackApiPost {
  readonly history: readonly { readonly text?: string; readonly blocks?: Blocks }[];
  readonly deleted: boolean;
}

export interface SlackApiAttempt {
  readonly method: string;
  readonly channel?: string;
  readonly status: number;
  /** Slack's error code, when it refused. */
  readonly error?: string;
  readonly at: number;
}

const MINUTE_MS = 60_000;

/**
 * A loopback Slack Web API (`chat.postMessage`, `chat.update`) that behaves as Slack does: the
 * bearer token and its scopes, the channels the bot is in, messages with unique increasing `ts`,
 * threads, updates, deleted messages, rate limits in the process's clock (`Date.now()`, the
 * simulation's while it runs), and Slack's answers: HTTP 200 `{"ok": false, "error": ...}`,
 * 429 with Retry-After. {@link start} returns the base URL `SLACK_API_URL` takes.
 */
export class SlackApiEmulator {
  /** Every accepted chat.postMessage, in order. */
  public readonly posts: SlackApiPost[] = [];
  /** Every accepted chat.update, in order. */
  public readonly updates: SlackApiUpdate[] = [];
  /** Every request, accepted or not. */
  public readonly attempts: SlackApiAttempt[] = [];
  private readonly tokens = new Map<string, readonly string[]>();
  private readonly revoked = new Set<string>();
  private readonly joined = new Set<string>();
  private readonly notJoined = new Set<string>();
  /** Messages (top-level and replies) by channel, in order of posting. */
  private readonly byChannel = new Map<string, SlackApiMessage[]>();
  private readonly scripted: SlackApiAnswer[] = [];
  private readonly lastPostAt = new Map<string, number>();
  private readonly updateTimes = new Map<string, number[]>();
  private lastTsMicros = 0;
  private server?: LoopbackServer;

  constructor(private readonly options: SlackApiEmulatorOptions = {}) {
    this.configure();
  }

  /** Starts listening; returns the base URL, e.g. `http://127.0.0.1:PORT/api`. */
  async start(): Promise<string> {
    this.server = await startLoopbackServer((request) => this.answer(request));
    return `${this.server.url}/api`;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** Forgets messages, attempts, scripts and limits' history; back to the configured tokens and channels. */
  reset(): void {
    this.posts.splice(0);
    this.updates.splice(0);
    this.attempts.splice(0);
    this.scripted.splice(0);
    this.byChannel.clear();
    this.lastPostAt.clear();
    this.updateTimes.clear();
    this.configure();
  }

  /** The next answers, in order, whatever the method; afterwards Slack's own. */
  answerNext(...answers: SlackApiAnswer[]): void {
    this.scripted.push(...answers);
  }

  /** Adds (or replaces) a token and its scopes. */
  setToken(token: string, scopes: readonly string[]): void {
    this.tokens.set(token, scopes);
    this.revoked.delete(token);
  }

  /** The app was uninstalled: its token answers token_revoked. */
  revokeToken(token: string): void {
    this.revoked.add(token);
  }

  /** The app was invited to the channel. */
  joinChannel(channel: string): void {
    this.notJoined.delete(channel);
    this.joined.add(channel);
  }

  /** The app was removed from the channel: posting answers not_in_channel. */
  leaveChannel(channel: string): void {
    this.joined.delete(channel);
    this.notJoined.add(channel);
  }

  /** Someone deleted a message: chat.update answers message_not_found. */
  deleteMessage(channel: string, ts: string): void {
    const index = this.channelMessages(channel).findIndex((message) => message.ts === ts);
    if (index < 0) throw new Error(`no message ${ts} in ${channel}`);
    const list = this.channelMessages(channel);
    list[index] = { ...list[index]!, deleted: true };
  }

  /** The channel's top-level messages as they stand (not deleted), in order of posting. */
  messages(channel: string): SlackApiMessage[] {
    return this.channelMessages(channel).filter((message) => !message.deleted && message.thread_ts === undefined);
  }

  /** The replies in a message's thread (not deleted), in order. */
  threadReplies(channel: string, ts: string): SlackApiMessage[] {
    return this.channelMessages(channel).filter((message) => !message.deleted && message.thread_ts === ts);
  }

  private configure(): void {
    this.tokens.clear();
    this.revoked.clear();
    this.joined.clear();
    this.notJoined.clear();
    for (const [token, scopes] of Object.entries(this.options.tokens ?? { [LOCAL_BOT_TOKEN]: ['chat:write'] }))
      this.tokens.set(token, scopes);
    for (const channel of this.options.joined ?? [LOCAL_CHANNEL]) this.joined.add(channel);
    for (const channel of this.options.notJoined ?? []) this.notJoined.add(channel);
  }

  private channelMessages(channel: string): SlackApiMessage[] {
    let list = this.byChannel.get(channel);
    if (!list) this.byChannel.set(channel, (list = []));
    return list;
  }

  /** Slack's ts: seconds and microseconds of the clock, unique and increasing. */
  private nextTs(): string {
    this.lastTsMicros = Math.max(Date.now() * 1000, this.lastTsMicros + 1);
    return `${Math.floor(this.lastTsMicros / 1e6)}.${String(this.lastTsMicros % 1e6).padStart(6, '0')}`;
  }

  private answer(request: LoopbackRequest): LoopbackResponse {
    const method = request.path.replace(/^\/api\//, '').split('?')[0] ?? '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body);
    } catch {
      parsed = undefined;
    }
    const field = (parsed as { channel?: unknown } | null | undefined)?.channel;
    const channel = typeof field === 'string' ? field : undefined;
    const reply = (status: number, body: Record<string, unknown> | string, retryAfterSeconds?: number): LoopbackResponse => {
      const error = typeof body === 'object' && body.ok === false ? String(body.error) : undefined;
      this.attempts.push({ method, ...(channel === undefined ? {} : { channel }), status, ...(error ? { error } : {}), at: Date.now() });
      return {
        status,
        headers: {
          'content-type': typeof body === 'string' ? 'text/html' : 'application/json; charset=utf-8',
          ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      };
    };
    const refuse = (error: string, extra: Record<string, unknown> = {}) => reply(200, { ok: false, error, ...extra });

    if (parsed === undefined) return refuse('invalid_json');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return refuse('json_not_object');
    const params = parsed as Record<string, unknown>;

    const scripted = this.scripted.shift();
    if (scripted) {
      if (scripted.body !== undefined) return reply(scripted.status ?? 200, scripted.body, scripted.retryAfterSeconds);
      const error = scripted.error ?? 'internal_error';
      return reply(
        scripted.status ?? (error === 'ratelimited' ? 429 : 200),
        { ok: false, error, ...scripted.extra },
        scripted.retryAfterSeconds,
      );
    }

    if (method !== 'chat.postMessage' && method !== 'chat.update') return refuse('unknown_method');
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer === undefined) return refuse('not_authed');
    const scopes = this.tokens.get(bearer);
    if (scopes === undefined) return refuse('invalid_auth');
    if (this.revoked.has(bearer)) return refuse('token_revoked');
    if (!scopes.includes('chat:write')) return refuse('missing_scope', { needed: 'chat:write', provided: scopes.join(',') });
    if (channel === undefined || (!this.joined.has(channel) && !this.notJoined.has(channel))) return refuse('channel_not_found');
    if (!this.joined.has(channel)) return refuse('not_in_channel');

    const text = typeof params.text === 'string' ? params.text : undefined;
    const blocks = params.blocks;
    if (blocks !== undefined && (!Array.isArray(blocks) || blocks.length > 50)) return refuse('invalid_blocks');
    if (text === undefined && blocks === undefined) return refuse('no_text');
    if (text !== undefined && text.length > 40_000) return refuse('msg_too_long');
    const content = { ...(text === undefined ? {} : { text }), ...(blocks === undefined ? {} : { blocks: blocks as Blocks }) };
    const now = Date.now();

    if (method === 'chat.postMessage') {
      const last = this.lastPostAt.get(channel);
      const interval = this.options.postIntervalMs;
      if (interval !== undefined && last !== undefined && now - last < interval) {
        return reply(429, { ok: false, error: 'ratelimited' }, Math.ceil((last + interval - now) / 1000));
      }
      this.lastPostAt.set(channel, now);
      const thread = typeof params.thread_ts === 'string' ? { thread_ts: params.thread_ts } : {};
      const post: SlackApiPost = { channel, ts: this.nextTs(), ...content, ...thread };
      this.posts.push(post);
      this.channelMessages(channel).push({ ...post, history: [], deleted: false });
      return reply(200, { ok: true, channel, ts: post.ts, message: { type: 'message', ...content, ts: post.ts, ...thread } });
    }

    const ts = typeof params.ts === 'string' ? params.ts : '';
    const list = this.channelMessages(channel);
    const index = list.findIndex((message) => message.ts === ts && !message.deleted);
    if (index < 0) return refuse('message_not_found');
    const limit = this.options.updatesPerMinute;
    const recent = (this.updateTimes.get(bearer) ?? []).filter((at) => now - at < MINUTE_MS);
    this.updateTimes.set(bearer, recent);
    if (limit !== undefined && recent.length >= limit) {
      return reply(429, { ok: false, error: 'ratelimited' }, Math.max(1, Math.ceil((recent[0]! + MINUTE_MS - now) / 1000)));
    }
    recent.push(now);
    const before = list[index]!;
    list[index] = { ...before, ...content, history: [...before.history, { text: before.text, blocks: before.blocks }] };
    this.updates.push({ channel, ts, ...content });
    return reply(200, { ok: true, channel, ts, text: text ?? '' });
  }
}
