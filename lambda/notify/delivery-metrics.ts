import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { DELIVERY_METRICS } from '../shared/metrics';

const { names, dimensions } = DELIVERY_METRICS;

/**
 * One EMF line for a delivery Notify made. Failures are counted by the state machine itself once
 * it gives up on a destination (lib/delivery.ts), so a Notify that cannot run is counted too.
 */
export function recordDelivered(metrics: Metrics, destination: string, work: Readonly<Record<string, string>>): void {
  metrics.addDimension(dimensions.destination, destination);
  // The invalidation (or deployment) goes in as metadata (searchable in Logs Insights), never as a dimension.
  for (const [key, value] of Object.entries(work)) metrics.addMetadata(key, value);
  metrics.addMetric(names.delivered, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
