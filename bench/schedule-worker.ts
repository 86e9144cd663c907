/**
 * One configuration of `npm run bench`, in its own process (handlers read POLL_SCHEDULE at
 * module load and keep state for the life of their container): `tsx bench/schedule-worker.ts
 * --config <name>` for the invalidations, `--work deployment --config <name>` for the
 * deployments (bench/deployment-configs.ts). Synthesizes the app, puts the configuration's design in its watcher
 * (bench/comparison-designs.ts; the product as is), and runs the reference mix through the
 * state machines and handlers on the pipeline's one virtual clock, ONE WATCH AT A TIME: each
 * is measured as a lone watch in an account would be (a shared checker would otherwise share
 * its ticks across the mix and understate a lone watch's cost). Reports, per watch, everything
 * AWS bills (bench/costs.ts prices it) to the parent (bench/schedule-bench.ts).
 */
import type { Context } from 'aws-lambda';
import { performance } from 'node:perf_hooks';
import { WATCHDOG_EVENT } from '../lib/checker';
import { FUNCTION_DIR_METADATA } from '../lib/notifier-function';
import { WatcherFailures } from '../lib/watcher';
import { LOCAL_SLACK_SECRET_NAME, startLocalPipeline, synthTemplate } from '../local/pipeline';
import { idlePollRequests } from '../local/queue-emulator';
import { allStates, localFunctions, watcherDefinition } from '../local/template';
import type { LocalExecution } from '../local/local-watcher';
import {
  SAMPLE_DISTRIBUTION,
  cloudTrailEvent,
  deploymentEvent,
  emulatedDeployment,
  emulatedInvalidation,
  type SampleDeployment,
  type SampleInvalidation,
} from '../local/events';
import type { StartWatchResult } from '../lambda/start-watch/start-watch';
import { SDK_CHECKS, designHandlers, templateFor, type DesignName } from './comparison-designs';
import {
  DEPLOYMENT_CONFIGS,
  deploymentPopulation,
  isDeploymentConfigName,
  type DeploymentMeasure,
  type DeploymentWorkerResult,
} from './deployment-configs';
import { MONTH_SECONDS } from './costs';
import { CheckLoopStateNames } from './express-loop/check-loop';
import { EXPRESS_CHECK_FUNCTION } from './express-loop/design';
import {
  COMPLETION_TIMES_SECONDS,
  CONFIGS,
  PHASE_OFFSETS_SECONDS,
  isConfigName,
  type ExecutionMeasure,
  type WorkerResult,
} from './schedule-configs';
import { InvocationCounter, functionMemoryOf, isWatchdogCall, readMeter, usageBetween } from './metering';
import { reportToParent } from './support';

/** The pipeline with the design's watcher, its invocations counted (the watchdog's calls priced apart). */
async function startBenchPipeline(design: DesignName) {
  // The app's simple setup, an SNS topic and a Slack webhook: two notifications per watch, the same in every configuration.
  const template = templateFor(design, synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false));
  // Every invocation of the product's functions, by folder.
  const invocations = new InvocationCounter();
  const pipeline = await startLocalPipeline({
    template,
    taskHandlers: designHandlers(design),
    beforeInvoke: (functionDir, input) => {
      // The watchdog runs once a minute whatever is watched (and the comparison designs have
      // none): a fixed monthly cost, priced apart from one call main() measures, so the
      // pipeline's own calls of it are skipped here rather than billed to the watch in flight.
      if (isWatchdogCall(input)) throw Object.assign(new Error('The bench prices the watchdog apart'), { name: 'BenchWatchdogSkipped' });
      invocations.count(functionDir, input);
    },
  });
  const functions = localFunctions(pipeline.template, FUNCTION_DIR_METADATA);
  const functionMemoryMb = functionMemoryOf(pipeline, functions);
  if (design === 'express') functionMemoryMb[EXPRESS_CHECK_FUNCTION.dir] = EXPRESS_CHECK_FUNCTION.memoryMb;
  const states = allStates(watcherDefinition(pipeline.template).definition);
  const isSdkCall = (stateName: string) => SDK_CHECKS.has(states[stateName]?.Resource as string);
  /** The SDK-integration calls an execution made: its Tasks calling CloudFront through Step Functions. */
  const sdkCallsOf = (execution: LocalExecution) =>
    Object.entries(execution.invocations)
      .filter(([stateName]) => isSdkCall(stateName))
      .reduce((sum, [, count]) => sum + count, 0);
  return { pipeline, invocations, functionMemoryMb, sdkCallsOf };
}

