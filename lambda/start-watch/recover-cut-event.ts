import { ACCOUNT_ID } from '../shared/organization';
import {
  ListDistributionTenantsCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
  ListInvalidationsForDistributionTenantCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import * as v from 'valibot';
import { describeAwsFault, faultLabel } from '../shared/aws-faults';
import type { CloudFrontAccess } from '../shared/cloudfront-access';
import { ErrorNames, NamedError } from '../shared/errors';
import { clip } from '../shared/text';
import { MAX_ID_LENGTH, WatchRequestSchema, type CutEvent, type TargetKind, type WatchRequest } from '../shared/watch-request';

/**
 * How far a cut event's invalidation is looked for. CloudTrail's `eventTime` is when the call
 * completed and CloudFront sets `CreateTime` while it runs: seconds apart, on hosts whose clocks
 * NTP keeps within far less. Wider would only gather another deploy's invalidation.
 */
export const RECOVERY_LIMITS = {
  /** An invalidation created this many seconds either side of `eventTime` is a candidate. */
  windowSeconds: 30,
  /**
   * The most CloudFront List calls one event may cost: Start watch has 30 s, and an account with
   * hundreds of distributions must not turn one event into hundreds of calls.
   */
  maxCalls: 20,
  /** Items asked for per page (CloudFront answers at most 100). */
  pageSize: 100,
} as const;

export type RecoveryLimits = { readonly [K in keyof typeof RECOVERY_LIMITS]: number };

/** The cut event's invalidation, found, or why it was not. */
export type Recovery = { readonly request: WatchRequest } | { readonly reason: string };

export type RecoverCutEvent = (cut: CutEvent) => Promise<Recovery>;

interface Candidate {
  readonly targetId: string;
  readonly invalidationId: string;
  readonly createTime: Date;
}

/** Shown in a reason: a listed ID is CloudFront's, but bounded all the same. */
const shown = (id: string) => clip(id, 64);
const targetLabel = (kind: TargetKind) => (kind === 'tenant' ? 'distribution tenant' : 'distribution');
const describeCandidate = (kind: TargetKind, candidate: Candidate) =>
  `${shown(candidate.invalidationId)} of ${targetLabel(kind)} ${shown(candidate.targetId)} created at ${candidate.createTime.toISOString()}`;
/** Candidates named in a reason, at most. */
const MAX_CANDIDATES_SHOWN = 5;

/** The search ran out of its calls. */
class BoundReached extends Error {}

/**
 * Finds the invalidation of a CloudTrail event that CloudTrail cut for size (a batch of
 * thousands of long paths), from what the event still has: the call (distribution or tenant),
 * its time, the account, and an ID when a field that was not cut names one. The caller reference
 * cannot help: it was in the cut request. Lists the target's invalidations (or, with no target,
 * the account's distributions or tenants and then theirs), newest first, down to the time
 * window, in at most {@link RECOVERY_LIMITS.maxCalls} calls. Exactly one invalidation in the
 * window is watched; several, none, or a search cut short by its bound or refused is a reason,
 * never a guess. A transient CloudFront fault throws (Lambda tries the event again, then keeps it
 * in the dead-letter queue): trying later may find it.
 */
export function cutEventRecovery(access: CloudFrontAccess, limits: RecoveryLimits = RECOVERY_LIMITS): RecoverCutEvent {
  return async (cut) => {
    if (access.organizationMode && !ACCOUNT_ID.test(cut.account)) {
      return { reason: 'the event names no account to look for the invalidation in' };
    }
    const eventTime = Date.parse(cut.eventTime);
    const from = eventTime - limits.windowSeconds * 1000;
    const to = eventTime + limits.windowSeconds * 1000;
    const label = targetLabel(cut.kind);
    const searched: string[] = [];
    let calls = 0;
    let client: CloudFrontClient;
    const send: Send = async (call) => {
      if (calls >= limits.maxCalls) throw new BoundReached();
      calls += 1;
      return call(client);
    };

    const candidates: Candidate[] = [];
    let targets: string[] | undefined;
    try {
      client = await access.cloudFront(cut.account);
      targets = cut.targetId ? [cut.targetId] : await listTargets(cut.kind, send, limits.pageSize);
      for (const targetId of targets) {
        candidates.push(...(await invalidationsNear(cut.kind, targetId, { from, to }, send, limits.pageSize)));
        searched.push(targetId);
        if (cut.invalidationId && candidates.some((candidate) => candidate.invalidationId === cut.invalidationId)) break;
      }
    } catch (error) {
      if (!(error instanceof BoundReached)) return failure(error, label);
      const of = targets ? `${searched.length} of ${targets.length} ${label}s` : `not all ${label}s (still listing them)`;
      return {
        reason:
          `the search stopped at its bound of ${limits.maxCalls} CloudFront calls, having looked at ${of}` +
          (candidates.length > 0 ? `; candidates so far: ${candidates.map((c) => describeCandidate(cut.kind, c)).join(', ')}` : ''),
      };
    }

    const matching = cut.invalidationId ? candidates.filter((c) => c.invalidationId === cut.invalidationId) : candidates;
    const window = `within ${limits.windowSeconds} s of the event's time ${new Date(eventTime).toISOString()}`;
    const where = cut.targetId ? `${label} ${shown(cut.targetId)}` : `the account's ${searched.length} ${label}s`;
    if (matching.length === 0) {
      return { reason: `no invalidation of ${where} was created ${window} (${calls} CloudFront calls)` };
    }
    if (matching.length > 1) {
      const named = matching.slice(0, MAX_CANDIDATES_SHOWN).map((c) => describeCandidate(cut.kind, c));
      const more = matching.length > MAX_CANDIDATES_SHOWN ? ` and ${matching.length - MAX_CANDIDATES_SHOWN} more` : '';
      return {
        reason:
          `${matching.length} invalidations of ${where} were created ${window}: ${named.join(', ')}${more}; ` +
          'the cut event cannot tell which one is its own, so none is watched',
      };
    }
    const found = matching[0]!;
    const request = v.safeParse(WatchRequestSchema, {
      target: { kind: cut.kind, id: found.targetId },
      invalidationId: found.invalidationId,
      createdBy: cut.createdBy,
      ...(cut.createdByArn ? { createdByArn: cut.createdByArn } : {}),
      eventTime: cut.eventTime,
      eventId: cut.eventId,
      account: cut.account,
      region: cut.region,
      foundBy:
        `listing invalidations: the CloudTrail event was cut (too large); found invalidation ${describeCandidate(cut.kind, found)}, ` +
        `the only one created ${window}`,
    });
    if (!request.success) {
      return { reason: `CloudFront listed an invalidation whose IDs cannot be watched (longer than ${MAX_ID_LENGTH} characters)` };
    }
    return { request: request.output };
  };
}

/** One counted CloudFront call. */
type Send = <T>(call: (client: CloudFrontClient) => Promise<T>) => Promise<T>;

/** Every distribution (or tenant) of the account, page by page. */
async function listTargets(kind: TargetKind, send: Send, pageSize: number): Promise<string[]> {
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    if (kind === 'tenant') {
      const paging = { MaxItems: pageSize, ...(marker ? { Marker: marker } : {}) };
      const page = await send((client) => client.send(new ListDistributionTenantsCommand(paging)));
      ids.push(...(page.DistributionTenantList ?? []).flatMap((tenant) => (tenant.Id ? [tenant.Id] : [])));
      marker = page.NextMarker;
    } else {
      const paging = { MaxItems: pageSize, ...(marker ? { Marker: marker } : {}) };
      const page = await send((client) => client.send(new ListDistributionsCommand(paging)));
      ids.push(...(page.DistributionList?.Items ?? []).flatMap((distribution) => (distribution.Id ? [distribution.Id] : [])));
      marker = page.DistributionList?.IsTruncated ? page.DistributionList.NextMarker : undefined;
    }
  } while (marker);
  return ids;
}

