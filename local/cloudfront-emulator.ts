import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accountOfSignature } from './aws-emulator';
import type { LoopbackResponse, LoopbackServer } from './loopback-server';

/** One invalidation the emulator knows, and when it completes. */
export interface EmulatedInvalidation {
  /** The account that owns the target (organization mode). @default the notifier's own */
  readonly account?: string;
  readonly kind: 'distribution' | 'tenant';
  readonly targetId: string;
  readonly invalidationId: string;
  readonly paths: readonly string[];
  readonly callerReference?: string;
  /** How long before the watch started it was created (CloudTrail delivery takes a while). @default 5 */
  readonly createdSecondsBeforeWatch?: number;
  /** Answer InProgress to this many checks, then Completed. */
  readonly inProgressChecks?: number;
  /** Or: Completed from this second of the watch on (virtual time, see `clock`). */
  readonly completesAtSecond?: number;
}

/**
 * How a distribution's or tenant's current version deploys: the version's `ETag` and when it
 * reads `Deployed` (InProgress before). Give `inProgressChecks` or `deployedAtSecond`, not both;
 * neither: Deployed at once.
 */
export interface DeploymentScript {
  /** The version: the `ETag` header every GetDistribution / GetDistributionTenant answer carries. */
  readonly eTag: string;
  /**
   * Answer InProgress to this many checks of this version, then Deployed. A check is a call while
   * a watch of the target runs (see the constructor's `isWatched`): without `isWatched`, every call.
   */
  readonly inProgressChecks?: number;
  /**
   * Or: Deployed from this second on, in the virtual time of this version's watch (the
   * constructor's `clock`, asked with this `eTag`). Preferred in end-to-end tests: it does not
   * depend on how many calls were made.
   */
  readonly deployedAtSecond?: number;
}

/** What the emulator knows of a distribution or tenant besides its invalidations (GetDistribution, GetDistributionTenant, tags). */
export interface EmulatedTarget {
  readonly kind: 'distribution' | 'tenant';
  readonly id: string;
  /** Distribution: alternate domain names. */
  readonly aliases?: readonly string[];
  /** Distribution: its cloudfront.net domain. @default `<id lowercased>.cloudfront.net` */
  readonly domainName?: string;
  /** Tenant: its name and domains. */
  readonly name?: string;
  readonly domains?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The account that owns it (organization mode): its deployment's checks answer only that
   * account's credentials (another account's get a 404, as CloudFront answers). @default the notifier's own
   */
  readonly account?: string;
  /**
   * Its deployment, which makes its GetDistribution / GetDistributionTenant calls checks (see
   * {@link CloudFrontEmulator}). Without one it reads Deployed, without an ETag.
   */
  readonly deployment?: DeploymentScript;
}

/** An error answer: CloudFront's REST-XML error with this status and code. */
export interface ForcedError {
  readonly status: number;
  readonly code: string;
  readonly message?: string;
}

/**
 * An answer that never fully arrives:
 * - `truncated`: 200 and the first half of the real answer, then the connection closes
 *   (Content-Length promised more);
 * - `truncated-xml`: a complete 200 whose XML is cut in half (the length agrees);
 * - `reset`: the connection is reset before any answer;
 * - `hang`: no answer at all, until the client gives up or the emulator stops.
 */
export type Blip = 'truncated' | 'truncated-xml' | 'reset' | 'hang';

export type ForcedAnswer = ForcedError | { readonly blip: Blip };

type Reply = LoopbackResponse | { readonly blip: Blip; readonly body: string };

/** The status checks the emulator records in `calls`: an invalidation's, or a deployment's. */
export type CheckOperation = 'GetInvalidation' | 'GetInvalidationForDistributionTenant' | 'GetDistribution' | 'GetDistributionTenant';

export interface CloudFrontCall {
  readonly operation: CheckOperation;
  readonly kind: 'distribution' | 'tenant';
  readonly targetId: string;
  /** The invalidation checked (GetInvalidation*); absent for a deployment's check. */
  readonly invalidationId?: string;
  /** A deployment's check: the version the target was at when asked (answered unless the answer was forced). */
  readonly eTag?: string;
  /** 0 when no status line was sent (`reset`, `hang`). */
  readonly status: number;
  /** The status or error code answered, or the blip. */
  readonly answer: string;
  readonly at: number;
}

