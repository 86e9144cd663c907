import * as v from 'valibot';
import { DESTINATION_TYPES, WEBHOOK_TYPES, ownRecord } from '../../lambda/shared/routing';
import { closestKey, unknownKeyProblems } from './did-you-mean';
import {
  ACCOUNT_ID,
  DISTRIBUTION_ID,
  TENANT_ID,
  busIdentity,
  busProblems,
  secretIdentity,
  secretProblems,
  topicArnProblems,
  topicIdentity,
  type Home,
} from './shapes';

/**
 * The routing configuration (`destinations`, `routes`, `defaultDestinations`), from CDK context
 * or construct props in one shape: declared once below, its types inferred from the declaration,
 * and checked at synth with every problem named, with what to change. Start watch and Notify get
 * their parts of it as the runtime contracts of lambda/shared/routing.ts.
 */

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A missing key that an unknown key of the same object spells closely: the "did you mean" of the
 * unknown key says it all, so this issue is dropped rather than said twice.
 */
const MISSPELLED = 'misspelled: said by the unknown key';

/**
 * An object whose keys are all known: each unknown key is one problem with "did you mean",
 * reported together with the problems of the known ones.
 */
function strictObject<const E extends v.ObjectEntries>(entries: E, message: string) {
  const known = Object.keys(entries);
  // valibot reports a missing key with the object's message: say instead which key, and what it holds.
  const missingOrMessage = (issue: v.LooseObjectIssue): string => {
    const key = issue.path?.length === 1 ? issue.path[0]!.key : undefined;
    if (typeof key !== 'string' || !Object.hasOwn(entries, key)) return message;
    const given = issue.path?.[0]?.input;
    if (isObject(given) && Object.keys(given).some((other) => !known.includes(other) && closestKey(other, known) === key))
      return MISSPELLED;
    const expected = (entries[key] as { message?: unknown }).message;
    return `is missing${typeof expected === 'string' ? `: it ${expected}` : ''}`;
  };
  return v.pipe(
    v.looseObject(entries, missingOrMessage),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!isObject(dataset.value)) return;
      const unknown = Object.keys(dataset.value).filter((key) => !known.includes(key));
      for (const problem of unknownKeyProblems(unknown, known, 'key')) addIssue({ message: problem });
    }),
    v.transform((value) => {
      const output: Record<string, unknown> = {};
      for (const key of known) if (value[key] !== undefined) output[key] = value[key];
      return output as v.InferOutput<v.ObjectSchema<E, undefined>>;
    }),
  );
}

const nonEmptyText = (what: string) => v.pipe(v.string(`must be ${what}`), v.trim(), v.nonEmpty(`must be ${what}`));
const listOf = (what: string, item: v.GenericSchema<unknown, string> = nonEmptyText(what)) =>
  v.pipe(v.array(item, `must be a non-empty list of ${what}s`), v.nonEmpty(`must be a non-empty list of ${what}s`));
const shaped = (pattern: RegExp, example: string) =>
  v.pipe(
    v.string(`must be ${example}`),
    v.regex(pattern, (issue) => `"${String(issue.input)}" does not look like ${example}`),
  );

export const WebhookDestinationSchema = strictObject(
  {
    type: v.picklist(WEBHOOK_TYPES),
    /** Name, or ARN in the notifier's region, of the Secrets Manager secret holding the webhook URL. */
    secretName: v.string('must name the Secrets Manager secret holding the webhook URL'),
  },
  'must be an object',
);

export const TopicDestinationSchema = strictObject(
  {
    type: v.literal('sns'),
    /** An existing standard topic in the notifier's region. @default a new encrypted topic */
    topicArn: v.optional(v.string('must be an SNS topic ARN')),
  },
  'must be an object',
);

export const BusDestinationSchema = strictObject(
  {
    type: v.literal('eventbridge'),
    /** A bus name or ARN in the notifier's region. @default the account's default bus */
    bus: v.optional(v.string('must be an event bus name or ARN')),
  },
  'must be an object',
);

