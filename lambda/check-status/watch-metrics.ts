import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { WATCH_METRICS } from '../shared/metrics';
import type { Outcome } from '../shared/notification';
import type { StatusResult } from '../shared/status-result';
import type { WatchRequest } from '../shared/watch-request';

const { names, dimensions } = WATCH_METRICS;

/** How the check ended the watch, or undefined while it goes on. */
export function endingOf(result: StatusResult): Outcome | undefined {
  if (result.status === 'Completed') return 'completed';
  if (result.deadlinePassed) return 'still-in-progress';
  return undefined;
}

/**
 * Writes one EMF line for a watch the check just ended: one per watch, not per check, so the
 * metrics cost a log line per invalidation. `result` is undefined when CloudFront refused the
 * check (could not track): only the count is known then, and the counters carried so far.
 * The invalidation ID goes in as metadata (searchable in Logs Insights), never as a dimension.
 */
export function recordWatchEnd(
  metrics: Metrics,
  request: WatchRequest,
  outcome: Outcome,
  result?: StatusResult,
  carried?: { readonly checks: number; readonly throttledChecks: number },
): void {
  metrics.addDimensions({ [dimensions.targetKind]: request.target.kind, [dimensions.outcome]: outcome });
  metrics.addMetadata('invalidationId', request.invalidationId);
  metrics.addMetric(names.watchesEnded, MetricUnit.Count, 1);
  if (result?.status === 'Completed') {
    const created = result.createTime ? Date.parse(result.createTime) : NaN;
    const seconds = Number.isNaN(created) ? result.elapsedSeconds : (Date.parse(result.checkedAt) - created) / 1000;
    metrics.addMetric(names.timeToComplete, MetricUnit.Seconds, Math.max(0, seconds));
    if (result.detectionBoundSeconds !== undefined)
      metrics.addMetric(names.detectionBound, MetricUnit.Seconds, result.detectionBoundSeconds);
  }
  // The counters exist in the Express loop only (the Standard loops keep no state between Retry-driven checks).
  const checks = result?.checks ?? (carried ? carried.checks + 1 : undefined);
  const throttled = result?.throttledChecks ?? carried?.throttledChecks;
  if (checks !== undefined) metrics.addMetric(names.checks, MetricUnit.Count, checks);
  if (throttled !== undefined) metrics.addMetric(names.throttledChecks, MetricUnit.Count, throttled);
  metrics.publishStoredMetrics();
}
