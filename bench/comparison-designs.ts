/**
 * The designs `npm run bench` compares the product with, as state machine definitions that
 * live here, not in the product. Each replaces the product watcher's watching part ("Watch
 * until completed", its "Final check" and "Watch over?") and keeps the rest as synthesized (the
 * rejected-event Choice, the outcome marks, the delivery to SNS and Slack), so every design pays
 * the same for the start and the delivery and differs only in how it checks.
 * - `express`: this project's design before the account's checker, the Express check loop
 *   (bench/express-loop/).
 * - `waiter`: the AWS CLI waiter's schedule (every 20 s, giving up after 10 minutes) built as
 *   the cheapest state machine a user would write: Task -> Choice -> Wait calling CloudFront
 *   through the SDK integration (`arn:aws:states:::aws-sdk:cloudfront:getInvalidation`), no
 *   Lambda: three transitions per check and nothing else. Its 31 checks are written out
 *   (Check 1 -> Completed 1? -> Wait 1 -> Check 2 ...), which prices it as a loop with a free
 *   counter (Step Functions' variables, which the local interpreter cannot run).
 */
import { CloudFrontClient, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { TaskHandler } from '../local/local-watcher';
import { EXPRESS_CHECK_FUNCTION_ARN, expressCheckHandler, expressLoopTemplate } from './express-loop/design';
import { watcherDefinition, type CfnTemplate, type StateMachineDefinition } from '../local/template';
import { statesBesideWatching } from './watching-states';

export type DesignName = 'product' | 'express' | 'waiter';

/** The AWS CLI waiter: a check every 20 s, 31 checks from 0 to 600 s. */
export const WAITER = { intervalSeconds: 20, checks: 31 } as const;

export const SDK_GET_INVALIDATION = 'arn:aws:states:::aws-sdk:cloudfront:getInvalidation';
const MARK = { completed: 'Mark completed', stillInProgress: 'Mark still in progress', couldNotTrack: 'Mark could not track' } as const;

type States = StateMachineDefinition['States'];

/** The waiter's watching states: 31 x (GetInvalidation through the SDK integration -> Completed? -> Wait 20 s). */
function waiterStates(): { startAt: string; states: States } {
  const states: Record<string, unknown> = {};
  for (let n = 1; n <= WAITER.checks; n++) {
    const last = n === WAITER.checks;
    states[`Check ${n}`] = {
      Type: 'Task',
      Resource: SDK_GET_INVALIDATION,
      Parameters: { 'DistributionId.$': '$.request.target.id', 'Id.$': '$.request.invalidationId' },
      // What the notification reads, from the API's answer (no function to shape it). A real one
      // would add the check's time ($$.State.EnteredTime), which the local interpreter lacks.
      ResultSelector: {
        'status.$': '$.Invalidation.Status',
        'createTime.$': '$.Invalidation.CreateTime',
        paths: { 'total.$': '$.Invalidation.InvalidationBatch.Paths.Quantity', 'sample.$': '$.Invalidation.InvalidationBatch.Paths.Items' },
      },
      ResultPath: '$.status',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: MARK.couldNotTrack }],
      Next: `Completed ${n}?`,
    };
    states[`Completed ${n}?`] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.status.status', StringEquals: 'Completed', Next: MARK.completed }],
      Default: last ? MARK.stillInProgress : `Wait ${n}`,
    };
    if (!last) states[`Wait ${n}`] = { Type: 'Wait', Seconds: WAITER.intervalSeconds, Next: `Check ${n + 1}` };
  }
  return { startAt: 'Check 1', states: states as States };
}

/**
 * The synthesized template with the watcher's watching part replaced by the design's (the
 * product: unchanged). The definition is written resolved, as local/template.ts reads it.
 */
export function templateFor(design: DesignName, template: CfnTemplate): CfnTemplate {
  if (design === 'product') return template;
  if (design === 'express') return expressLoopTemplate(template);
  const watcher = watcherDefinition(template);
  const { startAt, states } = waiterStates();
  const definition = { ...watcher.definition, States: { ...statesBesideWatching(watcher.definition, startAt), ...states } };
  const resource = template.Resources[watcher.logicalId]!;
  return {
    ...template,
    Resources: {
      ...template.Resources,
      [watcher.logicalId]: { ...resource, Properties: { ...resource.Properties, DefinitionString: JSON.stringify(definition) } },
    },
  };
}

/** The Task handlers the design needs beside the product's functions, by resource. */
export function designHandlers(design: DesignName): Record<string, TaskHandler> {
  if (design === 'express') return { [EXPRESS_CHECK_FUNCTION_ARN]: expressCheckHandler };
  if (design === 'waiter') return { [SDK_GET_INVALIDATION]: sdkGetInvalidation };
  return {};
}

let client: CloudFrontClient | undefined;
/** Created on first use: the pipeline sets the loopback endpoint in the environment first. */
const cloudFront = () => (client ??= new CloudFrontClient({ maxAttempts: 1 }));

/** `aws-sdk:cloudfront:getInvalidation` as Step Functions answers it: the API's output, timestamps as ISO strings. */
async function sdkGetInvalidation(input: unknown): Promise<unknown> {
  const { DistributionId, Id } = input as { DistributionId: string; Id: string };
  const { $metadata: _metadata, ...output } = await cloudFront().send(new GetInvalidationCommand({ DistributionId, Id }));
  return JSON.parse(JSON.stringify(output)) as unknown;
}
