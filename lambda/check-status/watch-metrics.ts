import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { WATCH_METRICS } from '../shared/metrics';
import type { Outcome } from '../shared/notification';
import type { CheckStep, LoopState } from '../shared/status-result';
import type { CheckedRequest } from './check-status';

const { names, dimensions } = WATCH_METRICS;

/** How the check ended the watch, or undefined while it goes on. */
export function endingOf({ loop, status }: CheckStep): Outcome | undefined {
  if (status.status === 'Completed') return 'completed';
  if (loop.deadlinePassed) return 'still-in-progress';
  return undefined;
}

/**
 * Writes one EMF line for a watch the check just ended: one per watch, not per check, so the
 * metrics cost a log line per invalidation. `step` is undefined when CloudFront refused the
 * check (could not track): only the count is known then, and the loop's counters so far (the
 * refused call counts as one more check).
 * The invalidation ID goes in as metadata (searchable in Logs Insights), never as a dimension.
 */
export function recordWatchEnd(
  metrics: Metrics,
  request: CheckedRequest,
  outcome: Outcome,
  step?: CheckStep,
  carried?: Pick<LoopState, 'checks' | 'throttledChecks'>,
): void {
  const result = step?.status;
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
  metrics.addMetric(names.checks, MetricUnit.Count, step?.loop.checks ?? (carried?.checks ?? 0) + 1);
  metrics.addMetric(names.throttledChecks, MetricUnit.Count, step?.loop.throttledChecks ?? carried?.throttledChecks ?? 0);
  metrics.publishStoredMetrics();
}
