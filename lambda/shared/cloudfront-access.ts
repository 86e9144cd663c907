import { CloudFrontClient, type CloudFrontClientConfig } from '@aws-sdk/client-cloudfront';
import { IAMClient, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { EnvNames, optionalEnv, requireEnv } from './env';
import { ErrorNames, NamedError } from './errors';

/** How long a refused AssumeRole is remembered (a member that deploys the role is read within a minute). */
const REFUSAL_TTL_MS = 60_000;

/** Credentials are renewed this long before they expire. */
const RENEW_BEFORE_MS = 60_000;

/**
 * CloudFront for whichever account an invalidation belongs to. In one account: the function's
 * own credentials. In organization mode: a member's invalidations, names and tags are read
 * through that member's reader role (assumed once, renewed before it expires, per container).
 * A member without the role, or whose role refuses, is a permanent, named failure: the watch
 * ends in one "could not track" naming the account and the role, never in a loop.
 */
export class CloudFrontAccess {
  private readonly clients = new Map<string, { client: CloudFrontClient; iam: IAMClient; until: number }>();
  /** One AssumeRole at a time per account: the name and tag look-ups of one event share it. */
  private readonly pending = new Map<string, Promise<{ client: CloudFrontClient; iam: IAMClient; until: number }>>();
  /** A role that refused is not asked again for a minute: a burst of a member's events makes one call, not one each. */
  private readonly refusals = new Map<string, { error: NamedError; until: number }>();
  private readonly own: CloudFrontClient;
  private sts?: STSClient;

  constructor(
    private readonly options: {
      /** CloudFront client settings (timeouts, attempts) for every account. */
      readonly clientConfig: CloudFrontClientConfig;
      /** Organization mode: the reader role's name and this notifier's own account. */
      readonly organization?: { readonly readerRoleName: string; readonly ownAccount: string };
      readonly sts?: STSClient;
      readonly now?: () => number;
    },
  ) {
    this.own = new CloudFrontClient({ region: 'us-east-1', ...options.clientConfig });
  }

  get organizationMode(): boolean {
    return this.options.organization !== undefined;
  }

  /** True when this account's calls go through an assumed role. */
  isMember(account: string): boolean {
    return this.options.organization !== undefined && account !== this.options.organization.ownAccount;
  }

  async cloudFront(account: string): Promise<CloudFrontClient> {
    return this.isMember(account) ? (await this.member(account)).client : this.own;
  }

  /** The account's alias, read with ListAccountAliases (through the member's role), if it has one. */
  async accountAlias(account: string): Promise<string | undefined> {
    const iam = this.isMember(account) ? (await this.member(account)).iam : new IAMClient({ region: 'us-east-1', maxAttempts: 1 });
    const { AccountAliases } = await iam.send(new ListAccountAliasesCommand({}));
    return AccountAliases?.[0];
  }

  private async member(account: string) {
    const now = (this.options.now ?? Date.now)();
    const cached = this.clients.get(account);
    if (cached && cached.until > now) return cached;
    const refused = this.refusals.get(account);
    if (refused && refused.until > now) throw refused.error;
    let assuming = this.pending.get(account);
    if (!assuming) {
      assuming = this.assume(account, now).finally(() => this.pending.delete(account));
      this.pending.set(account, assuming);
    }
    return assuming;
  }

  private async assume(account: string, now: number) {
    const organization = this.options.organization!;
    const roleArn = `arn:aws:iam::${account}:role/${organization.readerRoleName}`;
    let credentials;
    try {
      this.sts ??= this.options.sts ?? new STSClient({ region: 'us-east-1', maxAttempts: 2 });
      ({ Credentials: credentials } = await this.sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'cloudfront-invalidation-notifier', DurationSeconds: 900 }),
      ));
    } catch (error) {
      const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      const status = $metadata?.httpStatusCode;
      const transient = status === undefined || status >= 500 || /throttl/i.test(name ?? '');
      const named = new NamedError(
        transient ? ErrorNames.CloudFrontUnavailable : ErrorNames.InvalidationNotTrackable,
        transient
          ? `Could not assume ${roleArn} for account ${account} now (${name ?? 'no answer'}): retried`
          : `Account ${account}: the notifier cannot assume ${roleArn} (${name ?? 'refused'}): deploy the member template in that account ` +
              `(README, "Organization"), or check that its trust policy names this notifier's account and organization`,
        { cause: error },
      );
      if (!transient) this.refusals.set(account, { error: named, until: now + REFUSAL_TTL_MS });
      throw named;
    }
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new NamedError(ErrorNames.CloudFrontUnavailable, `STS answered without credentials for ${roleArn}`);
    }
    const expiration = credentials.Expiration?.getTime() ?? now + 900_000;
    const assumed = {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
      expiration: new Date(expiration),
    };
    const entry = {
      client: new CloudFrontClient({ region: 'us-east-1', ...this.options.clientConfig, credentials: assumed }),
      iam: new IAMClient({ region: 'us-east-1', maxAttempts: 1, credentials: assumed }),
      until: expiration - RENEW_BEFORE_MS,
    };
    this.clients.set(account, entry);
    return entry;
  }
}

/** The access the construct configured: organization mode when it set the reader role's name. */
export function cloudFrontAccessFromEnv(clientConfig: CloudFrontClientConfig): CloudFrontAccess {
  const readerRoleName = optionalEnv(EnvNames.readerRoleName);
  return new CloudFrontAccess({
    clientConfig,
    ...(readerRoleName ? { organization: { readerRoleName, ownAccount: requireEnv(EnvNames.ownAccount) } } : {}),
  });
}
