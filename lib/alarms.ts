import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OperationalAlarmsProps {
  readonly stateMachine: StateMachine;
  readonly deadLetterQueue: IQueue;
  /** Where alarms (and their recovery) are published. */
  readonly alarmTopic: ITopic;
}

/** Alarms for the operators of the notifier itself (not for the teams it notifies). */
export class OperationalAlarms extends Construct {
  public readonly alarms: Record<'failed' | 'timedOut' | 'throttled' | 'deadLetters', Alarm>;

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const alarm = (name: string, metric: IMetric, description: string) => {
      const created = new Alarm(this, name, {
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
      deadLetters: alarm(
        'DeadLetters',
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        'An invalidation event could not start a watch: it is in the dead-letter queue, and nobody was notified about it.',
      ),
    };
  }
}
