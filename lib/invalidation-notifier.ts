import { Annotations, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type CfnRole } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EnvNames } from '../lambda/shared/env';
import { WORK_KINDS, type WorkKind } from '../lambda/shared/cloudtrail-calls';
import { needsTags } from '../lambda/shared/routing';
import { DEFAULT_POLL_SCHEDULE, validatePollSchedule, type PollSchedule } from '../lambda/shared/schedule';
import { CLOUDWATCH_SERVICE, OperationalAlarms } from './alarms';
import {
  CLOUDFRONT_EVENTS_REGION,
  ConfigError,
  parseRouting,
  presentProps,
  propCheck,
  propChecks,
  propsProblems,
  RETIRED_SCHEDULE_KEYS,
  type DestinationConfig,
  type Route,
  type RoutingConfig,
} from './config';
import { topicProblems, type Home } from './config/shapes';
import { Destinations } from './destinations';
import { OrganizationBus } from './organization-bus';
import { CENTRAL_ROLE_PATH, READER_ROLE_NAME, readerRoleArn } from '../lambda/shared/organization';
import { NotifierFunction } from './notifier-function';
import { Trigger } from './trigger';
import { NotifierDashboard } from './dashboard';
import { Checker } from './checker';
import { Watcher } from './watcher';

/** Destination names of the simple case (no `destinations` prop). */
export const SIMPLE = { topic: 'sns', slack: 'slack' } as const;

export interface InvalidationNotifierProps {
  /**
   * When to check: right away, then every 5 s growing by 1.5x per check to every 15 s, for up to 60 min.
   * @default DEFAULT_POLL_SCHEDULE
   */
  readonly schedule?: Partial<PollSchedule>;
  /**
   * Named places messages go, in the shape of the `destinations` context key:
   * `{ "payments-slack": { type: 'slack', secretName: '...' }, "deploys": { type: 'slack-app', secretName: '...', channel: 'C0123ABCD' }, "email": { type: 'sns' }, ... }`.
   * Every type but `eventbridge` takes `burst`: `false` (every invalidation told on its own) or
   * `{ windowSeconds, maxSeparate, digestEverySeconds, by }` (see `BURST_LIMITS`); on by default.
   * @default the simple case: one SNS topic (`notificationTopic`, else a new one) and Slack when `slackWebhookSecret` is set
   */
  readonly destinations?: Readonly<Record<string, DestinationConfig>>;
  /** Ordered routes to those destinations (see `Route`). @default none: everything goes to defaultDestinations */
  readonly routes?: readonly Route[];
  /** Where invalidations no route matches go; `[]` drops them. Required with routes. @default every destination when there are no routes */
  readonly defaultDestinations?: readonly string[];
  /** The simple case's topic. @default a new encrypted topic */
  readonly notificationTopic?: ITopic;
  /** The simple case's Slack webhook secret. @default no Slack */
  readonly slackWebhookSecret?: ISecret;
  /**
   * Where operational alarms go. Its policy is left as it is: if it has one (enforceSSL, or
   * any statement, replaces SNS's default policy), it must allow cloudwatch.amazonaws.com to
   * publish (synth warns with the statement to add).
   * @default a new encrypted topic, whose policy lets this construct's alarms publish
   */
  readonly alarmTopic?: ITopic;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * The stack is not in us-east-1 and an EventForwarder (ForwarderStack) in us-east-1 puts
   * CloudFront's CloudTrail events on this region's default bus, where the trigger listens.
   * @default false: the notifier must be in us-east-1
   */
  readonly receivesForwardedEvents?: boolean;
  /**
   * Organization mode: the AWS Organizations ID (`o-...`). Creates the organization bus the
   * member accounts forward to (see MemberAccount), and lets the functions check each member's
   * invalidations through its reader role.
   * @default this account only
   */
  readonly organizationId?: string;
  /**
   * What is watched: `['invalidation']`, `['deployment']` (distribution and tenant deployments),
   * or both. The trigger listens only for their calls, and the checker may make only their Get calls.
   * @default ['invalidation', 'deployment']
   */
  readonly watch?: readonly WorkKind[];
}

const PROPS = propChecks<InvalidationNotifierProps>()({
  schedule: propCheck.object,
  // The routing configuration, checked by parseRouting with its own messages.
  destinations: propCheck.checkedLater,
  routes: propCheck.checkedLater,
  defaultDestinations: propCheck.checkedLater,
  notificationTopic: propCheck.topic('NotificationTopic'),
  slackWebhookSecret: propCheck.secret('SlackWebhookSecret'),
  alarmTopic: propCheck.topic('AlarmTopic'),
  logRetention: propCheck.retentionDays,
  receivesForwardedEvents: propCheck.flag,
  organizationId: propCheck.text,
  watch: propCheck.workKinds,
});

