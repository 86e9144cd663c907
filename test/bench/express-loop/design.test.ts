/**
 * The retired Express check loop still runs as `npm run bench`'s comparison design: spliced
 * into the product's synthesized watcher, one watch checked by its runs until it completes.
 */
import { designHandlers, templateFor } from '../../../bench/comparison-designs';
import { EXPRESS_CHECK_FUNCTION_ARN } from '../../../bench/express-loop/design';
import { CheckLoopStateNames } from '../../../bench/express-loop/check-loop';
import { SAMPLE_DISTRIBUTION, cloudTrailEvent, emulatedInvalidation } from '../../../local/events';
import { LOCAL_SLACK_SECRET_NAME, startLocalPipeline, synthTemplate, type LocalPipeline } from '../../../local/pipeline';
import { allStates, checkLoopDefinition, watcherDefinition } from '../../../local/template';
import { StateNames } from '../../../lib/watcher';
import type { StartWatchResult } from '../../../lambda/start-watch/start-watch';

const template = templateFor('express', synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false));
let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({ template, taskHandlers: designHandlers('express') });
});
afterAll(() => pipeline.stop());

it('replaces the token watch with runs of the Express loop, whose check calls the retired function', () => {
  const watcher = allStates(watcherDefinition(template).definition);
  expect(watcher[StateNames.watch]?.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
  expect(watcher[StateNames.finalCheck]).toBeUndefined();
  const loop = checkLoopDefinition(template)!;
  expect(allStates(loop.definition)[CheckLoopStateNames.check]?.Resource).toBe(EXPRESS_CHECK_FUNCTION_ARN);
});

it('watches one invalidation to its completion, a check every few seconds', async () => {
  const invalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IEXPRESS1' };
  pipeline.cloudFront.add(emulatedInvalidation(invalidation, { completesAtSecond: 30 }));
  const { executionName } = (await pipeline.deliver(cloudTrailEvent(invalidation))) as StartWatchResult;
  const execution = pipeline.watcher.executions.get(executionName)!;
  await execution.done;
  expect(execution.status).toBe('SUCCEEDED');
  expect((execution.output as { status: { status: string } }).status.status).toBe('Completed');
  expect(execution.runs).toHaveLength(1);
  expect(execution.runs[0]!.invocations[CheckLoopStateNames.check]).toBeGreaterThanOrEqual(8);
  expect(execution.virtualSeconds - 30).toBeLessThan(5);
});
