/**
 * How many watches share CloudFront's rate limit, as one Check status container sees them.
 *
 * CloudFront's Get API limit is per account and unpublished ("a few calls per second"). A watch
 * cannot know how many others are running, but the container that serves its checks can
 * estimate it: N distinct invalidations checked in the last few minutes and not finished, and
 * L checks per second that got through in the last minute. When CloudFront has throttled
 * within that minute, a fair interval between two checks of one invalidation is N / L
 * seconds: slower than that and everybody fits. A container sees only its share of the
 * watches, but it also sees only that share of the accepted calls, so N / L does not depend
 * on the share. N looks further back than L because a crowd that fits checks each watch only
 * every N / L seconds, often more than a minute: a one-minute count would miss most of it.
 */
export interface CrowdEstimate {
  /** Distinct invalidations checked in the window. */
  readonly watches: number;
  /** Checks per second CloudFront accepted in the window. */
  readonly acceptedPerSecond: number;
  /** Seconds between two checks of one invalidation that would keep the crowd under the limit. */
  readonly fairIntervalSeconds: number;
}

/** A call CloudFront accepted or throttled, or a first check that waited its turn without calling (it is part of the crowd all the same). */
export type CheckOutcome = 'accepted' | 'throttled' | 'deferred';

interface Observation {
  readonly at: number;
  readonly key: string;
  readonly outcome: CheckOutcome;
}

export class CrowdEstimator {
  private observations: Observation[] = [];
  /** Watches that ended (completed or gave up) while their checks are still in the window: no longer part of the crowd. */
  private readonly finished = new Set<string>();

  constructor(
    /** Window of the accepted rate and of "CloudFront throttled recently", in seconds. */
    private readonly windowSeconds = 60,
    /** Below this much history the rate is not trusted (a burst would look infinite). */
    private readonly minSpanSeconds = 10,
    /** How far back a watch seen and not finished still counts in the crowd, in seconds. */
    private readonly crowdSeconds = 300,
  ) {}

  record(key: string, outcome: CheckOutcome, nowMs: number): void {
    this.observations.push({ at: nowMs, key, outcome });
    this.forget(nowMs);
  }

  /**
   * The watch has ended: its checks still count for the rate CloudFront accepted, but it no
   * longer shares the limit, so the crowd's fair interval shrinks as soon as watches end.
   */
  finish(key: string): void {
    this.finished.add(key);
  }

  /** The estimate, or undefined when CloudFront has not throttled in the window (no limit to share). */
  estimate(nowMs: number): CrowdEstimate | undefined {
    this.forget(nowMs);
    const since = nowMs - this.windowSeconds * 1000;
    const recent = this.observations.filter((o) => o.at >= since);
    if (!recent.some((o) => o.outcome === 'throttled')) return undefined;
    // At least one: the watch asking is part of the crowd.
    const watches = Math.max(1, new Set(this.observations.filter((o) => !this.finished.has(o.key)).map((o) => o.key)).size);
    const accepted = recent.filter((o) => o.outcome === 'accepted').length;
    const spanSeconds = Math.max(this.minSpanSeconds, (nowMs - recent[0]!.at) / 1000);
    // At least half a call per second: never conclude that nothing gets through.
    const acceptedPerSecond = Math.max(accepted / spanSeconds, 0.5);
    return { watches, acceptedPerSecond, fairIntervalSeconds: watches / acceptedPerSecond };
  }

  private forget(nowMs: number): void {
    const horizon = nowMs - Math.max(this.windowSeconds, this.crowdSeconds) * 1000;
    let drop = 0;
    while (drop < this.observations.length && this.observations[drop]!.at < horizon) drop++;
    if (drop === 0) return;
    this.observations = this.observations.slice(drop);
    const seen = new Set(this.observations.map((o) => o.key));
    for (const key of this.finished) if (!seen.has(key)) this.finished.delete(key);
  }
}