/** The target's invalidations created within the window: pages newest first, until one reaches past the window's start. */
async function invalidationsNear(
  kind: TargetKind,
  targetId: string,
  window: { readonly from: number; readonly to: number },
  send: Send,
  pageSize: number,
): Promise<Candidate[]> {
  const found: Candidate[] = [];
  let marker: string | undefined;
  for (;;) {
    const paging = { MaxItems: pageSize, ...(marker ? { Marker: marker } : {}) };
    const { InvalidationList: list } = await send((client) =>
      kind === 'tenant'
        ? client.send(new ListInvalidationsForDistributionTenantCommand({ Id: targetId, ...paging }))
        : client.send(new ListInvalidationsCommand({ DistributionId: targetId, ...paging })),
    );
    let pastWindow = false;
    for (const item of list?.Items ?? []) {
      const created = item.CreateTime?.getTime();
      if (!item.Id || created === undefined || Number.isNaN(created)) continue;
      if (created < window.from) pastWindow = true;
      else if (created <= window.to) found.push({ targetId, invalidationId: item.Id, createTime: new Date(created) });
    }
    if (pastWindow || !list?.IsTruncated || !list.NextMarker) return found;
    marker = list.NextMarker;
  }
}

/** A refusal is a reason; a fault that may pass throws, so that the event is tried again. */
function failure(error: unknown, label: string): Recovery {
  if (error instanceof NamedError) {
    if (error.name === ErrorNames.InvalidationNotTrackable) return { reason: error.message };
    throw error;
  }
  const fault = describeAwsFault(error);
  if (fault.transient) {
    throw new NamedError(
      ErrorNames.CloudFrontUnavailable,
      `The invalidations of a cut CloudTrail event could not be listed now (${faultLabel(fault)}: ${fault.message}): retried`,
      { cause: error },
    );
  }
  return {
    reason:
      `the ${label}s and their invalidations could not be listed (${faultLabel(fault)}: ${fault.message})` +
      (/denied|unauthori[sz]ed/i.test(fault.name) ? ': the notifier needs the CloudFront List permissions (see README)' : ''),
  };
}
