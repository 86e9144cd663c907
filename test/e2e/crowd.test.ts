/**
 * Hundreds of watches at once against a CloudFront that allows a few calls per second and
 * answers Throttling beyond: every one must still end notified, none failed. All run on one
 * virtual clock, so the watches really overlap, as in AWS.
 */
import { cloudTrailEvent, emulatedInvalidation, SAMPLE_TENANT } from '../../local/events';
import { accountFor } from '../../local/message-accounting';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

const WATCHES = 200;
// About 20 s alone on 2 cores (every watch's functions and emulators run in this process), more beside other test files.
jest.setTimeout(180_000);
const CALLS_PER_SECOND = 5;

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({
    slack: false,
    cloudFrontRateLimit: { perSecond: CALLS_PER_SECOND, burst: 10 },
  });
});
afterAll(() => pipeline.stop());

it(`${WATCHES} concurrent watches, throttled by CloudFront, all end notified`, async () => {
  const samples = Array.from({ length: WATCHES }, (_, i) => ({
    ...SAMPLE_TENANT,
    targetId: `dt_crowd${String(i).padStart(4, '0')}`,
    invalidationId: `ICROWD${String(i).padStart(6, '0')}`,
    paths: [`/tenant/${i}/*`],
  }));
  for (const [i, sample] of samples.entries()) pipeline.cloudFront.add(emulatedInvalidation(sample, { completesAtSecond: 10 + (i % 120) }));

  await Promise.all(samples.map((sample) => pipeline.deliver(cloudTrailEvent(sample))));
  await pipeline.idle();

  const executions = [...pipeline.watcher.executions.values()];
  expect(executions.filter((e) => e.status === 'SUCCEEDED')).toHaveLength(WATCHES);
  // One caller's crowd is one burst: the first few told alone, the rest in digests, each invalidation once.
  expect(
    accountFor(
      pipeline.aws.published.map((published) => published.message),
      /ICROWD\d{6}/g,
    ),
  ).toMatchObject({
    reported: WATCHES,
    listedTwice: [],
  });
  const throttled = pipeline.cloudFront.calls.filter((c) => c.answer === 'Throttling').length;
  // The checker's budget kept the crowd near CloudFront's limit: throttled now and then as it
  // probes the rate, never a storm.
  expect(throttled / WATCHES).toBeLessThan(0.5);
});
