/**
 * The designs `npm run bench` compares the product with, as small state machine definitions
 * that live here, not in the product. Each replaces the product watcher's watching part ("Watch
 * until completed" and "Watch over?") and keeps the rest as synthesized (the rejected-event
 * Choice, the outcome marks, the delivery to SNS and Slack), so every design pays the same for
 * the start and the delivery and differs only in how it checks.
 * - `retry`: this project's design before the Express loop. The Standard Task calls a check
 *   function that throws `InvalidationInProgress` while CloudFront says InProgress, and the
 *   Task's own Retry calls it again on the schedule (5 s growing by 1.5x to 15 s): one
 *   transition and one Lambda call per check.
 * - `waiter`: the AWS CLI waiter's schedule (every 20 s, giving up after 10 minutes) built as
 *   the strongest state machine a user would write: Task -> Choice -> Wait calling CloudFront
 *   through the SDK integration (`arn:aws:states:::aws-sdk:cloudfront:getInvalidation`), no
 *   Lambda: three transitions per check and nothing else. Its 31 checks are written out
 *   (Check 1 -> Completed 1? -> Wait 1 -> Check 2 ...), which prices it as a loop with a free
 *   counter (Step Functions' variables, which the local interpreter cannot run).
 */
import { CloudFrontClient, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { parseCheckInput } from '../lambda/check-status/check-status';
import { getInvalidation } from '../lambda/shared/invalidation-status';
import { samplePaths } from '../lambda/shared/status-result';
import { StateNames } from '../lib/watcher';
import type { TaskHandler } from '../local/local-watcher';
import { LOCAL_ACCOUNT, LOCAL_REGION, watcherDefinition, type CfnTemplate, type StateMachineDefinition } from '../local/template';

export type DesignName = 'product' | 'retry' | 'waiter';

/** The retry design's schedule, as the product used it. */
export const RETRY_SCHEDULE = { firstIntervalSeconds: 5, backoffRate: 1.5, maxIntervalSeconds: 15, maxWaitSeconds: 3600 } as const;
/** The AWS CLI waiter: a check every 20 s, 31 checks from 0 to 600 s. */
export const WAITER = { intervalSeconds: 20, checks: 31 } as const;

/** The retry design's check function (a stand-in for the product's before the Express loop). */
export const RETRY_CHECK_FUNCTION_ARN = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:BenchRetryCheck`;
export const SDK_GET_INVALIDATION = 'arn:aws:states:::aws-sdk:cloudfront:getInvalidation';
/** The function folder the retry design's check is priced as: the product's check function, as it was. */
export const RETRY_CHECK_PRICED_AS = 'check-status';

const IN_PROGRESS_ERROR = 'InvalidationInProgress';
const MARK = { completed: 'Mark completed', stillInProgress: 'Mark still in progress', couldNotTrack: 'Mark could not track' } as const;

type States = StateMachineDefinition['States'];

/** The retry design's watching states: one Task retried on the schedule, then the outcome. */
function retryStates(): { startAt: string; states: States } {
  // Retries that cover the maximum wait: the check function, not the retrier, says when to stop.
  let covered = 0;
  let attempts = 0;
  while (covered < RETRY_SCHEDULE.maxWaitSeconds) {
    covered += Math.min(RETRY_SCHEDULE.firstIntervalSeconds * RETRY_SCHEDULE.backoffRate ** attempts, RETRY_SCHEDULE.maxIntervalSeconds);
    attempts += 1;
  }
  const check = 'Check invalidation status';
  const states = {
    [check]: {
      Type: 'Task',
      Resource: RETRY_CHECK_FUNCTION_ARN,
      Parameters: { 'request.$': '$.request', 'startedAt.$': '$$.Execution.StartTime' },
      ResultPath: '$.status',
      Retry: [
        {
          ErrorEquals: [IN_PROGRESS_ERROR],
          IntervalSeconds: RETRY_SCHEDULE.firstIntervalSeconds,
          BackoffRate: RETRY_SCHEDULE.backoffRate,
          MaxDelaySeconds: RETRY_SCHEDULE.maxIntervalSeconds,
          MaxAttempts: attempts + 2,
          JitterStrategy: 'NONE',
        },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: MARK.couldNotTrack }],
      Next: 'Completed?',
    },
    'Completed?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.status.status', StringEquals: 'Completed', Next: MARK.completed }],
      Default: MARK.stillInProgress,
    },
  };
  return { startAt: check, states: states as unknown as States };
}

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
  const watcher = watcherDefinition(template);
  const { startAt, states } = design === 'retry' ? retryStates() : waiterStates();
  const kept = Object.fromEntries(
    Object.entries(watcher.definition.States).filter(([name]) => name !== StateNames.watch && name !== StateNames.watchOver),
  );
  const readable = kept[StateNames.eventReadable] as { Default?: string } | undefined;
  if (readable?.Default !== StateNames.watch) throw new Error(`Expected "${StateNames.eventReadable}" to lead to "${StateNames.watch}"`);
  const definition = {
    ...watcher.definition,
    States: { ...kept, [StateNames.eventReadable]: { ...readable, Default: startAt }, ...states },
  };
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
  if (design === 'retry') return { [RETRY_CHECK_FUNCTION_ARN]: retryCheck };
  if (design === 'waiter') return { [SDK_GET_INVALIDATION]: sdkGetInvalidation };
  return {};
}

let client: CloudFrontClient | undefined;
/** Created on first use: the pipeline sets the loopback endpoint in the environment first. */
const cloudFront = () => (client ??= new CloudFrontClient({ maxAttempts: 1 }));

/**
 * The retry design's check: the status while CloudFront says Completed or the maximum wait has
 * passed, else `InvalidationInProgress` for the Task's Retry. Uses the product's own call, so
 * only the loop around it differs.
 */
async function retryCheck(input: unknown): Promise<unknown> {
  const { request, startedAt } = input as { request: unknown; startedAt: string };
  // The product's edge checks the request the same way.
  const { watch } = parseCheckInput({ watch: { request }, startedAt, runStartedAt: startedAt });
  const invalidation = await getInvalidation(cloudFront(), watch.request);
  const checkedAt = new Date();
  const elapsedSeconds = Math.max(0, Math.round((checkedAt.getTime() - Date.parse(startedAt)) / 1000));
  if (invalidation.Status !== 'Completed' && elapsedSeconds < RETRY_SCHEDULE.maxWaitSeconds) {
    throw Object.assign(new Error(`Invalidation ${watch.request.invalidationId} is ${invalidation.Status}`), { name: IN_PROGRESS_ERROR });
  }
  return {
    status: invalidation.Status,
    ...(invalidation.CreateTime ? { createTime: invalidation.CreateTime.toISOString() } : {}),
    checkedAt: checkedAt.toISOString(),
    elapsedSeconds,
    paths: samplePaths(invalidation.InvalidationBatch?.Paths?.Items, invalidation.InvalidationBatch?.Paths?.Quantity),
  };
}

/** `aws-sdk:cloudfront:getInvalidation` as Step Functions answers it: the API's output, timestamps as ISO strings. */
async function sdkGetInvalidation(input: unknown): Promise<unknown> {
  const { DistributionId, Id } = input as { DistributionId: string; Id: string };
  const { $metadata: _metadata, ...output } = await cloudFront().send(new GetInvalidationCommand({ DistributionId, Id }));
  return JSON.parse(JSON.stringify(output)) as unknown;
}