const flagValue = (flag: string): string | undefined => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
};

async function main() {
  const name = flagValue('--config');
  if (flagValue('--work') === 'deployment') return deployments(name);
  if (!isConfigName(name)) throw new Error(`Usage: tsx bench/schedule-worker.ts --config <${Object.keys(CONFIGS).join('|')}>`);
  const config = CONFIGS[name];
  const started = performance.now();
  const { pipeline, invocations, functionMemoryMb, sdkCallsOf } = await startBenchPipeline(config.design);

  let clockCheckMaxGapSeconds = 0;
  const executions: ExecutionMeasure[] = [];
  for (const completionSeconds of COMPLETION_TIMES_SECONDS) {
    for (const offsetSeconds of PHASE_OFFSETS_SECONDS) {
      // The fixture's distribution and paths, a distinct invalidation ID (which names the execution).
      const invalidation: SampleInvalidation = {
        ...SAMPLE_DISTRIBUTION,
        invalidationId: `IBENCH${String(executions.length).padStart(3, '0')}`,
      };
      const completesAtSecond = completionSeconds + offsetSeconds;
      pipeline.cloudFront.add(emulatedInvalidation(invalidation, { completesAtSecond }));
      const before = readMeter(pipeline, invocations);
      const { executionName } = (await pipeline.deliver(cloudTrailEvent(invalidation))) as StartWatchResult;
      const execution = pipeline.watcher.executions.get(executionName);
      if (!execution) throw new Error(`No execution for ${invalidation.invalidationId}`);
      await execution.done;
      // Until nothing is left running: the checker's chain has gone idle, so the next watch is alone again.
      await pipeline.idle();
      const after = readMeter(pipeline, invocations);
      if (executions.length % 16 === 15) process.stderr.write(`  ${config.label}: ${executions.length + 1} watches measured\n`);

      const output = execution.output as { status?: { status?: string; elapsedSeconds?: number } } | undefined;
      const detected = execution.status === 'SUCCEEDED' && output?.status?.status === 'Completed';
      const checkedSeconds = output?.status?.elapsedSeconds;
      if (detected && checkedSeconds !== undefined) {
        // Notifying adds no virtual time, so the execution's clock at the end is the time of the
        // check that saw Completed; the check's own elapsedSeconds (rounded) must agree.
        clockCheckMaxGapSeconds = Math.max(clockCheckMaxGapSeconds, Math.abs(execution.virtualSeconds - checkedSeconds));
      }
      const expressChecks = execution.runs.reduce((sum, run) => sum + (run.invocations[CheckLoopStateNames.check] ?? 0), 0);
      executions.push({
        completionSeconds,
        offsetSeconds,
        completesAtSecond,
        status: execution.status,
        ...(execution.error ? { errorName: execution.error.name } : {}),
        detected,
        gaveUp: execution.error?.name === WatcherFailures.stillInProgress,
        ...(detected ? { detectionDelaySeconds: execution.virtualSeconds - completesAtSecond } : {}),
        watchSeconds: execution.virtualSeconds,
        getInvalidationCalls: pipeline.cloudFront.callsFor(invalidation.invalidationId).length,
        usage: usageBetween(before, after, {
          standardTransitions: execution.transitions,
          expressRuns: execution.runs.map((run) => ({
            seconds: run.virtualSeconds,
            checks: run.invocations[CheckLoopStateNames.check] ?? 0,
          })),
          lambdaCalls: expressChecks > 0 ? { [EXPRESS_CHECK_FUNCTION.dir]: expressChecks } : {},
          sdkIntegrationCalls: sdkCallsOf(execution),
        }),
      });
    }
  }

  // The checker's fixed cost: one watchdog call with nothing in flight, measured, priced per month by the parent.
  let fixed: WorkerResult['fixed'];
  if (config.design === 'product') {
    const before = readMeter(pipeline, invocations);
    // The module the pipeline loaded (same path, same instance): its clients point at the emulators.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const checker = require('../lambda/checker/handler') as { handler: (event: unknown, context: Context) => Promise<unknown> };
    const context = { functionName: 'Checker', awsRequestId: 'watchdog', getRemainingTimeInMillis: () => 20_000 } as unknown as Context;
    await pipeline.sim.track(() => checker.handler({ ...WATCHDOG_EVENT }, context));
    const watchdogCall = usageBetween(before, readMeter(pipeline, invocations), {
      standardTransitions: 0,
      expressRuns: [],
      lambdaCalls: { checker: 1 },
      sdkIntegrationCalls: 0,
    });
    fixed = { watchdogCall, idlePollRequestsPerMonth: idlePollRequests(MONTH_SECONDS) };
  }
  await pipeline.stop();
  reportToParent({
    config: name,
    functionMemoryMb,
    executions,
    ...(fixed ? { fixed } : {}),
    clockCheckMaxGapSeconds,
    realSeconds: (performance.now() - started) / 1000,
  } satisfies WorkerResult);
}

