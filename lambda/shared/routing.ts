import { closestKey, unknownKeyProblems } from './did-you-mean';

/**
 * Destinations and routes: who hears about which invalidation. One home for the destination
 * types, the route schema and the matching, shared by the constructs (synth-time validation,
 * IAM, secrets) and the functions (Start watch routes each watch; Notify delivers to one
 * destination). Configuration comes from CDK context (`cdk.json`) or construct props, in the
 * same shape; {@link parseRouting} validates it and lists every problem with what to change.
 */

export const DESTINATION_TYPES = ['slack', 'teams', 'google-chat', 'sns', 'eventbridge'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

/** A chat webhook: its URL is a secret, so only the Secrets Manager secret's name is configured. */
export interface WebhookDestination {
  readonly type: 'slack' | 'teams' | 'google-chat';
  /** Name (or ARN) of the Secrets Manager secret holding the webhook URL. */
  readonly secretName: string;
}

export interface TopicDestination {
  readonly type: 'sns';
  /** An existing standard topic in the stack's region. @default a new encrypted topic */
  readonly topicArn?: string;
}

export interface BusDestination {
  readonly type: 'eventbridge';
  /** A bus name or ARN in the stack's region. @default the account's default bus */
  readonly bus?: string;
}

export type DestinationConfig = WebhookDestination | TopicDestination | BusDestination;

/** What a route matches. Several keys: all must match; several values in one key: any may match. */
export interface RouteMatch {
  /** Invalidations of these distributions (not of their tenants). @default any target */
  readonly distributionIds?: readonly string[];
  /** Invalidations of these distribution tenants. @default any target */
  readonly tenantIds?: readonly string[];
  /** Tags on the distribution or tenant, e.g. `{ "team": "payments" }`; every one must be present with that value. @default any tags */
  readonly tags?: Readonly<Record<string, string>>;
  /** Globs (`*` = any run of characters) over the creator's principal name or ARN, e.g. `payments-ci-*`. @default any creator */
  readonly createdBy?: readonly string[];
  /** Organization mode: the accounts the distribution or tenant belongs to. @default any account */
  readonly accounts?: readonly string[];
}

export interface Route {
  /** For people and logs. @default "route N" */
  readonly name?: string;
  readonly match: RouteMatch;
  /** Destination names. */
  readonly destinations: readonly string[];
}

export interface RoutingConfig {
  readonly destinations: Readonly<Record<string, DestinationConfig>>;
  /** In order; an invalidation goes once to every destination any matching route names. */
  readonly routes: readonly Route[];
  /** Where invalidations no route matches go; `[]` drops them. */
  readonly defaultDestinations: readonly string[];
}

/** What routing looks at: data the watch already has plus cached look-ups (tags). */
export interface RoutingFacts {
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

/** What Start watch needs to route: the routes and the default, no destination details. */
export type RouteTable = Pick<RoutingConfig, 'routes' | 'defaultDestinations'>;

/** What Notify needs to deliver to one destination: resolved secret names, topic and bus ARNs. */
export type RuntimeDestination =
  | { readonly type: WebhookDestination['type']; readonly secretId: string }
  | { readonly type: 'sns'; readonly topicArn: string }
  | { readonly type: 'eventbridge'; readonly busName: string };

/** Reads the route table the construct put in Start watch's environment (validated at synth). */
export function parseRouteTable(json: string): RouteTable {
  const parsed = JSON.parse(json) as Partial<RouteTable>;
  if (!Array.isArray(parsed.routes) || !Array.isArray(parsed.defaultDestinations)) {
    throw new Error('The route table is not {"routes": [...], "defaultDestinations": [...]}');
  }
  return { routes: parsed.routes, defaultDestinations: parsed.defaultDestinations };
}

/** Reads the destinations the construct put in Notify's environment. */
export function parseRuntimeDestinations(json: string): Readonly<Record<string, RuntimeDestination>> {
  const parsed = JSON.parse(json) as unknown;
  if (!isObject(parsed)) throw new Error('The destinations are not a JSON object');
  for (const [name, destination] of Object.entries(parsed)) {
    if (!isObject(destination) || !DESTINATION_TYPES.includes(destination.type as DestinationType)) {
      throw new Error(`Destination "${name}" has no known type`);
    }
  }
  return parsed as Record<string, RuntimeDestination>;
}

export const routeName = (route: Route, index: number): string => route.name ?? `route ${index + 1}`;

/** True when some route needs the target's tags (so Start watch only looks them up then). */
export function needsTags(config: Pick<RoutingConfig, 'routes'>): boolean {
  return config.routes.some((route) => route.match.tags !== undefined);
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

/** Whether a route's match holds for these facts. Unknown facts (no tags read) never match. */
export function routeMatches(match: RouteMatch, facts: RoutingFacts): boolean {
  if (match.distributionIds && !(facts.targetKind === 'distribution' && match.distributionIds.includes(facts.targetId ?? ''))) return false;
  if (match.tenantIds && !(facts.targetKind === 'tenant' && match.tenantIds.includes(facts.targetId ?? ''))) return false;
  if (match.tags) {
    const tags = facts.tags;
    if (!tags || !Object.entries(match.tags).every(([key, value]) => tags[key] === value)) return false;
  }
  if (match.accounts && !match.accounts.includes(facts.account ?? '')) return false;
  if (match.createdBy) {
    const globs = match.createdBy.map(globToRegExp);
    if (!facts.creators.some((creator) => globs.some((glob) => glob.test(creator)))) return false;
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

// ---------------------------------------------------------------------------------------------
// Validation: the same checks at synth (lib/config.ts, the construct) and at cold start.

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export const DESTINATION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Secrets Manager names: letters, digits and /_+=.@-, or a full secret ARN. */
export const SECRET_NAME = /^([A-Za-z0-9/_+=.@-]{1,512}|arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+)$/;
export const TOPIC_ARN = /^arn:(aws|aws-cn|aws-us-gov):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$/;
const BUS_NAME = /^[A-Za-z0-9._-]{1,256}$/;
const BUS_ARN = /^arn:(aws|aws-cn|aws-us-gov):events:([a-z0-9-]+):(\d{12}):event-bus\/([A-Za-z0-9._-]{1,256})$/;
const DISTRIBUTION_ID = /^E[A-Z0-9]{5,}$/;
const TENANT_ID = /^dt_[A-Za-z0-9]+$/;

const DESTINATION_KEYS: Record<DestinationType, readonly string[]> = {
  slack: ['type', 'secretName'],
  teams: ['type', 'secretName'],
  'google-chat': ['type', 'secretName'],
  sns: ['type', 'topicArn'],
  eventbridge: ['type', 'bus'],
};
const MATCH_KEYS = ['distributionIds', 'tenantIds', 'tags', 'createdBy', 'accounts'] as const;
const ROUTE_KEYS = ['name', 'match', 'destinations'] as const;

export interface RoutingEnvironment {
  /** The stack's region, when known: topics and buses must be there. */
  readonly region?: string;
  /** Whether invalidations of other accounts reach the notifier (organization mode): `accounts` matches need it. @default unknown: not checked */
  readonly organizationMode?: boolean;
}

/**
 * Validates raw configuration (parsed JSON from context or props) into a {@link RoutingConfig}.
 * Returns every problem, each naming the place and what to change; `config` is only set when
 * there are none.
 */
export function parseRouting(
  raw: { destinations?: unknown; routes?: unknown; defaultDestinations?: unknown },
  env: RoutingEnvironment = {},
): { config?: RoutingConfig; problems: string[] } {
  const problems: string[] = [];
  const destinations: Record<string, DestinationConfig> = {};

  if (!isObject(raw.destinations) || Object.keys(raw.destinations).length === 0) {
    problems.push('destinations must be an object of named destinations, e.g. {"team-slack": {"type": "slack", "secretName": "..."}}');
  } else {
    for (const [name, value] of Object.entries(raw.destinations)) {
      const where = `destinations.${name}`;
      if (!DESTINATION_NAME.test(name)) problems.push(`${where}: a destination name is 1-64 letters, digits, "_", "." or "-"`);
      const parsed = parseDestination(where, value, env, problems);
      if (parsed) destinations[name] = parsed;
    }
  }
  const names = Object.keys(isObject(raw.destinations) ? raw.destinations : {});
  const destinationList = (where: string, value: unknown, allowEmpty: boolean): string[] => {
    if (!Array.isArray(value) || (!allowEmpty && value.length === 0) || !value.every((item) => typeof item === 'string')) {
      problems.push(`${where} must be ${allowEmpty ? 'a list' : 'a non-empty list'} of destination names`);
      return [];
    }
    for (const item of value as string[]) {
      if (!names.includes(item)) {
        const closest = closestKey(item, names);
        problems.push(
          `${where}: unknown destination "${item}"${closest ? ` (did you mean "${closest}"?)` : ''}; define it under destinations (known: ${names.join(', ') || 'none'})`,
        );
      }
    }
    return value as string[];
  };

  const routes: Route[] = [];
  if (raw.routes !== undefined && !Array.isArray(raw.routes))
    problems.push('routes must be a list of {"match": {...}, "destinations": [...]}');
  for (const [index, value] of (Array.isArray(raw.routes) ? raw.routes : []).entries()) {
    const where = `routes[${index}]`;
    if (!isObject(value)) {
      problems.push(`${where} must be an object {"match": {...}, "destinations": [...]}`);
      continue;
    }
    for (const key of Object.keys(value))
      if (!(ROUTE_KEYS as readonly string[]).includes(key)) problems.push(...unknownKeyProblems([key], ROUTE_KEYS, `key in ${where}`));
    if (value.name !== undefined && (typeof value.name !== 'string' || value.name.trim() === ''))
      problems.push(`${where}.name must be a non-empty string`);
    const match = parseMatch(`${where}.match`, value.match, problems, env);
    const routeDestinations = destinationList(`${where}.destinations`, value.destinations, false);
    if (match) routes.push({ ...(typeof value.name === 'string' ? { name: value.name } : {}), match, destinations: routeDestinations });
  }

  let defaultDestinations: string[] = [];
  if (raw.defaultDestinations === undefined) {
    if (routes.length > 0 || Array.isArray(raw.routes)) {
      problems.push('defaultDestinations is missing: name the destinations for invalidations no route matches, or [] to drop them');
    } else {
      // No routes at all: everything goes everywhere.
      defaultDestinations = names;
    }
  } else {
    defaultDestinations = destinationList('defaultDestinations', raw.defaultDestinations, true);
  }

  const used = new Set([...routes.flatMap((r) => r.destinations), ...defaultDestinations]);
  for (const name of names) {
    if (!used.has(name)) problems.push(`destinations.${name} is not used by any route or defaultDestinations: use it or remove it`);
  }
  const secrets = new Map<string, string>();
  for (const [name, destination] of Object.entries(destinations)) {
    if (!('secretName' in destination)) continue;
    const other = secrets.get(destination.secretName);
    if (other)
      problems.push(
        `destinations.${name} and destinations.${other} use the same secret "${destination.secretName}": merge them into one destination`,
      );
    secrets.set(destination.secretName, name);
  }
  return problems.length > 0 ? { problems } : { config: { destinations, routes, defaultDestinations }, problems };
}

function parseDestination(where: string, value: unknown, env: RoutingEnvironment, problems: string[]): DestinationConfig | undefined {
  if (!isObject(value)) {
    problems.push(`${where} must be an object with a "type" (${DESTINATION_TYPES.join(', ')})`);
    return undefined;
  }
  const type = value.type as DestinationType;
  if (!DESTINATION_TYPES.includes(type)) {
    const closest = typeof type === 'string' ? closestKey(type, DESTINATION_TYPES) : undefined;
    problems.push(
      `${where}.type must be one of ${DESTINATION_TYPES.join(', ')} (got ${JSON.stringify(value.type)}${closest ? `; did you mean "${closest}"?` : ''})`,
    );
    return undefined;
  }
  for (const key of Object.keys(value))
    if (!DESTINATION_KEYS[type].includes(key)) problems.push(...unknownKeyProblems([key], DESTINATION_KEYS[type], `key in ${where}`));
  switch (type) {
    case 'slack':
    case 'teams':
    case 'google-chat': {
      const secretName = value.secretName;
      if (typeof secretName !== 'string' || !SECRET_NAME.test(secretName)) {
        problems.push(
          `${where}.secretName must name the Secrets Manager secret holding the ${type} webhook URL (letters, digits and /_+=.@-, or a secret ARN)`,
        );
        return undefined;
      }
      return { type, secretName };
    }
    case 'sns': {
      if (value.topicArn === undefined) return { type };
      const problem = topicArnProblem(value.topicArn, env.region);
      if (problem) {
        problems.push(`${where}.topicArn ${problem}`);
        return undefined;
      }
      return { type, topicArn: value.topicArn as string };
    }
    case 'eventbridge': {
      if (value.bus === undefined) return { type };
      const bus = value.bus;
      const arn = typeof bus === 'string' ? BUS_ARN.exec(bus) : null;
      if (typeof bus !== 'string' || (!arn && (!BUS_NAME.test(bus) || bus.startsWith('arn:')))) {
        problems.push(`${where}.bus must be an event bus name (e.g. "default") or ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)`);
        return undefined;
      }
      if (arn && env.region && arn[2] !== env.region) {
        problems.push(
          `${where}.bus is in ${arn[2]}, but the notifier is in ${env.region}: use a bus in ${env.region} (a rule on it can forward events to another region)`,
        );
        return undefined;
      }
      return { type, bus };
    }
  }
}

/** Why a topic ARN cannot be published to by this notifier, or undefined when it can. */
export function topicArnProblem(arn: unknown, region?: string): string | undefined {
  const match = typeof arn === 'string' ? TOPIC_ARN.exec(arn) : null;
  if (!match) return `"${String(arn)}" is not an SNS topic ARN (arn:aws:sns:us-east-1:123456789012:name)`;
  if (match[1] !== 'aws')
    return `is in partition "${match[1]}", but CloudFront and this stack are in "aws": use a topic in the aws partition`;
  if (match[5]) {
    return 'is a FIFO topic: every publish would need a MessageGroupId, and notifications are not ordered: use a standard topic (a FIFO queue can subscribe to a standard topic only through a standard queue, so subscribe your consumer to a standard topic instead)';
  }
  if (region && match[2] !== region) {
    return `is in ${match[2]}, but the notifier publishes from ${region} (SNS does not accept a publish from another region): use a topic in ${region}, or subscribe a queue or function in ${match[2]} to a topic in ${region}`;
  }
  return undefined;
}

function parseMatch(where: string, value: unknown, problems: string[], env: RoutingEnvironment): RouteMatch | undefined {
  if (!isObject(value) || Object.keys(value).length === 0) {
    problems.push(`${where} must be an object with at least one of ${MATCH_KEYS.join(', ')}`);
    return undefined;
  }
  for (const key of Object.keys(value))
    if (!(MATCH_KEYS as readonly string[]).includes(key)) problems.push(...unknownKeyProblems([key], MATCH_KEYS, `key in ${where}`));
  const list = (key: 'distributionIds' | 'tenantIds' | 'createdBy' | 'accounts', pattern?: RegExp, example?: string) => {
    const items = value[key];
    if (items === undefined) return undefined;
    if (!Array.isArray(items) || items.length === 0 || !items.every((item) => typeof item === 'string' && item.trim() !== '')) {
      problems.push(`${where}.${key} must be a non-empty list of strings`);
      return undefined;
    }
    if (pattern) {
      for (const item of items as string[])
        if (!pattern.test(item)) problems.push(`${where}.${key}: "${item}" does not look like ${example}`);
    }
    return items as string[];
  };
  const distributionIds = list('distributionIds', DISTRIBUTION_ID, 'a distribution ID (E2QWRUHAPOMQZL)');
  const tenantIds = list('tenantIds', TENANT_ID, 'a distribution tenant ID (dt_2wjDZi3hD1ivOXf6rpZJO1AB)');
  const createdBy = list('createdBy');
  const accounts = list('accounts', /^\d{12}$/, 'a 12-digit AWS account ID');
  let tags: Record<string, string> | undefined;
  if (value.tags !== undefined) {
    if (!isObject(value.tags) || Object.keys(value.tags).length === 0 || !Object.values(value.tags).every((v) => typeof v === 'string')) {
      problems.push(`${where}.tags must be an object of tag keys and string values, e.g. {"team": "payments"}`);
    } else {
      tags = value.tags as Record<string, string>;
    }
  }
  // Matches that can never hold: said at synth rather than discovered when nobody is told.
  if (distributionIds && tenantIds) {
    problems.push(`${where} has both distributionIds and tenantIds, but every key must hold and no target is both: make them two routes`);
  }
  if (accounts && env.organizationMode === false) {
    problems.push(
      `${where}.accounts matches invalidations of other accounts, which reach the notifier only in organization mode: set organizationId, or remove accounts`,
    );
  }
  for (const glob of createdBy ?? []) {
    if (/^arn:aws[a-z-]*:iam::[^:]*:role\//.test(glob)) {
      problems.push(
        `${where}.createdBy "${glob}" is an IAM role ARN, but CloudTrail names a role's caller by its session, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION: ` +
          'use that form (e.g. "arn:aws:sts::*:assumed-role/ROLE/*") or the role name with a wildcard ("ROLE/*")',
      );
    }
  }
  for (const key of Object.keys(tags ?? {})) {
    if (key !== key.trim() || key === '')
      problems.push(`${where}.tags key ${JSON.stringify(key)} has leading or trailing spaces: tag keys match exactly`);
  }
  return {
    ...(distributionIds ? { distributionIds } : {}),
    ...(tenantIds ? { tenantIds } : {}),
    ...(tags ? { tags } : {}),
    ...(createdBy ? { createdBy } : {}),
    ...(accounts ? { accounts } : {}),
  };
}
