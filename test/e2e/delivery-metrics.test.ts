/**
 * Defect 8, end to end through the synthesized state machine: a revoked webhook is counted as a
 * failed delivery for its destination only, once (after the state machine gave up), while the
 * other destination of the same watch is counted as delivered.
 */
import { DELIVERY_METRICS } from '../../lambda/shared/metrics';
import { SAMPLE_DISTRIBUTION, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../../local/events';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

interface EmfLine {
  readonly _aws: { readonly CloudWatchMetrics: { readonly Metrics: { readonly Name: string }[] }[] };
  readonly [key: string]: unknown;
}

// The pipeline writes logs and EMF lines to stdout only when asked for its logs: kept here, not shown.
const written: string[] = [];
let pipeline: LocalPipeline;
beforeAll(async () => {
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  pipeline = await startLocalPipeline({ logs: true });
});
afterAll(async () => {
  await pipeline.stop();
  jest.restoreAllMocks();
});

const emfLines = () =>
  written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfLine);

/** How many times `metric` was counted, by destination (`*`: the series without one). */
function counts(metric: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const line of emfLines()) {
    if (!line._aws.CloudWatchMetrics.some((entry) => entry.Metrics.some((m) => m.Name === metric))) continue;
    const destination = (line[DELIVERY_METRICS.dimensions.destination] as string | undefined) ?? '*';
    result[destination] = (result[destination] ?? 0) + Number(line[metric]);
  }
  return result;
}

it('a revoked Slack webhook: a failed delivery for the Slack destination only, counted once; SNS counted as delivered', async () => {
  const sample: SampleInvalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'IREVOKEDHOOK01' };
  pipeline.slack.answerNext({ status: 404, body: 'no_service' });
  pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 0 }));

  await pipeline.deliver(cloudTrailEvent(sample));
  await pipeline.idle();

  expect(counts(DELIVERY_METRICS.names.failed)).toEqual({ slack: 1, '*': 1 });
  expect(counts(DELIVERY_METRICS.names.delivered)).toEqual({ sns: 1 });
});

it('a Slack webhook that fails twice, then works: retried, counted as delivered, never as failed', async () => {
  written.length = 0;
  const sample: SampleInvalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'ISLACKBLIP0001' };
  pipeline.slack.answerNext({ status: 503, body: '' }, { status: 503, body: '' });
  pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 0 }));

  await pipeline.deliver(cloudTrailEvent(sample));
  await pipeline.idle();

  expect(counts(DELIVERY_METRICS.names.failed)).toEqual({});
  expect(counts(DELIVERY_METRICS.names.delivered)).toEqual({ slack: 1, sns: 1 });
});
