/**
 * Every team hears about its own invalidations, end to end: a configuration of two routes (one
 * by distribution ID, one by tag) and a default route, over two Slack webhooks, a Teams
 * webhook, a Google Chat webhook, an SNS topic and the default event bus. Start watch routes
 * each watch (names and tags from a loopback CloudFront), the synthesized state machine
 * notifies each destination in its own Map iteration, the real Notify handler delivers.
 */
import { WatcherFailures } from '../../lib/watcher';
import { SAMPLE_DISTRIBUTION, SAMPLE_TENANT, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../../local/events';
import type { LocalExecution } from '../../local/local-watcher';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';
import { adaptiveCardProblems } from '../lambda/notify/adaptive-card-check';
import { asDelivered, eventSchemaProblems } from '../support/event-schema';

const CONTEXT = {
  destinations: {
    'web-slack': { type: 'slack', secretName: 'cf/web-slack' },
    'payments-slack': { type: 'slack', secretName: 'cf/payments-slack' },
    'web-teams': { type: 'teams', secretName: 'cf/web-teams' },
    'ops-chat': { type: 'google-chat', secretName: 'cf/ops-chat' },
    email: { type: 'sns' },
    automation: { type: 'eventbridge' },
  },
  routes: [
    { name: 'website', match: { distributionIds: [SAMPLE_DISTRIBUTION.targetId] }, destinations: ['web-slack', 'web-teams', 'automation'] },
    { name: 'payments', match: { tags: { team: 'payments' } }, destinations: ['payments-slack', 'automation'] },
  ],
  defaultDestinations: ['ops-chat', 'email'],
};
const WEBHOOKS = ['web-slack', 'payments-slack', 'web-teams', 'ops-chat'] as const;

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({ context: CONTEXT });
  pipeline.cloudFront.describe({
    kind: 'distribution',
    id: SAMPLE_DISTRIBUTION.targetId,
    aliases: ['www.example.com'],
    tags: { team: 'web' },
  });
  pipeline.cloudFront.describe({
    kind: 'tenant',
    id: SAMPLE_TENANT.targetId,
    name: 'acme',
    domains: ['acme.example.com'],
    tags: { team: 'payments' },
  });
});
afterAll(() => pipeline.stop());

async function watch(sample: SampleInvalidation): Promise<LocalExecution> {
  pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 1 }));
  await pipeline.deliver(cloudTrailEvent(sample));
  await pipeline.idle();
  return [...pipeline.watcher.executions.values()].find((execution) => execution.name.includes(sample.invalidationId))!;
}

/** How many messages about this invalidation each destination received. */
function received(invalidationId: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of WEBHOOKS)
    counts[name] = pipeline.webhooks[name]!.messages.filter((m) => JSON.stringify(m).includes(invalidationId)).length;
  counts.email = pipeline.aws.published.filter((p) => p.message.includes(invalidationId)).length;
  counts.automation = pipeline.aws.events.filter((e) => JSON.stringify(e.detail).includes(invalidationId)).length;
  return counts;
}
const only = (...names: string[]) =>
  Object.fromEntries([...WEBHOOKS, 'email', 'automation'].map((name) => [name, names.includes(name) ? 1 : 0]));

