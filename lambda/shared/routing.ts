import * as v from 'valibot';
import { WORK_KINDS, type WorkKind } from './cloudtrail-calls';

/**
 * Routing at run time: the two contracts the constructs put in the functions' environment (the
 * route table Start watch reads, the destinations Notify reads) and the matching Start watch does
 * with them. The configuration they come from is validated at synth (lib/config/routing.ts, which
 * says what to change); these schemas only refuse an environment the construct did not write.
 */

export const DESTINATION_TYPES = ['slack', 'slack-app', 'teams', 'google-chat', 'sns', 'eventbridge'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];
export const WEBHOOK_TYPES = ['slack', 'teams', 'google-chat'] as const;

/**
 * What makes invalidations one burst for a destination: the same creator (the default), the same
 * caller-reference prefix (the caller reference without its last `-`, `_`, `.`, `:` or `/`
 * separated part: `deploy-42-tenant-7` and `deploy-42-tenant-8` share `deploy-42-tenant`), or
 * nothing but their time (everything that reaches the destination close together).
 */
export const BURST_KEYS = ['creator', 'caller-reference-prefix', 'destination'] as const;
export type BurstKey = (typeof BURST_KEYS)[number];

/**
 * How a destination tells invalidations that start close together: one burst, one message (the
 * first `maxSeparate` go out on their own as they end, so a lone invalidation is never delayed;
 * the rest in digests, or, for a Slack app, one message kept up to date). Validated at synth
 * (lib/config/routing.ts, BURST_LIMITS); absent on a destination: every invalidation alone.
 */
export const BurstSettingsSchema = v.object({
  /** Invalidations starting within this many seconds of the burst's last one join it. */
  windowSeconds: v.number(),
  /** How many of a burst's invalidations are told on their own before the rest go in digests. */
  maxSeparate: v.number(),
  /** While a burst runs, a digest of the invalidations ended since the last one at least this often. */
  digestEverySeconds: v.number(),
  by: v.picklist(BURST_KEYS),
});
export type BurstSettings = v.InferOutput<typeof BurstSettingsSchema>;

/** A destination's burst settings when its configuration gives none. */
export const BURST_DEFAULTS: BurstSettings = { windowSeconds: 10, maxSeparate: 3, digestEverySeconds: 60, by: 'creator' };

/**
 * Burst settings as the construct writes them in the functions' environment: only what the
 * configuration sets (`{}`: every default), filled in here, so that each destination costs a few
 * bytes of the 4 KB environment rather than the whole settings.
 */
const RuntimeBurstSchema = v.pipe(
  v.partial(BurstSettingsSchema),
  v.transform((given): BurstSettings => ({ ...BURST_DEFAULTS, ...given })),
);

/** The bounds synth enforces, each with why. */
export const BURST_LIMITS = {
  /** Longer, and a steady trickle would never end its burst. */
  windowSeconds: { min: 1, max: 300 },
  maxSeparate: { min: 0, max: 20 },
  /** Shorter than the watcher's wait on a digest (a minute) could not be kept; longer than an hour leaves a team without news. */
  digestEverySeconds: { min: 60, max: 3600 },
} as const;

const names = v.array(v.string());

/**
 * An object of string keys whose every own key is kept. valibot's `record` drops the keys
 * `__proto__`, `constructor` and `prototype` (against prototype pollution), but they are legal tag
 * keys: a tag condition dropped would make its route match more than configured. The output is
 * an object without a prototype, so no key can reach one, and matching reads own keys only.
 * `key` and `item` check each key and value; their issues are placed at the key.
 */
export function ownRecord<TItem extends v.GenericSchema<unknown, unknown>>(
  key: v.GenericSchema<string, string>,
  item: TItem,
  message: string,
) {
  return v.pipe(
    v.custom<Readonly<Record<string, unknown>>>((input) => typeof input === 'object' && input !== null && !Array.isArray(input), message),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const output: Record<string, v.InferOutput<TItem>> = Object.create(null);
      let valid = true;
      for (const [name, value] of Object.entries(dataset.value)) {
        const result = v.safeParse(item, value);
        const issues = [...(v.safeParse(key, name).issues ?? []), ...(result.issues ?? [])];
        for (const issue of issues)
          addIssue({ message: issue.message, path: [{ type: 'object', origin: 'value', input: dataset.value, key: name, value }] });
        if (result.success && issues.length === 0) output[name] = result.output;
        else valid = false;
      }
      return valid ? (output as Readonly<Record<string, v.InferOutput<TItem>>>) : NEVER;
    }),
  );
}

/** One route as Start watch reads it. */
const RouteTableRouteSchema = v.object({
  name: v.optional(v.string()),
  match: v.object({
    distributionIds: v.optional(names),
    tenantIds: v.optional(names),
    tags: v.optional(ownRecord(v.string(), v.string(), 'tags must be an object')),
    createdBy: v.optional(names),
    accounts: v.optional(names),
    kinds: v.optional(v.array(v.picklist(WORK_KINDS))),
  }),
  destinations: names,
});

/** What Start watch needs to route: the routes and the default, no destination details. */
export const RouteTableSchema = v.object({ routes: v.array(RouteTableRouteSchema), defaultDestinations: names });
export type RouteTable = v.InferOutput<typeof RouteTableSchema>;
type TableRoute = RouteTable['routes'][number];
type TableMatch = TableRoute['match'];

