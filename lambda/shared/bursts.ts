import type { BurstKey, BurstSettings, RuntimeDestination } from './routing';
import type { TellStore, Membership } from './tell-store';

/** What a burst key is made of: the kind of work, who started it, and an invalidation's caller reference. */
export interface BurstFacts {
  /** Set for a deployment: a burst holds one kind of work, so its message says "12 of 12 deployments". */
  readonly work?: 'deployment';
  readonly createdBy?: string;
  readonly createdByArn?: string;
  readonly callerReference?: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The burst facts of a watch request (or a rejected event): loosely typed, as a Lambda's input is. */
export function burstFactsOf(request: Readonly<Record<string, unknown>>): BurstFacts {
  const createdBy = text(request.createdBy);
  const createdByArn = text(request.createdByArn);
  const callerReference = text(request.callerReference);
  return {
    ...(request.work === 'deployment' ? { work: 'deployment' as const } : {}),
    ...(createdBy ? { createdBy } : {}),
    ...(createdByArn ? { createdByArn } : {}),
    ...(callerReference ? { callerReference } : {}),
  };
}

/** A caller reference without its last `-`, `_`, `.`, `:` or `/` separated part (`deploy-42-tenant-7` is `deploy-42-tenant`). */
export function callerReferencePrefix(reference: string): string {
  const cut = Math.max(...['-', '_', '.', ':', '/'].map((separator) => reference.lastIndexOf(separator)));
  return cut > 0 ? reference.slice(0, cut) : reference;
}

/**
 * The text the watches of one burst share, for a destination's `by` (see BURST_KEYS). A
 * deployment's key starts with `deployment:`, so the deployments and the invalidations of one
 * creator fall into different bursts (an invalidation's key is as it was before deployments,
 * so bursts in flight across an upgrade stay whole).
 */
export function burstKeyOf(by: BurstKey, facts: BurstFacts): string {
  const key = invalidationBurstKeyOf(by, facts);
  return facts.work === 'deployment' ? `deployment:${key}` : key;
}

function invalidationBurstKeyOf(by: BurstKey, facts: BurstFacts): string {
  const creator = facts.createdByArn ?? facts.createdBy ?? 'unknown creator';
  switch (by) {
    case 'creator':
      return `creator:${creator}`;
    case 'caller-reference-prefix':
      // No caller reference (never from CloudFront's own APIs, but a cut event may lose it): the creator's burst.
      return facts.callerReference === undefined ? `creator:${creator}` : `reference:${callerReferencePrefix(facts.callerReference)}`;
    case 'destination':
      return 'all';
  }
}

/** The burst key of a watch for a destination: its settings' `by`, or, told alone, a key of its own (no other watch ever joins it). */
export function burstKeyFor(destination: RuntimeDestination, facts: BurstFacts, watchKey: string): string {
  const settings = burstSettingsOf(destination);
  return settings ? burstKeyOf(settings.by, facts) : `watch:${watchKey}`;
}

/** Destinations whose invalidations are told in bursts: every one with burst settings. */
export function burstSettingsOf(destination: RuntimeDestination): BurstSettings | undefined {
  return destination.type === 'eventbridge' ? undefined : destination.burst;
}

/** The destinations that keep a live message (a Slack app's), which the watcher announces at the first check. */
export function hasLiveMessage(destination: RuntimeDestination): boolean {
  return destination.type === 'slack-app';
}

/** Where a watch is told in bursts or kept in a live message: it needs a membership there. */
export function needsMembership(destination: RuntimeDestination): boolean {
  return burstSettingsOf(destination) !== undefined || hasLiveMessage(destination);
}

/** A destination told alone (no burst settings) still keeps one member per watch when it has a live message. */
export const LONE: BurstSettings = { windowSeconds: 0, maxSeparate: 0, digestEverySeconds: 3600, by: 'creator' };

/**
 * Joins the watch to its burst of every destination that tells in bursts or keeps a live
 * message, as the watch starts, so that a burst knows its members before any of them ends.
 */
export async function joinBursts(
  store: TellStore,
  destinations: Readonly<Record<string, RuntimeDestination>>,
  names: readonly string[],
  watch: { readonly key: string; readonly startedAtMs: number; readonly facts: BurstFacts; readonly running: string },
  nowMs: number,
): Promise<Record<string, Membership>> {
  const joined: Record<string, Membership> = {};
  for (const name of names) {
    const destination = Object.hasOwn(destinations, name) ? destinations[name] : undefined;
    if (!destination || !needsMembership(destination)) continue;
    const settings = burstSettingsOf(destination) ?? LONE;
    const key = burstKeyFor(destination, watch.facts, watch.key);
    joined[name] = await store.join(name, key, watch.key, watch.startedAtMs, settings.windowSeconds * 1000, nowMs, watch.running);
  }
  return joined;
}
