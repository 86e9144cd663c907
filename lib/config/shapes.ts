import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ACCOUNT_ID } from '../../lambda/shared/organization';
import { closestKey } from './did-you-mean';

/**
 * The shapes of the identifiers the configuration names (ARNs, IDs, regions, secret names), each
 * declared once with the one message that says what to write instead. Synth-only: the functions
 * get these values from the construct, already checked. The account ID is also needed at run time,
 * so it lives in lambda/shared/organization.ts.
 */
export { ACCOUNT_ID };

/** CloudFront records its CloudTrail events in us-east-1 only. */
export const CLOUDFRONT_EVENTS_REGION = 'us-east-1';
/** The partition CloudFront's events, and so this app, are in. */
export const AWS_PARTITION = 'aws';

export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
export const DISTRIBUTION_ID = /^E[A-Z0-9]{5,}$/;
export const TENANT_ID = /^dt_[A-Za-z0-9]+$/;
/** Secrets Manager names: letters, digits and /_+=.@-, at most 512 of them. */
const SECRET_NAME_MAX_LENGTH = 512;
export const SECRET_NAME = new RegExp(`^[A-Za-z0-9/_+=.@-]{1,${SECRET_NAME_MAX_LENGTH}}$`);
/** Partner event buses' names start with this (`aws.partner/example.com/123/name`). */
const PARTNER_BUS_PREFIX = 'aws.partner/';
/** Event bus names (partner buses have a `/`). */
export const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
/** The suffix Secrets Manager adds to a secret's name in its ARN: `-` and 6 characters. */
const SECRET_ARN_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, the account in the one account shape. */
const arnShape = (service: string, region: string, resource: string): RegExp =>
  new RegExp(`^arn:([a-z-]+):${service}:${region}:(${ACCOUNT_ID.source.slice(1, -1)}):${resource}$`);
const TOPIC_ARN = arnShape('sns', '([a-z0-9-]+)', '([A-Za-z0-9_-]{1,256}(?:\\.fifo)?)');
const BUS_ARN = arnShape('events', '([a-z0-9-]+)', `event-bus/(${BUS_NAME.source.slice(1, -1)})`);
const SECRET_ARN = arnShape('secretsmanager', '([a-z0-9-]+)', `secret:(${SECRET_NAME.source.slice(1, -1)})`);
const ROLE_ARN = arnShape('iam', '', 'role/(\\S+)');

export interface ArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The resource's name: the topic's, the bus's, the role's path and name, the secret's with its ARN suffix. */
  readonly name: string;
}

function parts(pattern: RegExp, arn: string, regional = true): ArnParts | undefined {
  const match = pattern.exec(arn);
  if (!match) return undefined;
  return regional
    ? { partition: match[1]!, region: match[2]!, account: match[3]!, name: match[4]! }
    : { partition: match[1]!, region: '', account: match[2]!, name: match[3]! };
}
export const parseTopicArn = (arn: string): ArnParts | undefined => parts(TOPIC_ARN, arn);
export const parseEventBusArn = (arn: string): ArnParts | undefined => parts(BUS_ARN, arn);
export const parseSecretArn = (arn: string): ArnParts | undefined => parts(SECRET_ARN, arn);
export const parseRoleArn = (arn: string): ArnParts | undefined => parts(ROLE_ARN, arn, false);

export function eventBusArn(bus: Omit<ArnParts, 'partition'> & { readonly partition?: string }): string {
  return `arn:${bus.partition ?? AWS_PARTITION}:events:${bus.region}:${bus.account}:event-bus/${bus.name}`;
}

/** Whether a secret ARN names the whole secret (its name and Secrets Manager's 6-character suffix). */
export const isCompleteSecretArn = (arn: ArnParts): boolean => SECRET_ARN_SUFFIX.test(arn.name);

/** The secret's name in a secret ARN: without the suffix when the ARN is complete. */
export const secretNameOf = (arn: ArnParts): string => (isCompleteSecretArn(arn) ? arn.name.replace(SECRET_ARN_SUFFIX, '') : arn.name);

/**
 * A webhook's secret as the configuration names it (see {@link secretProblems}): by name, by
 * complete ARN (with Secrets Manager's 6-character suffix) or by partial ARN (without it: the
 * grant then covers any suffix, as it does for a name).
 */
export function importSecret(scope: Construct, id: string, secret: string): ISecret {
  const arn = secret.startsWith('arn:') ? parseSecretArn(secret) : undefined;
  if (!arn) return Secret.fromSecretNameV2(scope, id, secret);
  return isCompleteSecretArn(arn) ? Secret.fromSecretCompleteArn(scope, id, secret) : Secret.fromSecretPartialArn(scope, id, secret);
}

