/**
 * The package's entry point (`main`/`types`, built by `npm run build`): the constructs an app
 * adds to its own stacks, their props and the configuration error they throw.
 */
export { InvalidationNotifier, SIMPLE, type InvalidationNotifierProps } from './invalidation-notifier';
export { ConfigError } from './config';
export { Destinations, type DestinationsProps } from './destinations';
export type {
  BusDestination,
  DestinationConfig,
  DestinationType,
  Route,
  RouteMatch,
  RoutingConfig,
  TopicDestination,
  WebhookDestination,
} from './config';
export { DEFAULT_POLL_SCHEDULE, type PollSchedule } from '../lambda/shared/schedule';
export {
  EVENT_DETAIL_TYPES,
  EVENT_SOURCE,
  type InvalidationEvent,
  type InvalidationEventDetail,
} from '../lambda/shared/invalidation-event';
export {
  DEPLOYMENT_DETAIL_TYPE_LIST,
  DEPLOYMENT_EVENT_DETAIL_TYPES,
  type DeploymentEvent,
  type DeploymentEventDetail,
} from '../lambda/shared/deployment-event';
export type { WatchEvent } from '../lambda/shared/watch-event';
export { EventForwarder, ForwarderStack, type EventForwarderProps, type ForwarderStackProps } from './event-forwarder';
export { CloudTrailTrail, type CloudTrailTrailProps } from './cloudtrail-trail';
export {
  MemberAccount,
  MemberAccountStack,
  READER_ROLE_NAME,
  type MemberAccountProps,
  type MemberAccountStackProps,
} from './member-account';
export { OrganizationBus, ORGANIZATION_BUS_NAME, type OrganizationBusProps } from './organization-bus';
