import {
  GetDistributionCommand,
  GetDistributionTenantCommand,
  ListTagsForResourceCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import type { WatchTarget } from '../shared/watch-request';
import { targetArn } from '../shared/invalidation-event';

/** What people recognise a target by, and its tags (for routes). Either may be unknown. */
export interface TargetDetails {
  readonly name?: string;
  readonly tags?: Readonly<Record<string, string>>;
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

  constructor(
    private readonly client: CloudFrontClient,
    private readonly options: { readonly ttlMs?: number; readonly failureTtlMs?: number; readonly now?: () => number } = {},
  ) {}

  async details(target: WatchTarget, account: string, withTags: boolean): Promise<TargetDetails> {
    const [name, tags] = await Promise.all([
      this.cached(this.names, `${target.kind}/${target.id}`, () => this.readName(target)),
      withTags ? this.cached(this.tags, `${account}/${target.kind}/${target.id}`, () => this.readTags(target, account)) : undefined,
    ]);
    return { ...(name ? { name } : {}), ...(tags ? { tags } : {}) };
  }

  private async readName(target: WatchTarget): Promise<string | undefined> {
    if (target.kind === 'tenant') {
      const { DistributionTenant: tenant } = await this.client.send(new GetDistributionTenantCommand({ Identifier: target.id }));
      const domain = tenant?.Domains?.[0]?.Domain;
      if (!tenant?.Name) return domain;
      return domain ? `${tenant.Name} (${domain})` : tenant.Name;
    }
    const { Distribution: distribution } = await this.client.send(new GetDistributionCommand({ Id: target.id }));
    return distribution?.DistributionConfig?.Aliases?.Items?.[0] ?? distribution?.DomainName;
  }

  private async readTags(target: WatchTarget, account: string): Promise<Record<string, string>> {
    const { Tags } = await this.client.send(new ListTagsForResourceCommand({ Resource: targetArn(target.kind, target.id, account) }));
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
