import type { RejectedEvent, WatchRequest } from './watch-request';

/**
 * The watcher execution's input, written by Start watch. Exactly one of the two is set: a
 * readable event becomes a request to watch; an unreadable one still starts an execution so
 * that it ends in a visible "could not track" message and a failed execution.
 */
export type WatcherInput = { readonly request: WatchRequest } | { readonly rejected: RejectedEvent };