describe('routes', () => {
  it('sends a distribution invalidation once to each destination of the route by distribution ID, and nowhere else', async () => {
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IROUTEDBYID01' };
    const execution = await watch(sample);

    expect(execution.status).toBe('SUCCEEDED');
    expect(received(sample.invalidationId)).toEqual(only('web-slack', 'web-teams', 'automation'));
  });

  it('names the distribution by its alternate domain name in every message, IDs kept in the facts', () => {
    const slack = JSON.stringify(pipeline.webhooks['web-slack']!.messages.find((m) => JSON.stringify(m).includes('IROUTEDBYID01')));
    expect(slack).toContain('on www.example.com');
    expect(slack).toContain(SAMPLE_DISTRIBUTION.targetId);
    const teams = pipeline.webhooks['web-teams']!.messages.find((m) => JSON.stringify(m).includes('IROUTEDBYID01')) as {
      type: string;
      attachments: { contentType: string; content: unknown }[];
    };
    expect(teams.type).toBe('message');
    expect(teams.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(adaptiveCardProblems(teams.attachments[0]!.content)).toEqual([]);
    expect(JSON.stringify(teams)).toContain('www.example.com');
  });

  it('puts one "CloudFront Invalidation Completed" event on the default bus, valid against the repo schema', () => {
    const [event, ...others] = pipeline.aws.events.filter((e) => JSON.stringify(e.detail).includes('IROUTEDBYID01'));
    expect(others).toHaveLength(0);
    expect(event).toMatchObject({
      eventBusName: expect.stringMatching(/:event-bus\/default$/),
      source: 'cloudfront-invalidation-notifier',
      detailType: 'CloudFront Invalidation Completed',
      resources: [`arn:aws:cloudfront::123456789012:distribution/${SAMPLE_DISTRIBUTION.targetId}`],
      detail: { outcome: 'completed', targetName: 'www.example.com', routes: ['website'], pathCount: SAMPLE_DISTRIBUTION.paths.length },
    });
    expect(eventSchemaProblems(asDelivered(event!))).toEqual([]);
  });

  it('sends a tenant tagged team=payments to the route by tag, named by the tenant', async () => {
    const sample = { ...SAMPLE_TENANT, invalidationId: 'IROUTEDBYTAG01' };
    const execution = await watch(sample);

    expect(execution.status).toBe('SUCCEEDED');
    expect(received(sample.invalidationId)).toEqual(only('payments-slack', 'automation'));
    expect(JSON.stringify(pipeline.webhooks['payments-slack']!.messages.at(-1))).toContain('acme (acme.example.com)');
  });

  it('sends an unmatched invalidation to the default route only (Google Chat and SNS)', async () => {
    const sample = { ...SAMPLE_DISTRIBUTION, targetId: 'EUNMATCHED0001', invalidationId: 'IUNMATCHED01' };
    const execution = await watch(sample);

    expect(execution.status).toBe('SUCCEEDED');
    expect(received(sample.invalidationId)).toEqual(only('ops-chat', 'email'));
    const chat = pipeline.webhooks['ops-chat']!.messages.at(-1) as { text: string; cardsV2: { card: unknown }[] };
    expect(chat.text).toContain('IUNMATCHED01');
    expect(chat.cardsV2[0]!.card).toBeDefined();
  });

  it('never sends a tag-routed invalidation to the wrong team when the tag read is throttled: the event is tried again', async () => {
    // A tenant this container has not read the tags of yet (they are cached once read).
    const sample = { ...SAMPLE_TENANT, targetId: 'dt_TagsReadLater01', invalidationId: 'ITAGSLATER01' };
    pipeline.cloudFront.describe({ kind: 'tenant', id: sample.targetId, name: 'beta', tags: { team: 'payments' } });
    pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 0 }));
    // Start watch reads the tags three times; all three are throttled.
    pipeline.cloudFront.failLookupsNext(
      ...Array.from({ length: 3 }, () => ({ status: 400, code: 'Throttling', message: 'Rate exceeded' })),
    );

    await expect(pipeline.deliver(cloudTrailEvent(sample))).rejects.toMatchObject({ name: 'TagsUnavailable' });
    await pipeline.idle();
    expect(received(sample.invalidationId)).toEqual(only());

    // Lambda's retry of the same event: the tags are read, the route by tag applies.
    await pipeline.deliver(cloudTrailEvent(sample));
    await pipeline.idle();
    expect(received(sample.invalidationId)).toEqual(only('payments-slack', 'automation'));
  });

  it('routes by distribution ID even when CloudFront cannot name the target (the IDs stand in)', async () => {
    pipeline.cloudFront.describe({ kind: 'distribution', id: SAMPLE_DISTRIBUTION.targetId });
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: 'INONAME01' };
    await watch(sample);
    expect(received(sample.invalidationId)).toEqual(only('web-slack', 'web-teams', 'automation'));
    pipeline.cloudFront.describe({
      kind: 'distribution',
      id: SAMPLE_DISTRIBUTION.targetId,
      aliases: ['www.example.com'],
      tags: { team: 'web' },
    });
  });
});

describe('exactly once per destination', () => {
  it('a webhook answering 404 leaves every other destination delivered exactly once, and fails naming it', async () => {
    pipeline.webhooks['web-teams']!.answerNext({ status: 404, body: '{"error":{"code":"WorkflowNotFound","message":"gone"}}' });
    // A transient fault on another destination at the same time: retried on its own.
    pipeline.webhooks['web-slack']!.answerNext({ status: 503 });
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: 'ITEAMS404' };

    const execution = await watch(sample);

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe(WatcherFailures.notDelivered);
    expect(execution.error?.cause).toContain('web-teams');
    expect(execution.error?.cause).toContain('WebhookRejected');
    expect(execution.error?.cause).toMatch(/"destination":"web-slack","type":"slack","delivered":true/);
    expect(received(sample.invalidationId)).toEqual(only('web-slack', 'automation'));
    expect(pipeline.notifyCalls.filter((call) => call.invalidationId === 'ITEAMS404' && call.destination === 'automation')).toHaveLength(1);
  });

  it('a webhook rate-limiting for longer than the function can wait (Retry-After 30 s, five times) still gets its message, once', async () => {
    pipeline.webhooks['web-slack']!.answerNext(...Array.from({ length: 5 }, () => ({ status: 429, retryAfterSeconds: 30 })));
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IRATELIMITED01' };

    const execution = await watch(sample);

    expect(execution.status).toBe('SUCCEEDED');
    expect(received(sample.invalidationId)).toEqual(only('web-slack', 'web-teams', 'automation'));
    expect(
      pipeline.notifyCalls.filter((call) => call.invalidationId === 'IRATELIMITED01' && call.destination === 'web-slack'),
    ).toHaveLength(6);
  });

  it('a duplicate CloudTrail delivery still gives one message per destination', async () => {
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IDUPLICATE01' };
    pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 1 }));
    await Promise.all([pipeline.deliver(cloudTrailEvent(sample)), pipeline.deliver(cloudTrailEvent(sample))]);
    await pipeline.idle();
    expect(received(sample.invalidationId)).toEqual(only('web-slack', 'web-teams', 'automation'));
  });
});
