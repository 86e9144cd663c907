import { Duration, Names, RemovalPolicy, Stack, Token, Validations, type CfnResource } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { PollSchedule } from '../lambda/shared/schedule';
import { CheckLoop, CheckLoopStateNames } from './check-loop';
import { Delivery, DeliveryStateNames, WatcherFailures } from './delivery';

export interface WatcherProps {
  readonly checkStatusFunction: IFunction;
  readonly notifyFunction: IFunction;
  readonly schedule: PollSchedule;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/** Names of the states tests and tools refer to. */
export const StateNames = {
  eventReadable: 'Event readable?',
  /** One Express run of the check loop (startExecution.sync:2). */
  watch: 'Watch until completed',
  watchOver: 'Watch over?',
  /** The check, inside the check loop's runs: its invocations count the watch's checks. */
  check: CheckLoopStateNames.check,
  ...DeliveryStateNames,
} as const;

export { WatcherFailures };

/**
 * The watcher: a Standard state machine (JSONPath, so it also runs in aws-local-stepfunctions)
 * that watches one invalidation until it completes or the schedule's maximum wait passes, and
 * notifies every destination the watch was routed to at each ending (completed, still in
 * progress, could not track; see Delivery). "Watch until completed" runs the Express check
 * loop (CheckLoop) and waits for it (startExecution.sync:2); a run lasts up to about 4 minutes
 * and hands back the watch state, and "Watch over?" starts the next run until the invalidation
 * completed, the maximum wait passed or CloudFront refused: two transitions per run instead of
 * one or three per check in a Standard loop (`npm run bench` compares them).
 */
export class Watcher extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: LogGroup;
  /** The Express check loop. */
  public readonly checkLoop: CheckLoop;

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

    this.checkLoop = new CheckLoop(this, 'CheckLoop', {
      checkStatusFunction: props.checkStatusFunction,
      logRetention: props.logRetention,
    });
    const watching = this.expressWatch(this.checkLoop, markCompleted, markStillInProgress, markCouldNotTrack);
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
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        "X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*), CloudWatch Logs delivery (CreateLogDelivery, ...) and CloudWatch's PutMetricData (held to the notifier's namespace by the cloudwatch:namespace condition) support no resource-level permissions.",
    });
    this.acknowledgeRunJobGrants(this.checkLoop);
    Validations.of(this.stateMachine).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.notifyFunction.node.defaultChild as CfnResource)}.Arn>:*]`,
      reason: "CDK's LambdaInvoke grants invoke on the function and its versions/aliases (ARN:*): only the notifier's own functions.",
    });
  }

  /**
   * startExecution.sync:2 needs DescribeExecution and StopExecution on the runs, whose ARNs are
   * only known as they start: CDK grants them on the check loop's executions (name prefix + *).
   * StartExecution itself is on the check loop alone; the events:* grants name one managed rule.
   */
  private acknowledgeRunJobGrants(checkLoop: CheckLoop): void {
    const stack = Stack.of(this);
    // cdk-nag writes unresolved tokens as <AWS::...> and the state machine's name as the Fn::Select CDK renders.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const logicalId = stack.getLogicalId(checkLoop.stateMachine.node.defaultChild as CfnResource);
    const name = JSON.stringify({ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: logicalId }] }] });
    Validations.of(this.stateMachine).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${name}*]`,
      reason:
        'startExecution.sync:2 describes and stops the check loop runs it starts; their execution ARNs exist only at run time, so CDK grants DescribeExecution/StopExecution on the check loop executions (its name and *), and StartExecution on the check loop alone.',
    });
  }

  /**
   * Runs the Express check loop until the watch is over: one task and one Choice per run
   * (about 4 minutes of checks), then the outcome's mark. The run's output is the watch state
   * itself (the loop's state in `loop`, the last check's answer in `status`), so nothing needs
   * reshaping. A run that fails (Lambda
   * trouble past the run's own retries, the 5-minute limit, StartExecution refused) is retried
   * a few times with jitter, from the state before it; then the watch ends as "could not track".
   */
  private expressWatch(
    checkLoop: CheckLoop,
    markCompleted: sfn.IChainable,
    markStillInProgress: sfn.IChainable,
    markCouldNotTrack: sfn.IChainable,
  ): sfn.IChainable {
    const watch = new tasks.StepFunctionsStartExecution(this, StateNames.watch, {
      stateMachine: checkLoop.stateMachine,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      // The run links back to this execution in the console.
      associateWithParent: true,
      input: sfn.TaskInput.fromObject({
        watch: sfn.JsonPath.entirePayload,
        startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      }),
      // The run's Output (JSON with .sync:2) is the watch state: it replaces the state whole
      // (the result replaces the input by default, ResultPath "$").
      outputPath: '$.Output',
      // A backstop only: an Express execution cannot run longer than 5 minutes.
      taskTimeout: sfn.Timeout.duration(Duration.minutes(6)),
    });
    watch.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 3,
      maxDelay: Duration.seconds(30),
      jitterStrategy: sfn.JitterType.FULL,
    });
    watch.addCatch(markCouldNotTrack, { errors: ['States.ALL'], resultPath: '$.error' });
    const watchOver = new sfn.Choice(this, StateNames.watchOver)
      // First: a refusal can come before any status.
      .when(sfn.Condition.isPresent('$.error'), markCouldNotTrack)
      .when(sfn.Condition.stringEquals('$.status.status', 'Completed'), markCompleted)
      .when(sfn.Condition.booleanEquals('$.loop.deadlinePassed', true), markStillInProgress)
      // The run is over, the watch is not: the next run begins with the wait it could not fit.
      .otherwise(watch);
    return watch.next(watchOver);
  }
}
