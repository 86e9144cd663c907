import { Duration, Names, RemovalPolicy, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ErrorNames, LAMBDA_SERVICE_ERRORS, LAMBDA_TIMEOUT_ERRORS, TRANSIENT_DELIVERY_ERRORS } from '../lambda/shared/errors';
import { retryCheckAttempts, type PollSchedule } from '../lambda/shared/schedule';

/** Channels the Notify function can deliver to; one parallel branch each. */
export type ChannelName = 'sns' | 'slack';

export interface WatcherProps {
  readonly checkStatusFunction: IFunction;
  readonly notifyFunction: IFunction;
  /** Channels to notify, in order. */
  readonly channels: readonly ChannelName[];
  readonly schedule: PollSchedule;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/** Names of the states tests and tools refer to. */
export const StateNames = {
  eventReadable: 'Event readable?',
  startWatching: 'Start watching',
  check: 'Check invalidation status',
  completed: 'Completed?',
  wait: 'Wait before next check',
  pauseAfterRetries: 'Pause after retried checks',
  notifyTeam: 'Notify team',
  notifyChannel: (channel: ChannelName) => (channel === 'slack' ? 'Post to Slack' : 'Publish to SNS topic'),
  deliveryFailed: (channel: ChannelName) => `${channel === 'slack' ? 'Slack' : 'SNS'} not delivered`,
} as const;

/** Error names the watcher's Fail states end with (what `DescribeExecution` shows). */
export const WatcherFailures = {
  stillInProgress: 'InvalidationStillInProgress',
  couldNotTrack: 'InvalidationNotTracked',
  notDelivered: 'NotificationNotDelivered',
} as const;

/**
 * The watcher: a Standard state machine (JSONPath, so it also runs in aws-local-stepfunctions)
 * in the job-poller shape. Check -> Completed? -> Wait -> Check, with quick checks done by the
 * Check task's own Retry (one transition each), bounded by the schedule's maximum wait, and
 * every ending (completed, still in progress, could not track) notifying every channel.
 */
export class Watcher extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WatcherProps) {
    super(scope, id);
    const { schedule } = props;
    if (props.channels.length === 0) throw new Error('Watcher: at least one notification channel is required.');

    const markOutcome = (name: string, outcome: string) =>
      new sfn.Pass(this, name, { result: sfn.Result.fromString(outcome), resultPath: '$.outcome' });
    const markCompleted = markOutcome('Mark completed', 'completed');
    const markStillInProgress = markOutcome('Mark still in progress', 'still-in-progress');
    const markCouldNotTrack = markOutcome('Mark could not track', 'could-not-track');

    const notifyTeam = this.notifyTeam(props);
    for (const mark of [markCompleted, markStillInProgress, markCouldNotTrack]) mark.next(notifyTeam);

