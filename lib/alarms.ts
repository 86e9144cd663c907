import { ArnFormat, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DELIVERY_METRICS } from '../lambda/shared/metrics';

export interface OperationalAlarmsProps {
  readonly stateMachine: StateMachine;
  readonly deadLetterQueue: IQueue;
  /** The checker's tick queue's dead-letter queue (lib/checker.ts). */
  readonly tickDeadLetterQueue: IQueue;
  /** Where alarms (and their recovery) are published. */
  readonly alarmTopic: ITopic;
}

/** CloudWatch publishes alarm actions to SNS, and uses the topic's key, as this service. */
export const CLOUDWATCH_SERVICE = 'cloudwatch.amazonaws.com';

/** Alarms for the operators of the notifier itself (not for the teams it notifies). */
export class OperationalAlarms extends Construct {
  public readonly alarms: Record<'failed' | 'timedOut' | 'throttled' | 'deadLetters' | 'destinationFailing' | 'deadTicks', Alarm>;
  /**
   * Every alarm's name starts with this (then `-<alarm>`): unique to this construct in its
   * stack, so a policy can name this construct's alarms and no others.
   */
  public readonly alarmNamePrefix: string;

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    this.alarmNamePrefix = Names.uniqueResourceName(this, { maxLength: 200, separator: '-' });
    const period = Duration.minutes(5);
    const alarm = (name: string, metric: IMetric, description: string) => {
      const created = new Alarm(this, name, {
        // Named, not generated: the key policy must list the alarm ARNs without referring to
        // the alarms (see allowPublishingTo).
        alarmName: `${this.alarmNamePrefix}-${name}`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new SnsAction(props.alarmTopic));
      created.addOkAction(new SnsAction(props.alarmTopic));
      return created;
    };
    this.alarms = {
      failed: alarm(
        'ExecutionsFailed',
        props.stateMachine.metricFailed({ period, statistic: 'Sum' }),
        'A watch ended failed: could not track, still in progress at the maximum wait, or a channel refused the message. The team got a message where a channel worked; see the execution named after the invalidation.',
      ),
      timedOut: alarm(
        'ExecutionsTimedOut',
        props.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
        'A watch hit the state machine timeout (a backstop beyond the maximum wait): no message was sent for it.',
      ),
      throttled: alarm(
        'ExecutionThrottled',
        props.stateMachine.metricThrottled({ period, statistic: 'Sum' }),
        'Step Functions throttled the watcher: watches may start late.',
      ),
      // The state machine's own count of deliveries it gave up on (every destination together;
      // the dashboard's "Deliveries by destination" says which). Unlike ExecutionsFailed, a slow
      // invalidation or one that could not be tracked never raises it.
      destinationFailing: alarm(
        'DestinationFailing',
        new Metric({
          namespace: DELIVERY_METRICS.namespace,
          metricName: DELIVERY_METRICS.names.failed,
          dimensionsMap: { service: DELIVERY_METRICS.service },
          statistic: 'Sum',
          period,
        }),
        'A destination is failing: a message could not be delivered to it after every retry, so a team missed it. See "Deliveries by destination" on the dashboard (or the failed execution\'s cause) for which destination and why, then check it: a Slack, Teams or Google Chat webhook revoked or its secret changed, an SNS topic deleted or its key policy, an EventBridge bus deleted or its policy.',
      ),
      deadLetters: alarm(
        'DeadLetters',
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        'An invalidation event could not start a watch: it is in the dead-letter queue, and nobody was notified about it.',
      ),
      // A tick that failed at every delivery: the checker's chain died with it. The watchdog starts
      // another within about a minute, so watches are late, not lost; the tick's failures are in
      // the checker's log (ERROR lines) and its Errors metric.
      deadTicks: alarm(
        'CheckerTicksFailing',
        props.tickDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        "The checker failed one tick five times in a row (its dead-letter queue holds it): watches are checked late until the watchdog's new chain of ticks runs. See the checker function's errors in its log group.",
      ),
    };
  }

  /**
   * Lets CloudWatch publish these alarms, and only these, to `topic` and encrypt them with
   * `key`. Needed because a topic policy (enforceSSL creates one) replaces SNS's default
   * policy: without an Allow, every alarm action fails silently ("not authorized to perform
   * SNS:Publish" in the alarm history). Only for a topic whose policy this stack owns.
   */
  public allowPublishingTo(topic: Topic, key: Key): void {
    const alarms = Object.values(this.alarms);
    const cloudWatch = new ServicePrincipal(CLOUDWATCH_SERVICE);
    const only = (alarmArns: string[]) => ({
      ArnEquals: { 'aws:SourceArn': alarmArns },
      StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
    });
    // The topic policy is its own resource: it may refer to the alarms, which refer to the topic.
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisStackAlarms',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: only(alarms.map((a) => a.alarmArn)),
      }),
    );
    // The key policy is part of the key, which the topic and so the alarms depend on: a
    // reference to an alarm would be a cycle, so the ARNs are built from the alarm names.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: only(alarms.map((a) => this.alarmArnOf(a.node.id))),
      }),
    );
  }

  /**
   * The statement a topic that is not ours needs in its policy for these alarms to reach it,
   * as JSON to paste.
   */
  public publishingStatementFor(topicArn: string): string {
    const stack = Stack.of(this);
    const known = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
    const account = known(stack.account, '<this stack account>');
    const region = known(stack.region, '<this stack region>');
    const partition = known(stack.partition, 'aws');
    return JSON.stringify({
      Sid: 'AllowCloudFrontInvalidationNotifierAlarms',
      Effect: 'Allow',
      Principal: { Service: CLOUDWATCH_SERVICE },
      Action: 'sns:Publish',
      Resource: known(topicArn, '<the topic ARN>'),
      Condition: {
        ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:${this.alarmNamePrefix}-*` },
        StringEquals: { 'aws:SourceAccount': account },
      },
    });
  }

  private alarmArnOf(name: string): string {
    return Stack.of(this).formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${this.alarmNamePrefix}-${name}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}