const AWS_REGIONS: readonly string[] = RegionInfo.regions.filter((r) => r.partition === AWS_PARTITION).map((r) => r.name);

/**
 * Why `region` cannot hold this app, or undefined: it must be a region of the aws partition
 * (CloudFront's events are there, and nowhere else can a forwarder reach the notifier).
 */
export function regionProblem(where: string, region: string): string | undefined {
  if (AWS_REGIONS.includes(region)) return undefined;
  const partition = RegionInfo.get(region).partition;
  if (partition) {
    return (
      `${where} "${region}" is in the ${partition} partition, but CloudFront's CloudTrail events, and so this app, are in the ${AWS_PARTITION} partition ` +
      `(events cannot cross partitions): use a region of the ${AWS_PARTITION} partition, e.g. ${CLOUDFRONT_EVENTS_REGION}`
    );
  }
  const closest = closestKey(region, AWS_REGIONS);
  return `${where} "${region}" is not an AWS region${closest ? ` (did you mean "${closest}"?)` : ''}: use one of ${AWS_REGIONS.join(', ')}`;
}

/** What the notifier knows of where it runs, when the stack says (tokens are left unchecked). */
export interface Home {
  readonly region?: string;
  readonly account?: string;
}

/** What is known of a topic: from its ARN, or from an ITopic the construct is given. */
export interface TopicFacts {
  readonly description: string;
  readonly partition?: string;
  readonly region?: string;
  readonly fifo: boolean;
}

/** Why the notifier (and its alarms) cannot publish to this topic: the one topic check, for context, routing and the construct. */
export function topicProblems(where: string, topic: TopicFacts, home: Home): string[] {
  const problems: string[] = [];
  if (topic.partition !== undefined && topic.partition !== AWS_PARTITION) {
    problems.push(
      `${where} ${topic.description} is in partition "${topic.partition}", but CloudFront and this stack are in "${AWS_PARTITION}": use a topic in the ${AWS_PARTITION} partition`,
    );
    return problems;
  }
  if (topic.fifo) {
    problems.push(
      `${where} ${topic.description} is a FIFO topic: SNS refuses every publish without a MessageGroupId, which neither the notifier nor CloudWatch alarms set: ` +
        'use a standard topic (the watcher already sends one message per invalidation)',
    );
  }
  if (topic.region !== undefined && home.region !== undefined && topic.region !== home.region) {
    problems.push(
      `${where} ${topic.description} is in ${topic.region}, but the notifier is in ${home.region} and SNS accepts a publish only in the topic's own region: ` +
        `use a topic in ${home.region} (subscribers such as SQS queues, Lambda functions and HTTPS endpoints may be in any region)`,
    );
  }
  return problems;
}

/** {@link topicProblems} for a topic given by its ARN; a malformed ARN is one problem. */
export function topicArnProblems(where: string, arn: string, home: Home): string[] {
  const topic = parseTopicArn(arn);
  if (!topic) return [`${where} "${arn}" is not an SNS topic ARN (arn:aws:sns:us-east-1:123456789012:name)`];
  return topicProblems(
    where,
    { description: `"${arn}"`, partition: topic.partition, region: topic.region, fifo: topic.name.endsWith('.fifo') },
    home,
  );
}

/** What a destination's secret holds: a chat webhook's URL, or a Slack app's bot token. */
export type SecretContent = 'webhook URL' | 'bot token';

/** A Slack token (bot `xoxb-`, user `xoxp-`, app-level `xapp-`...): it belongs in a secret, never in configuration. */
const SLACK_TOKEN = /^xox[a-z]-|^xapp-/;

/**
 * Why a destination's secret (a name, or a complete or partial ARN) cannot be read by Notify, or
 * none. A webhook URL or a Slack token given instead of the secret's name is refused without
 * repeating it: it must stay out of cdk.json and the template.
 */