/** A chat webhook (its URL is a secret, so only the Secrets Manager secret's name is configured), an SNS topic or an EventBridge bus. */
export const DestinationSchema = v.variant('type', [WebhookDestinationSchema, TopicDestinationSchema, BusDestinationSchema], (issue) => {
  if (!isObject(issue.input) && issue.path === undefined) return `must be an object with a "type" (${DESTINATION_TYPES.join(', ')})`;
  const closest = typeof issue.input === 'string' ? closestKey(issue.input, DESTINATION_TYPES) : undefined;
  return `must have a type, one of ${DESTINATION_TYPES.join(', ')} (got ${JSON.stringify(issue.input) ?? 'none'}${closest ? `; did you mean "${closest}"?` : ''})`;
});

const TAGS_MESSAGE = 'must be an object of tag keys and string values, e.g. {"team": "payments"}';
/** CloudFront's (and every AWS service's) tag limits: a longer key or value is never on a resource. */
const TAG_KEY_MAX_LENGTH = 128;
const TAG_VALUE_MAX_LENGTH = 256;

/** What a route matches. Several keys: all must match; several values in one key: any may match. */
export const RouteMatchSchema = v.pipe(
  strictObject(
    {
      /** Invalidations of these distributions (not of their tenants). @default any target */
      distributionIds: v.optional(listOf('distribution ID', shaped(DISTRIBUTION_ID, 'a distribution ID (E2QWRUHAPOMQZL)'))),
      /** Invalidations of these distribution tenants. @default any target */
      tenantIds: v.optional(listOf('tenant ID', shaped(TENANT_ID, 'a distribution tenant ID (dt_2wjDZi3hD1ivOXf6rpZJO1AB)'))),
      /** Tags on the distribution or tenant (never its distribution's), e.g. `{ "team": "payments" }`; every one must be present with that value. @default any tags */
      tags: v.optional(
        v.pipe(
          ownRecord(
            v.pipe(
              v.string(),
              v.check(
                (key) => key !== '' && key === key.trim(),
                (issue) => `key ${JSON.stringify(issue.input)} has leading or trailing spaces: tag keys match exactly`,
              ),
              v.check(
                (key) => key.length <= TAG_KEY_MAX_LENGTH,
                (issue) =>
                  `key is ${String(issue.input).length} characters long, but a tag key has at most ${TAG_KEY_MAX_LENGTH}, so it could never match`,
              ),
            ),
            v.pipe(
              v.string('must be a string'),
              v.check(
                (value) => value.length <= TAG_VALUE_MAX_LENGTH,
                (issue) =>
                  `is ${String(issue.input).length} characters long, but a tag value has at most ${TAG_VALUE_MAX_LENGTH}, so it could never match`,
              ),
            ),
            TAGS_MESSAGE,
          ),
          v.check((tags) => Object.keys(tags).length > 0, TAGS_MESSAGE),
        ),
      ),
      /** Globs (`*` = any run of characters) over the creator's principal name or ARN, e.g. `payments-ci-*`. @default any creator */
      createdBy: v.optional(
        listOf(
          'creator glob',
          v.pipe(
            nonEmptyText('a creator glob'),
            v.check(
              (glob) => !/^arn:aws[a-z-]*:iam::[^:]*:role\//.test(glob),
              (issue) =>
                `"${String(issue.input)}" is an IAM role ARN, but CloudTrail names a role's caller by its session, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION: ` +
                'use that form (e.g. "arn:aws:sts::*:assumed-role/ROLE/*") or the role name with a wildcard ("ROLE/*")',
            ),
          ),
        ),
      ),
      /** Organization mode: the accounts the distribution or tenant belongs to. @default any account */
      accounts: v.optional(listOf('account ID', shaped(ACCOUNT_ID, 'a 12-digit AWS account ID'))),
    },
    'must be an object with at least one of distributionIds, tenantIds, tags, createdBy, accounts',
  ),
  v.check(
    (match) => Object.keys(match).length > 0,
    'must be an object with at least one of distributionIds, tenantIds, tags, createdBy, accounts',
  ),
  // A match that can never hold: said at synth rather than discovered when nobody is told.
  v.check(
    (match) => !(match.distributionIds && match.tenantIds),
    'has both distributionIds and tenantIds, but every key must hold and no target is both: make them two routes',
  ),
);

const destinationNames = (what: string) =>
  v.array(v.string('must be a destination name (a key of destinations), e.g. "team-slack"'), `must be ${what} of destination names`);

