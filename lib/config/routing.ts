import * as v from 'valibot';
import { WORK_KINDS, type WorkKind } from '../../lambda/shared/cloudtrail-calls';
import { BURST_DEFAULTS, BURST_KEYS, BURST_LIMITS, DESTINATION_TYPES, WEBHOOK_TYPES, ownRecord } from '../../lambda/shared/routing';
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
  type SecretContent,
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
 * reported together with the problems of the known ones. A key in `refused` is one this object
 * never takes though others do: it is refused with its own message (why) instead of a guess.
 */
function strictObject<const E extends v.ObjectEntries>(entries: E, message: string, refused: Readonly<Record<string, string>> = {}) {
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
      for (const problem of unknownKeyProblems(unknown, known, 'key', refused)) addIssue({ message: problem });
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

/** What each burst setting does, for the messages that refuse a value. */
const BURST_SETTING_MEANING = {
  windowSeconds: "seconds: invalidations starting within this many seconds of the burst's last one join it",
  maxSeparate: "how many of a burst's invalidations are told on their own before the rest go in digests",
  digestEverySeconds: 'seconds: while a burst runs, how often a digest tells the invalidations ended since the last one',
} as const satisfies Record<keyof typeof BURST_LIMITS, string>;

const burstSetting = (key: keyof typeof BURST_LIMITS) => {
  const { min, max } = BURST_LIMITS[key];
  const message = `must be a whole number from ${min} to ${max} (${BURST_SETTING_MEANING[key]}; default ${BURST_DEFAULTS[key]})`;
  const got = (issue: v.BaseIssue<unknown>) => `${message}, not ${JSON.stringify(issue.input) ?? String(issue.input)}`;
  // One check, so that 0.5 is one problem, not "not whole" and "under the minimum" in the same words.
  return v.pipe(
    v.number(got),
    v.check((value) => Number.isInteger(value) && value >= min && value <= max, got),
  );
};

const BURST_MESSAGE =
  'must be false (every invalidation told on its own) or an object of burst settings ' +
  '{"windowSeconds", "maxSeparate", "digestEverySeconds", "by"}; leave it out for the defaults';

const BurstObjectSchema = strictObject(
  {
    /** Invalidations starting within this many seconds of the burst's last one join it. @default BURST_DEFAULTS.windowSeconds */
    windowSeconds: v.optional(burstSetting('windowSeconds')),
    /** How many of a burst's invalidations are told on their own, as they end, before the rest go in digests. @default BURST_DEFAULTS.maxSeparate */
    maxSeparate: v.optional(burstSetting('maxSeparate')),
    /** While a burst runs, a digest of the invalidations ended since the last one at least this often. @default BURST_DEFAULTS.digestEverySeconds */
    digestEverySeconds: v.optional(burstSetting('digestEverySeconds')),
    /** What makes invalidations one burst: `creator`, `caller-reference-prefix` or `destination` (time alone). @default BURST_DEFAULTS.by */
    by: v.optional(
      v.picklist(BURST_KEYS, (issue) => {
        const closest = typeof issue.input === 'string' ? closestKey(issue.input, BURST_KEYS) : undefined;
        return (
          `must be one of ${BURST_KEYS.join(', ')} (what makes invalidations one burst), not ${JSON.stringify(issue.input) ?? String(issue.input)}` +
          (closest ? `: did you mean "${closest}"?` : '')
        );
      }),
    ),
  },
  BURST_MESSAGE,
);

/**
 * How a destination tells invalidations that start close together (see BurstSettingsSchema in
 * lambda/shared/routing.ts): on by default; `false` tells every invalidation on its own; an
 * object changes some settings, the others keep their defaults.
 */
const BurstSchema = v.lazy((input) => (input === false ? v.literal(false) : BurstObjectSchema));

/** Why a bus takes no `burst`: said instead of "unknown key". */
const NO_BURST_ON_BUSES = {
  burst:
    'burst does not apply to an eventbridge destination: automation keeps one event per invalidation (rules and their targets see each one); remove burst',
};

export const WebhookDestinationSchema = strictObject(
  {
    type: v.picklist(WEBHOOK_TYPES),
    /** Name, or ARN in the notifier's region, of the Secrets Manager secret holding the webhook URL. */
    secretName: v.string('must name the Secrets Manager secret holding the webhook URL'),
    /** Invalidations that start together in one message (see `BurstSchema`). @default on, BURST_DEFAULTS */
    burst: v.optional(BurstSchema),
  },
  'must be an object',
);

/** A Slack channel's ID: C (public), G (private, older) or D (direct message), then capitals and digits. */
const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{8,}$/;
/** A channel's name as people write it: with its `#`, or with what IDs never have (lowercase, `-`, `_`, `.`). */
const LOOKS_LIKE_CHANNEL_NAME = /^#|[\p{Ll}._-]/u;
/** A person's ID (U..., or W... in Enterprise Grid): Slack posts to it in a direct message whose ID is another. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{8,}$/;
const CHANNEL_ID_WHERE = "at the bottom of the channel's details in Slack";

const SlackChannelSchema = v.pipe(
  v.string(`must be the Slack channel's ID, e.g. "C0123ABCD" (${CHANNEL_ID_WHERE})`),
  v.check(
    (channel) => SLACK_CHANNEL_ID.test(channel),
    (issue) => {
      const channel = String(issue.input);
      if (SLACK_USER_ID.test(channel))
        return `"${channel}" is a person's ID, not a channel's: use the ID of the app's direct message with them (D...), or a channel's ID (C..., ${CHANNEL_ID_WHERE})`;
      if (LOOKS_LIKE_CHANNEL_NAME.test(channel))
        return `"${channel}" is a channel name, not its ID: use the channel's ID (C..., ${CHANNEL_ID_WHERE}); a name changes when the channel is renamed`;
      return `"${channel}" is not a Slack channel ID: C, G or D, then at least 8 capital letters or digits (e.g. "C0123ABCD"), ${CHANNEL_ID_WHERE}`;
    },
  ),
);

export const SlackAppDestinationSchema = strictObject(
  {
    type: v.literal('slack-app'),
    /**
     * Name, or ARN in the notifier's region, of the Secrets Manager secret holding the Slack app's
     * bot token (`xoxb-...`). Several slack-app destinations may share one token (one per channel).
     */
    secretName: v.string("must name the Secrets Manager secret holding the Slack app's bot token (xoxb-...)"),
    /** The channel's ID (`C0123ABCD`, at the bottom of its details in Slack), not its name; the app must be invited to it. */
    channel: SlackChannelSchema,
    /** Invalidations that start together in one message kept up to date (see `BurstSchema`). @default on, BURST_DEFAULTS */
    burst: v.optional(BurstSchema),
  },
  'must be an object',
);

