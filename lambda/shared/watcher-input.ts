import type { RejectedEvent, WatchRequest } from './watch-request';

/** Who hears about the watch, decided once by Start watch from the routes and cached look-ups. */
export interface Audience {
  /** Destination names, each once; never empty (a watch nobody hears about is not started). */
  readonly destinations: readonly string[];
  /** The routes that matched; empty when the default destinations apply. */
  readonly routes: readonly string[];
  /** What people recognise the target by (first alternate domain name, tenant name), when it could be read. */
  readonly targetName?: string;
  /** Organization mode: the account the invalidation belongs to, with its alias when it has one ("acme-prod (222222222222)"). */
  readonly accountName?: string;
  /** Why routing may not be what the routes say (tags that could not be read): shown in the message. */
  readonly routingNote?: string;
}

/**
 * The watcher execution's input, written by Start watch. Exactly one of `request` and
 * `rejected` is set: a readable event becomes a request to watch; an unreadable one still
 * starts an execution so that it ends in a visible "could not track" message and a failed
 * execution.
 */
export type WatcherInput = ({ readonly request: WatchRequest } | { readonly rejected: RejectedEvent }) & { readonly audience: Audience };