export interface RateLimit {
  /** Tokens added per second (of the process's Date: virtual when time is compressed). */
  readonly perSecond: number;
  readonly burst: number;
}

const PATTERN = /^\/2020-05-31\/(distribution|distribution-tenant)\/([^/]+)\/invalidation\/([^/?]+)$/;
const TARGET_PATTERN = /^\/2020-05-31\/(distribution|distribution-tenant)\/([^/?]+)$/;
const TAGGING_PATTERN = /^\/2020-05-31\/tagging\?(.*)$/;
const LIST_INVALIDATIONS_PATTERN = /^\/2020-05-31\/(distribution|distribution-tenant)\/([^/?]+)\/invalidation(?:\?(.*))?$/;
const LIST_DISTRIBUTIONS_PATTERN = /^\/2020-05-31\/distribution(?:\?(.*))?$/;
const LIST_TENANTS_PATH = '/2020-05-31/distribution-tenants';
const CREATE_PATTERN = /^\/2020-05-31\/(distribution|distribution-tenant)\/([^/?]+)\/invalidation$/;

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** A deployment script as given, refused when it says two things at once. */
function checkedScript(script: DeploymentScript): DeploymentScript {
  if (script.inProgressChecks !== undefined && script.deployedAtSecond !== undefined) {
    throw new Error(`the deployment of version ${script.eTag} gives both inProgressChecks and deployedAtSecond: give one`);
  }
  return script;
}

/**
 * A loopback server speaking CloudFront's REST-XML GetInvalidation and
 * GetInvalidationForDistributionTenant, GetDistribution and GetDistributionTenant (a
 * deployment's checks: the target's `Status` and its version in the `ETag` header, from the
 * target's {@link DeploymentScript}) (and, for the search of a cut CloudTrail event's
 * invalidation, ListInvalidations, ListInvalidationsForDistributionTenant, ListDistributions and
 * ListDistributionTenants, in one page for tenants), with faults on demand: forced answers (throttling,
 * 5xx, access denied, and blips: truncated, reset, hanging answers) and a token-bucket rate
 * limit that answers Throttling beyond it. It has its own server rather than the shared
 * loopback one because blips need the socket.
 *
 * GetDistribution and GetDistributionTenant are also Start watch's look-ups (the target's name
 * for messages and routes, read before the watch starts, then cached for minutes). A call to a
 * target with a deployment script is a check when a watch of that target runs (`isWatched`),
 * otherwise a look-up: a look-up is answered from the script as it stands but recorded in
 * `lookups`, consumes no check of `inProgressChecks`, no forced answer and no rate-limit token.
 * So a test's `forceNext` and `inProgressChecks` reach the checker, whether or not Start watch
 * had the name cached. The one call this misreads: a look-up of a target while another watch of
 * it runs (a second change after the name's cache expired) counts as a check.
 */
export class CloudFrontEmulator {
  public readonly calls: CloudFrontCall[] = [];
  /** Look-ups of names and tags (not checks: they take no forced answer and no rate-limit token). */
  public readonly lookups: { readonly operation: string; readonly resource: string }[] = [];
  private readonly targets = new Map<string, EmulatedTarget>();
  /** The deployment scripts by `kind/id`, with the checks each version has answered. */
  private readonly deployments = new Map<string, DeploymentScript & { checks: number }>();
  /** Targets `remove` deleted: their invalidations' checks answer 404 too. */
  private readonly removed = new Set<string>();
  private readonly lookupFailures: ForcedError[] = [];
  private readonly invalidations = new Map<string, EmulatedInvalidation & { checks: number }>();
  private readonly forced: ForcedAnswer[] = [];
  private server?: LoopbackServer;
  private tokens = 0;
  private lastRefill = Date.now();

