import { Duration } from 'aws-cdk-lib';
import { Policy, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ErrorNames, LAMBDA_SERVICE_ERRORS, LAMBDA_TIMEOUT_ERRORS, TRANSIENT_DELIVERY_ERRORS } from '../lambda/shared/errors';
import { DeliveryStateNames, WatcherFailures } from '../lambda/shared/delivery-names';
import { DELIVERY_METRICS } from '../lambda/shared/metrics';

export { DeliveryStateNames, WatcherFailures };

/** The Step Functions AWS SDK integration that counts a failed delivery: no Lambda in between. */
export const PUT_METRIC_DATA = 'arn:aws:states:::aws-sdk:cloudwatch:putMetricData';

export interface DeliveryProps {
  readonly notifyFunction: IFunction;
  /** For the "still in progress" Fail cause. */
  readonly maxWaitSeconds: number;
}

/**
 * How long a Notify task waits on its token before Notify is asked again: a watch told in a
 * digest or a live message waits for another watch's Notify to send it; if none has within this
 * time, its own comes back and sends what is due. Also the shortest digest interval.
 */
export const TELL_AGAIN_SECONDS = 60;

/**
 * The end of every watch: one Notify task per destination the watch was routed to (a Map over
 * `$.audience.destinations`, decided once by Start watch), each retried on its own, so a
 * destination that fails never makes another receive its message twice. A destination that
 * refuses for good leaves the others delivered and ends the execution failed, naming it.
 */
