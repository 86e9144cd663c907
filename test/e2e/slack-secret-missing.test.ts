/**
 * A Slack secret that does not exist (deleted, wrong name in config): the Slack branch fails
 * with an error naming the secret, SNS still delivers, and the execution fails visibly.
 * A file of its own because the Notify function caches the secret for five minutes.
 */
import { WatcherFailures } from '../../lib/watcher';
import { SAMPLE_DISTRIBUTION, cloudTrailEvent, emulatedInvalidation } from '../../local/events';
import { LOCAL_SLACK_SECRET_NAME, startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({ slackSecretValue: null });
});
afterAll(() => pipeline.stop());

it('fails the execution with an error naming the secret, and still publishes to SNS', async () => {
  pipeline.cloudFront.add(emulatedInvalidation(SAMPLE_DISTRIBUTION, { inProgressChecks: 0 }));
  await pipeline.deliver(cloudTrailEvent(SAMPLE_DISTRIBUTION));
  await pipeline.idle();

  const [execution] = pipeline.watcher.executions.values();
  expect(execution!.status).toBe('FAILED');
  expect(execution!.error?.name).toBe(WatcherFailures.notDelivered);
  expect(execution!.error?.cause).toContain(`SecretInvalid`);
  expect(execution!.error?.cause).toContain(`${LOCAL_SLACK_SECRET_NAME}" could not be read`);
  expect(pipeline.slack.attempts).toHaveLength(0);
  expect(pipeline.aws.published).toHaveLength(1);
});
