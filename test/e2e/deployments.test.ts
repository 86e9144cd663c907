/**
 * The other wait, end to end: CloudTrail events of calls that start a deployment go through the
 * synthesized trigger pattern, Start watch, the watcher and the account's checker (which asks
 * the loopback CloudFront's GetDistribution / GetDistributionTenant on the virtual clock), to a
 * Slack webhook, a Slack app channel, an SNS topic and the default bus, routed by kind.
 */
import { WatcherFailures } from '../../lib/watcher';
import {
  SAMPLE_DISTRIBUTION,
  SAMPLE_DISTRIBUTION_UPDATE,
  SAMPLE_TENANT_CREATION,
  cloudTrailEvent,
  deploymentEvent,
  emulatedDeployment,
  emulatedInvalidation,
  type SampleDeployment,
} from '../../local/events';
import { matchesPattern } from '../../local/event-pattern';
import type { LocalExecution } from '../../local/local-watcher';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';
import { asDelivered, deploymentEventSchemaProblems } from '../support/event-schema';

const MAX_WAIT_MINUTES = 20;
const CONTEXT = {
  maxWaitMinutes: MAX_WAIT_MINUTES,
  destinations: {
    'deploys-slack': { type: 'slack', secretName: 'cf/deploys-slack' },
    'deploys-app': { type: 'slack-app', secretName: 'cf/deploys-bot', channel: 'C0DEPLOYS1' },
    'caches-slack': { type: 'slack', secretName: 'cf/caches-slack' },
    email: { type: 'sns' },
    automation: { type: 'eventbridge' },
  },
  routes: [
    { name: 'deployments', match: { kinds: ['deployment'] }, destinations: ['deploys-slack', 'deploys-app', 'automation'] },
    { name: 'invalidations', match: { kinds: ['invalidation'] }, destinations: ['caches-slack'] },
  ],
  defaultDestinations: ['email'],
};

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({ context: CONTEXT });
});
afterAll(() => pipeline.stop());

const executionName = (sample: SampleDeployment) => `${sample.targetId}-deployed-${sample.eTag}`;
const executionOf = (sample: SampleDeployment): LocalExecution | undefined => pipeline.watcher.executions.get(executionName(sample));
const eventsAbout = (sample: SampleDeployment) => pipeline.aws.events.filter((event) => JSON.stringify(event.detail).includes(sample.eTag));
const slackMessagesAbout = (text: string) =>
  pipeline.webhooks['deploys-slack']!.messages.filter((message) => JSON.stringify(message).includes(text));

describe('the trigger', () => {
  it("hears every call that starts a deployment, and its events pass the synthesized rule's pattern", () => {
    const pattern =
      pipeline.template.Resources[
        Object.keys(pipeline.template.Resources).find(
          (id) => pipeline.template.Resources[id]!.Type === 'AWS::Events::Rule' && /Trigger/.test(id),
        )!
      ]!.Properties!.EventPattern;
    for (const call of ['UpdateDistribution', 'CreateDistributionTenant', 'AssociateDistributionWebACL'] as const) {
      const sample = call === 'CreateDistributionTenant' ? SAMPLE_TENANT_CREATION : SAMPLE_DISTRIBUTION_UPDATE;
      expect(matchesPattern(pattern, deploymentEvent(call, sample))).toBe(true);
    }
    const failed = deploymentEvent('UpdateDistribution', SAMPLE_DISTRIBUTION_UPDATE);
    (failed.detail as Record<string, unknown>).errorCode = 'PreconditionFailed';
    expect(matchesPattern(pattern, failed)).toBe(false);
  });
});

