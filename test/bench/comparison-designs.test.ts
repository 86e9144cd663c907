/**
 * The AWS CLI waiter as `npm run bench` prices it: spliced into the product's synthesized
 * watcher in place of its watching part (token watch, final check, announcement, "Watch
 * over?"), one watch checked every 20 s through the SDK integration until it completes.
 */
import { WAITER, designHandlers, templateFor } from '../../bench/comparison-designs';
import { SAMPLE_DISTRIBUTION, cloudTrailEvent, emulatedInvalidation } from '../../local/events';
import { LOCAL_SLACK_SECRET_NAME, startLocalPipeline, synthTemplate, type LocalPipeline } from '../../local/pipeline';
import { allStates, watcherDefinition } from '../../local/template';
import { StateNames } from '../../lib/watcher';
import type { StartWatchResult } from '../../lambda/start-watch/start-watch';

const template = templateFor('waiter', synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false));
let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({ template, taskHandlers: designHandlers('waiter') });
});
afterAll(() => pipeline.stop());

it("keeps none of the product's watching states, and nothing unreachable", () => {
  const states = allStates(watcherDefinition(template).definition);
  for (const name of [StateNames.watch, StateNames.finalCheck, StateNames.announce, StateNames.watchOver])
    expect(states[name]).toBeUndefined();
  expect(states['Check 1']).toBeDefined();
});

it('watches one invalidation to its completion, a check every 20 s', async () => {
  const invalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IWAITER1' };
  pipeline.cloudFront.add(emulatedInvalidation(invalidation, { completesAtSecond: 50 }));
  const { executionName } = (await pipeline.deliver(cloudTrailEvent(invalidation))) as StartWatchResult;
  const execution = pipeline.watcher.executions.get(executionName)!;
  await execution.done;
  expect(execution.status).toBe('SUCCEEDED');
  expect(pipeline.cloudFront.callsFor('IWAITER1').length).toBeLessThanOrEqual(Math.ceil(50 / WAITER.intervalSeconds) + 1);
});
