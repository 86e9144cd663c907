/**
 * What the handlers log, captured from the real Powertools logger: structured JSON lines, each
 * about one watch carrying its invalidation ID (the checker's own lines are about all of them),
 * and never the webhook URL, a secret value or a whole event.
 */
import { SAMPLE_DISTRIBUTION, cloudTrailEvent, emulatedInvalidation } from '../../local/events';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

let pipeline: LocalPipeline;
let slackUrl: string;
const lines: string[] = [];

beforeAll(async () => {
  pipeline = await startLocalPipeline({ logs: true });
  slackUrl = [...pipeline.aws.secrets.values()][0]!;
  // INFO goes to stdout, WARN and ERROR to stderr, as in Lambda.
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line.trim() !== ''),
      );
      return true;
    });
  }
  // A run that logs successes and failures: throttling, a rejected webhook.
  pipeline.cloudFront.add(emulatedInvalidation(SAMPLE_DISTRIBUTION, { inProgressChecks: 2 }));
  pipeline.cloudFront.forceNext({ status: 400, code: 'Throttling', message: 'Rate exceeded' });
  pipeline.slack.answerNext({ status: 404, body: 'no_service' });
  await pipeline.deliver(cloudTrailEvent(SAMPLE_DISTRIBUTION));
  await pipeline.idle();
  jest.restoreAllMocks();
});
afterAll(() => pipeline.stop());

/** The checker's report on every watch in flight (its summary line and its metrics), not about one watch. */
const accountWide = (line: string) => {
  const entry = JSON.parse(line) as { message?: string; WatchesInFlight?: number };
  return entry.message === 'Checker' || entry.WatchesInFlight !== undefined;
};

it('writes structured JSON lines, each about one watch with its invalidation ID, and the checker reports on all of them', () => {
  const perWatch = lines.filter((line) => !accountWide(line));
  expect(perWatch.filter((l) => !l.includes('I2J0I21PCUYOIK'))).toEqual([]);
  expect(perWatch.length).toBeGreaterThanOrEqual(6);
  expect(lines.some(accountWide)).toBe(true);
  for (const line of perWatch) {
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(entry).toMatchObject({ invalidationId: SAMPLE_DISTRIBUTION.invalidationId, service: 'cloudfront-invalidation-notifier' });
  }
  expect(lines.some((line) => line.includes('CloudFrontThrottled'))).toBe(true);
  expect(lines.some((line) => line.includes('WebhookRejected'))).toBe(true);
});

it('never logs the webhook URL, the secret or the event', () => {
  const all = lines.join('\n');
  expect(all).not.toContain(slackUrl);
  expect(all).not.toContain('/services/');
  expect(all).not.toContain('userIdentity');
  expect(all).not.toContain('requestParameters');
  expect(all).not.toContain(SAMPLE_DISTRIBUTION.paths[1]);
});
