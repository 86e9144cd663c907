import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { WATCH_METRICS } from './metrics';
import type { Outcome } from './notification';
import type { StatusResult } from './status-result';
import type { CheckedRequest } from './invalidation-status';
import { workLogKeys } from './watch-request';

const { names, dimensions } = WATCH_METRICS;

/** A watch's CloudFront calls, and how many were throttled. */
export interface CallCounts {
  readonly checks: number;
  readonly throttledChecks: number;
}

/**
 * Writes one EMF line for a watch that just ended: one per watch, not per check, so the metrics
 * cost a log line per invalidation. `status` is the last check's answer (absent when CloudFront
 * refused: could not track).
 * The invalidation ID goes in as metadata (searchable in Logs Insights), never as a dimension.
 */
export function recordWatchEnd(
  metrics: Metrics,
  request: CheckedRequest,
  outcome: Outcome,
  counts: CallCounts,
  status?: StatusResult,
): void {
  metrics.addDimensions({ [dimensions.targetKind]: request.target.kind, [dimensions.outcome]: outcome });
  for (const [key, value] of Object.entries(workLogKeys(request))) metrics.addMetadata(key, value);
  metrics.addMetric(names.watchesEnded, MetricUnit.Count, 1);
  if (status?.status === 'Completed' || status?.status === 'Deployed') {
    const created = status.createTime ? Date.parse(status.createTime) : NaN;
    const seconds = Number.isNaN(created) ? status.elapsedSeconds : (Date.parse(status.checkedAt) - created) / 1000;
    metrics.addMetric(names.timeToComplete, MetricUnit.Seconds, Math.max(0, seconds));
    if (status.detectionBoundSeconds !== undefined)
      metrics.addMetric(names.detectionBound, MetricUnit.Seconds, status.detectionBoundSeconds);
  }
  metrics.addMetric(names.checks, MetricUnit.Count, counts.checks);
  metrics.addMetric(names.throttledChecks, MetricUnit.Count, counts.throttledChecks);
  metrics.publishStoredMetrics();
}