const SCHEDULE_PROPS = propChecks<PollSchedule>()({
  firstIntervalSeconds: propCheck.number,
  backoffRate: propCheck.number,
  maxIntervalSeconds: propCheck.number,
  maxWaitSeconds: propCheck.number,
});

/**
 * The whole notifier as one reusable construct: trigger -> Start watch -> watcher state
 * machine (Register watch, the account's checker, Notify) -> channels, plus alarms for its operators.
 * Checks its props and its stack's region first: every problem in one {@link ConfigError}.
 */
export class InvalidationNotifier extends Construct {
  public readonly trigger: Trigger;
  public readonly watcher: Watcher;
  /** The account's one checker: the table of watches in flight, the clock, the budget of CloudFront calls. */
  public readonly checker: Checker;
  public readonly destinations: Destinations;
  /** Organization mode: the bus the member accounts forward their invalidation events to. */
  public readonly organizationBus?: OrganizationBus;
  public readonly alarmTopic: ITopic;
  public readonly alarms: OperationalAlarms;
  /** Watches (outcomes, time to complete, detection bound, checks, throttling), executions and functions on one page. */
  public readonly dashboard: NotifierDashboard;
  public readonly schedule: PollSchedule;
  /** What is watched: invalidations, deployments, or both. */
  public readonly watch: readonly WorkKind[];

  constructor(scope: Construct, id: string, givenProps: InvalidationNotifierProps | null = {}) {
    super(scope, id);
    const shapeProblems = propsProblems(givenProps, PROPS, 'InvalidationNotifier props');
    const props = presentProps(givenProps);
    if (shapeProblems.length === 0) shapeProblems.push(...propsProblems(props.schedule, SCHEDULE_PROPS, 'schedule', RETIRED_SCHEDULE_KEYS));
    if (shapeProblems.length > 0) throw new ConfigError(shapeProblems);
    this.schedule = { ...DEFAULT_POLL_SCHEDULE, ...presentProps(props.schedule) };
    const problems = [
      ...this.regionProblems(props.receivesForwardedEvents ?? false),
      ...validatePollSchedule(this.schedule, 'maxWaitSeconds').map((p) => `invalid schedule: ${p}`),
    ];
    if (props.notificationTopic) problems.push(...this.topicProblems('notificationTopic', props.notificationTopic));
    const routing = this.routing(props, problems);
    this.watch = props.watch ?? WORK_KINDS;
    if (problems.length > 0 || !routing) throw new ConfigError(problems);
    const logRetention = props.logRetention;

    this.destinations = new Destinations(this, 'Destinations', {
      routing,
      existingTopics: props.notificationTopic ? { [SIMPLE.topic]: props.notificationTopic } : {},
      existingSecrets: props.slackWebhookSecret ? { [SIMPLE.slack]: props.slackWebhookSecret } : {},
    });

    this.checker = new Checker(this, 'Checker', { schedule: this.schedule, watch: this.watch, logRetention });

    const notify = new NotifierFunction(this, 'Notify', {
      functionDir: 'notify',
      description: 'Tells one destination how a CloudFront invalidation ended (Slack, Teams, Google Chat, SNS, EventBridge)',
      logRetention,
    });
    this.destinations.bindTo(notify);
    this.checker.tellsThrough(notify);
    // Register watch joins each watch to its destinations' bursts: it reads their settings.
    this.destinations.describeTo(this.checker.registerFunction);

    this.watcher = new Watcher(this, 'Watcher', {
      registerWatchFunction: this.checker.registerFunction,
      checkerFunction: this.checker.checkerFunction,
      notifyFunction: notify,
      schedule: this.schedule,
      logRetention,
    });
    this.checker.endsWatchesOf(this.watcher.stateMachine);
    const { checkerFunction, registerFunction } = this.checker;

    const startWatch = new NotifierFunction(this, 'StartWatch', {
      functionDir: 'start-watch',
      description: 'Routes a CloudFront invalidation and starts a watcher execution named after it',
      // A cut CloudTrail event is looked for with List calls for up to 25 s (RECOVERY_LIMITS in
      // lambda/start-watch/recover-cut-event.ts); the look-ups and StartExecution need time after it.
      timeout: Duration.seconds(60),
      environment: {
        [EnvNames.stateMachineArn]: this.watcher.stateMachine.stateMachineArn,
        [EnvNames.routing]: this.destinations.routeTable,
      },
      logRetention,
    });
    startWatch.adviseOnEnvironment(
      EnvNames.routing,
      (bytes, over) =>
        `the routes take ${bytes} bytes, ${over} too many: match on tags (e.g. {"tags": {"team": "payments"}}) rather than long lists of distribution or tenant IDs`,
    );
    this.watcher.stateMachine.grantStartExecution(startWatch);
    this.grantLookups(startWatch, needsTags(routing));

    this.trigger = new Trigger(this, 'Trigger', { startWatchFunction: startWatch, watch: this.watch });
    this.dashboard = new NotifierDashboard(this, 'Dashboard', {
      watcher: this.watcher.stateMachine,
      tickDeadLetterQueue: this.checker.tickDeadLetterQueue,
      functions: { 'Start watch': startWatch, 'Register watch': registerFunction, Checker: checkerFunction, Notify: notify },
    });
    if (props.organizationId) {
      this.organizationBus = new OrganizationBus(this, 'OrganizationBus', { organizationId: props.organizationId, watch: this.watch });
      this.organizationBus.rule.addTarget(this.trigger.target);
      for (const fn of [checkerFunction, startWatch]) this.readMembersThrough(fn, props.organizationId);
    }

    // Also checked by each function at synth; said here too, as one ConfigError with the other problems' kind.
    const environmentProblems = [checkerFunction, registerFunction, notify, startWatch].flatMap((fn) => fn.environmentProblems());
    if (environmentProblems.length > 0) throw new ConfigError(environmentProblems);

    const ownAlarmTopic = props.alarmTopic
      ? undefined
      : new Topic(this, 'AlarmTopic', {
          displayName: 'CloudFront invalidation notifier alarms',
          masterKey: this.destinations.topicKey(),
          enforceSSL: true,
        });
    this.alarmTopic = props.alarmTopic ?? ownAlarmTopic!;
    this.alarms = new OperationalAlarms(this, 'Alarms', {
      stateMachine: this.watcher.stateMachine,
      deadLetterQueue: this.trigger.deadLetterQueue,
      tickDeadLetterQueue: this.checker.tickDeadLetterQueue,
      alarmTopic: this.alarmTopic,
    });
    if (ownAlarmTopic) {
      this.alarms.allowPublishingTo(ownAlarmTopic, this.destinations.topicKey());
    } else {
      Annotations.of(this).addWarningV2(
        'cloudfront-invalidation-notifier:alarmTopicPolicy',
        `alarmTopic ${this.describe(this.alarmTopic)} is not created by this construct, so its policy is left as it is. ` +
          `CloudWatch publishes the alarms as ${CLOUDWATCH_SERVICE}: unless the topic still has SNS's default policy, its policy must allow ` +
          `that (enforceSSL or any added statement replaces the default), or every alarm action fails silently ` +
          `("not authorized to perform SNS:Publish" in the alarm history). Add this statement to the topic policy: ` +
          `${this.alarms.publishingStatementFor(this.alarmTopic.topicArn)}. ` +
          `If the topic is encrypted with a customer managed key, its key policy needs the same principal and conditions for kms:Decrypt and kms:GenerateDataKey*.`,
      );
    }
  }

