import { Duration, Names, RemovalPolicy, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import { DONE_STATUSES } from '../lambda/shared/status-result';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ErrorNames, LAMBDA_SERVICE_ERRORS, LAMBDA_TIMEOUT_ERRORS } from '../lambda/shared/errors';
import type { PollSchedule } from '../lambda/shared/schedule';
import { Delivery, DeliveryStateNames, WatcherFailures } from './delivery';

export interface WatcherProps {
  /** Registers the watch with the account's checker; the task then waits on its token (lib/checker.ts). */
  readonly registerWatchFunction: IFunction;
  /** The checker: ends each watch with its token, and makes the final check when a token was never answered. */
  readonly checkerFunction: IFunction;
  readonly notifyFunction: IFunction;
  readonly schedule: PollSchedule;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/** Names of the states tests and tools refer to. */
export const StateNames = {
  eventReadable: 'Event readable?',
  /** Registers the watch with the checker and waits on its task token until the checker answers. */
  watch: 'Watch until completed',
  /** Only when the token was never answered (the checker lost the watch): one check, then the outcome. */
  finalCheck: 'Final check',
  watchOver: 'Watch over?',
  /** A watch with a live message, still in progress at its first check: posts "in progress", then watches on. */
  announce: 'Announce in progress',
  ...DeliveryStateNames,
} as const;

export { WatcherFailures };

/** Lambda's own trouble (service errors, a function out of time) on the watcher's functions: tried again, jittered. */
const LAMBDA_TROUBLE_RETRY: sfn.RetryProps = {
  errors: [...LAMBDA_SERVICE_ERRORS, ...LAMBDA_TIMEOUT_ERRORS],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 4,
  maxDelay: Duration.seconds(30),
  jitterStrategy: sfn.JitterType.FULL,
};

/** Past the maximum wait, how long the watcher waits on a token the checker should have answered at the maximum wait. */
export const TOKEN_GRACE = Duration.minutes(15);

/**
 * The watcher: a Standard state machine (JSONPath, so it also runs in aws-local-stepfunctions)
 * that watches one invalidation until it completes or the schedule's maximum wait passes, and
 * notifies every destination the watch was routed to at each ending (completed, still in
 * progress, could not track; see Delivery). "Watch until completed" hands the watch to the
 * account's checker (lib/checker.ts) and waits on a task token, which costs nothing while it
 * waits: the checker answers with the last check's status when the invalidation completed or
 * the maximum wait passed, or fails the token when CloudFront refused. Checking is the
 * checker's; the outcome and every message stay here, so each is sent exactly once.
 */
export class Watcher extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WatcherProps) {
    super(scope, id);
    const { schedule } = props;

    const markOutcome = (name: string, outcome: string) =>
      new sfn.Pass(this, name, { result: sfn.Result.fromString(outcome), resultPath: '$.outcome' });
    const markCompleted = markOutcome('Mark completed', 'completed');
    const markStillInProgress = markOutcome('Mark still in progress', 'still-in-progress');
    const markCouldNotTrack = markOutcome('Mark could not track', 'could-not-track');

    const delivery = new Delivery(this, 'Delivery', { notifyFunction: props.notifyFunction, maxWaitSeconds: schedule.maxWaitSeconds });
    for (const mark of [markCompleted, markStillInProgress, markCouldNotTrack]) mark.next(delivery.entry);

