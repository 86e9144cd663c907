/**
 * The `distribution-deployed` waiter as `npm run bench` prices it for deployments: spliced into
 * the product's synthesized watcher in place of its watching part, a target's Status read every
 * 60 s through the SDK integration (GetDistribution, GetDistributionTenant) against the loopback
 * CloudFront, 35 checks at most, with the watcher's own outcomes and delivery.
 */
import {
  DEPLOYMENT_WAITER,
  DEPLOYMENT_WAITER_KIND_CHOICE,
  SDK_GET_DISTRIBUTION,
  SDK_GET_DISTRIBUTION_TENANT,
  deploymentWaiterStateNames,
  designHandlers,
  templateFor,
} from '../../bench/comparison-designs';
import {
  SAMPLE_DISTRIBUTION_UPDATE,
  SAMPLE_TENANT_CREATION,
  deploymentEvent,
  emulatedDeployment,
  type SampleDeployment,
} from '../../local/events';
import { LOCAL_SLACK_SECRET_NAME, startLocalPipeline, synthTemplate, type LocalPipeline } from '../../local/pipeline';
import type { LocalExecution } from '../../local/local-watcher';
import { allStates, watcherDefinition } from '../../local/template';
import { StateNames } from '../../lib/watcher';
import { WatcherFailures } from '../../lib/delivery';
import type { StartWatchResult } from '../../lambda/start-watch/start-watch';

const template = templateFor('deployment-waiter', synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false));
let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({ template, taskHandlers: designHandlers('deployment-waiter') });
});
afterAll(() => pipeline.stop());

/** A distinct version (and distribution) per test, so each watch is its own execution. */
const update = (n: number): SampleDeployment => ({
  ...SAMPLE_DISTRIBUTION_UPDATE,
  targetId: `E2WAITER${n}AAAAA`,
  eTag: `E3WAITERV${n}AAAA`,
});

async function watch(deployment: SampleDeployment, afterStart?: () => void): Promise<LocalExecution> {
  const call = deployment.kind === 'tenant' ? 'CreateDistributionTenant' : 'UpdateDistribution';
  const { executionName } = (await pipeline.deliver(deploymentEvent(call, deployment))) as StartWatchResult;
  const execution = pipeline.watcher.executions.get(executionName);
  if (!execution) throw new Error(`no execution ${executionName}`);
  afterStart?.();
  await execution.done;
  // Until its delivery is over too, so that the next watch's messages are not paced behind its.
  await pipeline.idle();
  return execution;
}

const checksOf = (deployment: SampleDeployment) => pipeline.cloudFront.deploymentChecksFor(deployment.kind, deployment.targetId);

it("keeps none of the product's watching states, and both kinds' chains of 35 checks", () => {
  const states = allStates(watcherDefinition(template).definition);
  for (const name of [StateNames.watch, StateNames.finalCheck, StateNames.announce, StateNames.watchOver])
    expect(states[name]).toBeUndefined();
  expect(states[StateNames.eventReadable]).toMatchObject({ Default: DEPLOYMENT_WAITER_KIND_CHOICE });
  expect(states[deploymentWaiterStateNames('distribution', DEPLOYMENT_WAITER.checks).check]?.Resource).toBe(SDK_GET_DISTRIBUTION);
  expect(states[deploymentWaiterStateNames('tenant', DEPLOYMENT_WAITER.checks).check]?.Resource).toBe(SDK_GET_DISTRIBUTION_TENANT);
  expect(states[deploymentWaiterStateNames('distribution', DEPLOYMENT_WAITER.checks + 1).check]).toBeUndefined();
  expect(states[deploymentWaiterStateNames('distribution', DEPLOYMENT_WAITER.checks).wait]).toBeUndefined();
});

it('reports a distribution deployed at its 3rd check as completed, 120 s in, with the change time the notification reads', async () => {
  const deployment = update(1);
  pipeline.cloudFront.describe(emulatedDeployment(deployment, { inProgressChecks: 2 }));

  const execution = await watch(deployment);

  expect(execution.status).toBe('SUCCEEDED');
  expect(execution.output).toMatchObject({
    outcome: 'completed',
    status: { status: 'Deployed', createTime: '2026-11-21T18:20:11Z', paths: { total: 0, sample: [] } },
  });
  expect(checksOf(deployment).map((check) => check.answer)).toEqual(['InProgress', 'InProgress', 'Deployed']);
  expect(execution.virtualSeconds).toBeCloseTo(2 * DEPLOYMENT_WAITER.intervalSeconds, 0);
  const told = pipeline.aws.published.filter((published) => published.message.includes(deployment.targetId));
  expect(told.map((published) => published.subject)).toEqual([expect.stringContaining('deployed')]);
  expect(told[0]!.message).toMatch(/Changed at/);
});

it('checks a tenant with GetDistributionTenant', async () => {
  const deployment: SampleDeployment = { ...SAMPLE_TENANT_CREATION, targetId: 'dt_waiterTenant1', eTag: 'E2WAITERTENANT1' };
  pipeline.cloudFront.describe(emulatedDeployment(deployment, { inProgressChecks: 1 }));

  const execution = await watch(deployment);

  expect(execution.output).toMatchObject({ outcome: 'completed', status: { status: 'Deployed' } });
  expect(checksOf(deployment).map((check) => check.operation)).toEqual(['GetDistributionTenant', 'GetDistributionTenant']);
});

it('gives up after 35 checks (34 minutes) on a deployment that never ends: still in progress', async () => {
  const deployment = update(2);
  pipeline.cloudFront.describe(emulatedDeployment(deployment, { inProgressChecks: 1000 }));

  const execution = await watch(deployment);

  expect(execution.error?.name).toBe(WatcherFailures.stillInProgress);
  expect(checksOf(deployment)).toHaveLength(DEPLOYMENT_WAITER.checks);
  expect(execution.virtualSeconds).toBeCloseTo((DEPLOYMENT_WAITER.checks - 1) * DEPLOYMENT_WAITER.intervalSeconds, 0);
});

it('could not track a distribution deleted while watched, with the reason', async () => {
  const deployment = update(3);
  pipeline.cloudFront.describe(emulatedDeployment(deployment, { inProgressChecks: 1000 }));

  const execution = await watch(deployment, () => pipeline.cloudFront.remove('distribution', deployment.targetId));

  expect(execution.error?.name).toBe(WatcherFailures.couldNotTrack);
  expect(checksOf(deployment).at(-1)?.answer).toBe('NoSuchDistribution');
  const told = pipeline.aws.published.filter((published) => published.message.includes(deployment.targetId));
  expect(told).toHaveLength(1);
  expect(told[0]!.message).toContain('NoSuchDistribution');
});

it('costs 3 transitions per check (Task, Choice, Wait)', async () => {
  const [once, thrice] = [update(4), update(5)];
  pipeline.cloudFront.describe(emulatedDeployment(once, { inProgressChecks: 0 }));
  pipeline.cloudFront.describe(emulatedDeployment(thrice, { inProgressChecks: 2 }));

  const [first, third] = [await watch(once), await watch(thrice)];

  expect((third.transitions - first.transitions) / 2).toBe(3);
});