/** What Notify needs to deliver to one destination: resolved secret IDs, topic ARNs and bus names or ARNs. */
export const RuntimeDestinationSchema = v.variant('type', [
  v.object({ type: v.picklist(WEBHOOK_TYPES), secretId: v.string(), burst: v.optional(RuntimeBurstSchema) }),
  /** A Slack app: its bot token in the secret, the channel's ID. */
  v.object({ type: v.literal('slack-app'), secretId: v.string(), channel: v.string(), burst: v.optional(RuntimeBurstSchema) }),
  v.object({ type: v.literal('sns'), topicArn: v.string(), burst: v.optional(RuntimeBurstSchema) }),
  /** Automation keeps one event per invalidation: never in bursts. */
  v.object({ type: v.literal('eventbridge'), busName: v.string() }),
]);
export type RuntimeDestination = v.InferOutput<typeof RuntimeDestinationSchema>;
/** A runtime destination as the construct writes it (burst settings only where configured). */
export type RuntimeDestinationInput = v.InferInput<typeof RuntimeDestinationSchema>;
const RuntimeDestinationsSchema = v.record(v.string(), RuntimeDestinationSchema);

/** Reads the route table the construct put in Start watch's environment. */
export function parseRouteTable(json: string): RouteTable {
  return v.parse(RouteTableSchema, JSON.parse(json));
}

/** Reads the destinations the construct put in Notify's environment. */
export function parseRuntimeDestinations(json: string): Readonly<Record<string, RuntimeDestination>> {
  return v.parse(RuntimeDestinationsSchema, JSON.parse(json));
}

/** What routing looks at: data the watch already has plus cached look-ups (tags). */
export interface RoutingFacts {
  /** What the watch is about. @default 'invalidation' */
  readonly work?: WorkKind;
  readonly targetKind?: 'distribution' | 'tenant';
  readonly account?: string;
  readonly targetId?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Principal names and ARNs of the creator (any may match a `createdBy` glob). */
  readonly creators: readonly string[];
}

export interface RoutingDecision {
  /** Destination names, each once, in configuration order of first mention. */
  readonly destinations: readonly string[];
  /** Names of the routes that matched; empty when the default applied. */
  readonly routes: readonly string[];
}

export const routeName = (route: Pick<TableRoute, 'name'>, index: number): string => route.name ?? `route ${index + 1}`;

/** True when some route needs the target's tags (so Start watch only looks them up then). */
export function needsTags(config: Pick<RouteTable, 'routes'>): boolean {
  return config.routes.some((route) => route.match.tags !== undefined);
}

/** A `createdBy` glob split at its stars: `a*b*c` is `["a", "b", "c"]`; no star, one part. */
export type CompiledGlob = readonly string[];

export function compileGlob(glob: string): CompiledGlob {
  return glob.split('*');
}

/** Counts the character comparisons of {@link globMatches}, for tests that bound its work. */
export interface GlobWork {
  comparisons: number;
}

/**
 * Whether `text` matches the glob (`*` = any run of characters, everything else literal), in time
 * linear in `text` for a given glob, without backtracking: the first part must start the text,
 * the last must end it, and each part between is taken at its leftmost place after the previous
 * one. Leftmost is never worse, since any later match of a part leaves less room for the rest.
 */
export function globMatches(parts: CompiledGlob, text: string, work: GlobWork = { comparisons: 0 }): boolean {
  const equalAt = (part: string, at: number): boolean => {
    for (let i = 0; i < part.length; i++) {
      work.comparisons++;
      if (text.charCodeAt(at + i) !== part.charCodeAt(i)) return false;
    }
    return true;
  };
  const first = parts[0]!;
  if (parts.length === 1) return text.length === first.length && equalAt(first, 0);
  const last = parts[parts.length - 1]!;
  const end = text.length - last.length;
  if (end < first.length || !equalAt(first, 0) || !equalAt(last, end)) return false;
  let at = first.length;
  for (const part of parts.slice(1, -1)) {
    while (at + part.length <= end && !equalAt(part, at)) at++;
    if (at + part.length > end) return false;
    at += part.length;
  }
  return true;
}

/** Each glob compiled once per container: the route table does not change while it runs. */
const compiledGlobs = new Map<string, CompiledGlob>();
function compiled(glob: string): CompiledGlob {
  let parts = compiledGlobs.get(glob);
  if (!parts) compiledGlobs.set(glob, (parts = compileGlob(glob)));
  return parts;
}

/** Whether a route's match holds for these facts. Unknown facts (no tags read) never match. */
export function routeMatches(match: TableMatch, facts: RoutingFacts): boolean {
  if (match.kinds && !match.kinds.includes(facts.work ?? 'invalidation')) return false;
  if (match.distributionIds && !(facts.targetKind === 'distribution' && match.distributionIds.includes(facts.targetId ?? ''))) return false;
  if (match.tenantIds && !(facts.targetKind === 'tenant' && match.tenantIds.includes(facts.targetId ?? ''))) return false;
  if (match.tags) {
    const tags = facts.tags;
    if (!tags || !Object.entries(match.tags).every(([key, value]) => Object.hasOwn(tags, key) && tags[key] === value)) return false;
  }
  if (match.accounts && !match.accounts.includes(facts.account ?? '')) return false;
  if (match.createdBy) {
    const globs = match.createdBy.map(compiled);
    if (!facts.creators.some((creator) => globs.some((glob) => globMatches(glob, creator)))) return false;
  }
  return true;
}

/** Every destination any matching route names, once each; the default when no route matches. */
export function route(config: RouteTable, facts: RoutingFacts): RoutingDecision {
  const destinations: string[] = [];
  const routes: string[] = [];
  config.routes.forEach((candidate, index) => {
    if (!routeMatches(candidate.match, facts)) return;
    routes.push(routeName(candidate, index));
    for (const name of candidate.destinations) if (!destinations.includes(name)) destinations.push(name);
  });
  return routes.length > 0 ? { destinations, routes } : { destinations: [...config.defaultDestinations], routes: [] };
}
