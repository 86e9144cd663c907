import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DELIVERY_METRICS, METRIC_OUTCOMES, METRIC_TARGET_KINDS, WATCH_METRICS } from '../lambda/shared/metrics';

export interface NotifierDashboardProps {
  /** The Standard watcher. */
  readonly watcher: IStateMachine;
  /** The checker's tick queue's dead-letter queue: a chain of ticks that died. */
  readonly tickDeadLetterQueue?: IQueue;
  /** The notifier's functions, by the name the dashboard shows. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** @default a name CloudFormation generates */
  readonly dashboardName?: string;
  /** @default 5 minutes */
  readonly period?: Duration;
}

const WIDTH = 8;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard with the notifier's health at a glance: what the watches saw (how
 * they ended, how long invalidations took, how late completions were seen, how many checks and
 * throttled checks a watch needed: the EMF metrics of lambda/shared/metrics.ts), the checker
 * (watches in flight, the oldest one's age, CloudFront calls per second against its budget,
 * throttling), deliveries by destination (delivered, and failed after every retry), then the
 * watcher's executions and the functions' errors, throttles and durations.
 */
export class NotifierDashboard extends Construct {
  public readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: NotifierDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const { names, dimensions } = WATCH_METRICS;
    const watchMetric = (metricName: string, kind: string, outcome: string, statistic: string, label: string) =>
      new cw.Metric({
        namespace: WATCH_METRICS.namespace,
        metricName,
        dimensionsMap: { service: WATCH_METRICS.service, [dimensions.targetKind]: kind, [dimensions.outcome]: outcome },
        statistic,
        period,
        label,
      });
    const byKind = (metricName: string, outcome: string, statistic: string) =>
      METRIC_TARGET_KINDS.map((kind) => watchMetric(metricName, kind, outcome, statistic, `${kind} ${statistic}`));
    const graph = (title: string, left: cw.IMetric[], options: Partial<cw.GraphWidgetProps> = {}) =>
      new cw.GraphWidget({ title, left, width: WIDTH, height: HEIGHT, period, ...options });

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      graph(
        'Watches ended, by outcome',
        METRIC_TARGET_KINDS.flatMap((kind) =>
          METRIC_OUTCOMES.map((outcome) => watchMetric(names.watchesEnded, kind, outcome, 'Sum', `${kind} ${outcome}`)),
        ),
        { stacked: true },
      ),
      graph('Time to complete (s): CreateTime to the check that saw it', [
        ...byKind(names.timeToComplete, 'completed', 'p50'),
        ...byKind(names.timeToComplete, 'completed', 'p90'),
        ...byKind(names.timeToComplete, 'completed', 'Maximum'),
      ]),
      graph('Detection bound (s): seen at most this late', [
        ...byKind(names.detectionBound, 'completed', 'Average'),
        ...byKind(names.detectionBound, 'completed', 'Maximum'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('CloudFront calls per completed watch', [
        ...byKind(names.checks, 'completed', 'Average'),
        ...byKind(names.checks, 'completed', 'Maximum'),
      ]),
      graph('Throttled calls per completed watch', [
        ...byKind(names.throttledChecks, 'completed', 'Average'),
        ...byKind(names.throttledChecks, 'completed', 'Maximum'),
      ]),
      graph(
        'Throttled calls, all watches',
        [
          ...METRIC_TARGET_KINDS.flatMap((kind) =>
            METRIC_OUTCOMES.map((outcome) => watchMetric(names.throttledChecks, kind, outcome, 'Sum', `${kind} ${outcome}`)),
          ),
        ],
        { stacked: true },
      ),
    );
    // The checker reports about every 20 s (lambda/checker/handler.ts): gauges at their maximum, calls as a rate.
    const checkerMetric = (metricName: string, statistic: string, label: string) =>
      new cw.Metric({
        namespace: WATCH_METRICS.namespace,
        metricName,
        dimensionsMap: { service: WATCH_METRICS.service },
        statistic,
        period,
        label,
      });
    const perSecond = (metricName: string, label: string) =>
      new cw.MathExpression({
        expression: `calls / PERIOD(calls)`,
        usingMetrics: { calls: checkerMetric(metricName, 'Sum', label) },
        label,
        period,
      });
    this.dashboard.addWidgets(
      graph('Checker: watches in flight', [checkerMetric(names.watchesInFlight, 'Maximum', 'watches in flight')], {
        right: [checkerMetric(names.oldestWatchAge, 'Maximum', 'oldest watch (s)')],
        rightYAxis: { label: 'oldest watch (s)', min: 0 },
        leftYAxis: { label: 'watches', min: 0 },
      }),
      graph(
        'Checker: CloudFront calls per second, against its budget',
        [perSecond(names.checkerCalls, 'calls/s'), checkerMetric(names.callBudgetPerSecond, 'Minimum', 'budget (calls/s)')],
        { leftYAxis: { min: 0 } },
      ),
      graph(
        'Checker: throttled calls per second',
        [perSecond(names.checkerThrottledCalls, 'throttled/s')],
        props.tickDeadLetterQueue
          ? {
              right: [
                props.tickDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, label: 'dead ticks', statistic: 'Maximum' }),
              ],
              rightYAxis: { label: 'dead ticks', min: 0 },
            }
          : {},
      ),
    );
    // Every destination, whatever the configuration names: a search over the Destination dimension.
    const deliveries = (metricName: string, label: string) =>
      new cw.MathExpression({
        expression: `SEARCH('{${DELIVERY_METRICS.namespace},${DELIVERY_METRICS.dimensions.destination},service} MetricName="${metricName}"', 'Sum', ${period.toSeconds()})`,
        label,
        period,
        usingMetrics: {},
      });
    this.dashboard.addWidgets(
      graph('Deliveries by destination', [deliveries(DELIVERY_METRICS.names.delivered, 'delivered')], {
        right: [deliveries(DELIVERY_METRICS.names.failed, 'failed')],
        rightYAxis: { label: 'failed', min: 0 },
        leftYAxis: { label: 'delivered', min: 0 },
        width: 3 * WIDTH,
      }),
    );
    const executions = (title: string, machine: IStateMachine) =>
      graph(title, [
        machine.metricStarted({ period, label: 'started' }),
        machine.metricSucceeded({ period, label: 'succeeded' }),
        machine.metricFailed({ period, label: 'failed' }),
        machine.metricTimedOut({ period, label: 'timed out' }),
        machine.metricThrottled({ period, label: 'throttled' }),
      ]);
    this.dashboard.addWidgets(executions('Watcher executions (Standard)', props.watcher));
    const functions = Object.entries(props.functions);
    this.dashboard.addWidgets(
      graph(
        'Function errors',
        functions.map(([name, fn]) => fn.metricErrors({ period, label: name })),
      ),
      graph(
        'Function throttles',
        functions.map(([name, fn]) => fn.metricThrottles({ period, label: name })),
      ),
      graph(
        'Function duration p90 (ms)',
        functions.map(([name, fn]) => fn.metricDuration({ period, statistic: 'p90', label: name })),
      ),
    );
  }
}