export const RouteSchema = strictObject(
  {
    /** For people and logs. @default "route N" */
    name: v.optional(nonEmptyText('a non-empty string')),
    match: RouteMatchSchema,
    /** Destination names. */
    destinations: v.pipe(destinationNames('a non-empty list'), v.nonEmpty('must be a non-empty list of destination names')),
  },
  'must be an object {"match": {...}, "destinations": [...]}',
);

export const RoutingConfigSchema = v.object({
  destinations: v.pipe(
    v.record(
      v.string(),
      DestinationSchema,
      'must be an object of named destinations, e.g. {"team-slack": {"type": "slack", "secretName": "..."}}',
    ),
    v.check(
      (destinations) => Object.keys(destinations).length > 0,
      'must be an object of named destinations, e.g. {"team-slack": {"type": "slack", "secretName": "..."}}',
    ),
  ),
  /** In order; an invalidation goes once to every destination any matching route names. @default none */
  routes: v.optional(v.array(RouteSchema, 'must be a list of {"match": {...}, "destinations": [...]}'), []),
  /** Where invalidations no route matches go; `[]` drops them. Required with routes. @default every destination when there are no routes */
  defaultDestinations: v.optional(destinationNames('a list')),
});

export type DestinationType = v.InferOutput<typeof DestinationSchema>['type'];
export type WebhookDestination = v.InferOutput<typeof WebhookDestinationSchema>;
export type TopicDestination = v.InferOutput<typeof TopicDestinationSchema>;
export type BusDestination = v.InferOutput<typeof BusDestinationSchema>;
export type DestinationConfig = v.InferOutput<typeof DestinationSchema>;
export type RouteMatch = v.InferOutput<typeof RouteMatchSchema>;
export type Route = v.InferOutput<typeof RouteSchema>;
/** The validated routing: defaultDestinations is always set (every destination when no route is given). */
export type RoutingConfig = Omit<v.InferOutput<typeof RoutingConfigSchema>, 'defaultDestinations'> & {
  readonly defaultDestinations: string[];
};

/** A destination name: a construct ID, an output name part and a key of the functions' JSON. */
const DESTINATION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Names JavaScript objects already have: valibot and CDK would treat them as the object's own. */
const RESERVED_NAMES = new Set(['constructor', 'prototype', '__proto__']);

export interface RoutingEnvironment extends Home {
  /** Whether invalidations of other accounts reach the notifier (organization mode): `accounts` matches need it. @default unknown: not checked */
  readonly organizationMode?: boolean;
}