export function secretProblems(where: string, secret: string, home: Home, holds: SecretContent = 'webhook URL'): string[] {
  const content = holds === 'webhook URL' ? 'the webhook URL' : "the Slack app's bot token (xoxb-...)";
  const what = `the name of the Secrets Manager secret holding ${content} (letters, digits and /_+=.@-), or its ARN`;
  const storeIt = (value: string) =>
    `store it with aws secretsmanager create-secret --name cloudfront-notifier/my-channel --secret-string '${value}', then give that name here`;
  if (/^https?:\/\//i.test(secret)) {
    // A webhook URL is a secret: it must not sit in cdk.json, the template or an environment variable.
    if (holds === 'bot token')
      return [
        `${where} is a URL, but a slack-app destination names the secret holding the Slack app's bot token (xoxb-...): ` +
          'for an incoming webhook, use type "slack"; keep the URL itself out of cdk.json and the template, in a secret',
      ];
    return [
      `${where} is a URL, but it must name the Secrets Manager secret that holds the webhook URL (the URL itself must stay out of ` +
        `cdk.json and the template): ${storeIt('URL')}`,
    ];
  }
  if (SLACK_TOKEN.test(secret)) {
    return [
      `${where} is a Slack token, but it must name the Secrets Manager secret that holds it (the token itself must stay out of ` +
        `cdk.json and the template): ${storeIt('TOKEN')}` +
        (holds === 'webhook URL'
          ? '; a webhook URL belongs here, a bot token in a "slack-app" destination, which also names a channel'
          : ''),
    ];
  }
  if (!secret.startsWith('arn:')) {
    if (secret.length > SECRET_NAME_MAX_LENGTH)
      return [
        `${where} is ${secret.length} characters long, but a secret name has at most ${SECRET_NAME_MAX_LENGTH}: shorten it, or give the secret's ARN`,
      ];
    return SECRET_NAME.test(secret) ? [] : [`${where} "${secret}" is not ${what}`];
  }
  const arn = parseSecretArn(secret);
  if (!arn) return [`${where} "${secret}" is not ${what} (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf)`];
  if (arn.partition !== AWS_PARTITION)
    return [`${where} is in partition "${arn.partition}": use a secret in the ${AWS_PARTITION} partition`];
  if (home.region !== undefined && arn.region !== home.region) {
    return [
      `${where} is in ${arn.region}, but Notify runs in ${home.region} and reads secrets of its own region: ` +
        `use a secret in ${home.region} (Secrets Manager can replicate a secret to ${home.region})`,
    ];
  }
  return [];
}

/**
 * Where a resource named by ARN is, as seen from the notifier: `here` when it is the notifier's own
 * account or region, or when the stack does not say (then a name and an ARN of one resource compare equal).
 */
function placeOf(arn: ArnParts | undefined, home: Home): string {
  const account = !arn || home.account === undefined || arn.account === home.account ? 'here' : arn.account;
  const region = !arn || home.region === undefined || arn.region === home.region ? 'here' : arn.region;
  return `${account}/${region}`;
}

/** The secret a webhook destination reads, as one comparable identity: name and ARN forms of one secret are equal. */
export function secretIdentity(secret: string, home: Home): string {
  const arn = secret.startsWith('arn:') ? parseSecretArn(secret) : undefined;
  return `${placeOf(arn, home)}/${arn ? secretNameOf(arn) : secret}`;
}

/** Why a destination bus (a name or an ARN) cannot take Notify's events, or none. */
export function busProblems(where: string, bus: string, home: Home): string[] {
  const what = `${where} must be an event bus name (e.g. "default") or ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)`;
  if (!bus.startsWith('arn:')) return !BUS_NAME.test(bus) ? [what] : partnerBusProblems(where, bus);
  const arn = parseEventBusArn(bus);
  if (!arn) return [what];
  const partner = partnerBusProblems(where, arn.name);
  if (partner.length > 0) return partner;
  if (arn.partition !== AWS_PARTITION) return [`${where} is in partition "${arn.partition}": use a bus in the ${AWS_PARTITION} partition`];
  if (home.region !== undefined && arn.region !== home.region) {
    return [
      `${where} is in ${arn.region}, but the notifier is in ${home.region}: use a bus in ${home.region} (a rule on it can forward events to another region)`,
    ];
  }
  return [];
}

/** A partner event bus takes events from its SaaS partner only: PutEvents on it is refused to the account. */
function partnerBusProblems(where: string, name: string): string[] {
  if (!name.startsWith(PARTNER_BUS_PREFIX)) return [];
  return [
    `${where} "${name}" is a partner event bus, on which only its SaaS partner can put events (PutEvents from the account is refused): ` +
      'use the default bus or a custom bus (a rule there can route the events on)',
  ];
}

/** The bus a destination puts events on, as one comparable identity: `{}`, `"default"` and the default bus's ARN are equal. */
export function busIdentity(bus: string | undefined, home: Home): string {
  const arn = bus?.startsWith('arn:') ? parseEventBusArn(bus) : undefined;
  return `${placeOf(arn, home)}/${arn?.name ?? bus ?? 'default'}`;
}

/** The topic an existing-topic destination publishes to, as one comparable identity. */
export function topicIdentity(topicArn: string, home: Home): string {
  const arn = parseTopicArn(topicArn);
  return `${placeOf(arn, home)}/${arn?.name ?? topicArn}`;
}