describe('a distribution update', () => {
  const sample: SampleDeployment = { ...SAMPLE_DISTRIBUTION_UPDATE, eTag: 'E2UPDATED00001' };

  it('is deployed after a few checks: told once to each deployment destination, as a deployment, with what changed', async () => {
    // Prepare
    pipeline.cloudFront.describe(emulatedDeployment(sample, { inProgressChecks: 3 }, { aliases: ['www.example.com'] }));

    // Act
    await pipeline.deliver(
      deploymentEvent('UpdateDistribution', sample, { distribution: { aliases: ['www.example.com'], enabled: true } }),
    );
    await pipeline.idle();

    // Assert
    const execution = executionOf(sample);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.output).toMatchObject({ outcome: 'completed', status: { status: 'Deployed' } });
    expect(pipeline.cloudFront.deploymentChecksFor('distribution', sample.targetId).map((check) => check.answer)).toEqual([
      'InProgress',
      'InProgress',
      'InProgress',
      'Deployed',
    ]);
    const [slack, ...moreSlack] = slackMessagesAbout(sample.targetId);
    expect(moreSlack).toEqual([]);
    expect(JSON.stringify(slack)).toContain('UpdateDistribution of CloudFront distribution www.example.com');
    expect(JSON.stringify(slack)).toContain('aliases: www.example.com');
    expect(JSON.stringify(slack)).not.toContain('Paths');
    const [event, ...moreEvents] = eventsAbout(sample);
    expect(moreEvents).toEqual([]);
    expect(event).toMatchObject({
      detailType: 'CloudFront Distribution Deployed',
      detail: { work: 'deployment', outcome: 'completed', status: 'Deployed', targetId: sample.targetId, routes: ['deployments'] },
    });
    expect(deploymentEventSchemaProblems(asDelivered(event!))).toEqual([]);
    // The Slack app's live message: "deploying" at the first check, then that same message edited to deployed.
    const posts = pipeline.slackApi.posts.filter((post) => !post.thread_ts && JSON.stringify(post).includes(sample.targetId));
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]!.blocks)).toMatch(/deploying/i);
    expect(pipeline.slackApi.updates.filter((update) => update.ts === posts[0]!.ts)).toHaveLength(1);
    const live = pipeline.slackApi.messages('C0DEPLOYS1').find((message) => message.ts === posts[0]!.ts)!;
    expect(JSON.stringify(live.blocks)).toMatch(/deployed/i);
    expect(JSON.stringify(live.blocks)).not.toMatch(/deploying/i);
    // Routed by kind: nothing to the invalidations' channel, nothing to the default.
    expect(JSON.stringify(pipeline.webhooks['caches-slack']!.messages)).not.toContain(sample.targetId);
    expect(pipeline.aws.published.filter((p) => p.message.includes(sample.targetId))).toEqual([]);
  });

  it('a duplicated CloudTrail delivery of the same change is watched once', async () => {
    // Act: the same event again (EventBridge delivers at least once).
    await pipeline.deliver(
      deploymentEvent('UpdateDistribution', sample, { distribution: { aliases: ['www.example.com'], enabled: true } }),
    );
    await pipeline.idle();

    // Assert
    expect([...pipeline.watcher.executions.keys()].filter((name) => name.includes(sample.eTag))).toEqual([executionName(sample)]);
    expect(slackMessagesAbout(sample.targetId)).toHaveLength(1);
    expect(eventsAbout(sample)).toHaveLength(1);
  });
});

describe('a tenant created', () => {
  it('is deployed: told as a tenant deployment, with the tenant event', async () => {
    // Prepare
    const sample: SampleDeployment = { ...SAMPLE_TENANT_CREATION, eTag: 'E3TENANTNEW001' };
    pipeline.cloudFront.describe(emulatedDeployment(sample, { inProgressChecks: 2 }, { name: 'acme', domains: ['acme.example.com'] }));

    // Act
    await pipeline.deliver(
      deploymentEvent('CreateDistributionTenant', sample, { tenant: { name: 'acme', domains: ['acme.example.com'] } }),
    );
    await pipeline.idle();

    // Assert
    expect(executionOf(sample)?.output).toMatchObject({ outcome: 'completed', status: { status: 'Deployed' } });
    expect(pipeline.cloudFront.deploymentChecksFor('tenant', sample.targetId).at(-1)?.operation).toBe('GetDistributionTenant');
    const [event] = eventsAbout(sample);
    expect(event).toMatchObject({ detailType: 'CloudFront Distribution Tenant Deployed', detail: { targetKind: 'tenant' } });
    expect(deploymentEventSchemaProblems(asDelivered(event!))).toEqual([]);
    expect(JSON.stringify(slackMessagesAbout(sample.targetId))).toContain('tenant created: acme');
  });
});

