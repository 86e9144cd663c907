/**
 * The Express check loop as a comparison design for `npm run bench` and its tests: the
 * product's synthesized watcher with its watching part ("Watch until completed", "Final check",
 * "Watch over?") replaced by the design it had before the account's checker: a Task that runs
 * one Express run of the check loop (startExecution.sync:2) and waits for it, then "Watch
 * over?" starts the next run until the invalidation completed, the maximum wait passed or
 * CloudFront refused. The loop's definition is synthesized from its construct
 * (bench/express-loop/check-loop.ts) in a stack of its own and added to the template as an
 * EXPRESS state machine, which the local runner runs nested; its check Task calls the retired
 * check function (bench/express-loop/handler.ts) through a Task handler of the bench, not a
 * function of the product.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { StateNames } from '../../lib/watcher';
import type { TaskHandler } from '../../local/local-watcher';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  resolveIntrinsics,
  stateMachinesOfType,
  watcherDefinition,
  type CfnTemplate,
  type StateMachineDefinition,
} from '../../local/template';
import { CheckLoop } from './check-loop';
import { statesBesideWatching } from '../watching-states';

/** The retired check function, as the loop's Task calls it. */
export const EXPRESS_CHECK_FUNCTION_ARN = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:BenchExpressCheckStatus`;
/** The function folder its calls are counted and priced under, and the memory it had in the product. */
export const EXPRESS_CHECK_FUNCTION = { dir: 'check-status', memoryMb: 128 } as const;
/** The loop's state machine, as added to the template. */
export const EXPRESS_LOOP_LOGICAL_ID = 'BenchExpressCheckLoop';
const START_RUN = 'arn:aws:states:::states:startExecution.sync:2';

const MARK = { completed: 'Mark completed', stillInProgress: 'Mark still in progress', couldNotTrack: 'Mark could not track' } as const;

/** The check loop's definition, synthesized from its construct, resolved. */
export function checkLoopDefinitionString(): string {
  const app = new App();
  const stack = new Stack(app, 'BenchExpressLoop', { env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION } });
  const checkStatusFunction = LambdaFunction.fromFunctionArn(stack, 'CheckStatus', EXPRESS_CHECK_FUNCTION_ARN);
  new CheckLoop(stack, 'CheckLoop', { checkStatusFunction });
  const template = Template.fromStack(stack).toJSON() as CfnTemplate;
  const [loop] = stateMachinesOfType(template, 'EXPRESS');
  if (!loop) throw new Error('The check loop synthesized no EXPRESS state machine');
  return JSON.stringify(loop.definition);
}

/**
 * The watcher's Express part, as it was synthesized: one Task per run (retried with jitter
 * from the state before it), whose output is the watch state, then "Watch over?".
 */
function expressWatchStates(loopArn: string): StateMachineDefinition['States'] {
  const states = {
    [StateNames.watch]: {
      Type: 'Task',
      Resource: START_RUN,
      Parameters: {
        StateMachineArn: loopArn,
        Input: {
          'watch.$': '$',
          'startedAt.$': '$$.Execution.StartTime',
          'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
        },
      },
      OutputPath: '$.Output',
      TimeoutSeconds: 360,
      Retry: [
        { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 3, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: MARK.couldNotTrack }],
      Next: StateNames.watchOver,
    },
    [StateNames.watchOver]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.error', IsPresent: true, Next: MARK.couldNotTrack },
        { Variable: '$.status.status', StringEquals: 'Completed', Next: MARK.completed },
        { Variable: '$.loop.deadlinePassed', BooleanEquals: true, Next: MARK.stillInProgress },
      ],
      Default: StateNames.watch,
    },
  };
  return states as unknown as StateMachineDefinition['States'];
}

/**
 * The product's template with the Express loop as its watching part: the token watch and its
 * final check out, the run-and-wait Task and the loop's EXPRESS state machine in. The rest
 * (the rejected-event Choice, the marks, the delivery) is the product's, so the designs differ
 * only in how they check.
 */
export function expressLoopTemplate(template: CfnTemplate): CfnTemplate {
  const watcher = watcherDefinition(template);
  const withLoop: CfnTemplate = {
    ...template,
    Resources: {
      ...template.Resources,
      [EXPRESS_LOOP_LOGICAL_ID]: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { StateMachineType: 'EXPRESS', DefinitionString: checkLoopDefinitionString() },
      },
    },
  };
  const loopArn = String(resolveIntrinsics(withLoop, { Ref: EXPRESS_LOOP_LOGICAL_ID }));
  const definition = {
    ...watcher.definition,
    States: { ...statesBesideWatching(watcher.definition, StateNames.watch), ...expressWatchStates(loopArn) },
  };
  const resource = withLoop.Resources[watcher.logicalId]!;
  return {
    ...withLoop,
    Resources: {
      ...withLoop.Resources,
      [watcher.logicalId]: { ...resource, Properties: { ...resource.Properties, DefinitionString: JSON.stringify(definition) } },
    },
  };
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let checkStatus: Handler | undefined;

/**
 * The retired check function as a Task handler. Loaded on first use: it reads POLL_SCHEDULE at
 * module load, which the pipeline sets from the product's functions (the same schedule).
 */
export const expressCheckHandler: TaskHandler = (input) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  checkStatus ??= (require('./handler') as { handler: Handler }).handler;
  const deadline = performance.now() + 3000;
  const context = {
    functionName: 'BenchExpressCheckStatus',
    functionVersion: '$LATEST',
    invokedFunctionArn: EXPRESS_CHECK_FUNCTION_ARN,
    memoryLimitInMB: String(EXPRESS_CHECK_FUNCTION.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/BenchExpressCheckStatus',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())),
  } as unknown as Context;
  return checkStatus(input, context);
};
