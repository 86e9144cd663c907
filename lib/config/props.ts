import { RemovalPolicy } from 'aws-cdk-lib';
import { parseWorkKinds } from './work-kinds';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { unknownKeyProblems } from './did-you-mean';

/**
 * Why a prop's value is not what the construct takes ("must be ..."), or undefined when it is.
 * TypeScript callers cannot pass a wrong type; JavaScript callers (the README's examples) can, and
 * a string where a topic is expected would otherwise deploy alarms without actions, silently.
 */
export type PropCheck = (value: unknown) => string | undefined;

/** Every key of a props interface with the check of its value: one key missing, or one too many, fails to compile. */
export type PropChecks<T extends object> = { readonly [K in keyof T & string]-?: PropCheck };

/** Declares the checks of a props interface (see {@link PropChecks}). */
export const propChecks =
  <T extends object>() =>
  (checks: PropChecks<T>): PropChecks<T> =>
    checks;

const shown = (value: unknown): string =>
  typeof value === 'string' ? `the string "${value}"` : Array.isArray(value) ? 'a list' : `${typeof value} ${String(value)}`;
const has = (value: unknown, ...functions: string[]): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && functions.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
const RETENTION_DAYS = Object.values(RetentionDays).filter((days): days is number => typeof days === 'number');
const REMOVAL_POLICIES: readonly unknown[] = Object.values(RemovalPolicy);

/** The value checks the constructs' props are declared with. */
export const propCheck = {
  text: (value: unknown) => (typeof value === 'string' ? undefined : `must be a string, not ${shown(value)}`),
  flag: (value: unknown) => (typeof value === 'boolean' ? undefined : `must be true or false, not ${shown(value)}`),
  /** A whole or fractional number (its range is checked with the other values, e.g. by validatePollSchedule). */
  number: (value: unknown) => (typeof value === 'number' ? undefined : `must be a number, not ${shown(value)}`),
  object: (value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : `must be an object, not ${shown(value)}`,
  /** What is watched: a list of WORK_KINDS (see parseWorkKinds; its problems start with the prop's name, said again here). */
  workKinds: (value: unknown) =>
    parseWorkKinds('it', value)
      .problems.map((problem) => problem.replace(/^it:? /, ''))
      .join('; ') || undefined,
  /** Checked after the props' types, with its own messages (e.g. the routing configuration by parseRouting). */
  checkedLater: () => undefined,
  /** An ITopic: an existing topic is imported by its ARN. */
  topic:
    (id: string): PropCheck =>
    (value: unknown) =>
      typeof (value as { topicArn?: unknown } | null)?.topicArn === 'string' && has(value, 'grantPublish')
        ? undefined
        : `must be an SNS topic (an ITopic), not ${shown(value)}: for an existing topic, pass ` +
          `Topic.fromTopicArn(this, '${id}', '${typeof value === 'string' ? value : 'arn:aws:sns:REGION:ACCOUNT:NAME'}')`,
  /** An ISecret: an existing secret is imported by its name. */
  secret:
    (id: string): PropCheck =>
    (value: unknown) =>
      typeof (value as { secretArn?: unknown } | null)?.secretArn === 'string' && has(value, 'grantRead')
        ? undefined
        : `must be a Secrets Manager secret (an ISecret), not ${shown(value)}: for an existing secret, pass ` +
          `Secret.fromSecretNameV2(this, '${id}', '${typeof value === 'string' && !value.startsWith('arn:') ? value : 'NAME'}')` +
          ' (or Secret.fromSecretCompleteArn for its ARN)',
  retentionDays: (value: unknown) =>
    RETENTION_DAYS.includes(value as number)
      ? undefined
      : `must be a RetentionDays value (e.g. RetentionDays.ONE_MONTH, which is ${RetentionDays.ONE_MONTH}), not ${shown(value)}`,
  duration: (value: unknown) =>
    has(value, 'toSeconds', 'toDays') ? undefined : `must be a Duration (e.g. Duration.days(90)), not ${shown(value)}`,
  removalPolicy: (value: unknown) =>
    REMOVAL_POLICIES.includes(value) ? undefined : `must be a RemovalPolicy (e.g. RemovalPolicy.RETAIN), not ${shown(value)}`,
} satisfies Record<string, PropCheck | ((id: string) => PropCheck)>;

/**
 * The problems of props as JavaScript may pass them: not an object, keys the construct does not
 * have (a typo would otherwise be ignored, and its default silently kept), each with "did you
 * mean", or what to do instead for a key that was `retired`, and values that fail their key's
 * check. `null` and `undefined` are no props at all, and a prop set to either is unset.
 */
export function propsProblems<T extends object>(
  props: unknown,
  checks: PropChecks<T>,
  what: string,
  retired: Readonly<Record<string, string>> = {},
): string[] {
  if (props === undefined || props === null) return [];
  if (typeof props !== 'object' || Array.isArray(props)) return [`${what} must be an object of props`];
  const known: Readonly<Record<string, PropCheck>> = checks;
  const problems = unknownKeyProblems(Object.keys(props), Object.keys(known), `key in ${what}`, retired);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || !Object.hasOwn(known, key)) continue;
    const problem = known[key]!(value);
    if (problem !== undefined) problems.push(`${key} in ${what} ${problem}`);
  }
  return problems;
}

/** The props without the keys set to `null` or `undefined`: both mean "unset", as in CDK context. */
export function presentProps<T extends object>(props: T | null | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(props ?? {}).filter(([, value]) => value !== undefined && value !== null)) as Partial<T>;
}
