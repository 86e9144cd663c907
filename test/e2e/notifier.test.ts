/**
 * End to end, offline: a CloudTrail event delivered to the real Start watch handler, the
 * synthesized state machine run by aws-local-stepfunctions with the real Check status and
 * Notify handlers, CloudFront, Slack, SNS and Secrets Manager on loopback servers.
 */
import { StateNames } from '../../lib/watcher';
import { SAMPLE_DISTRIBUTION, SAMPLE_TENANT, cloudTrailEvent, emulatedInvalidation } from '../../local/events';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline();
});
afterAll(() => pipeline.stop());

const slackTextFor = (invalidationId: string) =>
  pipeline.slack.messages.filter((m) => m.text.includes(invalidationId)).map((m) => JSON.stringify(m.blocks));
const snsFor = (invalidationId: string) =>
  pipeline.aws.published
    .filter((p) => p.attributes.outcome && p.message.includes(invalidationId))
    .map((p) => JSON.parse(p.message) as { default: string; email: string });
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe.each([
  ['distribution', SAMPLE_DISTRIBUTION],
  ['tenant', SAMPLE_TENANT],
])('a %s invalidation', (_, sample) => {
  beforeAll(async () => {
    pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 3 }));
    await pipeline.deliver(cloudTrailEvent(sample));
    await pipeline.idle();
  });

  it('is watched until CloudFront says Completed, then the execution succeeds', () => {
    const execution = pipeline.watcher.executions.get(`${sample.targetId}-${sample.invalidationId}`)!;
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ outcome: 'completed', status: { status: 'Completed' } });
    expect(execution.invocations[StateNames.watch]).toBe(1);
  });

  it(`is checked with the ${sample.kind === 'tenant' ? 'GetInvalidationForDistributionTenant' : 'GetInvalidation'} API only`, () => {
    const calls = pipeline.cloudFront.callsFor(sample.invalidationId);
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((call) => call.kind))).toEqual(new Set([sample.kind]));
    expect(calls.map((call) => call.answer)).toEqual(['InProgress', 'InProgress', 'InProgress', 'Completed']);
  });

  it('tells Slack once, with every path (escaped), who created it, how long it took and a console link', () => {
    const [blocks, ...others] = slackTextFor(sample.invalidationId);
    expect(others).toHaveLength(0);
    for (const path of sample.paths) expect(blocks).toContain(JSON.stringify(slackEscape(path)).slice(1, -1));
    expect(blocks).toContain('CloudFront invalidation completed');
    expect(blocks).toContain(sample.targetId);
    expect(blocks).toContain(sample.kind === 'tenant' ? 'saas-backend' : 'github-actions-deploy/deploy-web-1342');
    expect(blocks).toMatch(/Took\*\\nabout \d+ s/);
    expect(blocks).toContain(
      `${sample.kind === 'tenant' ? 'distribution-tenants' : 'distributions'}/${sample.targetId}/invalidations/details/${sample.invalidationId}`,
    );
  });

  it('publishes once to SNS, with every path, for e-mail and for Amazon Q chat', () => {
    const [message, ...others] = snsFor(sample.invalidationId);
    expect(others).toHaveLength(0);
    for (const path of sample.paths) {
      expect(message!.email).toContain(path);
      expect(JSON.parse(message!.default).content.description).toContain(slackEscape(path));
    }
    expect(message!.email).toContain(`Paths (${sample.paths.length}):`);
  });
});
