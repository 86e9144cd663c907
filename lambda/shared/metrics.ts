/**
 * The notifier's own CloudWatch metrics: written by the checker and Notify as embedded metric
 * format (EMF) log lines, graphed by the dashboard (lib/dashboard.ts) and alarmed on
 * (lib/alarms.ts). One home for the names, so they cannot drift apart.
 *
 * Dimensions stay few and bounded (never an ID): the service, the target kind (distribution
 * or tenant) and the outcome, so at most 6 series per metric.
 */
export const WATCH_METRICS = {
  namespace: 'CloudFrontInvalidationNotifier',
  /** Powertools adds it as the `service` dimension of every metric (and the logger's `service` key). */
  service: 'cloudfront-invalidation-notifier',
  dimensions: { targetKind: 'TargetKind', outcome: 'Outcome' },
  names: {
    /** One per ended watch (count), by outcome. */
    watchesEnded: 'WatchesEnded',
    /** Completed only: seconds from the invalidation's CreateTime to the check that saw it completed. */
    timeToComplete: 'TimeToComplete',
    /** Completed only: seconds since the check before (how late the completion was seen, at most). */
    detectionBound: 'DetectionBound',
    /** CloudFront calls made for the watch. */
    checks: 'Checks',
    /** Of which CloudFront throttled. */
    throttledChecks: 'ThrottledChecks',
    /** The checker, every ~20 s: watches in flight. */
    watchesInFlight: 'WatchesInFlight',
    /** The checker: CloudFront calls it made since its last report (all watches). */
    checkerCalls: 'CheckerCalls',
    /** Of which CloudFront throttled. */
    checkerThrottledCalls: 'CheckerThrottledCalls',
    /** The checker's budget of CloudFront calls per second (the lowest of the accounts'). */
    callBudgetPerSecond: 'CallBudgetPerSecond',
    /** Age of the oldest watch in flight, in seconds. */
    oldestWatchAge: 'OldestWatchAge',
  },
} as const;

/** The outcomes the function can see end (a watch rejected before any check, or whose runs all failed, ends in the state machine only). */
export const METRIC_OUTCOMES = ['completed', 'still-in-progress', 'could-not-track'] as const;
export const METRIC_TARGET_KINDS = ['distribution', 'tenant'] as const;

/**
 * Deliveries: one per destination and watch, when it is known how the delivery ended:
 * delivered (written by Notify), or failed after the state machine's last Retry (written by the
 * state machine itself with PutMetricData, lib/delivery.ts, so a broken Notify is counted too). Counted by
 * destination name (bounded by the configuration), and failures once more with no destination,
 * so that one alarm covers every destination, including ones added later.
 */
export const DELIVERY_METRICS = {
  namespace: WATCH_METRICS.namespace,
  service: WATCH_METRICS.service,
  dimensions: { destination: 'Destination' },
  names: {
    delivered: 'Delivered',
    failed: 'DeliveryFailed',
  },
} as const;
