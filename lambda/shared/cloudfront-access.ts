import { CloudFrontClient, type CloudFrontClientConfig } from '@aws-sdk/client-cloudfront';
import { IAMClient, ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import { describeAwsFault, faultLabel } from './aws-faults';
import { EnvNames, optionalEnv, requireEnv } from './env';
import { ErrorNames, NamedError } from './errors';
import { readerRoleArn } from './organization';

/** How long a refused AssumeRole is remembered (a member that deploys the role is read within a minute). */
const REFUSAL_TTL_MS = 60_000;

/** A member account's clients, signing with its reader role's credentials. */
interface Member {
  readonly client: CloudFrontClient;
  readonly iam: IAMClient;
  /** The role's credentials: assumed on first use, renewed by the SDK before they expire. */
  readonly credentials: () => Promise<unknown>;
}

/**
 * CloudFront for whichever account an invalidation belongs to. In one account: the function's
 * own credentials. In organization mode: a member's invalidations, names and tags are read
 * through that member's reader role (the SDK's `fromTemporaryCredentials`, one AssumeRole per
 * account in flight, its credentials shared by that account's clients and renewed before they
 * expire, per container). A member without the role, or whose role refuses, is a permanent,
 * named failure: the watch ends in one "could not track" naming the account and the role,
 * never in a loop.
 */
export class CloudFrontAccess {
  private readonly members = new Map<string, Member>();
  /** A role that refused is not asked again for a minute: a burst of a member's events makes one call, not one each. */
  private readonly refusals = new Map<string, { error: NamedError; until: number }>();
  private readonly own: CloudFrontClient;

  constructor(
    private readonly options: {
      /** CloudFront client settings (timeouts, attempts) for every account. */
      readonly clientConfig: CloudFrontClientConfig;
      /** Organization mode: this notifier's own account (every other account is read through its reader role). */
      readonly organization?: { readonly ownAccount: string };
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

  /** The member's clients, once its role's credentials are at hand: a refusal is thrown here, named. */
  private async member(account: string): Promise<Member> {
    const now = (this.options.now ?? Date.now)();
    const refused = this.refusals.get(account);
    if (refused && refused.until > now) throw refused.error;
    let member = this.members.get(account);
    if (!member) {
      member = this.memberClients(account);
      this.members.set(account, member);
    }
    try {
      await member.credentials();
    } catch (error) {
      const named = refusalOrBlip(account, error);
      if (named.name === ErrorNames.InvalidationNotTrackable) this.refusals.set(account, { error: named, until: now + REFUSAL_TTL_MS });
      throw named;
    }
    return member;
  }

  private memberClients(account: string): Member {
    // Memoized once for both clients, so that they share one AssumeRole (and concurrent first
    // uses wait for the same one); a failure is not kept: the next use asks again.
    const credentials = memoizeIdentityProvider(
      fromTemporaryCredentials({
        // The default partition: the app deploys in `aws` only (lib/ refuses the others at synth).
        params: { RoleArn: readerRoleArn(account), RoleSessionName: 'cloudfront-invalidation-notifier', DurationSeconds: 900 },
        // Its own STS client: the function's region (the regional endpoint, or AWS_ENDPOINT_URL_STS
        // when set), and one retry, since the state machine retries later.
        clientConfig: { maxAttempts: 2 },
      }),
      isIdentityExpired,
      doesIdentityRequireRefresh,
    )!;
    return {
      client: new CloudFrontClient({ region: 'us-east-1', ...this.options.clientConfig, credentials }),
      iam: new IAMClient({ region: 'us-east-1', maxAttempts: 1, credentials }),
      credentials: () => credentials(),
    };
  }
}

/** A refused AssumeRole is permanent (InvalidationNotTrackable); STS throttling or not answering is CloudFrontUnavailable, retried. */
function refusalOrBlip(account: string, error: unknown): NamedError {
  const roleArn = readerRoleArn(account);
  const fault = describeAwsFault(error);
  return fault.transient
    ? new NamedError(
        ErrorNames.CloudFrontUnavailable,
        `Could not assume ${roleArn} for account ${account} now (${faultLabel(fault)}): retried`,
        {
          cause: error,
        },
      )
    : new NamedError(
        ErrorNames.InvalidationNotTrackable,
        `Account ${account}: the notifier cannot assume ${roleArn} (${faultLabel(fault)}): deploy the member template in that account ` +
          `(README, "Organization"), or check that its trust policy names this notifier's account and organization`,
        { cause: error },
      );
}

/** The access the construct configured: organization mode when it set the reader role's name. */
export function cloudFrontAccessFromEnv(clientConfig: CloudFrontClientConfig): CloudFrontAccess {
  const readerRoleName = optionalEnv(EnvNames.readerRoleName);
  return new CloudFrontAccess({
    clientConfig,
    ...(readerRoleName ? { organization: { ownAccount: requireEnv(EnvNames.ownAccount) } } : {}),
  });
}
