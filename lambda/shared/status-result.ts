/**
 * Contract 2, the status result: the last check's answer about the invalidation
 * ({@link StatusResultSchema}), which the checker sends the watcher with the watch's task token
 * (or the watcher's final check returns) and the notification reads; declared once as a schema
 * (the types are inferred from it).
 * Small and bounded: a state's input and output are capped at 262,144 bytes, and an
 * invalidation can carry 3,000 items of any length, so only a sample of the paths travels.
 */
import * as v from 'valibot';
import { clip, codePointLength, jsonUtf8Bytes } from './text';

export const PATH_SAMPLE_LIMITS = {
  /** More than Slack can show (50 blocks, ~13k characters), fewer than would crowd the state. */
  maxPaths: 200,
  /** Total bytes of the sample as the state holds it (JSON, UTF-8): far below the 262,144-byte state limit. */
  maxBytes: 32 * 1024,
  /** A single path of more code points than this is cut (CloudFront allows very long paths). */
  maxPathLength: 1024,
} as const;

/** The longest `lastError` kept: one line people read, never a whole error page. */
export const LAST_ERROR_MAX_CHARS = 1000;

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const seconds = v.pipe(v.number(), v.minValue(0));
const isoTime = v.pipe(
  v.string(),
  v.check((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 time'),
);

/**
 * `Completed` ends an invalidation, `Deployed` a deployment; `Unknown` when the check was
 * throttled or CloudFront did not answer (the watch goes on, slower).
 */
export const InvalidationStatusSchema = v.picklist(['InProgress', 'Completed', 'Deployed', 'Unknown']);
/** The statuses that end a watch as completed, whatever its work: the watcher's "Watch over?" reads them. */
export const DONE_STATUSES = ['Completed', 'Deployed'] as const;
export type InvalidationStatus = v.InferOutput<typeof InvalidationStatusSchema>;

export const PathSampleSchema = v.object({
  /** How many paths or cache tags the invalidation has (0 for a deployment). */
  total: count,
  /** The first of them, bounded by {@link PATH_SAMPLE_LIMITS} (see {@link samplePaths}). */
  sample: v.pipe(v.array(v.string()), v.maxLength(PATH_SAMPLE_LIMITS.maxPaths), v.readonly()),
});
export type PathSample = v.InferOutput<typeof PathSampleSchema>;

/** The last check's answer about the invalidation (`$.status` of the watch state). */
export const StatusResultSchema = v.object({
  status: InvalidationStatusSchema,
  /** Why the status is Unknown, e.g. "CloudFrontThrottled: ...". */
  lastError: v.optional(
    v.pipe(
      v.string(),
      v.check((text) => codePointLength(text) <= LAST_ERROR_MAX_CHARS, `must be at most ${LAST_ERROR_MAX_CHARS} characters`),
    ),
  ),
  /** ISO 8601, from the Get API (CloudTrail's own createTime is not ISO). */
  createTime: v.optional(isoTime),
  /** ISO 8601 time of this check. */
  checkedAt: isoTime,
  /** Seconds since the watch started. */
  elapsedSeconds: seconds,
  paths: PathSampleSchema,
  /**
   * Completed only: seconds since the check before this one (or since the watch started), the
   * most the completion can have been seen late by.
   */
  detectionBoundSeconds: v.optional(seconds),
  /**
   * The checker's answer at the first check of a watch that keeps a live message (a Slack app's),
   * still in progress: the watcher announces it and goes on watching.
   */
  announce: v.optional(v.literal(true)),
  /**
   * A deployment deployed together with later changes of the same target (CloudFront reports
   * status per distribution, not per change): at least this many were made after it.
   */
  laterChanges: v.optional(v.pipe(count, v.minValue(1))),
});
export type StatusResult = v.InferOutput<typeof StatusResultSchema>;

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
    // As the state holds it: a control character takes six bytes there (\u0001), not one.
    const size = jsonUtf8Bytes(path);
    if (bytes + size > PATH_SAMPLE_LIMITS.maxBytes) break;
    sample.push(path);
    bytes += size;
  }
  return { total: Math.max(total ?? 0, all.length), sample };
}
