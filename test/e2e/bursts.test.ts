/**
 * A burst, end to end: 200 tenant invalidations from one caller within 10 s, routed to a Slack
 * webhook (limited to one message a second, as Slack's are), a Teams webhook, a Slack app channel,
 * an SNS topic and the default event bus. Each destination gets a handful of messages in which
 * every invalidation is accounted for exactly once; automation still gets one event each; no
 * execution fails. All on one virtual clock, through the synthesized state machines.
 */
import { cloudTrailEvent, emulatedInvalidation, SAMPLE_TENANT } from '../../local/events';
import { accountFor } from '../../local/message-accounting';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

const WATCHES = 200;
const CHANNEL = 'C0TENANTS01';
const CONTEXT = {
  destinations: {
    'team-slack': { type: 'slack', secretName: 'cf/team-slack' },
    'team-teams': { type: 'teams', secretName: 'cf/team-teams' },
    'team-app': { type: 'slack-app', secretName: 'cf/slack-bot', channel: CHANNEL },
    email: { type: 'sns' },
    automation: { type: 'eventbridge' },
  },
};
/** "A handful": the first few alone, a digest now and then while the burst runs, the last. */
const HANDFUL = 8;
jest.setTimeout(240_000);

let pipeline: LocalPipeline;
const ids = Array.from({ length: WATCHES }, (_, i) => `IBURST${String(i).padStart(6, '0')}`);
beforeAll(async () => {
  pipeline = await startLocalPipeline({ context: CONTEXT, cloudFrontRateLimit: { perSecond: 5, burst: 10 } });
  pipeline.webhooks['team-slack']!.rateLimit({ messages: 1, perMs: 1000 });
  const samples = ids.map((invalidationId, i) => ({
    ...SAMPLE_TENANT,
    targetId: `dt_burst${String(i).padStart(4, '0')}`,
    invalidationId,
    callerReference: `rollout-7-tenant-${i}`,
    paths: [`/tenant/${i}/*`],
  }));
  for (const [i, sample] of samples.entries()) pipeline.cloudFront.add(emulatedInvalidation(sample, { completesAtSecond: 20 + (i % 90) }));
  // One caller, 200 calls within 10 s.
  const start = pipeline.sim.now();
  const delivered = samples.map(
    (sample, i) => new Promise((resolve) => pipeline.sim.at(start + i * 50, () => resolve(pipeline.deliver(cloudTrailEvent(sample))))),
  );
  await Promise.all(delivered);
  await pipeline.idle();
});
afterAll(() => pipeline.stop());

it('ends every watch without a failure', () => {
  const executions = [...pipeline.watcher.executions.values()];
  expect(executions).toHaveLength(WATCHES);
  expect(executions.filter((execution) => execution.status !== 'SUCCEEDED').map((execution) => execution.error)).toEqual([]);
});

it.each(['team-slack', 'team-teams'])('%s gets a handful of messages accounting for every invalidation once', (name) => {
  const { messages } = pipeline.webhooks[name]!;
  expect(messages.length).toBeLessThanOrEqual(HANDFUL);
  expect(accountFor(messages, /IBURST\d{6}/g)).toMatchObject({ reported: WATCHES, listedTwice: [] });
});

it('paces the Slack webhook under its limit of one message a second: nothing refused, nothing lost', () => {
  const webhook = pipeline.webhooks['team-slack']!;
  expect(webhook.rateLimited).toBe(0);
});

it('the SNS topic gets a handful of messages accounting for every invalidation once', () => {
  const messages = pipeline.aws.published.map((published) => published.message);
  expect(messages.length).toBeLessThanOrEqual(HANDFUL);
  expect(accountFor(messages, /IBURST\d{6}/g)).toMatchObject({ reported: WATCHES, listedTwice: [] });
});

it('the Slack app channel gets one message, kept up to date until it shows all 200', () => {
  const top = pipeline.slackApi.posts.filter((post) => !post.thread_ts);
  expect(top).toHaveLength(1);
  const [message] = pipeline.slackApi.messages(CHANNEL);
  expect(JSON.stringify(message)).toMatch(/200 of 200 CloudFront invalidations[^"]* completed/);
  expect(pipeline.slackApi.updates.length).toBeGreaterThan(1);
  expect(pipeline.slackApi.attempts.filter((attempt) => attempt.status === 429)).toEqual([]);
});

it('automation keeps one event per invalidation on the default bus', () => {
  const events = pipeline.aws.events.filter((event) => event.detailType === 'CloudFront Invalidation Completed');
  expect(events).toHaveLength(WATCHES);
  expect(new Set(events.map((event) => (event.detail as { invalidationId?: string }).invalidationId)).size).toBe(WATCHES);
});
