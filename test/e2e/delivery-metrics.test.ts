/**
 * Defect 8, end to end through the synthesized state machine: a revoked webhook is counted as a
 * failed delivery for its destination only, once (after the state machine gave up), while the
 * other destination of the same watch is counted as delivered. The failure is counted by the
 * state machine itself (PutMetricData), so a broken Notify cannot silence the alarm.
 */
import { DELIVERY_METRICS } from '../../lambda/shared/metrics';
import { SAMPLE_DISTRIBUTION, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../../local/events';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

interface EmfLine {
  readonly _aws: { readonly CloudWatchMetrics: { readonly Namespace: string; readonly Metrics: { readonly Name: string }[] }[] };
  readonly [key: string]: unknown;
}

// The pipeline writes logs and EMF lines to stdout only when asked for its logs: kept here, not shown.
const written: string[] = [];
let pipeline: LocalPipeline;
/** When set, every Notify invocation fails as a function that cannot load its code would. */
let notifyBroken = false;
/** How many of the pipeline's PutMetricData calls earlier tests made. */
let putMetricDataSeen = 0;
beforeAll(async () => {
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  pipeline = await startLocalPipeline({
    logs: true,
    beforeInvoke: (functionDir) => {
      if (notifyBroken && functionDir === 'notify') {
        throw Object.assign(new Error("Cannot find module 'handler'"), { name: 'Runtime.ImportModuleError' });
      }
    },
  });
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

/**
 * How many times `metric` was counted in the notifier's namespace, by destination (`*`: the
 * series without one): by the functions' EMF lines and by the state machine's own PutMetricData.
 */
function counts(metric: string): Record<string, number> {
  const result: Record<string, number> = {};
  const add = (dimensions: Record<string, unknown>, value: unknown) => {
    expect(dimensions.service).toBe(DELIVERY_METRICS.service);
    const destination = (dimensions[DELIVERY_METRICS.dimensions.destination] as string | undefined) ?? '*';
    result[destination] = (result[destination] ?? 0) + Number(value);
  };
  for (const line of emfLines()) {
    const entries = line._aws.CloudWatchMetrics.filter((entry) => entry.Metrics.some((m) => m.Name === metric));
    if (entries.length === 0) continue;
    expect(entries.map((entry) => entry.Namespace)).toEqual([DELIVERY_METRICS.namespace]);
    add(line, line[metric]);
  }
  for (const call of pipeline.putMetricData.slice(putMetricDataSeen)) {
    for (const datum of call.MetricData.filter((each) => each.MetricName === metric)) {
      expect(call.Namespace).toBe(DELIVERY_METRICS.namespace);
      add(Object.fromEntries((datum.Dimensions ?? []).map((dimension) => [dimension.Name, dimension.Value])), datum.Value);
    }
  }
  return result;
}

/** Forgets what was counted so far: the next test counts its own watch only. */
function forgetCounts() {
  written.length = 0;
  putMetricDataSeen = pipeline.putMetricData.length;
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
  forgetCounts();
  const sample: SampleInvalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'ISLACKBLIP0001' };
  pipeline.slack.answerNext({ status: 503, body: '' }, { status: 503, body: '' });
  pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 0 }));

  await pipeline.deliver(cloudTrailEvent(sample));
  await pipeline.idle();

  expect(counts(DELIVERY_METRICS.names.failed)).toEqual({});
  expect(counts(DELIVERY_METRICS.names.delivered)).toEqual({ slack: 1, sns: 1 });
});

it('a broken Notify: every destination counted as failed all the same, by the state machine itself', async () => {
  forgetCounts();
  const sample: SampleInvalidation = { ...SAMPLE_DISTRIBUTION, invalidationId: 'INOTIFYBROKEN1' };
  pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 0 }));
  notifyBroken = true;

  try {
    await pipeline.deliver(cloudTrailEvent(sample));
    await pipeline.idle();
  } finally {
    notifyBroken = false;
  }

  expect(counts(DELIVERY_METRICS.names.failed)).toEqual({ slack: 1, sns: 1, '*': 2 });
  expect(counts(DELIVERY_METRICS.names.delivered)).toEqual({});
});
