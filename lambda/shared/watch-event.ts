/**
 * The event a watch puts on an event bus when it ends: the invalidation's
 * (`invalidation-event.ts`) or the deployment's (`deployment-event.ts`), each its own public
 * contract with its own JSON Schema. Notify's EventBridge delivery asks here, for any watch.
 */
import { buildDeploymentEvent, type DeploymentEvent } from './deployment-event';
import { buildInvalidationEvent, type InvalidationEvent } from './invalidation-event';
import type { Notification, WatchState } from './notification';

export type WatchEvent = InvalidationEvent | DeploymentEvent;

/** The PutEvents entry for one ended watch, by the work the watch was about (without the bus, which the destination names). */
export function buildWatchEvent(watch: WatchState, notification: Notification): WatchEvent {
  switch (notification.work) {
    case 'deployment':
      return buildDeploymentEvent(watch, notification);
    case 'invalidation':
      return buildInvalidationEvent(watch, notification);
  }
}