    const check = new tasks.LambdaInvoke(this, StateNames.check, {
      lambdaFunction: props.checkStatusFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        request: sfn.JsonPath.objectAt('$.request'),
        pace: sfn.JsonPath.numberAt('$.status.pace'),
        startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      }),
      resultPath: '$.status',
    });
    // Retry-driven checks: the function throws InvalidationInProgress and this Retry calls it
    // again on the schedule, one state transition per check.
    check.addRetry({
      errors: [ErrorNames.InvalidationInProgress],
      interval: Duration.seconds(schedule.firstIntervalSeconds),
      backoffRate: schedule.backoffRate,
      maxDelay: Duration.seconds(schedule.maxIntervalSeconds),
      maxAttempts: retryCheckAttempts(schedule),
      jitterStrategy: sfn.JitterType.NONE,
    });
    // Lambda's own transient failures: exponential backoff with full jitter, so hundreds of
    // executions failing together do not retry together. (CloudFront throttling and 5xx are
    // handled by the function: it returns a slower pace and a jittered wait.)
    check.addRetry({
      errors: [...LAMBDA_SERVICE_ERRORS],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.seconds(60),
      jitterStrategy: sfn.JitterType.FULL,
    });
    // The function ran out of time. Its CloudFront call is bounded well inside the timeout, so
    // this is the runtime's trouble (a stalled cold start), not an answer about the
    // invalidation: check again (a read, safe to repeat), a few times, spread out.
    check.addRetry({
      errors: [...LAMBDA_TIMEOUT_ERRORS],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 3,
      maxDelay: Duration.seconds(60),
      jitterStrategy: sfn.JitterType.FULL,
    });

    const wait = new sfn.Wait(this, StateNames.wait, { time: sfn.WaitTime.secondsPath('$.status.nextCheckInSeconds') });
    // Only if the Retry ran out before the function said stop (it is sized not to).
    const pauseAfterRetries = new sfn.Wait(this, StateNames.pauseAfterRetries, {
      time: sfn.WaitTime.duration(Duration.seconds(schedule.maxIntervalSeconds)),
    });
    check.addCatch(pauseAfterRetries, { errors: [ErrorNames.InvalidationInProgress], resultPath: sfn.JsonPath.DISCARD });
    check.addCatch(markCouldNotTrack, { errors: ['States.ALL'], resultPath: '$.error' });
    pauseAfterRetries.next(check);

    const completed = new sfn.Choice(this, StateNames.completed)
      .when(sfn.Condition.stringEquals('$.status.status', 'Completed'), markCompleted)
      .when(sfn.Condition.booleanEquals('$.status.deadlinePassed', true), markStillInProgress)
      .otherwise(wait.next(check));

    // `$.status` is both the last check's result and the loop's state (its pace).
    const startWatching = new sfn.Pass(this, StateNames.startWatching, {
      result: sfn.Result.fromObject({ pace: 0 }),
      resultPath: '$.status',
    });
    const definition = new sfn.Choice(this, StateNames.eventReadable)
      .when(sfn.Condition.isPresent('$.rejected'), markCouldNotTrack)
      .otherwise(startWatching.next(check).next(completed));

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200 })}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      comment: 'Watches one CloudFront invalidation until it completes, then notifies the team.',
      // A backstop: the schedule ends the watch at maxWait; throttling can add some time.
      timeout: Duration.seconds(schedule.maxWaitSeconds).plus(Duration.hours(2)),
      tracingEnabled: true,
      // Every event, but without execution data: paths and caller names stay out of the logs.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs delivery (CreateLogDelivery, ...) support no resource-level permissions.',
    });
    for (const fn of [props.checkStatusFunction, props.notifyFunction]) {
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnResource)}.Arn>:*]`,
        reason: "CDK's LambdaInvoke grants invoke on the function and its versions/aliases (ARN:*): only the notifier's own functions.",
      });
    }
  }

  /** One parallel branch per channel, each with its own retries, so one failing never stops the others. */
  private notifyTeam(props: WatcherProps): sfn.IChainable {
    const parallel = new sfn.Parallel(this, StateNames.notifyTeam, { resultPath: '$.delivery' });
    for (const channel of props.channels) {
      const deliver = new tasks.LambdaInvoke(this, StateNames.notifyChannel(channel), {
        lambdaFunction: props.notifyFunction,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        payload: sfn.TaskInput.fromObject({ channel, watch: sfn.JsonPath.entirePayload }),
      });
      // Transient delivery errors (each channel throws only its own) and Lambda's: retried
      // with jitter. Permanent ones (a revoked webhook, a missing secret) go to the Catch at once.
      deliver.addRetry({
        errors: [...TRANSIENT_DELIVERY_ERRORS, ...LAMBDA_SERVICE_ERRORS],
        // Chat webhooks allow about one post per second and ask for waits in seconds; SNS recovers faster.
        interval: Duration.seconds(channel === 'sns' ? 2 : 5),
        backoffRate: 2,
        maxAttempts: 4,
        maxDelay: Duration.seconds(120),
        jitterStrategy: sfn.JitterType.FULL,
      });
      // The function ran out of time (or crashed): retried, twice at most. Every call it makes
      // ends inside the invocation's time budget with a named error, so a timeout means the
      // runtime stalled (a cold start, a frozen sandbox), most likely before anything was sent.
      // A request that may have reached the destination unanswered is already retried as
      // WebhookUnavailable or TopicUnavailable: retrying a timeout adds no new risk of a second
      // message, while not retrying loses this one for sure.
      deliver.addRetry({
        errors: [...LAMBDA_TIMEOUT_ERRORS],
        interval: Duration.seconds(5),
        backoffRate: 2,
        maxAttempts: 2,
        maxDelay: Duration.seconds(60),
        jitterStrategy: sfn.JitterType.FULL,
      });
      const notDelivered = new sfn.Pass(this, StateNames.deliveryFailed(channel), {
        parameters: { channel, delivered: false, 'error.$': '$.deliveryError' },
      });
      deliver.addCatch(notDelivered, { errors: ['States.ALL'], resultPath: '$.deliveryError' });
      parallel.branch(deliver);
    }

    const delivered = props.channels.map((_, index) => sfn.Condition.booleanEquals(`$.delivery[${index}].delivered`, true));
    const allDelivered = delivered.length === 1 ? delivered[0]! : sfn.Condition.and(...delivered);
    const ending = new sfn.Choice(this, 'How did it end?')
      .when(sfn.Condition.stringEquals('$.outcome', 'completed'), new sfn.Succeed(this, 'Team notified'))
      .when(
        sfn.Condition.stringEquals('$.outcome', 'still-in-progress'),
        new sfn.Fail(this, 'Still in progress', {
          error: WatcherFailures.stillInProgress,
          cause: `Still in progress after the maximum wait of ${Math.round(props.schedule.maxWaitSeconds / 60)} minutes; the team was told.`,
        }),
      )
      .otherwise(
        new sfn.Fail(this, 'Could not track', {
          error: WatcherFailures.couldNotTrack,
          cause: 'The invalidation could not be tracked; the team was told why.',
        }),
      );
    return parallel.next(
      new sfn.Choice(this, 'Delivered to every channel?').when(allDelivered, ending).otherwise(
        // The Fail's cause lists each channel's result, with the error of those that refused.
        new sfn.Pass(this, 'Report deliveries', {
          parameters: { 'report.$': 'States.JsonToString($.delivery)' },
        }).next(
          new sfn.Fail(this, 'Notification not delivered', {
            error: WatcherFailures.notDelivered,
            causePath: '$.report',
          }),
        ),
      ),
    );
  }
}
