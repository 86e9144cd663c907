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
 * How far a cut event's invalidation is looked for, and what the search may cost. CloudTrail's
 * `eventTime` is when the call completed and CloudFront sets `CreateTime` while it runs: seconds
 * apart, on hosts whose clocks NTP keeps within far less. Wider would only gather another
 * deploy's invalidation.
 */
export const RECOVERY_LIMITS = {
  /** An invalidation created this many seconds either side of `eventTime` is a candidate. */
  windowSeconds: 30,
  /**
   * The most CloudFront List calls (attempts included) one event may cost: with no ID left the
   * search lists the account's distributions or tenants (100 a page) and then one page of
   * invalidations each, so 200 calls cover an account of about 190 targets; a SaaS account of
   * thousands of tenants ends in a reason that says so, never in thousands of calls.
   */
  maxCalls: 200,
  /**
   * The most seconds the search may take: well inside Start watch's timeout (60 s,
   * lib/invalidation-notifier.ts), which must still leave time for the name and tag look-ups
   * and StartExecution.
   */
  maxSeconds: 25,
  /** Distributions or tenants asked for per page (CloudFront answers at most 100). */
  targetPageSize: 100,
  /**
   * Invalidations asked for per page: they come newest first, so a small page usually reaches
   * past the window at once; a busy target is paged on.
   */
  invalidationPageSize: 10,
  /** Calls in flight at once: CloudFront's List rate is low and unpublished (a few calls a second). */
  concurrency: 4,
  /** Attempts per call: a throttled or failed call is tried again after a backoff with full jitter. */
  attemptsPerCall: 4,
  /** The first backoff's ceiling, doubled with each attempt. */
  backoffBaseMs: 250,
} as const;

export type RecoveryLimits = { readonly [K in keyof typeof RECOVERY_LIMITS]: number };

/** Time, for the search's time bound and backoffs (tests pass their own). */
export interface RecoveryClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

const realClock: RecoveryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

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

/** The search ran out of its calls or its time. */
class BoundReached extends Error {
  constructor(readonly bound: string) {
    super(bound);
  }
}

/**
 * Finds the invalidation of a CloudTrail event that CloudTrail cut for size (a batch of
 * thousands of long paths), from what the event still has: the call (distribution or tenant),
 * its time, the account, and an ID when a field that was not cut names one. The caller reference
 * cannot help: it was in the cut request. Lists the target's invalidations (or, with no target,
 * the account's distributions or tenants and then theirs, a few at a time), newest first, down to
 * the time window, within {@link RECOVERY_LIMITS}' calls and seconds. Each call is tried again
 * after a backoff when CloudFront throttles or fails. Exactly one invalidation in the window is
 * watched; several, none, a search cut short by its bound, or CloudFront refusing or still
 * throttling is a reason (one "could not track" message), never a guess and never the
 * dead-letter queue.
 */
export function cutEventRecovery(
  access: CloudFrontAccess,
  limits: RecoveryLimits = RECOVERY_LIMITS,
  clock: RecoveryClock = realClock,
): RecoverCutEvent {
  return async (cut) => {
    if (access.organizationMode && !ACCOUNT_ID.test(cut.account)) {
      return { reason: 'the event names no account to look for the invalidation in' };
    }
    const eventTime = Date.parse(cut.eventTime);
    const from = eventTime - limits.windowSeconds * 1000;
    const to = eventTime + limits.windowSeconds * 1000;
    const label = targetLabel(cut.kind);
    const started = clock.now();
    let calls = 0;
    let client: CloudFrontClient;
    const send: Send = async (call) => {
      for (let attempt = 1; ; attempt++) {
        if (calls >= limits.maxCalls) throw new BoundReached(`its bound of ${limits.maxCalls} CloudFront calls`);
        if (clock.now() - started >= limits.maxSeconds * 1000) throw new BoundReached(`its bound of ${limits.maxSeconds} s`);
        calls += 1;
        try {
          return await call(client);
        } catch (error) {
          if (error instanceof NamedError || !describeAwsFault(error).transient || attempt >= limits.attemptsPerCall) throw error;
          // Full jitter: the few calls in flight do not come back in step.
          await clock.sleep(Math.random() * limits.backoffBaseMs * 2 ** (attempt - 1));
        }
      }
    };

    const candidates: Candidate[] = [];
    const searched: string[] = [];
    let targets: string[] | undefined;
    try {
      client = await access.cloudFront(cut.account);
      targets = cut.targetId ? [cut.targetId] : await listTargets(cut.kind, send, limits.targetPageSize);
      const queue = [...targets];
      const found = () => cut.invalidationId !== undefined && candidates.some((c) => c.invalidationId === cut.invalidationId);
      // A few calls at a time: a worker takes the next target until none is left, the sought ID
      // is found, or another worker failed (its error ends the search).
      let failed = false;
      const worker = async () => {
        for (let targetId = queue.shift(); targetId !== undefined && !failed && !found(); targetId = queue.shift()) {
          try {
            candidates.push(...(await invalidationsNear(cut.kind, targetId, { from, to }, send, limits.invalidationPageSize)));
          } catch (error) {
            failed = true;
            throw error;
          }
          searched.push(targetId);
        }
      };
      const outcomes = await Promise.allSettled(Array.from({ length: Math.min(limits.concurrency, targets.length) }, worker));
      const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
      if (rejected) throw rejected.reason;
    } catch (error) {
      if (!(error instanceof BoundReached)) return failure(error, label, limits.attemptsPerCall);
      const of = targets ? `${searched.length} of ${targets.length} ${label}s` : `not all ${label}s (still listing them)`;
      return {
        reason:
          `the search stopped at ${error.bound} (one event may cost ${limits.maxCalls} calls in ${limits.maxSeconds} s), having looked at ${of}` +
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

/** A refusal, or a fault that outlasted its attempts, is a reason: one visible "could not track", never the dead-letter queue. */
function failure(error: unknown, label: string, attempts: number): Recovery {
  if (error instanceof NamedError) {
    if (error.name === ErrorNames.InvalidationNotTrackable) return { reason: error.message };
    throw error;
  }
  const fault = describeAwsFault(error);
  if (fault.transient) {
    return {
      reason:
        `the ${label}s and their invalidations could not be listed: CloudFront still failed after ${attempts} attempts ` +
        `(${faultLabel(fault)}: ${fault.message})` +
        (/throttl/i.test(fault.name) || fault.status === 429
          ? '; it was throttling List calls (other tools calling it at the same time?)'
          : ''),
    };
  }
  return {
    reason:
      `the ${label}s and their invalidations could not be listed (${faultLabel(fault)}: ${fault.message})` +
      (/denied|unauthori[sz]ed/i.test(fault.name) ? ': the notifier needs the CloudFront List permissions (see README)' : ''),
  };
}