  /**
   * The validated routing: the props' destinations and routes, or the simple case (one topic,
   * plus Slack when its secret is given). Problems are added to `problems`.
   */
  private routing(props: Partial<InvalidationNotifierProps>, problems: string[]): RoutingConfig | undefined {
    if (props.destinations === undefined && props.routes === undefined && props.defaultDestinations === undefined) {
      const destinations: Record<string, DestinationConfig> = { [SIMPLE.topic]: { type: 'sns' } };
      // The secret's name only labels it here: the given ISecret is what is read and granted.
      if (props.slackWebhookSecret) destinations[SIMPLE.slack] = { type: 'slack', secretName: SIMPLE.slack };
      return { destinations, routes: [], defaultDestinations: Object.keys(destinations) };
    }
    if (props.notificationTopic || props.slackWebhookSecret) {
      problems.push(
        'notificationTopic and slackWebhookSecret are the simple case; with destinations, declare them there instead ' +
          "({ slack: { type: 'slack', secretName: '...' }, sns: { type: 'sns', topicArn: '...' } })",
      );
    }
    const parsed = parseRouting(
      { destinations: props.destinations, routes: props.routes, defaultDestinations: props.defaultDestinations },
      { ...this.home(), organizationMode: props.organizationId !== undefined, watch: props.watch ?? WORK_KINDS },
    );
    problems.push(...parsed.problems);
    return parsed.config;
  }

