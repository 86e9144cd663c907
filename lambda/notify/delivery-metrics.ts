import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { DELIVERY_METRICS } from '../shared/metrics';

const { names, dimensions } = DELIVERY_METRICS;

/**
 * One EMF line for a delivery whose end is known: `delivered` by Notify itself, `failed` once
 * the state machine has given up on the destination (its Catch). A failure also goes out without
 * the destination dimension: the one series the "a destination is failing" alarm watches.
 */
export function recordDelivery(metrics: Metrics, destination: string, result: 'delivered' | 'failed', invalidationId: string): void {
  if (result === 'failed') {
    // A single metric is written as soon as it is added: its metadata first.
    metrics.singleMetric().addMetadata('invalidationId', invalidationId).addMetric(names.failed, MetricUnit.Count, 1);
  }
  metrics.addDimension(dimensions.destination, destination);
  // The invalidation goes in as metadata (searchable in Logs Insights), never as a dimension.
  metrics.addMetadata('invalidationId', invalidationId);
  metrics.addMetric(result === 'delivered' ? names.delivered : names.failed, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
