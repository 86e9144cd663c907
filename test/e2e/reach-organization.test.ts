/**
 * Deploy it where you are, end to end through the synthesized templates (another region:
 * reach-forwarder.test.ts):
 * - another region: a CloudTrail event on the us-east-1 default bus goes through the forwarder
 *   stack's rule to the notifier region's default bus, through the notifier's trigger rule, and
 *   is watched and notified;
 * - organization mode: a member account's invalidation is checked through its reader role
 *   (STS on loopback), named with the account's alias; a member without the role ends in one
 *   "could not track" naming the account and the role.
 */
import { WatcherFailures } from '../../lib/watcher';
import { matchesPattern } from '../../local/event-pattern';
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
import { rulesOf, watched } from '../support/reach-e2e';

const ORGANIZATION = 'o-a1b2c3d4e5';
const MEMBER = '222222222222';
const MEMBER_WITHOUT_ROLE = '333333333333';

describe('organization mode', () => {
  let pipeline: LocalPipeline;
  beforeAll(async () => {
    pipeline = await startLocalPipeline({ context: { organizationId: ORGANIZATION } });
    pipeline.aws.memberAccounts.set(MEMBER, { alias: 'acme-prod' });
  });
  afterAll(() => pipeline.stop());

  /** A member's CloudTrail event as the organization bus receives it: `account` is the member's. */
  const memberEvent = (sample: SampleInvalidation, account: string) => {
    const event = cloudTrailEvent(sample) as { account: string; detail: Record<string, unknown> };
    event.account = account;
    event.detail.recipientAccountId = account;
    return event;
  };

  it("listens on the organization bus with the trigger's pattern", () => {
    const event = memberEvent({ ...SAMPLE_DISTRIBUTION, invalidationId: 'IPATTERN01' }, MEMBER);
    const onOrgBus = rulesOf(pipeline.template).filter((rule) => rule.bus !== undefined && matchesPattern(rule.pattern, event));
    expect(onOrgBus).toHaveLength(1);
  });

  it("checks a member's invalidation through its reader role and names the account in the message", async () => {
    const sample: SampleInvalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IMEMBER01' };
    pipeline.cloudFront.add({ ...emulatedInvalidation(sample, { inProgressChecks: 1 }), account: MEMBER });
    await pipeline.deliver(memberEvent(sample, MEMBER));

    const execution = await watched(pipeline, sample.invalidationId);
    expect(execution.name).toBe(`${MEMBER}-${sample.targetId}-${sample.invalidationId}`);
    expect(execution.status).toBe('SUCCEEDED');
    expect(pipeline.aws.assumedRoles).toContain(`arn:aws:iam::${MEMBER}:role/CloudFrontInvalidationNotifierReader`);
    const [message, ...others] = pipeline.aws.published.filter((p) => p.message.includes('IMEMBER01'));
    expect(others).toHaveLength(0);
    expect(JSON.parse(message!.message).email).toContain(`Account: acme-prod (${MEMBER})`);
  });

  it("watches a member's distribution update through its reader role: the pattern hears it, the execution is named with the account", async () => {
    const sample = { ...SAMPLE_DISTRIBUTION_UPDATE, targetId: 'EMEMBERDEPLOY1', eTag: 'E2MEMBERVER001' };
    const event = deploymentEvent('UpdateDistribution', sample) as { account: string; detail: Record<string, unknown> };
    event.account = MEMBER;
    event.detail.recipientAccountId = MEMBER;
    expect(rulesOf(pipeline.template).filter((rule) => rule.bus !== undefined && matchesPattern(rule.pattern, event))).toHaveLength(1);
    // Checked with the member's credentials only: the emulator answers 404 to the notifier's own.
    pipeline.cloudFront.describe(emulatedDeployment(sample, { inProgressChecks: 1 }, { account: MEMBER }));

    await pipeline.deliver(event);
    await pipeline.idle();

    const execution = pipeline.watcher.executions.get(`${MEMBER}-${sample.targetId}-deployed-${sample.eTag}`);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.output).toMatchObject({ outcome: 'completed', status: { status: 'Deployed' } });
    expect(pipeline.aws.assumedRoles).toContain(`arn:aws:iam::${MEMBER}:role/CloudFrontInvalidationNotifierReader`);
    const [message] = pipeline.aws.published.filter((p) => p.message.includes(sample.targetId));
    expect(JSON.parse(message!.message).email).toContain(`Account: acme-prod (${MEMBER})`);
  });

  it("does not read a member's invalidation with the notifier's own credentials (the emulator answers 404 to them)", async () => {
    const sample: SampleInvalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IOWNCREDS01' };
    pipeline.cloudFront.add({ ...emulatedInvalidation(sample, { inProgressChecks: 0 }), account: MEMBER });
    await pipeline.deliver(cloudTrailEvent(sample));

    const execution = await watched(pipeline, sample.invalidationId);
    expect(execution.error?.name).toBe(WatcherFailures.couldNotTrack);
  });

  it('ends a member without the reader role in one "could not track" naming the account and the role, without a loop', async () => {
    const sample: SampleInvalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'INOROLE01' };
    pipeline.cloudFront.add({ ...emulatedInvalidation(sample, { inProgressChecks: 0 }), account: MEMBER_WITHOUT_ROLE });
    const assumedBefore = pipeline.aws.assumedRoles.length;
    await pipeline.deliver(memberEvent(sample, MEMBER_WITHOUT_ROLE));

    const execution = await watched(pipeline, sample.invalidationId);
    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe(WatcherFailures.couldNotTrack);
    const messages = pipeline.aws.published.filter((p) => p.message.includes('INOROLE01'));
    expect(messages).toHaveLength(1);
    const email = (JSON.parse(messages[0]!.message) as { email: string }).email;
    expect(email).toContain(`Account ${MEMBER_WITHOUT_ROLE}`);
    expect(email).toContain(`arn:aws:iam::${MEMBER_WITHOUT_ROLE}:role/CloudFrontInvalidationNotifierReader`);
    // Start watch's look-up and one check: no retry loop on a refusal.
    expect(pipeline.aws.assumedRoles.length - assumedBefore).toBeLessThanOrEqual(3);
  });
});
