import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { WORK_KINDS, type WorkKind } from '../lambda/shared/cloudtrail-calls';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EnvNames } from '../lambda/shared/env';
import { TELL_PARTITIONS, WATCHES_BY_REGISTRATION } from '../lambda/shared/watch-table';
import type { PollSchedule } from '../lambda/shared/schedule';
import { deadLetterQueue } from './dead-letter-queue';
import { NotifierFunction } from './notifier-function';

export interface CheckerProps {
  readonly schedule: PollSchedule;
  /**
   * The work watched: deployments add GetDistribution and GetDistributionTenant.
   * @default both invalidations and deployments
   */
  readonly watch?: readonly WorkKind[];
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/** What the watchdog sends the checker once a minute. */
export const WATCHDOG_EVENT = { watchdog: true } as const;

/**
 * One checker for the account and region: every watch in flight is checked here, under one
 * budget of CloudFront calls, and ended with its task token.
 * - The table of watches in flight (DynamoDB, on demand, encrypted, TTL): Register watch writes
 *   a watch and its token; the checker removes both when it ends the watch.
 * - The clock: a chain of tick messages on an SQS queue, each delayed until the next check
 *   falls due, feeding the checker (one message per invocation, at most two at once). The chain
 *   stops when no watch is left and Register watch starts one when a watch arrives.
 * - The watchdog: once a minute the checker looks at the clock and starts a chain if watches
 *   are waiting and none is live (a chain that died loses time, never a watch).
 * See lambda/shared/checker-clock.ts and lambda/checker/.
 */
export class Checker extends Construct {
  public readonly table: Table;
  public readonly tickQueue: Queue;
  /** Where a tick that failed five times goes (alarmed). */
  public readonly tickDeadLetterQueue: Queue;
  /** Checks every watch in flight, a tick at a time; also the watcher's final check. */
  public readonly checkerFunction: NotifierFunction;
  /** The watcher's "Watch until completed" task: registers the watch and waits on its token. */
  public readonly registerFunction: NotifierFunction;
  public readonly watchdog: Rule;

