import { Stack, Validations } from 'aws-cdk-lib';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EnvNames } from '../lambda/shared/env';
import { EVENT_SOURCE } from '../lambda/shared/invalidation-event';
import type { BurstSettings, RuntimeDestinationInput } from '../lambda/shared/routing';
import type { BurstConfig, RoutingConfig } from './config';
import { importSecret } from './config/shapes';
import { NotifierFunction } from './notifier-function';

export interface DestinationsProps {
  /** Validated routing configuration (see `parseRouting`). */
  readonly routing: RoutingConfig;
  /**
   * Topics to use for `sns` destinations by name, instead of creating or importing one (the
   * construct's `notificationTopic` prop). If one is encrypted with a customer managed key,
   * that key's policy must let the Notify function use it.
   * @default none
   */
  readonly existingTopics?: Readonly<Record<string, ITopic>>;
  /** Secrets to use for webhook and slack-app destinations by name (the construct's `slackWebhookSecret` prop). @default none */
  readonly existingSecrets?: Readonly<Record<string, ISecret>>;
}

/**
 * Every named place a message goes: chat webhooks (URL in a Secrets Manager secret), Slack app
 * channels (bot token in a secret), SNS topics (created or existing) and EventBridge buses. `bindTo` gives a function exactly what it needs
 * for these destinations, in one call: their details in its environment, read access to their
 * secrets, publish to their topics, PutEvents on their buses, nothing else.
 */
export class Destinations extends Construct {
  public readonly routing: RoutingConfig;
  public readonly secrets: Readonly<Record<string, ISecret>>;
  public readonly topics: Readonly<Record<string, ITopic>>;
  public readonly buses: Readonly<Record<string, IEventBus>>;
  private readonly runtime: Record<string, RuntimeDestinationInput> = Object.create(null);
  private key?: Key;

  constructor(scope: Construct, id: string, props: DestinationsProps) {
    super(scope, id);
    this.routing = props.routing;
    // Null-prototype maps: a destination may be named like an Object method (toString).
    const secrets: Record<string, ISecret> = Object.create(null);
    const topics: Record<string, ITopic> = Object.create(null);
    const buses: Record<string, IEventBus> = Object.create(null);
    const given = <T>(map: Readonly<Record<string, T>> | undefined, name: string): T | undefined =>
      map && Object.hasOwn(map, name) ? map[name] : undefined;
    // One import per configured secret: slack-app destinations may share a token, and one grant covers them.
    const imported = new Map<string, ISecret>();
    const secretOf = (name: string, secretName: string): { readonly secret: ISecret; readonly secretId: string } => {
      const existing = given(props.existingSecrets, name);
      // A full ARN reaches a secret of another account too; an existing secret is read by its own name.
      if (existing) return { secret: existing, secretId: existing.secretName };
      let secret = imported.get(secretName);
      if (!secret) imported.set(secretName, (secret = importSecret(this, `${name}Secret`, secretName)));
      return { secret, secretId: secretName };
    };
    for (const [name, destination] of Object.entries(props.routing.destinations)) {
      // Destination names are valid construct IDs (letters, digits, _ . -) and unique.
      const cid = name;
      switch (destination.type) {
        case 'slack':
        case 'teams':
        case 'google-chat': {
          const { secret, secretId } = secretOf(cid, destination.secretName);
          secrets[name] = secret;
          this.runtime[name] = { type: destination.type, secretId, ...burstOf(destination.burst) };
          break;
        }
        case 'slack-app': {
          const { secret, secretId } = secretOf(cid, destination.secretName);
          secrets[name] = secret;
          this.runtime[name] = { type: 'slack-app', secretId, channel: destination.channel, ...burstOf(destination.burst) };
          break;
        }
        case 'sns': {
          const topic =
            given(props.existingTopics, name) ??
            (destination.topicArn
              ? Topic.fromTopicArn(this, `${cid}Topic`, destination.topicArn)
              : new Topic(this, `${cid}Topic`, {
                  displayName: `CloudFront invalidations (${name})`,
                  masterKey: this.topicKey(),
                  enforceSSL: true,
                }));
          topics[name] = topic;
          this.runtime[name] = { type: 'sns', topicArn: topic.topicArn, ...burstOf(destination.burst) };
          break;
        }
        case 'eventbridge': {
          const bus = !destination.bus
            ? EventBus.fromEventBusName(this, `${cid}Bus`, 'default')
            : destination.bus.startsWith('arn:')
              ? EventBus.fromEventBusArn(this, `${cid}Bus`, destination.bus)
              : EventBus.fromEventBusName(this, `${cid}Bus`, destination.bus);
          buses[name] = bus;
          this.runtime[name] = { type: 'eventbridge', busName: bus.eventBusArn };
          break;
        }
      }
    }
    this.secrets = secrets;
    this.topics = topics;
    this.buses = buses;
  }

  /**
   * The customer managed key that encrypts the topics the notifier creates (the destinations'
   * and the alarm topic). Created on first use, so a notifier whose topics are all imported has
   * none (a key costs $1 a month and has a policy to review).
   */
  public topicKey(): Key {
    this.key ??= new Key(this, 'TopicKey', {
      description: 'Encrypts the CloudFront invalidation notifier topics',
      enableKeyRotation: true,
    });
    return this.key;
  }

  /** The route table Start watch needs (no secret names, no ARNs). */
  public get routeTable(): string {
    return JSON.stringify({ routes: this.routing.routes, defaultDestinations: this.routing.defaultDestinations });
  }

  /** Gives a function the destinations' runtime details (types, burst settings), and no access to any. */
  public describeTo(fn: LambdaFunction): void {
    fn.addEnvironment(EnvNames.destinations, Stack.of(this).toJsonString({ ...this.runtime }));
  }

  /** Wires the delivering function to every destination: environment, secret reads, publish, PutEvents. */
  public bindTo(fn: LambdaFunction): void {
    this.describeTo(fn);
    if (fn instanceof NotifierFunction) {
      const count = Object.keys(this.runtime).length;
      fn.adviseOnEnvironment(EnvNames.destinations, (bytes, over) => {
        const each = Math.ceil(bytes / count);
        return (
          `its ${count} destinations take about ${each} bytes each, so about ${Math.max(0, count - Math.ceil(over / each))} fit: ` +
          'use fewer destinations (one SNS topic can have many subscribers, and a route can name several destinations)'
        );
      });
    }
    // A secret shared by several slack-app destinations is granted once.
    for (const secret of new Set(Object.values(this.secrets))) secret.grantRead(fn);
    for (const topic of Object.values(this.topics)) topic.grantPublish(fn);
    this.grantPutEvents(fn);
    if (this.key) {
      Validations.of(fn.role!).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'Publishing to a KMS-encrypted topic needs kms:GenerateDataKey* (CDK grantPublish), on the topic key only.',
      });
    }
  }

  /** PutEvents on the configured buses only, and only as this notifier's source. */
  private grantPutEvents(grantee: IGrantable): void {
    const buses = Object.values(this.buses);
    if (buses.length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: buses.map((bus) => bus.eventBusArn),
        conditions: { StringEquals: { 'events:source': EVENT_SOURCE } },
      }),
    );
  }
}

/** The burst settings Notify gets: the configured ones over the defaults; none with `burst: false` (every invalidation alone). */
/** Only what is configured: Notify's parse fills in the defaults (lambda/shared/routing.ts). */
function burstOf(burst: BurstConfig | undefined): { burst?: Partial<BurstSettings> } {
  return burst === false ? {} : { burst: { ...burst } };
}
