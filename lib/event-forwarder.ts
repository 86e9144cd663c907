import { CfnOutput, Duration, Stack, Token, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue';
import { CLOUDFRONT_EVENTS_REGION, ConfigError, presentProps, propCheck, propChecks, propsProblems } from './config';
import { ACCOUNT_ID, BUS_NAME, eventBusArn, parseEventBusArn, regionProblem, type ArnParts } from './config/shapes';
import { invalidationEventPattern } from './invalidation-event-pattern';
import { usEast1Problems } from './region-guard';

export type EventBusArnParts = ArnParts;
export { parseEventBusArn };

export interface BusForwardingRuleProps {
  /** ARN of the event bus the events go to (any account, any region). */
  readonly targetEventBusArn: string;
  /** The rule's description. */
  readonly description: string;
  /**
   * Where the dead-letter alarm is published. CloudWatch alarm actions reach topics in the
   * alarm's own region only.
   * @default no action: the alarm is visible in this region's CloudWatch console only
   */
  readonly alarmTopic?: ITopic;
}

/**
 * A rule on this region's default bus that forwards the CloudFront invalidation events (the
 * one {@link invalidationEventPattern}) to another event bus, with its own role (EventBridge
 * needs one for a bus in another region or account) and an encrypted, TLS-only dead-letter
 * queue with an alarm on its depth: an event that cannot be forwarded is never lost silently.
 * No checks of its own: {@link EventForwarder} and `MemberAccount` say where it may be used.
 */
export class BusForwardingRule extends Construct {
  public readonly rule: Rule;
  /** The role EventBridge assumes to put the events on the target bus. */
  public readonly role: Role;
  public readonly deadLetterQueue: Queue;
  /** In alarm while the dead-letter queue holds an event: that invalidation was not watched. */
  public readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: BusForwardingRuleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', 'the forwarding rule target');
    // Only EventBridge acting for this account's rules: the role cannot be used from elsewhere
    // (its rule's ARN cannot be named here without a dependency cycle: the rule names the role).
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      description: 'Lets EventBridge forward CloudFront invalidation events to the notifier event bus',
    });
    this.rule = new Rule(this, 'Rule', {
      description: props.description,
      eventPattern: invalidationEventPattern(),
    });
    // The target adds events:PutEvents on that one bus to the role, and lets this rule (only)
    // send to the dead-letter queue.
    this.rule.addTarget(
      new EventBusTarget(EventBus.fromEventBusArn(this, 'TargetBus', props.targetEventBusArn), {
        role: this.role,
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'A CloudFront invalidation event could not be forwarded to the notifier event bus (missing bus, bus policy, or role): ' +
        'it is in the dead-letter queue, and nobody was notified about it.',
    });
    if (props.alarmTopic) {
      this.deadLetterAlarm.addAlarmAction(new SnsAction(props.alarmTopic));
      this.deadLetterAlarm.addOkAction(new SnsAction(props.alarmTopic));
    }
  }
}

/** Problems with an alarm topic for an alarm in `scope`'s region, each saying what to change. */
export function alarmTopicProblems(scope: Construct, topic: ITopic | undefined): string[] {
  const region = Stack.of(scope).region;
  if (!topic || Token.isUnresolved(region) || Token.isUnresolved(topic.env.region) || topic.env.region === region) return [];
  return [
    `alarmTopic is in ${topic.env.region}, but the alarm is in ${region} and CloudWatch publishes alarm actions to topics of its own region only: ` +
      `use a topic in ${region}, or leave alarmTopic out (the alarm then has no action).`,
  ];
}

export interface EventForwarderProps {
  /**
   * The event bus the notifier's trigger listens to, as an ARN, e.g.
   * `arn:aws:events:eu-west-1:123456789012:event-bus/default`. Give either this or `targetRegion`.
   * @default built from `targetRegion`, `targetEventBusName` and `targetAccount`
   */
  readonly targetEventBusArn?: string;
  /**
   * The notifier's region. Give either this or `targetEventBusArn`.
   * @default taken from `targetEventBusArn`
   */
  readonly targetRegion?: string;
  /**
   * With `targetRegion`: the name of the bus there.
   * @default 'default', the bus the notifier's trigger listens to
   */
  readonly targetEventBusName?: string;
  /**
   * With `targetRegion`: the account of the bus.
   * @default this stack's account
   */
  readonly targetAccount?: string;
  /**
   * Where the dead-letter alarm is published; a topic in us-east-1 (the notifier's own alarm
   * topic in another region cannot receive it).
   * @default no action: the alarm is visible in the us-east-1 CloudWatch console only
   */
  readonly alarmTopic?: ITopic;
}

const EVENT_FORWARDER_PROPS = propChecks<EventForwarderProps>()({
  targetEventBusArn: propCheck.text,
  targetRegion: propCheck.text,
  targetEventBusName: propCheck.text,
  targetAccount: propCheck.text,
  alarmTopic: propCheck.topic('AlarmTopic'),
});

/**
 * For a notifier outside us-east-1: forwards the account's CloudFront invalidation events from
 * the us-east-1 default bus (the only place CloudFront's CloudTrail events reach) to the bus in
 * the notifier's region. Must be in us-east-1; its target must not be (a notifier in us-east-1
 * needs no forwarder). Checks its props first: every problem in one {@link ConfigError}.
 */
export class EventForwarder extends Construct {
  /** The ARN of the bus the events are forwarded to. */
  public readonly targetEventBusArn: string;
  public readonly forwarding: BusForwardingRule;