  constructor(scope: Construct, id: string, props: CheckerProps) {
    super(scope, id);
    const { logRetention } = props;
    this.table = new Table(this, 'Watches', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The watches by the time they were registered: a tick reads only the new ones (lambda/checker/watch-cache.ts).
    this.table.addGlobalSecondaryIndex({
      indexName: WATCHES_BY_REGISTRATION.indexName,
      partitionKey: { name: WATCHES_BY_REGISTRATION.partitionKey, type: AttributeType.STRING },
      sortKey: { name: WATCHES_BY_REGISTRATION.sortKey, type: AttributeType.NUMBER },
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions::AwsSolutions-DDB3',
      reason:
        'Watches in flight only, each gone within its maximum wait: a restore would bring back watches whose executions have ended. A lost table costs a final check per watch at its maximum wait, never a message.',
    });

    this.tickDeadLetterQueue = deadLetterQueue(this, 'TickDeadLetterQueue', "the checker's tick queue");
    this.tickQueue = new Queue(this, 'Ticks', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A tick that fails comes back after this: the chain's pause on a failure. Lambda wants it
      // at least the function's timeout.
      visibilityTimeout: Duration.seconds(30),
      retentionPeriod: Duration.hours(1),
      deadLetterQueue: { queue: this.tickDeadLetterQueue, maxReceiveCount: 5 },
    });

    const environment = {
      [EnvNames.watchTable]: this.table.tableName,
      [EnvNames.tickQueueUrl]: this.tickQueue.queueUrl,
      [EnvNames.pollSchedule]: JSON.stringify(props.schedule),
    };
    this.checkerFunction = new NotifierFunction(this, 'Function', {
      functionDir: 'checker',
      description: 'Checks every CloudFront invalidation in flight, a tick at a time, under one budget of calls',
      timeout: Duration.seconds(20),
      environment,
      logRetention,
    });
    this.checkerFunction.addEventSource(new SqsEventSource(this.tickQueue, { batchSize: 1, maxConcurrency: 2 }));
    // Item actions on the table; Query on it and on its one index (not CDK's table.grant, which
    // would give every action on every index: index/*).
    this.checkerFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [this.table.tableArn, `${this.table.tableArn}/index/${WATCHES_BY_REGISTRATION.indexName}`],
      }),
    );
    this.checkerFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [this.table.tableArn],
      }),
    );
    this.tickQueue.grantSendMessages(this.checkerFunction);
    const { account, partition } = Stack.of(this);
    // Read-only Get calls, only those of the work watched: an invalidation's status, a distribution's or tenant's.
    const watch = props.watch ?? WORK_KINDS;
    const checks = {
      distribution: [
        ...(watch.includes('invalidation') ? ['cloudfront:GetInvalidation'] : []),
        ...(watch.includes('deployment') ? ['cloudfront:GetDistribution'] : []),
      ],
      tenant: [
        ...(watch.includes('invalidation') ? ['cloudfront:GetInvalidationForDistributionTenant'] : []),
        ...(watch.includes('deployment') ? ['cloudfront:GetDistributionTenant'] : []),
      ],
    };
    this.checkerFunction.addToRolePolicy(
      new PolicyStatement({ actions: checks.distribution, resources: [`arn:${partition}:cloudfront::${account}:distribution/*`] }),
    );
    this.checkerFunction.addToRolePolicy(
      new PolicyStatement({ actions: checks.tenant, resources: [`arn:${partition}:cloudfront::${account}:distribution-tenant/*`] }),
    );
    // cdk-nag names unresolved tokens like this in its finding IDs.
    const accountInFinding = Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
    for (const resource of ['distribution/*', 'distribution-tenant/*']) {
      Validations.of(this.checkerFunction.role!).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::${accountInFinding}:${resource}]`,
        reason:
          'Any distribution or tenant of the account may be invalidated or changed by anyone; their IDs are not known at deploy time. The actions are read-only Get calls.',
      });
    }

    this.registerFunction = new NotifierFunction(this, 'RegisterFunction', {
      functionDir: 'register-watch',
      description: 'Hands one CloudFront invalidation to the checker and starts its clock when it is idle',
      timeout: Duration.seconds(10),
      memorySize: 128,
      environment,
      logRetention,
    });
    // GetItem: the watch's membership in its destinations' bursts (lambda/shared/tell-store.ts).
    this.registerFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [this.table.tableArn] }),
    );
    this.tickQueue.grantSendMessages(this.registerFunction);

    this.watchdog = new Rule(this, 'Watchdog', {
      description: "Once a minute: starts the checker's clock if watches wait and no chain of ticks is live",
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.checkerFunction, { event: RuleTargetInput.fromObject(WATCHDOG_EVENT), retryAttempts: 2 })],
    });
  }

  /**
   * The function that tells destinations keeps its bursts, live messages and paces in this table
   * (one store design, lambda/shared/tell-store.ts): item reads and writes, Query on the table
   * (a burst's members), never a delete (TTL removes what is done).
   */
  public tellsThrough(fn: NotifierFunction): void {
    fn.addEnvironment(EnvNames.watchTable, this.table.tableName);
    // Only telling's items (by their partition key), never a watch, a token or the checker's clock.
    const { open, tell, pace, burstPrefix } = TELL_PARTITIONS;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [open, tell, pace, `${burstPrefix}*`] } },
      }),
    );
  }

  /**
   * The checker ends watches of this state machine (SendTaskSuccess, SendTaskFailure), and of no
   * other. A policy of its own: the watcher invokes the checker (its final check), so the
   * function's default policy naming the watcher would make a cycle.
   */
  public endsWatchesOf(watcher: IStateMachine): void {
    new Policy(this, 'EndsWatches', {
      roles: [this.checkerFunction.role!],
      statements: [
        new PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: [watcher.stateMachineArn],
        }),
      ],
    });
  }
}
