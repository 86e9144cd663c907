/**
 * The loopback CloudFront's deployments inside the local pipeline: Start watch's name look-up
 * is told apart from the checker's checks (the pipeline says which targets are watched), and a
 * version's `deployedAtSecond` counts in its own watch's virtual time (the clock keyed by ETag).
 */
import { SAMPLE_DISTRIBUTION_UPDATE, deploymentEvent, emulatedDeployment } from '../../local/events';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline();
});
afterAll(() => pipeline.stop());

it('answers the look-up before the watch from the script, and the checks InProgress until the second the script says', async () => {
  // Prepare: a throttle forced before the event reaches the checker, not Start watch's look-up.
  pipeline.cloudFront.describe(emulatedDeployment(SAMPLE_DISTRIBUTION_UPDATE, { deployedAtSecond: 200 }, { aliases: ['www.example.com'] }));
  pipeline.cloudFront.forceNext({ status: 400, code: 'Throttling', message: 'Rate exceeded' });

  // Act
  await pipeline.deliver(deploymentEvent('UpdateDistribution', SAMPLE_DISTRIBUTION_UPDATE));
  await pipeline.idle();

  // Assert
  const execution = pipeline.watcher.executions.get(`${SAMPLE_DISTRIBUTION_UPDATE.targetId}-deployed-${SAMPLE_DISTRIBUTION_UPDATE.eTag}`);
  expect(execution?.status).toBe('SUCCEEDED');
  expect(execution?.output).toMatchObject({ outcome: 'completed', status: { status: 'Deployed' } });
  expect(pipeline.cloudFront.lookups).toContainEqual({ operation: 'GetDistribution', resource: SAMPLE_DISTRIBUTION_UPDATE.targetId });
  const checks = pipeline.cloudFront.deploymentChecksFor('distribution', SAMPLE_DISTRIBUTION_UPDATE.targetId);
  expect(checks[0]?.answer).toBe('Throttling');
  expect(checks.at(-1)?.answer).toBe('Deployed');
  expect(checks.filter((check) => check.answer === 'Deployed')).toHaveLength(1);
  expect(new Set(checks.map((check) => check.eTag))).toEqual(new Set([SAMPLE_DISTRIBUTION_UPDATE.eTag]));
  expect(pipeline.watcher.elapsedSeconds(execution!)).toBeGreaterThanOrEqual(200);
});
