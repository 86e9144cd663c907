import { DEFAULT_POLL_SCHEDULE, validatePollSchedule, type PollSchedule } from '../../lambda/shared/schedule';
import { ConfigError } from './config-error';
import { unknownKeyProblems } from './did-you-mean';
import { parseRouting, type RoutingConfig, type RoutingEnvironment } from './routing';
import { parseWorkKinds } from './work-kinds';
import { WORK_KINDS, type WorkKind } from '../../lambda/shared/cloudtrail-calls';
import { ACCOUNT_ID, CLOUDFRONT_EVENTS_REGION, ORGANIZATION_ID, regionProblem, secretProblems, topicArnProblems } from './shapes';

/**
 * The app's configuration, from CDK context (`cdk deploy -c key=value` or `cdk.json`).
 * Every key is documented in the README; every problem is reported at synth with what to change.
 */
export interface NotifierConfig {
  /** Where the notifier runs; anything but us-east-1 adds a forwarder stack in us-east-1. */
  readonly region: string;
  /** Add a CloudTrail trail (write-only management events) in us-east-1: for accounts without one. */
  readonly createTrail: boolean;
  /** Organization mode: the AWS Organizations ID; members forward to this notifier. */
  readonly organizationId?: string;
  /** Organization mode: the central (this notifier's) account, named in the member template. */
  readonly centralAccount?: string;
  readonly slackWebhookSecretName?: string;
  readonly notificationTopicArn?: string;
  readonly alarmTopicArn?: string;
  readonly schedule: PollSchedule;
  /**
   * Named destinations and the routes to them (`destinations`, `routes`, `defaultDestinations`),
   * validated. Unset: the simple case, one SNS topic plus Slack when slackWebhookSecretName is set.
   */
  readonly routing?: RoutingConfig;
  /** What is watched: invalidations, deployments, or both (the default). */
  readonly watch: readonly WorkKind[];
}

