/**
 * Environment variable names shared by the constructs that set them (`lib/`) and the
 * handlers that read them, so that each name is written once.
 */
export const EnvNames = {
  stateMachineArn: 'WATCHER_STATE_MACHINE_ARN',
  pollSchedule: 'POLL_SCHEDULE',
  /** Notify: every destination it may deliver to, by name (JSON of {@link RuntimeDestination}). */
  destinations: 'DESTINATIONS',
  /** Start watch: the routes and default destinations (JSON of RoutingConfig without secrets or ARNs). */
  routing: 'ROUTING',
  /** Organization mode: the member accounts' reader role name (unset: this account only). */
  readerRoleName: 'READER_ROLE_NAME',
  /** Organization mode: the notifier's own account (its invalidations are read without a role). */
  ownAccount: 'NOTIFIER_ACCOUNT',
  /** Register watch and the checker: the table of watches in flight (lambda/shared/watch-store.ts). */
  watchTable: 'WATCH_TABLE',
  /** Register watch and the checker: the queue the checker's ticks travel on (lambda/shared/checker-clock.ts). */
  tickQueueUrl: 'TICK_QUEUE_URL',
} as const;

/** Reads a required environment variable, failing loudly (at cold start) when it is missing. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Environment variable ${name} is not set; the construct in lib/ should set it.`);
  }
  return value;
}

/** Reads an optional environment variable; empty counts as unset. */
export function optionalEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}