  /**
   * Organization mode: the function reads a member account's invalidations, names and tags
   * through that account's reader role, and may assume no other role. Its role gets the path
   * the members' reader roles trust.
   */
  private readMembersThrough(fn: NotifierFunction, organizationId: string): void {
    (fn.role!.node.defaultChild as CfnRole).path = CENTRAL_ROLE_PATH;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [readerRoleArn('*', Stack.of(this).partition)],
        conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
      }),
    );
    fn.addEnvironment(EnvNames.readerRoleName, READER_ROLE_NAME);
    fn.addEnvironment(EnvNames.ownAccount, Stack.of(this).account);
    Validations.of(fn.role!).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${READER_ROLE_NAME}]`,
      reason: 'The reader role of whichever member account an invalidation comes from; only that role name, only in the organization.',
    });
  }

  /**
   * Start watch names the target in messages (GetDistribution / GetDistributionTenant) and,
   * when a route matches on tags, reads them (ListTagsForResource): read-only, on the
   * account's distributions and tenants only.
   */
  private grantLookups(fn: NotifierFunction, tags: boolean): void {
    const { account, partition } = Stack.of(this);
    const resources = [
      `arn:${partition}:cloudfront::${account}:distribution/*`,
      `arn:${partition}:cloudfront::${account}:distribution-tenant/*`,
    ];
    fn.addToRolePolicy(new PolicyStatement({ actions: ['cloudfront:GetDistribution'], resources: [resources[0]!] }));
    fn.addToRolePolicy(new PolicyStatement({ actions: ['cloudfront:GetDistributionTenant'], resources: [resources[1]!] }));
    if (tags) fn.addToRolePolicy(new PolicyStatement({ actions: ['cloudfront:ListTagsForResource'], resources }));
    // A CloudTrail event cut for size names no invalidation: Start watch lists invalidations near
    // its time (lambda/start-watch/recover-cut-event.ts), and the distributions or tenants when
    // the event names neither.
    fn.addToRolePolicy(new PolicyStatement({ actions: ['cloudfront:ListInvalidations'], resources: [resources[0]!] }));
    fn.addToRolePolicy(new PolicyStatement({ actions: ['cloudfront:ListInvalidationsForDistributionTenant'], resources: [resources[1]!] }));
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['cloudfront:ListDistributions', 'cloudfront:ListDistributionTenants'], resources: ['*'] }),
    );
    const accountInFinding = Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
    for (const resource of ['distribution/*', 'distribution-tenant/*']) {
      Validations.of(fn.role!).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::${accountInFinding}:${resource}]`,
        reason:
          'Names, tags and invalidation lists of whichever distribution or tenant was invalidated, not known at deploy time. Read-only calls.',
      });
    }
    Validations.of(fn.role!).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudfront:ListDistributions and cloudfront:ListDistributionTenants have no resource type (service authorization reference), so they take "*": ' +
        "they list the account's distributions and tenants to find the invalidation of a CloudTrail event cut for size. Read-only calls.",
    });
  }

  /** CloudFront's CloudTrail events reach EventBridge in us-east-1 only: a rule elsewhere never fires. */
  private regionProblems(forwarded: boolean): string[] {
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region)) {
      Annotations.of(this).addWarningV2(
        'cloudfront-invalidation-notifier:regionUnknown',
        `The stack's region is not known at synth (environment-agnostic stack), so it cannot be checked: deploy it to ${CLOUDFRONT_EVENTS_REGION}, ` +
          `or elsewhere with receivesForwardedEvents and an EventForwarder in ${CLOUDFRONT_EVENTS_REGION}. ` +
          `CloudFront's CloudTrail events reach EventBridge in ${CLOUDFRONT_EVENTS_REGION} only. Give the stack env: { region } to have this checked at synth.`,
      );
      return [];
    }
    if (stack.region === CLOUDFRONT_EVENTS_REGION || forwarded) return [];
    return [
      `InvalidationNotifier in stack "${stack.stackName}" is in ${stack.region}, but CloudFront sends its CloudTrail events to EventBridge in ${CLOUDFRONT_EVENTS_REGION} only, ` +
        `so it would never hear of an invalidation. Either put it in ${CLOUDFRONT_EVENTS_REGION}, or add an EventForwarder (ForwarderStack) in ${CLOUDFRONT_EVENTS_REGION} ` +
        `targeting this region's default bus and set receivesForwardedEvents: true (the app does both with -c region=${stack.region}).`,
    ];
  }

  /** Where the notifier runs, as far as its stack says (tokens are left out). */
  private home(): Home {
    const { region, account } = Stack.of(this);
    return { ...(Token.isUnresolved(region) ? {} : { region }), ...(Token.isUnresolved(account) ? {} : { account }) };
  }

  /** A topic Notify cannot publish to fails every message, and only at run time. */
  private topicProblems(prop: string, topic: ITopic): string[] {
    const facts = {
      description: this.describe(topic),
      fifo: topic.fifo,
      ...(Token.isUnresolved(topic.env.region) ? {} : { region: topic.env.region }),
    };
    return topicProblems(prop, facts, this.home());
  }

  private describe(topic: ITopic): string {
    return Token.isUnresolved(topic.topicArn) ? `"${topic.node.path}"` : `"${topic.topicArn}"`;
  }
}
