import * as v from 'valibot';
import { RejectedEventSchema, WatchRequestSchema } from './watch-request';

/** Who hears about the watch, decided once by Start watch from the routes and cached look-ups. */
export const AudienceSchema = v.pipe(
  v.object({
    /** Destination names, each once; never empty (a watch nobody hears about is not started). */
    destinations: v.pipe(v.array(v.string()), v.readonly()),
    /** The routes that matched; empty when the default destinations apply. */
    routes: v.pipe(v.array(v.string()), v.readonly()),
    /** What people recognise the target by (first alternate domain name, tenant name), when it could be read. */
    targetName: v.optional(v.string()),
    /** Organization mode: the account the invalidation belongs to, with its alias when it has one ("acme-prod (222222222222)"). */
    accountName: v.optional(v.string()),
    /** Why routing may not be what the routes say (tags that could not be read): shown in the message. */
    routingNote: v.optional(v.string()),
  }),
  v.readonly(),
);
export type Audience = v.InferOutput<typeof AudienceSchema>;

/**
 * The watcher execution's input, written by Start watch. Exactly one of `request` and
 * `rejected` is set: a readable event becomes a request to watch; an unreadable one still
 * starts an execution so that it ends in a visible "could not track" message and a failed
 * execution.
 */
export const WatcherInputSchema = v.union([
  v.pipe(v.strictObject({ request: WatchRequestSchema, audience: AudienceSchema }), v.readonly()),
  v.pipe(v.strictObject({ rejected: RejectedEventSchema, audience: AudienceSchema }), v.readonly()),
]);
export type WatcherInput = v.InferOutput<typeof WatcherInputSchema>;