describe('two updates in a row', () => {
  it('the first is not reported deployed while the second is in progress; both end when it is, the first "together with 1 later change"', async () => {
    // Prepare: the second update (a new version) comes while the first is still deploying.
    const target = 'E2TWOINAROW001';
    const first: SampleDeployment = { kind: 'distribution', targetId: target, eTag: 'E1FIRSTOFTWO01' };
    const second: SampleDeployment = { kind: 'distribution', targetId: target, eTag: 'E2SECONDOFTWO1' };
    pipeline.cloudFront.describe(emulatedDeployment(first, { deployedAtSecond: 600 }));
    await pipeline.deliver(deploymentEvent('UpdateDistribution', first));
    await pipeline.sim.sleep(60);
    pipeline.cloudFront.change('distribution', target, { eTag: second.eTag, deployedAtSecond: 240 });
    await pipeline.deliver(deploymentEvent('UpdateDistribution', second, { ifMatch: first.eTag }));

    // Act
    await pipeline.idle();

    // Assert
    const [firstDone, secondDone] = [executionOf(first)!, executionOf(second)!];
    expect(firstDone.output).toMatchObject({ outcome: 'completed', status: { status: 'Deployed', laterChanges: 1 } });
    expect((secondDone.output as { status: { laterChanges?: number } }).status.laterChanges).toBeUndefined();
    // Never deployed before the second version was: both end at the check that saw it deployed.
    const deployedCheck = pipeline.cloudFront
      .deploymentChecksFor('distribution', target)
      .find((check) => check.answer === 'Deployed' && check.eTag === second.eTag)!;
    expect(
      pipeline.cloudFront
        .deploymentChecksFor('distribution', target)
        .filter((check) => check.at < deployedCheck.at && check.answer === 'Deployed'),
    ).toEqual([]);
    expect(JSON.stringify(eventsAbout(first))).toContain('"laterChanges":1');
    expect(JSON.stringify(slackMessagesAbout(first.eTag).concat(slackMessagesAbout(target)))).toContain('together with 1 later change');
  });
});

describe('what does not end deployed', () => {
  it('a deployment that outlasts the maximum wait ends still in progress, and says so', async () => {
    // Prepare
    const sample: SampleDeployment = { kind: 'distribution', targetId: 'E2SLOWDEPLOY01', eTag: 'E2SLOWVERSION1' };
    pipeline.cloudFront.describe(emulatedDeployment(sample, { deployedAtSecond: 3 * 3600 }));

    // Act
    await pipeline.deliver(deploymentEvent('UpdateDistribution', sample));
    await pipeline.idle();

    // Assert
    const execution = executionOf(sample)!;
    // The execution's failure name is the watcher's one for both kinds of work (a stable contract for alarms and rules).
    expect(execution.error?.name).toBe(WatcherFailures.stillInProgress);
    expect(pipeline.watcher.elapsedSeconds(execution)).toBeGreaterThanOrEqual(MAX_WAIT_MINUTES * 60);
    const [event] = eventsAbout(sample);
    expect(event).toMatchObject({
      detailType: 'CloudFront Distribution Deployment Still In Progress',
      detail: { outcome: 'still-in-progress', status: 'InProgress' },
    });
    expect(JSON.stringify(slackMessagesAbout(sample.targetId))).toContain('still deploying');
  });

  it('a distribution deleted while watched: could not track, with the reason, and the execution fails', async () => {
    // Prepare
    const sample: SampleDeployment = { kind: 'distribution', targetId: 'E2DELETED00001', eTag: 'E2DELETEDVER01' };
    pipeline.cloudFront.describe(emulatedDeployment(sample, { deployedAtSecond: 600 }));
    await pipeline.deliver(deploymentEvent('UpdateDistribution', sample));
    await pipeline.sim.sleep(30);

    // Act
    pipeline.cloudFront.remove('distribution', sample.targetId);
    await pipeline.idle();

    // Assert
    const execution = executionOf(sample)!;
    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe(WatcherFailures.couldNotTrack);
    const [event] = eventsAbout(sample);
    expect(event?.detailType).toBe('CloudFront Deployment Not Tracked');
    expect((event?.detail as { reason?: string }).reason).toMatch(
      /DeploymentNotTrackable: NoSuchDistribution: CloudFront refused the status check for distribution E2DELETED00001/,
    );
    expect(deploymentEventSchemaProblems(asDelivered(event!))).toEqual([]);
  });
});

describe('routes by kind', () => {
  it('an invalidation beside the deployments goes to the invalidations route only', async () => {
    // Prepare
    const sample = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IKINDROUTED001' };
    pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 1 }));

    // Act
    await pipeline.deliver(cloudTrailEvent(sample));
    await pipeline.idle();

    // Assert
    expect(pipeline.webhooks['caches-slack']!.messages.filter((m) => JSON.stringify(m).includes(sample.invalidationId))).toHaveLength(1);
    expect(slackMessagesAbout(sample.invalidationId)).toEqual([]);
    expect(pipeline.aws.events.filter((e) => JSON.stringify(e.detail).includes(sample.invalidationId))).toEqual([]);
  });
});
