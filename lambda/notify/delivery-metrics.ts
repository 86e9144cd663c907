import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { DELIVERY_METRICS } from '../shared/metrics';

const { names, dimensions } = DELIVERY_METRICS;

/**
 * One EMF line for a delivery Notify made. Failures are counted by the state machine itself once
 * it gives up on a destination (lib/delivery.ts), so a Notify that cannot run is counted too.
 */
export function recordDelivered(metrics: Metrics, destination: string, invalidationId: string): void {
  metrics.addDimension(dimensions.destination, destination);
  // The invalidation goes in as metadata (searchable in Logs Insights), never as a dimension.
  metrics.addMetadata('invalidationId', invalidationId);
  metrics.addMetric(names.delivered, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
