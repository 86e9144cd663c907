/**
 * A Slack app's live message, end to end: the synthesized state machines, the real handlers,
 * a loopback Slack Web API that answers as Slack does. The checker answers the first check of a
 * watch with a live message; "Announce in progress" posts; the end updates the same message.
 */
import { WatcherFailures } from '../../lib/watcher';
import {
  SAMPLE_DISTRIBUTION,
  SAMPLE_DISTRIBUTION_UPDATE,
  cloudTrailEvent,
  deploymentEvent,
  emulatedDeployment,
  emulatedInvalidation,
  type SampleInvalidation,
} from '../../local/events';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

const CHANNEL = 'C0DEPLOYS01';
const CONTEXT = {
  destinations: { deploys: { type: 'slack-app', secretName: 'cf/slack-bot', channel: CHANNEL } },
};
jest.setTimeout(60_000);

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({ context: CONTEXT });
});
afterAll(() => pipeline.stop());
beforeEach(() => pipeline.slackApi.reset());

/** The executions of this invalidation. */
const executionOf = (invalidation: SampleInvalidation) =>
  [...pipeline.watcher.executions.values()].find((execution) => JSON.stringify(execution.input).includes(invalidation.invalidationId))!;

let serial = 0;
function sample(): SampleInvalidation {
  serial += 1;
  return { ...SAMPLE_DISTRIBUTION, invalidationId: `ILIVE${String(serial).padStart(8, '0')}`, callerReference: `live-${serial}` };
}

/** The text of a message as people see it: its blocks' text, else its fallback. */
const textOf = (message: { text?: string; blocks?: readonly Record<string, unknown>[] }) => JSON.stringify(message.blocks ?? message.text);

async function watch(invalidation: SampleInvalidation) {
  await pipeline.deliver(cloudTrailEvent(invalidation));
  await pipeline.idle();
  return executionOf(invalidation);
}

it('announces an invalidation and a deployment that start in the same second, each in its own message, though the channel takes one post a second', async () => {
  // Prepare: a pipeline invalidating and updating at once (two bursts: their kinds differ).
  const invalidation = sample();
  const deployment = { ...SAMPLE_DISTRIBUTION_UPDATE, targetId: 'E2SAMESECOND01', eTag: 'E2SAMESECONDV1' };
  pipeline.cloudFront.add(emulatedInvalidation(invalidation, { completesAtSecond: 90 }));
  pipeline.cloudFront.describe(emulatedDeployment(deployment, { deployedAtSecond: 120 }));

  // Act
  await Promise.all([
    pipeline.deliver(cloudTrailEvent(invalidation)),
    pipeline.deliver(deploymentEvent('UpdateDistribution', deployment, { eventTime: new Date().toISOString() })),
  ]);
  await pipeline.idle();

  // Assert: two top-level posts, each "in progress" ("deploying"), each edited to its outcome.
  const top = pipeline.slackApi.posts.filter((post) => !post.thread_ts);
  expect(top.map((post) => textOf(post))).toEqual([
    expect.stringMatching(/in progress|deploying/),
    expect.stringMatching(/in progress|deploying/),
  ]);
  expect(new Set(pipeline.slackApi.updates.map((update) => update.ts))).toEqual(new Set(top.map((post) => post.ts)));
});

it('posts "in progress" at the first check, then updates that same message when the invalidation completes', async () => {
  const invalidation = sample();
  pipeline.cloudFront.add(emulatedInvalidation(invalidation, { completesAtSecond: 90 }));

  const execution = await watch(invalidation);

  expect(execution.status).toBe('SUCCEEDED');
  const top = pipeline.slackApi.posts.filter((post) => !post.thread_ts);
  expect(top).toHaveLength(1);
  expect(top[0]!.channel).toBe(CHANNEL);
  expect(textOf(top[0]!)).toMatch(/in progress/i);
  expect(pipeline.slackApi.updates.map((update) => update.ts)).toEqual([top[0]!.ts]);
  const [message] = pipeline.slackApi.messages(CHANNEL);
  expect(textOf(message!)).toContain(invalidation.invalidationId);
  expect(textOf(message!)).toMatch(/completed/i);
  expect(textOf(message!)).not.toMatch(/in progress/i);
  // Nothing more: an update does not notify anyone, and a completion needs no reply.
  expect(pipeline.slackApi.posts.filter((post) => post.thread_ts)).toEqual([]);
});

it('posts once, with no update, when the invalidation is done at its first check', async () => {
  const invalidation = sample();
  pipeline.cloudFront.add(emulatedInvalidation(invalidation, { inProgressChecks: 0 }));

  expect((await watch(invalidation)).status).toBe('SUCCEEDED');

  expect(pipeline.slackApi.posts).toHaveLength(1);
  expect(pipeline.slackApi.updates).toEqual([]);
  expect(textOf(pipeline.slackApi.posts[0]!)).toMatch(/completed/i);
});

it('updates the message and replies in its thread when the invalidation could not be tracked', async () => {
  const invalidation = sample();
  pipeline.cloudFront.add(emulatedInvalidation(invalidation, { completesAtSecond: 600 }));
  await pipeline.deliver(cloudTrailEvent(invalidation));
  // The distribution is deleted while watched: the next check is refused.
  await pipeline.sim.sleep(60);
  pipeline.cloudFront.forceNext({ status: 404, code: 'NoSuchInvalidation', message: 'The specified invalidation does not exist.' });
  await pipeline.idle();

  const execution = executionOf(invalidation);
  expect(execution.error?.name).toBe(WatcherFailures.couldNotTrack);
  const [message] = pipeline.slackApi.messages(CHANNEL);
  expect(pipeline.slackApi.updates.map((update) => update.ts)).toContain(message!.ts);
  const replies = pipeline.slackApi.threadReplies(CHANNEL, message!.ts);
  expect(replies).toHaveLength(1);
  expect(textOf(replies[0]!)).toContain(invalidation.invalidationId);
});

it('posts a new message with the outcome when the first was deleted', async () => {
  const invalidation = sample();
  pipeline.cloudFront.add(emulatedInvalidation(invalidation, { completesAtSecond: 90 }));
  await pipeline.deliver(cloudTrailEvent(invalidation));
  await pipeline.sim.sleep(30);
  const [first] = pipeline.slackApi.posts;
  expect(first).toBeDefined();
  pipeline.slackApi.deleteMessage(CHANNEL, first!.ts);
  await pipeline.idle();

  expect(executionOf(invalidation).status).toBe('SUCCEEDED');
  const live = pipeline.slackApi.messages(CHANNEL).filter((message) => !message.deleted);
  expect(live).toHaveLength(1);
  expect(live[0]!.ts).not.toBe(first!.ts);
  expect(textOf(live[0]!)).toMatch(/completed/i);
});

it('fails the watch as not delivered, naming the scope, when the bot token lacks chat:write', async () => {
  pipeline.slackApi.setToken('xoxb-local', ['channels:read']);
  const invalidation = sample();
  pipeline.cloudFront.add(emulatedInvalidation(invalidation, { completesAtSecond: 30 }));

  const execution = await watch(invalidation);

  expect(execution.status).toBe('FAILED');
  expect(execution.error?.name).toBe(WatcherFailures.notDelivered);
  expect(execution.error?.cause).toContain('chat:write');
  expect(pipeline.slackApi.posts).toEqual([]);
});
