/**
 * Deploy it where you are, end to end through the synthesized templates (organization mode:
 * reach-organization.test.ts; each pipeline in its own file, since handlers load once per file):
 * - another region: a CloudTrail event on the us-east-1 default bus goes through the forwarder
 *   stack's rule to the notifier region's default bus, through the notifier's trigger rule, and
 *   is watched and notified;
 * - organization mode: a member account's invalidation is checked through its reader role
 *   (STS on loopback), named with the account's alias; a member without the role ends in one
 *   "could not track" naming the account and the role.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config';
import { addNotifierStacks } from '../../lib/notifier-app';
import { matchesPattern } from '../../local/event-pattern';
import { SAMPLE_DISTRIBUTION, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../../local/events';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';
import { LOCAL_ACCOUNT, type CfnTemplate } from '../../local/template';
import { rulesOf, watched } from '../support/reach-e2e';

describe('a notifier in eu-west-1 with its us-east-1 forwarder', () => {
  const context = { region: 'eu-west-1' };
  let pipeline: LocalPipeline;
  let forwarderRules: ReturnType<typeof rulesOf>;
  beforeAll(async () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { forwarder } = addNotifierStacks(app, loadConfig(context), LOCAL_ACCOUNT);
    forwarderRules = rulesOf(Template.fromStack(forwarder!).toJSON() as CfnTemplate);
    pipeline = await startLocalPipeline({ context });
  });
  afterAll(() => pipeline.stop());

  it('forwards the CloudTrail event to the default bus of eu-west-1, where the notifier watches it and notifies', async () => {
    const sample: SampleInvalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IFORWARDED01' };
    pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 1 }));
    const event = cloudTrailEvent(sample);

    // us-east-1: the forwarder's rule on the default bus matches, and targets eu-west-1's default bus.
    const forwarding = forwarderRules.filter((rule) => rule.bus === undefined && matchesPattern(rule.pattern, event));
    expect(forwarding).toHaveLength(1);
    expect(forwarding[0]!.targets).toMatch(/:events:eu-west-1:123456789012:event-bus\/default"/);
    // eu-west-1: the notifier's trigger on its default bus matches the forwarded event (unchanged).
    const trigger = rulesOf(pipeline.template).filter((rule) => rule.bus === undefined && matchesPattern(rule.pattern, event));
    expect(trigger).toHaveLength(1);
    await pipeline.deliver(event);

    const execution = await watched(pipeline, sample.invalidationId);
    expect(execution.status).toBe('SUCCEEDED');
    expect(pipeline.aws.published.filter((p) => p.message.includes('IFORWARDED01'))).toHaveLength(1);
  });

  it('does not forward a failed CreateInvalidation call (errorCode present)', () => {
    const event = cloudTrailEvent({ ...SAMPLE_DISTRIBUTION, invalidationId: 'IFAILED01' }) as { detail: Record<string, unknown> };
    event.detail.errorCode = 'TooManyInvalidationsInProgress';
    expect(forwarderRules.filter((rule) => matchesPattern(rule.pattern, event))).toHaveLength(0);
  });
});