export const TopicDestinationSchema = strictObject(
  {
    type: v.literal('sns'),
    /** An existing standard topic in the notifier's region. @default a new encrypted topic */
    topicArn: v.optional(v.string('must be an SNS topic ARN')),
    /** Invalidations that start together in one message (see `BurstSchema`). @default on, BURST_DEFAULTS */
    burst: v.optional(BurstSchema),
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
  NO_BURST_ON_BUSES,
);

/**
 * A chat webhook (its URL is a secret, so only the Secrets Manager secret's name is configured), a
 * Slack app's channel (its bot token likewise), an SNS topic or an EventBridge bus.
 */
export const DestinationSchema = v.variant(
  'type',
  [WebhookDestinationSchema, SlackAppDestinationSchema, TopicDestinationSchema, BusDestinationSchema],
  (issue) => {
    if (!isObject(issue.input) && issue.path === undefined) return `must be an object with a "type" (${DESTINATION_TYPES.join(', ')})`;
    const closest = typeof issue.input === 'string' ? closestKey(issue.input, DESTINATION_TYPES) : undefined;
    return `must have a type, one of ${DESTINATION_TYPES.join(', ')} (got ${JSON.stringify(issue.input) ?? 'none'}${closest ? `; did you mean "${closest}"?` : ''})`;
  },
);

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
      /** The kinds of work: `["invalidation"]`, `["deployment"]` (distribution and tenant deployments). @default both */
      kinds: v.optional(
        v.pipe(
          v.array(
            v.picklist(
              WORK_KINDS,
              (issue) =>
                `${JSON.stringify(issue.input) ?? String(issue.input)} is not a kind of work: write "invalidation" or "deployment"`,
            ),
            'must be a non-empty list of kinds of work ("invalidation", "deployment")',
          ),
          v.nonEmpty('must be a non-empty list of kinds of work ("invalidation", "deployment")'),
        ),
      ),
    },
    'must be an object with at least one of distributionIds, tenantIds, tags, createdBy, accounts, kinds',
  ),
  v.check(
    (match) => Object.keys(match).length > 0,
    'must be an object with at least one of distributionIds, tenantIds, tags, createdBy, accounts, kinds',
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
export type SlackAppDestination = v.InferOutput<typeof SlackAppDestinationSchema>;
/** A destination's `burst` as configured: `false`, or the settings it changes. */
export type BurstConfig = v.InferOutput<typeof BurstSchema>;
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
  /** What is watched (the `watch` setting): a route whose `kinds` names none of it never matches. @default unknown: not checked */
  readonly watch?: readonly WorkKind[];
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
  const { watch } = env;
  if (watch) {
    routes.forEach((route, index) => {
      const kinds = isObject(route) && isObject(route.match) ? route.match.kinds : undefined;
      if (!Array.isArray(kinds) || kinds.length === 0 || kinds.some((kind) => watch.includes(kind as WorkKind))) return;
      const unwatched = kinds.map((kind) => JSON.stringify(kind)).join(' and ');
      problems.push(
        `routes[${index}].match.kinds names only ${unwatched}, which ${kinds.length === 1 ? 'is' : 'are'} not watched (watch is ${JSON.stringify(watch)}), so the route never matches: add ${unwatched} to watch, or remove the route`,
      );
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

/**
 * What the schema cannot see: places (regions, accounts), use, two names for one channel, and one
 * secret read as two things (a webhook URL and a bot token).
 */
function destinationProblems(
  destinations: Readonly<Record<string, DestinationConfig>>,
  used: ReadonlySet<unknown>,
  env: RoutingEnvironment,
): string[] {
  const problems: string[] = [];
  const channels = new Map<string, string>();
  // Slack app destinations share a token by design; a token is no webhook URL, though.
  const secretContents = new Map<string, { readonly name: string; readonly holds: SecretContent }>();
  const readsSecret = (name: string, secretName: string, holds: SecretContent) => {
    const identity = secretIdentity(secretName, env);
    const other = secretContents.get(identity);
    if (other === undefined) secretContents.set(identity, { name, holds });
    else if (other.holds !== holds) {
      problems.push(
        `destinations.${other.name} reads its secret as a ${other.holds} and destinations.${name} the same secret as a ${holds}, ` +
          'but a secret holds one of them: give each its own secret',
      );
    }
  };
  for (const [name, destination] of Object.entries(destinations)) {
    const where = `destinations.${name}`;
    if (!used.has(name)) problems.push(`${where} is not used by any route or defaultDestinations: use it or remove it`);
    let channel: { readonly identity: string; readonly description: string } | undefined;
    switch (destination.type) {
      case 'slack':
      case 'teams':
      case 'google-chat':
        problems.push(...secretProblems(`${where}.secretName`, destination.secretName, env));
        readsSecret(name, destination.secretName, 'webhook URL');
        channel = {
          identity: `secret ${secretIdentity(destination.secretName, env)}`,
          description: 'read the same secret (by name or by ARN)',
        };
        break;
      case 'slack-app':
        problems.push(...secretProblems(`${where}.secretName`, destination.secretName, env, 'bot token'));
        readsSecret(name, destination.secretName, 'bot token');
        // A channel ID is unique across Slack: one channel, whatever token posts to it.
        channel = {
          identity: `slack channel ${destination.channel}`,
          description: `post to the same Slack channel (${destination.channel})`,
        };
        break;
      case 'sns':
        if (destination.topicArn !== undefined) {
          problems.push(...topicArnProblems(`${where}.topicArn`, destination.topicArn, env));
          channel = {
            identity: `topic ${topicIdentity(destination.topicArn, env)}`,
            description: 'publish to the same topic (by name or by ARN)',
          };
        }
        break;
      case 'eventbridge':
        if (destination.bus !== undefined) problems.push(...busProblems(`${where}.bus`, destination.bus, env));
        channel = { identity: `bus ${busIdentity(destination.bus, env)}`, description: 'put events on the same bus (by name or by ARN)' };
        break;
    }
    if (channel === undefined) continue;
    const other = channels.get(channel.identity);
    if (other === undefined) channels.set(channel.identity, name);
    else {
      problems.push(
        `destinations.${other} and ${where} ${channel.description}, so it would get every message twice: merge them into one destination`,
      );
    }
  }
  return problems;
}
