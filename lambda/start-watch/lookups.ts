import { GetDistributionCommand, GetDistributionTenantCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudfront';
import type { CloudFrontAccess } from '../shared/cloudfront-access';
import type { WatchTarget } from '../shared/watch-request';
import { targetArn } from '../shared/invalidation-event';

/** What people recognise a target by, and its tags (for routes). Either may be unknown. */
export interface TargetDetails {
  readonly name?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Organization mode: the account's alias, when it has one and it could be read. */
  readonly accountAlias?: string;
}

interface Cached<T> {
  readonly value: T;
  readonly until: number;
}

/**
 * Names and tags of distributions and tenants, read with read-only CloudFront calls and cached
 * per container: a SaaS back end invalidating 1,000 tenants of one distribution reads each
 * tenant once, not once per invalidation. A failed look-up is not cached for long and never
 * fails the watch: the message then names the IDs (and tag routes do not match).
 */
export class TargetLookups {
  private readonly names = new Map<string, Cached<string | undefined>>();
  private readonly tags = new Map<string, Cached<Record<string, string> | undefined>>();
  private readonly aliases = new Map<string, Cached<string | undefined>>();

  constructor(
    private readonly access: CloudFrontAccess,
    private readonly options: { readonly ttlMs?: number; readonly failureTtlMs?: number; readonly now?: () => number } = {},
  ) {}

  /** Organization mode: every message names the account. */
  get namesAccounts(): boolean {
    return this.access.organizationMode;
  }

  async details(target: WatchTarget, account: string, withTags: boolean): Promise<TargetDetails> {
    const [name, tags, accountAlias] = await Promise.all([
      this.cached(this.names, `${account}/${target.kind}/${target.id}`, () => this.readName(target, account)),
      withTags ? this.cached(this.tags, `${account}/${target.kind}/${target.id}`, () => this.readTags(target, account)) : undefined,
      this.access.isMember(account) ? this.cached(this.aliases, account, () => this.access.accountAlias(account)) : undefined,
    ]);
    return { ...(name ? { name } : {}), ...(tags ? { tags } : {}), ...(accountAlias ? { accountAlias } : {}) };
  }

  private async readName(target: WatchTarget, account: string): Promise<string | undefined> {
    const client = await this.access.cloudFront(account);
    if (target.kind === 'tenant') {
      const { DistributionTenant: tenant } = await client.send(new GetDistributionTenantCommand({ Identifier: target.id }));
      const domain = tenant?.Domains?.[0]?.Domain;
      if (!tenant?.Name) return domain;
      return domain ? `${tenant.Name} (${domain})` : tenant.Name;
    }
    const { Distribution: distribution } = await client.send(new GetDistributionCommand({ Id: target.id }));
    return distribution?.DistributionConfig?.Aliases?.Items?.[0] ?? distribution?.DomainName;
  }

  private async readTags(target: WatchTarget, account: string): Promise<Record<string, string>> {
    const client = await this.access.cloudFront(account);
    const { Tags } = await client.send(new ListTagsForResourceCommand({ Resource: targetArn(target.kind, target.id, account) }));
    return Object.fromEntries((Tags?.Items ?? []).filter((tag) => tag.Key).map((tag) => [tag.Key!, tag.Value ?? '']));
  }

  private async cached<T>(cache: Map<string, Cached<T | undefined>>, key: string, read: () => Promise<T>): Promise<T | undefined> {
    const now = (this.options.now ?? Date.now)();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.value;
    let value: T | undefined;
    let ttl = this.options.ttlMs ?? 10 * 60_000;
    try {
      value = await read();
    } catch {
      // Not found, access denied, throttled, timed out: fall back to the IDs; try again soon.
      value = undefined;
      ttl = this.options.failureTtlMs ?? 30_000;
    }
    // Bounded: a container that sees many thousands of tenants forgets the oldest.
    if (cache.size >= 10_000) cache.delete(cache.keys().next().value!);
    cache.set(key, { value, until: now + ttl });
    return value;
  }
}
