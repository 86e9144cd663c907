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
 * - `deployment-waiter`: the baseline for deployments, `aws cloudfront wait distribution-deployed`
 *   (GetDistribution every 60 s, giving up after 35 tries) built the same way: Task
 *   (`aws-sdk:cloudfront:getDistribution`, for a tenant `getDistributionTenant`) -> Choice
 *   (Deployed?) -> Wait 60 s, 35 checks written out, after one Choice on the target's kind.
 *   Like the CLI it reads only the target's Status: a later change's deployment counts as its own.
 */
import { CloudFrontClient, GetDistributionCommand, GetDistributionTenantCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { TaskHandler } from '../local/local-watcher';
import { EXPRESS_CHECK_FUNCTION_ARN, expressCheckHandler, expressLoopTemplate } from './express-loop/design';
import { watcherDefinition, type CfnTemplate, type StateMachineDefinition } from '../local/template';
import { statesBesideWatching } from './watching-states';

export type DesignName = 'product' | 'express' | 'waiter' | 'deployment-waiter';

/** The AWS CLI waiter: a check every 20 s, 31 checks from 0 to 600 s. */
export const WAITER = { intervalSeconds: 20, checks: 31 } as const;

/** The AWS CLI's `distribution-deployed` waiter: a check every 60 s, 35 checks from 0 to 2,040 s (34 min). */
export const DEPLOYMENT_WAITER = { intervalSeconds: 60, checks: 35 } as const;

export const SDK_GET_INVALIDATION = 'arn:aws:states:::aws-sdk:cloudfront:getInvalidation';
export const SDK_GET_DISTRIBUTION = 'arn:aws:states:::aws-sdk:cloudfront:getDistribution';
export const SDK_GET_DISTRIBUTION_TENANT = 'arn:aws:states:::aws-sdk:cloudfront:getDistributionTenant';
/** The Task resources that call CloudFront through the SDK integration: each call one SDK-integration call. */
export const SDK_CHECKS: ReadonlySet<string> = new Set([SDK_GET_INVALIDATION, SDK_GET_DISTRIBUTION, SDK_GET_DISTRIBUTION_TENANT]);
/** The deployment waiter's first state: which chain of checks, the distribution's or the tenant's. */
export const DEPLOYMENT_WAITER_KIND_CHOICE = 'Distribution or tenant?';
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

/** One target kind's chain of the deployment waiter, as the CLI's waiter for it calls. */
const DEPLOYMENT_CHECKS = {
  distribution: { resource: SDK_GET_DISTRIBUTION, parameters: { 'Id.$': '$.request.target.id' }, member: 'Distribution' },
  tenant: { resource: SDK_GET_DISTRIBUTION_TENANT, parameters: { 'Identifier.$': '$.request.target.id' }, member: 'DistributionTenant' },
} as const;

/** The deployment waiter's state names for check `n` of a kind's chain. */
export const deploymentWaiterStateNames = (kind: keyof typeof DEPLOYMENT_CHECKS, n: number) =>
  ({ check: `Check ${kind} ${n}`, deployed: `Deployed ${kind} ${n}?`, wait: `Wait ${kind} ${n}` }) as const;

/**
 * The deployment waiter's watching states: the Choice on the target's kind, then for each kind
 * 35 x (GetDistribution or GetDistributionTenant through the SDK integration -> Deployed? -> Wait 60 s).
 */
function deploymentWaiterStates(): { startAt: string; states: States } {
  const states: Record<string, unknown> = {
    [DEPLOYMENT_WAITER_KIND_CHOICE]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.request.target.kind', StringEquals: 'tenant', Next: deploymentWaiterStateNames('tenant', 1).check }],
      Default: deploymentWaiterStateNames('distribution', 1).check,
    },
  };
  for (const kind of ['distribution', 'tenant'] as const) {
    const { resource, parameters, member } = DEPLOYMENT_CHECKS[kind];
    for (let n = 1; n <= DEPLOYMENT_WAITER.checks; n++) {
      const names = deploymentWaiterStateNames(kind, n);
      const last = n === DEPLOYMENT_WAITER.checks;
      states[names.check] = {
        Type: 'Task',
        Resource: resource,
        Parameters: parameters,
        // What the notification reads of a deployment (lambda/shared/invalidation-status.ts
        // checkWork): the status, and as "Changed at" the change's own CloudTrail time (the
        // target's LastModifiedTime would be a later change's); no paths. The check's time
        // ($$.State.EnteredTime, for "Took") is left out as in the invalidation waiter: the local
        // interpreter lacks it.
        ResultSelector: {
          'status.$': `$.${member}.Status`,
          'createTime.$': '$$.Execution.Input.request.eventTime',
          paths: { total: 0, sample: [] },
        },
        ResultPath: '$.status',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: MARK.couldNotTrack }],
        Next: names.deployed,
      };
      states[names.deployed] = {
        Type: 'Choice',
        Choices: [{ Variable: '$.status.status', StringEquals: 'Deployed', Next: MARK.completed }],
        Default: last ? MARK.stillInProgress : names.wait,
      };
      if (!last)
        states[names.wait] = {
          Type: 'Wait',
          Seconds: DEPLOYMENT_WAITER.intervalSeconds,
          Next: deploymentWaiterStateNames(kind, n + 1).check,
        };
    }
  }
  return { startAt: DEPLOYMENT_WAITER_KIND_CHOICE, states: states as States };
}

/**
 * The synthesized template with the watcher's watching part replaced by the design's (the
 * product: unchanged). The definition is written resolved, as local/template.ts reads it.
 */
export function templateFor(design: DesignName, template: CfnTemplate): CfnTemplate {
  if (design === 'product') return template;
  if (design === 'express') return expressLoopTemplate(template);
  const watcher = watcherDefinition(template);
  const { startAt, states } = design === 'waiter' ? waiterStates() : deploymentWaiterStates();
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
  if (design === 'deployment-waiter')
    return { [SDK_GET_DISTRIBUTION]: sdkGetDistribution, [SDK_GET_DISTRIBUTION_TENANT]: sdkGetDistributionTenant };
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

/** `aws-sdk:cloudfront:getDistribution` as Step Functions answers it: `{ETag, Distribution}`, timestamps as ISO strings. */
async function sdkGetDistribution(input: unknown): Promise<unknown> {
  const { Id } = input as { Id: string };
  const { $metadata: _metadata, ...output } = await cloudFront().send(new GetDistributionCommand({ Id }));
  return JSON.parse(JSON.stringify(output)) as unknown;
}

/** `aws-sdk:cloudfront:getDistributionTenant` as Step Functions answers it: `{ETag, DistributionTenant}`. */
async function sdkGetDistributionTenant(input: unknown): Promise<unknown> {
  const { Identifier } = input as { Identifier: string };
  const { $metadata: _metadata, ...output } = await cloudFront().send(new GetDistributionTenantCommand({ Identifier }));
  return JSON.parse(JSON.stringify(output)) as unknown;
}