    const watching = this.tokenWatch(props, markCompleted, markStillInProgress, markCouldNotTrack);
    const definition = new sfn.Choice(this, StateNames.eventReadable)
      .when(sfn.Condition.isPresent('$.rejected'), markCouldNotTrack)
      .otherwise(watching);

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
    delivery.grantCounting(this.stateMachine);
    delivery.letNotifyAnswer(this.stateMachine, props.notifyFunction);
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        "X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*), CloudWatch Logs delivery (CreateLogDelivery, ...) and CloudWatch's PutMetricData (held to the notifier's namespace by the cloudwatch:namespace condition) support no resource-level permissions.",
    });
    for (const fn of [props.notifyFunction, props.registerWatchFunction, props.checkerFunction]) {
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnResource)}.Arn>:*]`,
        reason: "CDK's LambdaInvoke grants invoke on the function and its versions/aliases (ARN:*): only the notifier's own functions.",
      });
    }
  }

  /**
   * Hands the watch to the checker and waits on the token (one task, whatever the wait), then
   * "Watch over?" reads the answer: Completed, or still in progress at the maximum wait. A
   * refusal (not found, access denied) fails the token with InvalidationNotTrackable: could not
   * track. A token never answered (the checker lost the watch) times out after the maximum wait
   * and {@link TOKEN_GRACE}: one final check then says how it stands, never a blind "still in
   * progress".
   */
  private tokenWatch(
    props: WatcherProps,
    markCompleted: sfn.IChainable,
    markStillInProgress: sfn.IChainable,
    markCouldNotTrack: sfn.IChainable,
  ): sfn.IChainable {
    const watch = new tasks.LambdaInvoke(this, StateNames.watch, {
      lambdaFunction: props.registerWatchFunction,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      // Its own retry below covers Lambda's service errors too, with jitter.
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        taskToken: sfn.JsonPath.taskToken,
        request: sfn.JsonPath.objectAt('$.request'),
        startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
        execution: sfn.JsonPath.stringAt('$$.Execution.Name'),
        audience: sfn.JsonPath.objectAt('$.audience'),
      }),
      // The checker's answer: the last check's status (lambda/shared/status-result.ts).
      resultPath: '$.status',
      taskTimeout: sfn.Timeout.duration(Duration.seconds(props.schedule.maxWaitSeconds).plus(TOKEN_GRACE)),
    });
    // Register watch failing is the runtime's trouble: try again (a new token replaces the old).
    watch.addRetry(LAMBDA_TROUBLE_RETRY);
    const finalCheck = new tasks.LambdaInvoke(this, StateNames.finalCheck, {
      lambdaFunction: props.checkerFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        finalCheck: { request: sfn.JsonPath.objectAt('$.request'), startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime') },
      }),
      resultPath: '$.status',
    });
    finalCheck.addRetry(LAMBDA_TROUBLE_RETRY);
    finalCheck.addCatch(markCouldNotTrack, { errors: ['States.ALL'], resultPath: '$.error' });
    watch.addCatch(finalCheck, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    // InvalidationNotTrackable (CloudFront refused), or anything else that ends the task: could not track, saying why.
    watch.addCatch(markCouldNotTrack, { errors: ['States.ALL'], resultPath: '$.error' });
    // A watch with a live message (a Slack app's), still in progress at its first check: the
    // message says so, and the watch goes on. Best effort: a message that cannot be posted now is
    // posted at the end instead, so a failure here never stops the watch.
    const announce = new tasks.LambdaInvoke(this, StateNames.announce, {
      lambdaFunction: props.notifyFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        announce: {
          watch: sfn.JsonPath.objectAt('$'),
          execution: sfn.JsonPath.stringAt('$$.Execution.Name'),
          startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
        },
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    // Its channel's pace taken by another message this second: tried again for a few seconds
    // (the watch is not checked meanwhile; a completion is seen at the next check all the same).
    announce.addRetry({
      errors: [ErrorNames.TellLater],
      interval: Duration.seconds(1),
      backoffRate: 1.5,
      maxAttempts: 5,
      maxDelay: Duration.seconds(4),
      jitterStrategy: sfn.JitterType.FULL,
    });
    announce.addRetry(LAMBDA_TROUBLE_RETRY);
    announce.addCatch(watch, { errors: ['States.ALL'], resultPath: sfn.JsonPath.DISCARD });
    announce.next(watch);
    const watchOver = new sfn.Choice(this, StateNames.watchOver)
      // Completed ends an invalidation, Deployed a deployment.
      .when(sfn.Condition.or(...DONE_STATUSES.map((status) => sfn.Condition.stringEquals('$.status.status', status))), markCompleted)
      .when(sfn.Condition.isPresent('$.status.announce'), announce)
      .otherwise(markStillInProgress);
    watch.next(watchOver);
    finalCheck.next(watchOver);
    return watch;
  }
}
