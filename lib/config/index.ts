/**
 * Synth-only configuration: the app's context, the routing configuration, the shapes of the
 * identifiers they name and the props checks of the constructs. Never in a Lambda bundle.
 */
export { ConfigError } from './config-error';
export {
  CONTEXT_KEYS,
  RETIRED_CONTEXT_KEYS,
  RETIRED_SCHEDULE_KEYS,
  loadConfig,
  userContextKeys,
  type ContextKey,
  type ContextSource,
  type NotifierConfig,
} from './context';
export { closestKey, editDistance, unknownKeyProblems } from './did-you-mean';
export { presentProps, propCheck, propChecks, propsProblems, type PropCheck, type PropChecks } from './props';
export * from './routing';
export { CLOUDFRONT_EVENTS_REGION } from './shapes';