  constructor(scope: Construct, id: string, givenProps: EventForwarderProps) {
    super(scope, id);
    const shapeProblems = propsProblems(givenProps ?? undefined, EVENT_FORWARDER_PROPS, 'EventForwarder props');
    if (shapeProblems.length > 0) throw new ConfigError(shapeProblems);
    const props = presentProps(givenProps);
    const { arn, parts, problems } = this.target(props);
    problems.push(...usEast1Problems(this, `EventForwarder "${this.node.path}"`), ...alarmTopicProblems(this, props.alarmTopic));
    if (problems.length > 0 || !arn || !parts) throw new ConfigError(problems);
    this.targetEventBusArn = arn;
    this.forwarding = new BusForwardingRule(this, 'Forwarding', {
      targetEventBusArn: arn,
      description: `Forwards successful CloudFront CreateInvalidation calls (via CloudTrail) to event bus ${parts.name} in ${parts.region}`,
      alarmTopic: props.alarmTopic,
    });
  }

  /** The target bus ARN, or the problems that prevent knowing it. */
  private target(props: EventForwarderProps): { arn?: string; parts?: EventBusArnParts; problems: string[] } {
    const stack = Stack.of(this);
    if ((props.targetEventBusArn === undefined) === (props.targetRegion === undefined)) {
      return {
        problems: [
          'EventForwarder needs exactly one of targetEventBusArn (e.g. arn:aws:events:eu-west-1:123456789012:event-bus/default) ' +
            "or targetRegion (the notifier's region, e.g. eu-west-1).",
        ],
      };
    }
    if (props.targetEventBusArn !== undefined) {
      const problems: string[] = [];
      if (props.targetEventBusName !== undefined || props.targetAccount !== undefined) {
        problems.push(
          'targetEventBusName and targetAccount go with targetRegion only: the targetEventBusArn already names the bus and its account.',
        );
      }
      const parsed = Token.isUnresolved(props.targetEventBusArn) ? undefined : parseEventBusArn(props.targetEventBusArn);
      if (!parsed) {
        // A reference to a bus in another region's stack would not resolve here anyway.
        problems.push(
          `targetEventBusArn ${Token.isUnresolved(props.targetEventBusArn) ? '(a token)' : `"${props.targetEventBusArn}"`} must be a literal event bus ARN, ` +
            "such as arn:aws:events:eu-west-1:123456789012:event-bus/default; or give targetRegion to forward to that region's default bus of this account.",
        );
        return { problems };
      }
      problems.push(...this.sameAccountUsEast1Problems(parsed));
      return { arn: props.targetEventBusArn, parts: parsed, problems };
    }
    const region = props.targetRegion!;
    const name = props.targetEventBusName ?? 'default';
    const account = props.targetAccount ?? stack.account;
    const problems: string[] = [];
    if (Token.isUnresolved(region)) problems.push('targetRegion must be a literal region name such as eu-west-1, not a token.');
    else problems.push(...[regionProblem('targetRegion', region)].filter((problem) => problem !== undefined));
    if (!BUS_NAME.test(name))
      problems.push(`targetEventBusName "${name}" is not an event bus name: letters, digits and . - _ / only, up to 256.`);
    if (!Token.isUnresolved(account) && !ACCOUNT_ID.test(account))
      problems.push(`targetAccount "${account}" must be a 12-digit AWS account ID.`);
    if (problems.length > 0) return { problems };
    const parts = { partition: stack.partition, region, account, name };
    problems.push(...this.sameAccountUsEast1Problems(parts));
    return { arn: eventBusArn(parts), parts, problems };
  }

  /**
   * Forwarding within us-east-1 only makes sense to another account (organization mode); for
   * this account, the notifier belongs there itself.
   */
  private sameAccountUsEast1Problems(target: EventBusArnParts): string[] {
    if (target.region !== CLOUDFRONT_EVENTS_REGION) return [];
    const account = Stack.of(this).account;
    const otherAccount = !Token.isUnresolved(account) && !Token.isUnresolved(target.account) && account !== target.account;
    if (otherAccount) return [];
    return [
      `EventForwarder targets a bus in ${CLOUDFRONT_EVENTS_REGION}, where CloudFront's events already are: deploy the notifier in ${CLOUDFRONT_EVENTS_REGION} ` +
        `without a forwarder (the app: -c region=${CLOUDFRONT_EVENTS_REGION}). To send another account's events to a central notifier, use MemberAccount (organization mode).`,
    ];
  }
}

export interface ForwarderStackProps extends StackProps, EventForwarderProps {}

/**
 * The small us-east-1 stack deployed beside a notifier in another region: one
 * {@link EventForwarder}. Its region defaults to us-east-1; any other is refused.
 */
export class ForwarderStack extends Stack {
  public readonly forwarder: EventForwarder;

  constructor(scope: Construct, id: string, props: ForwarderStackProps) {
    const { targetEventBusArn, targetRegion, targetEventBusName, targetAccount, alarmTopic, ...stackProps } = props ?? {};
    super(scope, id, {
      description: 'Forwards CloudFront invalidation events from us-east-1 to the notifier region (cloudfront-invalidation-notifier)',
      ...stackProps,
      env: { ...stackProps.env, region: stackProps.env?.region ?? CLOUDFRONT_EVENTS_REGION },
    });
    this.forwarder = new EventForwarder(this, 'Forwarder', {
      targetEventBusArn,
      targetRegion,
      targetEventBusName,
      targetAccount,
      alarmTopic,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.forwarder.forwarding.deadLetterQueue.queueUrl });
  }
}