/**
 * The deployments (bench/deployment-configs.ts), each watched alone: the target reads InProgress
 * until its second of the watch's virtual time, then Deployed.
 */
async function deployments(name: string | undefined) {
  if (!isDeploymentConfigName(name)) {
    throw new Error(`Usage: tsx bench/schedule-worker.ts --work deployment --config <${Object.keys(DEPLOYMENT_CONFIGS).join('|')}>`);
  }
  const config = DEPLOYMENT_CONFIGS[name];
  const started = performance.now();
  const { pipeline, invocations, functionMemoryMb, sdkCallsOf } = await startBenchPipeline(config.design);
  let clockCheckMaxGapSeconds = 0;
  const executions: DeploymentMeasure[] = [];
  for (const sampled of deploymentPopulation()) {
    const serial = String(sampled.index).padStart(3, '0');
    // A target and a version of its own per deployment: each is a watch of its own, alone.
    const deployment: SampleDeployment = {
      kind: sampled.kind,
      targetId: sampled.kind === 'tenant' ? `dt_bench${serial}` : `E2BENCH${serial}AAAA`,
      eTag: `E3BENCHV${serial}AAA`,
    };
    pipeline.cloudFront.describe(emulatedDeployment(deployment, { deployedAtSecond: sampled.deploysAtSecond }));
    const before = readMeter(pipeline, invocations);
    const call = sampled.kind === 'tenant' ? 'UpdateDistributionTenant' : 'UpdateDistribution';
    const { executionName } = (await pipeline.deliver(deploymentEvent(call, deployment))) as StartWatchResult;
    const execution = pipeline.watcher.executions.get(executionName);
    if (!execution) throw new Error(`No execution for ${deployment.targetId} ${deployment.eTag}`);
    await execution.done;
    await pipeline.idle();
    const after = readMeter(pipeline, invocations);
    if (executions.length % 16 === 15) process.stderr.write(`  ${config.label}: ${executions.length + 1} deployments measured\n`);

    const output = execution.output as { status?: { status?: string; elapsedSeconds?: number } } | undefined;
    const detected = execution.status === 'SUCCEEDED' && output?.status?.status === 'Deployed';
    const checkedSeconds = output?.status?.elapsedSeconds;
    if (detected && checkedSeconds !== undefined) {
      clockCheckMaxGapSeconds = Math.max(clockCheckMaxGapSeconds, Math.abs(execution.virtualSeconds - checkedSeconds));
    }
    executions.push({
      ...sampled,
      status: execution.status,
      ...(execution.error ? { errorName: execution.error.name } : {}),
      detected,
      gaveUp: execution.error?.name === WatcherFailures.stillInProgress,
      couldNotTrack: execution.error?.name === WatcherFailures.couldNotTrack,
      ...(detected ? { detectionDelaySeconds: execution.virtualSeconds - sampled.deploysAtSecond } : {}),
      watchSeconds: execution.virtualSeconds,
      getDistributionCalls: pipeline.cloudFront.deploymentChecksFor(deployment.kind, deployment.targetId).length,
      usage: usageBetween(before, after, {
        standardTransitions: execution.transitions,
        expressRuns: [],
        lambdaCalls: {},
        sdkIntegrationCalls: sdkCallsOf(execution),
      }),
    });
  }
  await pipeline.stop();
  reportToParent({
    config: name,
    functionMemoryMb,
    executions,
    clockCheckMaxGapSeconds,
    realSeconds: (performance.now() - started) / 1000,
  } satisfies DeploymentWorkerResult);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