/** A number as `-c key=value` writes it: digits, at most one point, an optional sign. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

/** Every context key the app reads. Anything else the user sets is an error (see unknownKeyProblems). */
export const CONTEXT_KEYS = [
  'region',
  'slackWebhookSecretName',
  'notificationTopicArn',
  'alarmTopicArn',
  'maxWaitMinutes',
  'firstIntervalSeconds',
  'backoffRate',
  'maxIntervalSeconds',
  'destinations',
  'routes',
  'defaultDestinations',
  'createTrail',
  'organizationId',
  'centralAccount',
  'watch',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

/**
 * Keys the app once read, with what to do instead: a deployment's cdk.json may still carry them,
 * and "unknown key" alone would not say why it stopped working.
 */
export const RETIRED_CONTEXT_KEYS: Readonly<Record<string, string>> = {
  checkStyle:
    "checkStyle is no longer a context key: remove it (the account's checker checks every watch; its schedule is set " +
    'with firstIntervalSeconds, backoffRate, maxIntervalSeconds and maxWaitMinutes)',
};

/** Schedule keys the construct once read, with what to do instead. */
export const RETIRED_SCHEDULE_KEYS: Readonly<Record<string, string>> = {
  checkStyle: "checkStyle was removed: the account's checker checks every watch; remove it from the schedule",
};

/**
 * Context keys that the CDK CLI and the toolkit set for themselves, not for this app:
 * feature flags (`@aws-cdk/...`), `aws:cdk:...` settings and lookup results (`availability-zones:...`)
 * are told apart by their shape; these two have none.
 */
const CDK_OWN_KEYS: ReadonlySet<string> = new Set(['acknowledged-issue-numbers', 'cli-telemetry']);

/** The keys of the app's context that the user set: CDK's own keys left out. */
export function userContextKeys(context: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(context).filter((key) => !key.startsWith('@') && !key.includes(':') && !CDK_OWN_KEYS.has(key));
}

/**
 * The app's whole context (`app.node.getAllContext()`): unknown keys are refused, CDK's own are
 * ignored. A function that looks up one key cannot see misspelled keys; it serves callers that
 * have no context object.
 */
export type ContextSource = Readonly<Record<string, unknown>> | ((key: ContextKey) => unknown);

/** Parses and validates context values; throws a {@link ConfigError} listing every problem. */
export function loadConfig(source: ContextSource): NotifierConfig {
  const context = typeof source === 'function' ? source : (key: ContextKey) => source[key];
  const problems: string[] =
    typeof source === 'function' ? [] : unknownKeyProblems(userContextKeys(source), CONTEXT_KEYS, 'context key', RETIRED_CONTEXT_KEYS);
  const text = (key: ContextKey): string | undefined => {
    const value = context(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`${key} must be a non-empty string (or remove it: see README.md, "Configure", for what its absence means)`);
      return undefined;
    }
    return value.trim();
  };
  const number = (key: ContextKey, fallback: number): number => {
    const value = context(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    // `-c key=value` gives text: a plain decimal only, so that a list, a hex literal or an exponent is not read as some other number.
    if (typeof value === 'string' && DECIMAL.test(value.trim())) return Number(value.trim());
    problems.push(`${key} must be a number written in decimal, e.g. 60 or 1.5 (got ${JSON.stringify(value) ?? String(value)})`);
    return fallback;
  };

  const region = text('region') ?? CLOUDFRONT_EVENTS_REGION;
  const badRegion = regionProblem('region', region);
  if (badRegion) problems.push(badRegion);
  const flag = (key: ContextKey): boolean => {
    const value = context(key);
    if (value === undefined || value === null || value === false || value === 'false') return false;
    if (value === true || value === 'true') return true;
    problems.push(`${key} must be true or false (got "${String(value)}")`);
    return false;
  };
  const createTrail = flag('createTrail');
  const organizationId = text('organizationId');
  if (organizationId !== undefined && !ORGANIZATION_ID.test(organizationId)) {
    problems.push(
      `organizationId "${organizationId}" is not an AWS Organizations ID (o- and 10 to 32 lowercase letters or digits: aws organizations describe-organization)`,
    );
  }
  const centralAccount = text('centralAccount');
  if (centralAccount !== undefined && !ACCOUNT_ID.test(centralAccount))
    problems.push(`centralAccount "${centralAccount}" is not a 12-digit AWS account ID`);
  if (centralAccount !== undefined && organizationId === undefined)
    problems.push('centralAccount is only used in organization mode: set organizationId too, or remove it');
  const topicArn = (key: 'notificationTopicArn' | 'alarmTopicArn') => {
    const arn = text(key);
    // Alarms publish only to topics in their own region, and the functions' SNS client is the stack's region.
    if (arn !== undefined) problems.push(...topicArnProblems(key, arn, badRegion ? {} : { region }));
    return arn;
  };
  const slackWebhookSecretName = text('slackWebhookSecretName');
  // The one secret shape destinations take too: a name, or an ARN in the notifier's region.
  if (slackWebhookSecretName !== undefined)
    problems.push(...secretProblems('slackWebhookSecretName', slackWebhookSecretName, badRegion ? {} : { region }));
  const notificationTopicArn = topicArn('notificationTopicArn');
  const alarmTopicArn = topicArn('alarmTopicArn');

  const watch = watchFrom(context('watch'), problems);
  const routing = routingFrom(context, { region, organizationMode: organizationId !== undefined, watch }, problems);
  if (routing && (slackWebhookSecretName || notificationTopicArn)) {
    problems.push(
      'slackWebhookSecretName and notificationTopicArn are the simple case; with destinations, declare them there instead ' +
        '({"slack": {"type": "slack", "secretName": "..."}, "sns": {"type": "sns", "topicArn": "..."}})',
    );
  }

  const d = DEFAULT_POLL_SCHEDULE;
  const schedule: PollSchedule = {
    firstIntervalSeconds: number('firstIntervalSeconds', d.firstIntervalSeconds),
    backoffRate: number('backoffRate', d.backoffRate),
    maxIntervalSeconds: number('maxIntervalSeconds', d.maxIntervalSeconds),
    maxWaitSeconds: number('maxWaitMinutes', d.maxWaitSeconds / 60) * 60,
  };
  problems.push(...validatePollSchedule(schedule, 'maxWaitMinutes'));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    region,
    createTrail,
    schedule,
    watch,
    ...(organizationId ? { organizationId } : {}),
    ...(centralAccount ? { centralAccount } : {}),
    ...(slackWebhookSecretName ? { slackWebhookSecretName } : {}),
    ...(notificationTopicArn ? { notificationTopicArn } : {}),
    ...(alarmTopicArn ? { alarmTopicArn } : {}),
    ...(routing ? { routing } : {}),
  };
}

/**
 * `watch`: a JSON list in cdk.json (`["deployment"]`), or with `-c` a JSON list or the kinds
 * separated by commas (`-c watch=invalidation,deployment`). Unset: both.
 */
function watchFrom(value: unknown, problems: string[]): readonly WorkKind[] {
  if (value === undefined || value === null) return WORK_KINDS;
  let list = value;
  if (typeof value === 'string') {
    const text = value.trim();
    try {
      list = text.startsWith('[') ? JSON.parse(text) : text.split(',').map((kind) => kind.trim());
    } catch {
      problems.push(`watch is not valid JSON (write -c watch=invalidation,deployment, or a JSON list in cdk.json)`);
      return WORK_KINDS;
    }
  }
  const parsed = parseWorkKinds('watch', list);
  problems.push(...parsed.problems);
  return parsed.kinds ?? WORK_KINDS;
}

/**
 * `destinations`, `routes` and `defaultDestinations` are JSON: objects in cdk.json, JSON text
 * with `-c key='...'`. Undefined when none is set; every problem is added to `problems`.
 */
function routingFrom(context: (key: ContextKey) => unknown, env: RoutingEnvironment, problems: string[]): RoutingConfig | undefined {
  const keys = ['destinations', 'routes', 'defaultDestinations'] as const;
  const raw: Partial<Record<(typeof keys)[number], unknown>> = {};
  for (const key of keys) {
    const value = context(key);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      raw[key] = value;
      continue;
    }
    try {
      raw[key] = JSON.parse(value);
    } catch {
      problems.push(`${key} is not valid JSON (with -c, quote the whole value: -c ${key}='{"...": ...}'; or put it in cdk.json)`);
      return undefined;
    }
  }
  if (Object.keys(raw).length === 0) return undefined;
  const parsed = parseRouting(raw, env);
  problems.push(...parsed.problems);
  return parsed.config;
}
