import { ACCOUNT_ID } from '../shared/organization';
import { GetDistributionCommand, GetDistributionTenantCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudfront';
import { describeAwsFault, faultLabel } from '../shared/aws-faults';
import { ErrorNames, NamedError } from '../shared/errors';
import type { CloudFrontAccess } from '../shared/cloudfront-access';
import { oneLine } from '../shared/text';
import type { WatchTarget } from '../shared/watch-request';
import { targetArn } from '../shared/invalidation-event';

/** What people recognise a target by, and its tags (for routes). Either may be unknown. */
export interface TargetDetails {
  readonly name?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Organization mode: the account's alias, when it has one and it could be read. */
  readonly accountAlias?: string;
  /** The tags were asked for but could not be read: why, and whether trying later may help. */
  readonly tagsUnreadable?: { readonly reason: string; readonly transient: boolean };
}

/** Names and aliases are shown in messages: bounded here, where they enter. */
const MAX_NAME_CHARS = 256;
/** Tags decide routing: a throttled or lost read is tried again at once, a few times. */
const TAG_READ_ATTEMPTS = 3;

interface Cached<T> {
  readonly value: T;
  readonly until: number;
}

/**
 * Names and tags of distributions and tenants, read with read-only CloudFront calls and cached
 * per container: a SaaS back end invalidating 1,000 tenants of one distribution reads each
 * tenant once, not once per invalidation. A name or alias that cannot be read is not cached for
 * long and the message names the IDs instead; tags that cannot be read are reported (see
 * TargetDetails.tagsUnreadable) for the routing to decide.
 */
export class TargetLookups {
  private readonly names = new Map<string, Cached<string | undefined>>();
  private readonly tags = new Map<string, Cached<Record<string, string> | undefined>>();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly aliases = new Map<string, Cached<string | undefined>>();

  constructor(
    private readonly access: CloudFrontAccess,
    private readonly options: {
      readonly ttlMs?: number;
      readonly failureTtlMs?: number;
      readonly now?: () => number;
      readonly sleep?: (ms: number) => Promise<void>;
    } = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Organization mode: every message names the account. */
  get namesAccounts(): boolean {
    return this.access.organizationMode;
  }

  async details(target: WatchTarget, account: string, withTags: boolean): Promise<TargetDetails> {
    const [name, tags, accountAlias] = await Promise.all([
      this.cached(this.names, `${account}/${target.kind}/${target.id}`, () => this.readName(target, account)),
      withTags ? this.tagsOf(target, account) : undefined,
      this.access.isMember(account) ? this.cached(this.aliases, account, () => this.access.accountAlias(account)) : undefined,
    ]);
    return {
      ...(name ? { name: oneLine(name, MAX_NAME_CHARS) } : {}),
      ...(tags && 'tags' in tags ? { tags: tags.tags } : {}),
      ...(tags && 'unreadable' in tags ? { tagsUnreadable: tags.unreadable } : {}),
      ...(accountAlias ? { accountAlias: oneLine(accountAlias, MAX_NAME_CHARS) } : {}),
    };
  }

  /** Tags from the cache, or read with a few quick attempts; a failure is reported, not cached. */
  private async tagsOf(
    target: WatchTarget,
    account: string,
  ): Promise<{ tags: Record<string, string> } | { unreadable: { reason: string; transient: boolean } }> {
    const key = `${account}/${target.kind}/${target.id}`;
    const now = (this.options.now ?? Date.now)();
    const hit = this.tags.get(key);
    if (hit && hit.until > now && hit.value) return { tags: hit.value };
    let unreadable = { reason: 'not read', transient: true };
    for (let attempt = 0; attempt < TAG_READ_ATTEMPTS; attempt++) {
      if (attempt > 0) await this.sleep(200 * 2 ** attempt * Math.random());
      try {
        const tags = await this.readTags(target, account);
        if (this.tags.size >= 10_000) this.tags.delete(this.tags.keys().next().value!);
        this.tags.set(key, { value: tags, until: now + (this.options.ttlMs ?? 10 * 60_000) });
        return { tags };
      } catch (error) {
        // A member role that cannot be assumed is already named (permanent or not); an SDK fault is classified.
        const fault = describeAwsFault(error);
        unreadable =
          error instanceof NamedError
            ? { reason: error.message, transient: error.name !== ErrorNames.InvalidationNotTrackable }
            : { reason: `${faultLabel(fault)}: ${fault.message}`, transient: fault.transient };
        if (!unreadable.transient) break;
      }
    }
    return { unreadable };
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
    if (!ACCOUNT_ID.test(account)) {
      throw new NamedError(ErrorNames.InvalidationNotTrackable, 'the CloudTrail event names no account, so the tags cannot be asked for');
    }
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
