/**
 * The names the watcher's delivery part shows in its history (lib/delivery.ts builds it): its
 * states, and the errors its Fail states end with (what `DescribeExecution` shows). Here, not in
 * lib/, so that readers of executions (the command line's `smoke`) share them without the CDK.
 */
export const DeliveryStateNames = {
  notifyDestinations: 'Notify destinations',
  notifyDestination: 'Notify destination',
  notDelivered: 'Destination not delivered',
  countFailedDelivery: 'Count the failed delivery',
  failureNotCounted: 'Failed delivery not counted',
  howItEnded: 'How did it end?',
} as const;

/** Error names the watcher's Fail states end with (what `DescribeExecution` shows). */
export const WatcherFailures = {
  stillInProgress: 'InvalidationStillInProgress',
  couldNotTrack: 'InvalidationNotTracked',
  notDelivered: 'NotificationNotDelivered',
} as const;
