import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue';
import { invalidationEventPattern } from './invalidation-event-pattern';
import { WORK_KINDS, type WorkKind } from '../lambda/shared/cloudtrail-calls';

export interface TriggerProps {
  /** The Start watch function: it names the watcher execution after the invalidation. */
  readonly startWatchFunction: IFunction;
  /**
   * How often EventBridge retries delivering an event to Start watch.
   * @default 8
   */
  readonly retryAttempts?: number;
  /**
   * The work watched: invalidations, deployments, or both.
   * @default both
   */
  readonly watch?: readonly WorkKind[];
}

/**
 * The trigger: an EventBridge rule on the default bus for successful CloudTrail
 * CreateInvalidation and CreateInvalidationForDistributionTenant calls. Whatever cannot be
 * delivered or started lands in a dead-letter queue (alarmed), never nowhere.
 */
export class Trigger extends Construct {
  public readonly rule: Rule;
  public readonly deadLetterQueue: Queue;
  /** Start watch as a rule target, with the retries and dead-letter queue: add it to another bus's rule too. */
  public readonly target: LambdaFunction;

  constructor(scope: Construct, id: string, props: TriggerProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', 'the rule target and of Start watch');
    this.rule = new Rule(this, 'Rule', {
      description: `Successful CloudFront calls that start ${(props.watch ?? WORK_KINDS).map((kind) => `${kind}s`).join(' and ')} (distributions and tenants), via CloudTrail`,
      eventPattern: invalidationEventPattern(props.watch),
    });
    this.target = new LambdaFunction(props.startWatchFunction, {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.retryAttempts ?? 8,
      maxEventAge: Duration.hours(2),
    });
    this.rule.addTarget(this.target);
    // EventBridge invokes asynchronously: a Start watch that fails after Lambda's own two
    // retries is recorded in the same queue.
    props.startWatchFunction.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
  }
}
