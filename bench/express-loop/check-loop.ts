import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ErrorNames, LAMBDA_SERVICE_ERRORS, LAMBDA_TIMEOUT_ERRORS } from '../../lambda/shared/errors';

export interface CheckLoopProps {
  readonly checkStatusFunction: IFunction;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/** Names of the check loop's states. */
export const CheckLoopStateNames = {
  resume: 'Resuming a watch?',
  carriedWait: 'Wait carried from the last run',
  check: 'Check invalidation status',
  keepChecking: 'Keep checking?',
  wait: 'Wait before next check',
  handBack: 'Hand back the watch',
} as const;

/**
 * The retired Express check loop, kept as a comparison design for `npm run bench` (it was the
 * product's watching part before the account's checker, lib/checker.ts): the bench splices its
 * synthesized definition into the product's watcher (bench/express-loop/design.ts). Not part of
 * the product: no cdk-nag acknowledgments, no Lambda of the product's.
 *
 * One run of the fast check loop: an EXPRESS state machine (Check -> Keep checking? -> Wait ->
 * Check) that the Standard watcher starts with startExecution.sync:2 and waits for. Express
 * bills duration and requests, not transitions, so a check every few seconds costs its Lambda
 * call only. A run lasts at most EXPRESS_RUN_SECONDS of checking (the check function says when
 * the next wait would cross it): then it hands back the watch state with the pace, the
 * counters and the wait still to do, and the watcher starts the next run, which begins with
 * that wait.
 *
 * Input: `{ watch, startedAt }` (the watcher's whole state and its start time). Output: the
 * watch state (lambda/shared/status-result.ts) with `loop` (the loop's own state: pace,
 * counters, next wait, run and deadline flags) and `status` (the last check's answer), and
 * `error` when CloudFront refused.
 * Every answer about the invalidation (completed, still in progress at the maximum wait, not
 * trackable) ends the run SUCCEEDED and the watcher decides the outcome from the state; only
 * trouble in the run itself (Lambda failing past the run's retries, the 5-minute limit) fails
 * it, and the watcher retries the run. Checks are reads: an Express run may repeat one (at
 * least once), which is harmless; the notification and anything else that must happen once
 * stays in the Standard watcher.
 */
export class CheckLoop extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: CheckLoopProps) {
    super(scope, id);
    const S = CheckLoopStateNames;
    const handBack = new sfn.Pass(this, S.handBack, { outputPath: '$.watch' });

    const check = new tasks.LambdaInvoke(this, S.check, {
      lambdaFunction: props.checkStatusFunction,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        // The whole watch state: the function reads the request and the loop's state from it
        // (absent at the first check, which a state cannot default) and returns it updated.
        watch: sfn.JsonPath.objectAt('$.watch'),
        startedAt: sfn.JsonPath.stringAt('$.startedAt'),
        runStartedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      }),
      resultPath: '$.watch',
    });
    // Retries inside a run cost nothing (no transitions) but must fit the 5-minute limit: a
    // few, quick, jittered. Past them the run fails and the watcher starts another.
    check.addRetry({
      errors: [...LAMBDA_SERVICE_ERRORS],
      interval: Duration.seconds(1),
      backoffRate: 2,
      maxAttempts: 3,
      maxDelay: Duration.seconds(8),
      jitterStrategy: sfn.JitterType.FULL,
    });
    // The function ran out of time: the runtime's trouble, not an answer; a read, safe to repeat.
    check.addRetry({
      errors: [...LAMBDA_TIMEOUT_ERRORS],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 2,
      maxDelay: Duration.seconds(8),
      jitterStrategy: sfn.JitterType.FULL,
    });
    // CloudFront refused (not found, access denied) or the input is wrong: an answer, not a failure of the run.
    check.addCatch(handBack, {
      errors: [ErrorNames.InvalidationNotTrackable, ErrorNames.InvalidWatcherInput],
      resultPath: '$.watch.error',
    });

    const wait = new sfn.Wait(this, S.wait, { time: sfn.WaitTime.secondsPath('$.watch.loop.nextCheckInSeconds') });
    const keepChecking = new sfn.Choice(this, S.keepChecking)
      .when(
        sfn.Condition.or(
          sfn.Condition.stringEquals('$.watch.status.status', 'Completed'),
          sfn.Condition.booleanEquals('$.watch.loop.deadlinePassed', true),
          sfn.Condition.booleanEquals('$.watch.loop.runOver', true),
        ),
        handBack,
      )
      .otherwise(wait.next(check));

    // A run after the first starts with the wait the last one could not fit.
    const definition = new sfn.Choice(this, S.resume)
      .when(
        sfn.Condition.isPresent('$.watch.loop.nextCheckInSeconds'),
        new sfn.Wait(this, S.carriedWait, { time: sfn.WaitTime.secondsPath('$.watch.loop.nextCheckInSeconds') }).next(check),
      )
      .otherwise(check);
    check.next(keepChecking);

    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200 })}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      comment: 'Checks one CloudFront invalidation every few seconds for up to 4 minutes (one run of the watcher).',
      // Express's own limit, stated: a run that hangs fails here and the watcher starts another.
      timeout: Duration.minutes(5),
      tracingEnabled: true,
      // A check every few seconds: ALL would log about 4 events per check, more in log
      // ingestion than the run costs. Errors only, without data (paths stay out of the logs).
      logs: { destination: this.logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
    });
  }
}