export class Delivery extends Construct {
  /** The first state: enter it with `$.outcome` set. */
  public readonly entry: sfn.IChainable;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    // Notify answers the task's token: at once when it sent the message itself, later (another
    // watch's Notify) when the watch is told in a burst's digest or live message.
    const deliver = new tasks.LambdaInvoke(this, DeliveryStateNames.notifyDestination, {
      lambdaFunction: props.notifyFunction,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        taskToken: sfn.JsonPath.taskToken,
        destination: sfn.JsonPath.stringAt('$.destination'),
        watch: sfn.JsonPath.objectAt('$.watch'),
        execution: sfn.JsonPath.stringAt('$$.Execution.Name'),
        startedAt: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      }),
      taskTimeout: sfn.Timeout.duration(Duration.seconds(TELL_AGAIN_SECONDS)),
      retryOnServiceExceptions: false,
    });
    // The destination's pace is taken by another message: tried again in seconds, for as long as
    // a backlog of messages could last (about an hour at the slowest pace), never given up sooner.
    deliver.addRetry({
      errors: [ErrorNames.TellLater],
      interval: Duration.seconds(1),
      backoffRate: 1.5,
      maxAttempts: 200,
      maxDelay: Duration.seconds(20),
      jitterStrategy: sfn.JitterType.FULL,
    });
    // A chat platform asked for a longer wait than the function could spend (Retry-After):
    // retried no sooner than 30 s, then 60, 120... up to 5 times (about 12 minutes in all), so a
    // rate limit of any usual length passes. Before the general Retry, which would come too soon.
    deliver.addRetry({
      errors: [ErrorNames.WebhookRateLimited],
      interval: Duration.seconds(30),
      backoffRate: 2,
      maxAttempts: 5,
      maxDelay: Duration.seconds(300),
      jitterStrategy: sfn.JitterType.NONE,
    });
    // Transient delivery errors and Lambda's: retried with jitter (chat webhooks allow about one
    // post per second and ask for waits in seconds). Permanent ones (a revoked webhook, a
    // missing secret) go to the Catch at once.
    deliver.addRetry({
      errors: [...TRANSIENT_DELIVERY_ERRORS, ...LAMBDA_SERVICE_ERRORS],
      interval: Duration.seconds(5),
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
    // What the iteration ends with, kept apart from its input (the watch) until the failure is counted.
    const notDelivered = new sfn.Pass(this, DeliveryStateNames.notDelivered, {
      parameters: { 'destination.$': '$.destination', delivered: false, 'error.$': '$.deliveryError' },
      resultPath: '$.result',
    });
    // Nobody told it within TELL_AGAIN_SECONDS: Notify is asked again (it sends what is due by then).
    deliver.addCatch(deliver, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    deliver.addCatch(notDelivered, { errors: ['States.ALL'], resultPath: '$.deliveryError' });
    // Only here is a failure final (the last Retry spent, or a permanent error): the state machine
    // counts it itself under the destination's name (the dashboard) and once more with no
    // destination (the "a destination is failing" alarm), the same series Notify's EMF writes for
    // deliveries. Not through Notify: when Notify itself is broken, the count must still happen.
    // Counting never changes how the watch ends: a failure to count is retried, then let go.
    const failedDatum = (dimensions: Record<string, string>[]) => ({
      MetricName: DELIVERY_METRICS.names.failed,
      Dimensions: [{ Name: 'service', Value: DELIVERY_METRICS.service }, ...dimensions],
      Value: 1,
      Unit: 'Count',
    });
    const countFailure = new sfn.CustomState(this, DeliveryStateNames.countFailedDelivery, {
      stateJson: {
        Type: 'Task',
        Resource: PUT_METRIC_DATA,
        Parameters: {
          Namespace: DELIVERY_METRICS.namespace,
          MetricData: [failedDatum([{ Name: DELIVERY_METRICS.dimensions.destination, 'Value.$': '$.destination' }]), failedDatum([])],
        },
        ResultPath: null,
        OutputPath: '$.result',
      },
    });
    countFailure.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    countFailure.addCatch(new sfn.Pass(this, DeliveryStateNames.failureNotCounted, { outputPath: '$.result' }), {
      errors: ['States.ALL'],
      resultPath: sfn.JsonPath.DISCARD,
    });
    notDelivered.next(countFailure);

    const map = new sfn.Map(this, DeliveryStateNames.notifyDestinations, {
      itemsPath: '$.audience.destinations',
      itemSelector: { 'destination.$': '$$.Map.Item.Value', 'watch.$': '$' },
      // Whether any destination refused, computed here rather than in a state of its own: one
      // transition less per watch.
      resultSelector: { 'results.$': '$', 'refused.$': 'States.ArrayContains($[*].delivered, false)' },
      resultPath: '$.delivery',
    });
    map.itemProcessor(deliver);

    // One Choice for every ending: a refused destination first (its report is the cause), then the outcome.
    this.entry = map.next(
      new sfn.Choice(this, DeliveryStateNames.howItEnded)
        .when(
          sfn.Condition.booleanEquals('$.delivery.refused', true),
          new sfn.Pass(this, 'Report deliveries', { parameters: { 'report.$': 'States.JsonToString($.delivery.results)' } }).next(
            new sfn.Fail(this, 'Notification not delivered', { error: WatcherFailures.notDelivered, causePath: '$.report' }),
          ),
        )
        .when(sfn.Condition.stringEquals('$.outcome', 'completed'), new sfn.Succeed(this, 'Team notified'))
        .when(
          sfn.Condition.stringEquals('$.outcome', 'still-in-progress'),
          new sfn.Fail(this, 'Still in progress', {
            error: WatcherFailures.stillInProgress,
            cause: `Still in progress after the maximum wait of ${Math.round(props.maxWaitSeconds / 60)} minutes; the team was told.`,
          }),
        )
        .otherwise(
          new sfn.Fail(this, 'Could not track', {
            error: WatcherFailures.couldNotTrack,
            cause: 'The invalidation could not be tracked; the team was told why.',
          }),
        ),
    );
  }

  /**
   * Notify answers the tokens of this state machine's Notify tasks (SendTaskSuccess,
   * SendTaskFailure), and of no other. A policy of its own: the state machine invokes Notify, so
   * the function's default policy naming the state machine would make a cycle.
   */
  public letNotifyAnswer(stateMachine: sfn.IStateMachine, notifyFunction: IFunction): void {
    new Policy(this, 'NotifyAnswersTokens', {
      roles: [notifyFunction.role!],
      statements: [
        new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [stateMachine.stateMachineArn] }),
      ],
    });
  }

  /**
   * Lets the state machine count failed deliveries: PutMetricData has no resource-level
   * permission, so the statement is held to the notifier's namespace by its condition key.
   */
  public grantCounting(stateMachine: IGrantable): void {
    stateMachine.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': DELIVERY_METRICS.namespace } },
      }),
    );
  }
}
