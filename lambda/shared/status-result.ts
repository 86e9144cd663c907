/**
 * Contract 2, the status result: what "Check invalidation status" returns to the state
 * machine. Small and bounded: a state's input and output are capped at 262,144 bytes, and an
 * invalidation can carry 3,000 items of any length, so only a sample of the paths travels.
 */
import { clip } from './text';

/** `Unknown` when the check was throttled or CloudFront did not answer (the watch goes on, slower). */
export type InvalidationStatus = 'InProgress' | 'Completed' | 'Unknown';

export interface PathSample {
  /** How many paths or cache tags the invalidation has. */
  readonly total: number;
  /** The first of them, bounded by {@link PATH_SAMPLE_LIMITS}. */
  readonly sample: readonly string[];
}

export interface StatusResult {
  readonly status: InvalidationStatus;
  /** Slow-down steps taken after throttling or 5xx (0 = the normal schedule); carried to the next check. */
  readonly pace: number;
  /** Why the status is Unknown, e.g. "CloudFrontThrottled: ...". */
  readonly lastError?: string;
  /** ISO 8601, from the Get API (CloudTrail's own createTime is not ISO). */
  readonly createTime?: string;
  /** ISO 8601 time of this check. */
  readonly checkedAt: string;
  /** Seconds since the watch started. */
  readonly elapsedSeconds: number;
  readonly paths: PathSample;
  /** True when the watch has reached its maximum wait and the invalidation is still in progress. */
  readonly deadlinePassed: boolean;
  /** Seconds the Wait state waits before the next check (0 when no further check follows). */
  readonly nextCheckInSeconds: number;
  /**
   * Express check loop only: the next check would start past this run's budget, so the run
   * ends here and the next run begins by waiting `nextCheckInSeconds`. Always set there
   * (true or false), so the loop's Choice can read it.
   */
  readonly runOver?: boolean;
  /**
   * Express check loop only: this first check did not call CloudFront, which is throttling the
   * crowd of watches; it waits this many seconds, its turn, instead (status Unknown).
   */
  readonly deferredSeconds?: number;
  /** Express check loop only: CloudFront calls made for this watch so far, over every run. */
  readonly checks?: number;
  /** Express check loop only: how many of those CloudFront throttled. */
  readonly throttledChecks?: number;
  /**
   * Completed only: seconds since the check before this one (or since the watch started), the
   * most the completion can have been seen late by. Absent in the Retry-driven loop, whose
   * earlier checks leave no state.
   */
  readonly detectionBoundSeconds?: number;
}

export const PATH_SAMPLE_LIMITS = {
  /** More than Slack can show (50 blocks, ~13k characters), fewer than would crowd the state. */
  maxPaths: 200,
  /** Total UTF-8 bytes of the sample: far below the 262,144-byte state limit. */
  maxBytes: 32 * 1024,
  /** A single path of more code points than this is cut (CloudFront allows very long paths). */
  maxPathLength: 1024,
} as const;

/** Keeps the first paths that fit {@link PATH_SAMPLE_LIMITS}; `total` always counts them all. */
export function samplePaths(items: readonly string[] | undefined, total?: number): PathSample {
  const all = items ?? [];
  const sample: string[] = [];
  let bytes = 0;
  for (const item of all) {
    if (sample.length >= PATH_SAMPLE_LIMITS.maxPaths) break;
    // Counted in code points, so an emoji is never split in half and a path of 600 emoji
    // (1,200 UTF-16 units) is not marked as cut when nothing was cut.
    const path = clip(item, PATH_SAMPLE_LIMITS.maxPathLength);
    const size = Buffer.byteLength(path, 'utf8');
    if (bytes + size > PATH_SAMPLE_LIMITS.maxBytes) break;
    sample.push(path);
    bytes += size;
  }
  return { total: Math.max(total ?? 0, all.length), sample };
}