  constructor(
    private readonly options: {
      readonly rateLimit?: RateLimit;
      /**
       * Seconds into the watch of a piece of work, named as `workIdOf` names it: an invalidation's
       * ID (for `completesAtSecond`) or a deployment's version, its `ETag` (for `deployedAtSecond`).
       */
      readonly clock?: (workId: string) => number;
      /** Whether a watch of this target runs now: tells a deployment's checks from Start watch's look-ups (see the class). */
      readonly isWatched?: (kind: 'distribution' | 'tenant', id: string) => boolean;
      /**
       * Hears of each invalidation CreateInvalidation / CreateInvalidationForDistributionTenant
       * made (a new one, not a repeated request), and may say how it completes (by default at
       * the first check). This is where a test plays CloudTrail: it delivers the matching event.
       */
      readonly onCreate?: (
        invalidation: EmulatedInvalidation,
      ) => Pick<EmulatedInvalidation, 'inProgressChecks' | 'completesAtSecond'> | void;
    } = {},
  ) {
    this.tokens = options.rateLimit?.burst ?? 0;
  }

  async start(): Promise<string> {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const account = accountOfSignature(req.headers.authorization);
        const method = req.method ?? 'GET';
        const path = req.url ?? '/';
        const created = method === 'POST' ? this.create(path, Buffer.concat(chunks).toString('utf8'), account) : undefined;
        this.send(res, created ?? this.answer(method, path, account));
      });
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // Never keeps the process alive, whatever a test leaves hanging.
    server.unref();
    const { port } = server.address() as AddressInfo;
    this.server = {
      url: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  add(invalidation: EmulatedInvalidation): void {
    this.invalidations.set(this.key(invalidation.kind, invalidation.targetId, invalidation.invalidationId), { ...invalidation, checks: 0 });
  }

  /** The next look-ups (names, tags) answer with these errors, e.g. `{status: 400, code: 'Throttling'}`. */
  failLookupsNext(...answers: ForcedError[]): void {
    this.lookupFailures.push(...answers);
  }

  /** A distribution or tenant to describe (name, domains, tags, deployment); unknown ones answer 404. */
  describe(target: EmulatedTarget): void {
    const key = `${target.kind}/${target.id}`;
    this.targets.set(key, target);
    this.removed.delete(key);
    this.deployments.delete(key);
    if (target.deployment) this.deployments.set(key, { ...checkedScript(target.deployment), checks: 0 });
  }

  /**
   * A new change of a described target: a new version (`eTag`), InProgress again until its
   * script says Deployed (its `deployedAtSecond` counts in the new version's watch).
   */
  change(kind: 'distribution' | 'tenant', id: string, deployment: DeploymentScript): void {
    const target = this.targets.get(`${kind}/${id}`);
    if (!target) throw new Error(`change: ${kind} ${id} was not described (describe it first) or was removed`);
    this.describe({ ...target, deployment });
  }

  /**
   * The target is deleted: from now on every call naming it answers 404 as CloudFront does
   * (GetDistribution and invalidations of a distribution: NoSuchDistribution; of a tenant:
   * EntityNotFound; ListTagsForResource: NoSuchResource), its checks still recorded in `calls`.
   */
  remove(kind: 'distribution' | 'tenant', id: string): void {
    const key = `${kind}/${id}`;
    if (!this.targets.delete(key)) throw new Error(`remove: ${kind} ${id} was not described or was removed already`);
    this.removed.add(key);
  }

  /** The next answers, whatever is asked (e.g. `{status: 400, code: 'Throttling'}`, `{blip: 'reset'}`). */
  forceNext(...answers: ForcedAnswer[]): void {
    this.forced.push(...answers);
  }

  callsFor(invalidationId: string): CloudFrontCall[] {
    return this.calls.filter((call) => call.invalidationId === invalidationId);
  }

  /** The deployment checks of a target (GetDistribution / GetDistributionTenant calls recorded as checks). */
  deploymentChecksFor(kind: 'distribution' | 'tenant', id: string): CloudFrontCall[] {
    return this.calls.filter((call) => call.invalidationId === undefined && call.kind === kind && call.targetId === id);
  }

  private key(kind: string, targetId: string, invalidationId: string) {
    return `${kind}/${targetId}/${invalidationId}`;
  }

  private takeToken(): boolean {
    const limit = this.options.rateLimit;
    if (!limit) return true;
    const now = Date.now();
    this.tokens = Math.min(limit.burst, this.tokens + ((now - this.lastRefill) / 1000) * limit.perSecond);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (!('blip' in reply)) {
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
      return;
    }
    const half = reply.body.slice(0, Math.floor(reply.body.length / 2));
    const headers = { 'content-type': 'text/xml', 'x-amzn-requestid': `req-${this.calls.length}` };
    switch (reply.blip) {
      case 'truncated':
        res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(reply.body)) });
        // Closed (not reset) once the half is sent, so the client surely reads the status line first.
        res.write(half, () => res.socket?.destroy());
        return;
      case 'truncated-xml':
        res.writeHead(200, headers);
        res.end(half);
        return;
      case 'reset':
        res.socket?.resetAndDestroy();
        return;
      case 'hang':
        return;
    }
  }

  /** `account`: the member account whose assumed role signed the request; undefined for the notifier's own. */
  private answer(method: string, path: string, account?: string): Reply {
    const list = this.list(method, path, account);
    if (list) return list;
    const deployment = method === 'GET' ? this.deploymentCheck(path, account) : undefined;
    if (deployment) return deployment;
    const lookup = method === 'GET' ? this.lookup(path) : undefined;
    if (lookup) return lookup;
    const match = PATTERN.exec(path);
    if (method !== 'GET' || !match) return this.error(404, 'UnknownOperation', `${method} ${path} is not emulated`);
    const [, segment, rawTarget, rawId] = match as unknown as [string, string, string, string];
    const kind = segment === 'distribution' ? 'distribution' : 'tenant';
    const targetId = decodeURIComponent(rawTarget);
    const invalidationId = decodeURIComponent(rawId);
    const operation = kind === 'tenant' ? 'GetInvalidationForDistributionTenant' : 'GetInvalidation';
    const known = () => this.invalidations.get(this.key(kind, targetId, invalidationId));
    return this.check(
      { operation, kind, targetId, invalidationId },
      // What would have been answered, without counting it as a check: the client never reads it.
      () => {
        const invalidation = known();
        return invalidation ? this.invalidationXml(invalidation, 'InProgress') : this.errorXml(404, 'NoSuchInvalidation', '');
      },
      (record) => {
        const found = known();
        // Each account sees its own invalidations only: another account's credentials get a 404.
        const invalidation = found && found.account === account && !this.removed.has(`${kind}/${targetId}`) ? found : undefined;
        if (!invalidation) {
          const anyForTarget =
            !this.removed.has(`${kind}/${targetId}`) &&
            [...this.invalidations.values()].some((inv) => inv.kind === kind && inv.targetId === targetId);
          if (!anyForTarget) return this.targetNotFound(kind, record);
          record(404, 'NoSuchInvalidation');
          return this.error(404, 'NoSuchInvalidation', 'The specified invalidation does not exist.');
        }
        const completed =
          invalidation.completesAtSecond !== undefined
            ? (this.options.clock?.(invalidationId) ?? 0) >= invalidation.completesAtSecond
            : invalidation.checks >= (invalidation.inProgressChecks ?? 0);
        invalidation.checks += 1;
        const status = completed ? 'Completed' : 'InProgress';
        record(200, status);
        return {
          status: 200,
          headers: { 'content-type': 'text/xml', 'x-amzn-requestid': `req-${this.calls.length}` },
          body: this.invalidationXml(invalidation, status),
        };
      },
    );
  }

  /**
   * A status check, recorded in `calls`: the next forced answer if there is one, else Throttling
   * beyond the rate limit, else `respond` (which records its own answer through `record`).
   * `blipBody`: the answer a blip cuts.
   */
  private check(
    call: Pick<CloudFrontCall, 'operation' | 'kind' | 'targetId' | 'invalidationId' | 'eTag'>,
    blipBody: () => string,
    respond: (record: (status: number, answer: string) => void) => Reply,
  ): Reply {
    const record = (status: number, answer: string) => this.calls.push({ ...call, status, answer, at: Date.now() });
    const forced = this.forced.shift();
    if (forced && 'blip' in forced) {
      record(forced.blip === 'truncated' || forced.blip === 'truncated-xml' ? 200 : 0, forced.blip);
      return { blip: forced.blip, body: blipBody() };
    }
    if (forced) {
      record(forced.status, forced.code);
      return this.error(forced.status, forced.code, forced.message ?? forced.code);
    }
    if (!this.takeToken()) {
      record(400, 'Throttling');
      return this.error(400, 'Throttling', 'Rate exceeded');
    }
    return respond(record);
  }

  /**
   * CreateInvalidation / CreateInvalidationForDistributionTenant of a described target (others
   * answer 404 as CloudFront does). A repeated caller reference with the same paths answers the
   * invalidation it made (CloudFront's idempotence), with other paths InvalidationBatchAlreadyExists.
   * Undefined for any other POST.
   */
  private create(path: string, body: string, account: string | undefined): Reply | undefined {
    const match = CREATE_PATTERN.exec(path);
    if (!match) return undefined;
    const kind = match[1] === 'distribution' ? 'distribution' : 'tenant';
    const targetId = decodeURIComponent(match[2]!);
    const target = this.targets.get(`${kind}/${targetId}`);
    if (!target || target.account !== account) return this.targetNotFound(kind);
    const unxml = (text: string) =>
      text
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&');
    const paths = [...body.matchAll(/<Path>([\s\S]*?)<\/Path>/g)].map((m) => unxml(m[1]!));
    const callerReference = unxml(/<CallerReference>([\s\S]*?)<\/CallerReference>/.exec(body)?.[1] ?? '');
    if (paths.length === 0 || !callerReference)
      return this.error(400, 'MissingBody', 'The InvalidationBatch needs Paths and a CallerReference.');
    const same = [...this.invalidations.values()].find(
      (known) => known.kind === kind && known.targetId === targetId && known.callerReference === callerReference,
    );
    if (same && JSON.stringify(same.paths) !== JSON.stringify(paths)) {
      return this.error(409, 'InvalidationBatchAlreadyExists', `The caller reference ${callerReference} was used with other paths.`);
    }
    let invalidation: EmulatedInvalidation | undefined = same;
    if (!invalidation) {
      const made: EmulatedInvalidation = {
        kind,
        targetId,
        invalidationId: `I${randomBytes(10).toString('hex').toUpperCase().slice(0, 13)}`,
        paths,
        callerReference,
        createdSecondsBeforeWatch: 0,
        ...(account === undefined ? {} : { account }),
      };
      invalidation = { ...made, ...this.options.onCreate?.(made) };
      this.add(invalidation);
    }
    const segment = kind === 'tenant' ? 'distribution-tenant' : 'distribution';
    return {
      status: 201,
      headers: {
        'content-type': 'text/xml',
        'x-amzn-requestid': `req-${this.calls.length}`,
        location: `https://cloudfront.amazonaws.com/2020-05-31/${segment}/${targetId}/invalidation/${invalidation.invalidationId}`,
      },
      body: this.invalidationXml(invalidation, 'InProgress'),
    };
  }

  /** CloudFront's 404 for a target that does not exist (never did, or was deleted). */
  private targetNotFound(kind: 'distribution' | 'tenant', record?: (status: number, answer: string) => void): LoopbackResponse {
    const code = kind === 'tenant' ? 'EntityNotFound' : 'NoSuchDistribution';
    record?.(404, code);
    return this.error(404, code, `The specified ${kind === 'tenant' ? 'distribution tenant' : 'distribution'} does not exist.`);
  }

  /**
   * GetDistribution / GetDistributionTenant of a target with a deployment script while a watch of
   * it runs: a check (see the class). Undefined for any other call, which {@link lookup} answers.
   */
  private deploymentCheck(path: string, account: string | undefined): Reply | undefined {
    const match = TARGET_PATTERN.exec(path);
    if (!match) return undefined;
    const kind = match[1] === 'distribution' ? 'distribution' : 'tenant';
    const id = decodeURIComponent(match[2]!);
    const script = this.deployments.get(`${kind}/${id}`);
    if (!script || !(this.options.isWatched?.(kind, id) ?? true)) return undefined;
    const operation = kind === 'tenant' ? 'GetDistributionTenant' : 'GetDistribution';
    return this.check(
      { operation, kind, targetId: id, eTag: script.eTag },
      () => this.targetXml(kind, id, this.targets.get(`${kind}/${id}`) ?? { kind, id }, 'InProgress'),
      (record) => {
        const target = this.targets.get(`${kind}/${id}`);
        // Each account sees its own distributions only: another account's credentials get a 404.
        if (!target || target.account !== account) return this.targetNotFound(kind, record);
        const status = this.deploymentStatus(script);
        script.checks += 1;
        record(200, status);
        return this.targetAnswer(kind, id, target, status, script.eTag);
      },
    );
  }

  /** Where a version's script stands now, without counting a check. */
  private deploymentStatus(script: DeploymentScript & { checks: number }): 'Deployed' | 'InProgress' {
    const deployed =
      script.deployedAtSecond !== undefined
        ? (this.options.clock?.(script.eTag) ?? 0) >= script.deployedAtSecond
        : script.checks >= (script.inProgressChecks ?? 0);
    return deployed ? 'Deployed' : 'InProgress';
  }

  /**
   * The List calls, from the invalidations `add` was told and the targets `describe` was told
   * (those of the signing account only): invalidations newest first, paged by `Marker` (the last
   * ID of the previous page) and `MaxItems`, as CloudFront pages them.
   */
  private list(method: string, path: string, account?: string): Reply | undefined {
    const ok = (body: string): LoopbackResponse => ({ status: 200, headers: { 'content-type': 'text/xml' }, body });
    const ns = 'xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"';
    const invalidationsMatch = method === 'GET' ? LIST_INVALIDATIONS_PATTERN.exec(path) : null;
    const distributionsMatch = method === 'GET' ? LIST_DISTRIBUTIONS_PATTERN.exec(path) : null;
    const tenants = method === 'POST' && path === LIST_TENANTS_PATH;
    if (!invalidationsMatch && !distributionsMatch && !tenants) return undefined;
    const operation = invalidationsMatch
      ? invalidationsMatch[1] === 'distribution'
        ? 'ListInvalidations'
        : 'ListInvalidationsForDistributionTenant'
      : distributionsMatch
        ? 'ListDistributions'
        : 'ListDistributionTenants';
    const targetId = invalidationsMatch ? decodeURIComponent(invalidationsMatch[2]!) : '';
    this.lookups.push({ operation, resource: targetId });
    const failure = this.lookupFailures.shift();
    if (failure) return this.error(failure.status, failure.code, failure.message ?? failure.code);
    const mine = [...this.invalidations.values()].filter((invalidation) => invalidation.account === account);
    const targetsOf = (kind: 'distribution' | 'tenant') => [
      ...new Set([
        ...mine.filter((invalidation) => invalidation.kind === kind).map((invalidation) => invalidation.targetId),
        ...(account === undefined ? [...this.targets.values()].filter((target) => target.kind === kind).map((target) => target.id) : []),
      ]),
    ];
    if (tenants) {
      const items = targetsOf('tenant')
        .map(
          (id) =>
            `<DistributionTenantSummary><Id>${xml(id)}</Id><DistributionId>E000000000000</DistributionId><Name>${xml(id)}</Name>` +
            `<Arn>arn:aws:cloudfront::${account ?? '123456789012'}:distribution-tenant/${xml(id)}</Arn><Domains></Domains>` +
            `<CreatedTime>2026-01-01T00:00:00Z</CreatedTime><LastModifiedTime>2026-01-01T00:00:00Z</LastModifiedTime>` +
            `<ETag>E1</ETag><Enabled>true</Enabled><Status>Deployed</Status></DistributionTenantSummary>`,
        )
        .join('');
      return ok(
        `<?xml version="1.0" encoding="UTF-8"?><ListDistributionTenantsResult ${ns}><DistributionTenantList>${items}</DistributionTenantList></ListDistributionTenantsResult>`,
      );
    }
    const query = new URLSearchParams((invalidationsMatch ? invalidationsMatch[3] : distributionsMatch![1]) ?? '');
    const page = <T>(all: readonly T[], idOf: (item: T) => string) => {
      const maxItems = Number(query.get('MaxItems') ?? 100);
      const marker = query.get('Marker');
      const start = marker ? all.findIndex((item) => idOf(item) === marker) + 1 : 0;
      const items = all.slice(start, start + maxItems);
      const truncated = start + maxItems < all.length;
      const paging =
        `<Marker>${xml(marker ?? '')}</Marker><MaxItems>${maxItems}</MaxItems><IsTruncated>${truncated}</IsTruncated>` +
        `<Quantity>${items.length}</Quantity>${truncated ? `<NextMarker>${xml(idOf(items[items.length - 1]!))}</NextMarker>` : ''}`;
      return { items, paging };
    };
    if (distributionsMatch) {
      const { items, paging } = page(targetsOf('distribution'), (id) => id);
      const summaries = items
        .map(
          (id) =>
            `<DistributionSummary><Id>${xml(id)}</Id><Status>Deployed</Status><DomainName>${xml(id.toLowerCase())}.cloudfront.net</DomainName></DistributionSummary>`,
        )
        .join('');
      return ok(`<?xml version="1.0" encoding="UTF-8"?><DistributionList ${ns}>${paging}<Items>${summaries}</Items></DistributionList>`);
    }
    const kind = invalidationsMatch![1] === 'distribution' ? 'distribution' : 'tenant';
    const ofTarget = mine
      .filter((invalidation) => invalidation.kind === kind && invalidation.targetId === targetId)
      .map((invalidation) => ({ invalidation, createTime: this.createTime(invalidation) }))
      .sort((a, b) => b.createTime.getTime() - a.createTime.getTime());
    if (ofTarget.length === 0 && !targetsOf(kind).includes(targetId)) {
      return this.error(404, kind === 'tenant' ? 'EntityNotFound' : 'NoSuchDistribution', `The specified ${kind} does not exist.`);
    }
    const { items, paging } = page(ofTarget, (item) => item.invalidation.invalidationId);
    const summaries = items
      .map(
        ({ invalidation, createTime }) =>
          `<InvalidationSummary><Id>${xml(invalidation.invalidationId)}</Id><CreateTime>${createTime.toISOString()}</CreateTime>` +
          `<Status>${invalidation.checks > (invalidation.inProgressChecks ?? 0) ? 'Completed' : 'InProgress'}</Status></InvalidationSummary>`,
      )
      .join('');
    return ok(`<?xml version="1.0" encoding="UTF-8"?><InvalidationList ${ns}>${paging}<Items>${summaries}</Items></InvalidationList>`);
  }

  /** GetDistribution, GetDistributionTenant and ListTagsForResource, from what `describe` was told. */
  private lookup(path: string): Reply | undefined {
    const ok = (body: string): LoopbackResponse => ({ status: 200, headers: { 'content-type': 'text/xml' }, body });
    const tagging = TAGGING_PATTERN.exec(path);
    if (tagging) {
      const resource = new URLSearchParams(tagging[1]).get('Resource') ?? '';
      this.lookups.push({ operation: 'ListTagsForResource', resource });
      const failure = this.lookupFailures.shift();
      if (failure) return this.error(failure.status, failure.code, failure.message ?? failure.code);
      const [, segment, id] = /:(distribution|distribution-tenant)\/(.+)$/.exec(resource) ?? [];
      const target = this.targets.get(`${segment === 'distribution-tenant' ? 'tenant' : 'distribution'}/${id}`);
      if (!target) return this.error(404, 'NoSuchResource', 'The specified resource does not exist.');
      const items = Object.entries(target.tags ?? {})
        .map(([key, value]) => `<Tag><Key>${xml(key)}</Key><Value>${xml(value)}</Value></Tag>`)
        .join('');
      return ok(
        `<?xml version="1.0" encoding="UTF-8"?><Tags xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Items>${items}</Items></Tags>`,
      );
    }
    const match = TARGET_PATTERN.exec(path);
    if (!match) return undefined;
    const kind = match[1] === 'distribution' ? 'distribution' : 'tenant';
    const id = decodeURIComponent(match[2]!);
    this.lookups.push({ operation: kind === 'tenant' ? 'GetDistributionTenant' : 'GetDistribution', resource: id });
    const target = this.targets.get(`${kind}/${id}`);
    if (!target) return this.targetNotFound(kind);
    const script = this.deployments.get(`${kind}/${id}`);
    return this.targetAnswer(kind, id, target, script ? this.deploymentStatus(script) : 'Deployed', script?.eTag);
  }

  /** GetDistribution's or GetDistributionTenant's answer: the `ETag` header (when the target has a version) and the XML. */
  private targetAnswer(
    kind: 'distribution' | 'tenant',
    id: string,
    target: EmulatedTarget,
    status: 'Deployed' | 'InProgress',
    eTag: string | undefined,
  ): LoopbackResponse {
    return {
      status: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': `req-${this.calls.length}`, ...(eTag ? { etag: eTag } : {}) },
      body: this.targetXml(kind, id, target, status),
    };
  }

  /** The `Distribution` or `DistributionTenant` element CloudFront answers, with the members the notifier reads. */
  private targetXml(kind: 'distribution' | 'tenant', id: string, target: EmulatedTarget, status: 'Deployed' | 'InProgress'): string {
    const ns = 'xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"';
    const modified = '<LastModifiedTime>2026-01-01T00:00:00Z</LastModifiedTime>';
    if (kind === 'tenant') {
      const domains = (target.domains ?? [])
        .map((domain) => `<member><Domain>${xml(domain)}</Domain><Status>active</Status></member>`)
        .join('');
      return (
        `<?xml version="1.0" encoding="UTF-8"?><DistributionTenant ${ns}><Id>${xml(id)}</Id><DistributionId>E000000000000</DistributionId>` +
        `<Name>${xml(target.name ?? id)}</Name><Arn>arn:aws:cloudfront::123456789012:distribution-tenant/${xml(id)}</Arn>` +
        `<Domains>${domains}</Domains><CreatedTime>2026-01-01T00:00:00Z</CreatedTime>${modified}` +
        `<Enabled>true</Enabled><Status>${status}</Status></DistributionTenant>`
      );
    }
    const aliases = target.aliases ?? [];
    return (
      `<?xml version="1.0" encoding="UTF-8"?><Distribution ${ns}><Id>${xml(id)}</Id>` +
      `<ARN>arn:aws:cloudfront::123456789012:distribution/${xml(id)}</ARN><Status>${status}</Status>${modified}` +
      `<InProgressInvalidationBatches>0</InProgressInvalidationBatches>` +
      `<DomainName>${xml(target.domainName ?? `${id.toLowerCase()}.cloudfront.net`)}</DomainName>` +
      `<DistributionConfig><CallerReference>local</CallerReference><Aliases><Quantity>${aliases.length}</Quantity>` +
      `<Items>${aliases.map((alias) => `<CNAME>${xml(alias)}</CNAME>`).join('')}</Items></Aliases><Enabled>true</Enabled></DistributionConfig></Distribution>`
    );
  }

  private invalidationXml(invalidation: EmulatedInvalidation, status: 'InProgress' | 'Completed'): string {
    const items = invalidation.paths.map((p) => `<Path>${xml(p)}</Path>`).join('');
    return (
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">' +
      `<Id>${xml(invalidation.invalidationId)}</Id><Status>${status}</Status>` +
      `<CreateTime>${this.createTime(invalidation).toISOString()}</CreateTime>` +
      `<InvalidationBatch><Paths><Quantity>${invalidation.paths.length}</Quantity>` +
      `${items ? `<Items>${items}</Items>` : ''}</Paths>` +
      `<CallerReference>${xml(invalidation.callerReference ?? 'local')}</CallerReference></InvalidationBatch>` +
      '</Invalidation>'
    );
  }

  /** Consistent with virtual time: the handler measures durations against its real clock. */
  private createTime(invalidation: EmulatedInvalidation): Date {
    const ageSeconds = (this.options.clock?.(invalidation.invalidationId) ?? 0) + (invalidation.createdSecondsBeforeWatch ?? 5);
    return new Date(Date.now() - ageSeconds * 1000);
  }

  private error(status: number, code: string, message: string): LoopbackResponse {
    return {
      status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': `req-${this.calls.length}`, 'x-amzn-errortype': code },
      body: this.errorXml(status, code, message),
    };
  }

  private errorXml(status: number, code: string, message: string): string {
    return (
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">' +
      `<Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xml(code)}</Code><Message>${xml(message)}</Message></Error>` +
      `<RequestId>req-${this.calls.length}</RequestId></ErrorResponse>`
    );
  }
}
