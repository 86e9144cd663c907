/**
 * How many watches share CloudFront's rate limit, as one Check status container sees them.
 *
 * CloudFront's Get API limit is per account and unpublished ("a few calls per second"). A watch
 * cannot know how many others are running, but the container that serves its checks can
 * estimate it: over the last minute, N distinct invalidations were checked and L checks per
 * second got through. When CloudFront has throttled recently, a fair interval between two
 * checks of one invalidation is N / L seconds: slower than that and everybody fits. A
 * container sees only its share of the watches, but it also sees only that share of the
 * accepted calls, so N / L does not depend on the share.
 */
export interface CrowdEstimate {
  /** Distinct invalidations checked in the window. */
  readonly watches: number;
  /** Checks per second CloudFront accepted in the window. */
  readonly acceptedPerSecond: number;
  /** Seconds between two checks of one invalidation that would keep the crowd under the limit. */
  readonly fairIntervalSeconds: number;
}

interface Observation {
  readonly at: number;
  readonly key: string;
  readonly throttled: boolean;
}

export class CrowdEstimator {
  private observations: Observation[] = [];

  constructor(
    /** Window of the estimate, in seconds. */
    private readonly windowSeconds = 60,
    /** Below this much history the rate is not trusted (a burst would look infinite). */
    private readonly minSpanSeconds = 10,
  ) {}

  record(key: string, throttled: boolean, nowMs: number): void {
    this.observations.push({ at: nowMs, key, throttled });
    this.forget(nowMs);
  }

  /** The estimate, or undefined when CloudFront has not throttled in the window (no limit to share). */
  estimate(nowMs: number): CrowdEstimate | undefined {
    this.forget(nowMs);
    if (!this.observations.some((o) => o.throttled)) return undefined;
    const watches = new Set(this.observations.map((o) => o.key)).size;
    const accepted = this.observations.filter((o) => !o.throttled).length;
    const spanSeconds = Math.max(this.minSpanSeconds, (nowMs - this.observations[0]!.at) / 1000);
    // At least half a call per second: never conclude that nothing gets through.
    const acceptedPerSecond = Math.max(accepted / spanSeconds, 0.5);
    return { watches, acceptedPerSecond, fairIntervalSeconds: watches / acceptedPerSecond };
  }

  private forget(nowMs: number): void {
    const horizon = nowMs - this.windowSeconds * 1000;
    let drop = 0;
    while (drop < this.observations.length && this.observations[drop]!.at < horizon) drop++;
    if (drop > 0) this.observations = this.observations.slice(drop);
  }
}