/** `routes[0].match.tags`, from a valibot issue's path. */
function placeOf(issue: v.BaseIssue<unknown>): string {
  let where = '';
  for (const item of issue.path ?? []) {
    if (typeof item.key === 'number') where += `[${item.key}]`;
    // A key that is no plain name (a tag key with spaces or dots): quoted, so the place reads unambiguously.
    else if (!/^[A-Za-z0-9_-]+$/.test(String(item.key))) where += `[${JSON.stringify(item.key)}]`;
    else where += where === '' ? String(item.key) : `.${String(item.key)}`;
  }
  return where;
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
  const parsed = v.safeParse(RoutingConfigSchema, {
    destinations: raw.destinations,
    ...(raw.routes !== undefined ? { routes: raw.routes } : {}),
    ...(raw.defaultDestinations !== undefined ? { defaultDestinations: raw.defaultDestinations } : {}),
  });
  const problems = (parsed.issues ?? [])
    .filter((issue) => issue.message !== MISSPELLED)
    .map((issue) => {
      const where = placeOf(issue);
      return where === '' ? issue.message : `${where}: ${issue.message}`;
    });
  const rawDestinations = isObject(raw.destinations) ? raw.destinations : {};
  const names = Object.keys(rawDestinations);
  for (const name of names) {
    if (RESERVED_NAMES.has(name))
      problems.push(`destinations.${name}: "${name}" is a name every JavaScript object has: rename the destination`);
    else if (!DESTINATION_NAME.test(name))
      problems.push(`destinations.${name}: a destination name is 1-64 letters, digits, "_", "." or "-", starting with a letter or digit`);
  }
  const routes = Array.isArray(raw.routes) ? (raw.routes as unknown[]) : [];
  // Destinations an unknown reference probably meant: not also called unused ("remove it" would be wrong).
  const meant = new Set<string>();
  const references = (where: string, list: unknown) => {
    if (!Array.isArray(list)) return;
    const seen = new Set<unknown>();
    for (const item of list) {
      if (seen.has(item))
        problems.push(`${where}: "${String(item)}" is listed twice: list it once (each destination gets one message per invalidation)`);
      seen.add(item);
      // With no destinations at all, that one problem is already said: not once more per reference.
      if (typeof item !== 'string' || Object.hasOwn(rawDestinations, item) || !isObject(raw.destinations)) continue;
      const closest = closestKey(item, names);
      if (closest) meant.add(closest);
      problems.push(
        `${where}: unknown destination "${item}"${closest ? ` (did you mean "${closest}"?)` : ''}; define it under destinations (known: ${names.join(', ') || 'none'})`,
      );
    }
  };
  routes.forEach((route, index) => {
    if (isObject(route)) references(`routes[${index}].destinations`, route.destinations);
  });
  references('defaultDestinations', raw.defaultDestinations);
  if (raw.defaultDestinations === undefined && raw.routes !== undefined) {
    problems.push('defaultDestinations is missing: name the destinations for invalidations no route matches, or [] to drop them');
  }
  // Checked also when other parts are wrong, so that every problem is listed at once.
  const valid: Record<string, DestinationConfig> = Object.create(null);
  for (const [name, value] of Object.entries(rawDestinations)) {
    const destination = v.safeParse(DestinationSchema, value);
    if (destination.success) valid[name] = destination.output;
  }
  const mentioned = [...routes.flatMap((route) => (isObject(route) ? [route.destinations] : [])), raw.defaultDestinations ?? names];
  const used = new Set([...mentioned.flatMap((list) => (Array.isArray(list) ? (list as unknown[]) : [])), ...meant]);
  problems.push(...destinationProblems(valid, used, env));
  if (env.organizationMode === false) {
    routes.forEach((route, index) => {
      if (isObject(route) && isObject(route.match) && route.match.accounts !== undefined) {
        problems.push(
          `routes[${index}].match.accounts matches invalidations of other accounts, which reach the notifier only in organization mode: set organizationId, or remove accounts`,
        );
      }
    });
  }
  if (!parsed.success || problems.length > 0) return { problems };
  const { destinations } = parsed.output;
  return {
    config: {
      destinations,
      routes: parsed.output.routes,
      // No routes at all: everything goes everywhere.
      defaultDestinations: parsed.output.defaultDestinations ?? Object.keys(destinations),
    },
    problems,
  };
}

/** What the schema cannot see: places (regions, accounts), use, and two names for one channel. */
function destinationProblems(
  destinations: Readonly<Record<string, DestinationConfig>>,
  used: ReadonlySet<unknown>,
  env: RoutingEnvironment,
): string[] {
  const problems: string[] = [];
  const channels = new Map<string, string>();
  for (const [name, destination] of Object.entries(destinations)) {
    const where = `destinations.${name}`;
    if (!used.has(name)) problems.push(`${where} is not used by any route or defaultDestinations: use it or remove it`);
    let channel: { readonly identity: string; readonly description: string } | undefined;
    switch (destination.type) {
      case 'slack':
      case 'teams':
      case 'google-chat':
        problems.push(...secretProblems(`${where}.secretName`, destination.secretName, env));
        channel = { identity: `secret ${secretIdentity(destination.secretName, env)}`, description: 'read the same secret' };
        break;
      case 'sns':
        if (destination.topicArn !== undefined) {
          problems.push(...topicArnProblems(`${where}.topicArn`, destination.topicArn, env));
          channel = { identity: `topic ${topicIdentity(destination.topicArn, env)}`, description: 'publish to the same topic' };
        }
        break;
      case 'eventbridge':
        if (destination.bus !== undefined) problems.push(...busProblems(`${where}.bus`, destination.bus, env));
        channel = { identity: `bus ${busIdentity(destination.bus, env)}`, description: 'put events on the same bus' };
        break;
    }
    if (channel === undefined) continue;
    const other = channels.get(channel.identity);
    if (other === undefined) channels.set(channel.identity, name);
    else {
      problems.push(
        `destinations.${other} and ${where} ${channel.description} (by name or by ARN), so it would get every message twice: merge them into one destination`,
      );
    }
  }
  return problems;
}
