/**
 * Faults, end to end through the synthesized state machine: every one ends in exactly one
 * visible outcome per channel (a message and an execution status), never silence, never a
 * retry storm, never a second message.
 */
import { SLACK_LIMITS } from '../../lambda/notify/render-slack';
import { DEFAULT_POLL_SCHEDULE } from '../../lambda/shared/schedule';
import { StateNames, WatcherFailures } from '../../lib/watcher';
import { SAMPLE_DISTRIBUTION, SAMPLE_TENANT, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../../local/events';
import type { LocalExecution } from '../../local/local-watcher';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline();
});
afterAll(() => pipeline.stop());

const invalidation = (invalidationId: string, overrides: Partial<SampleInvalidation> = {}): SampleInvalidation => ({
  ...SAMPLE_DISTRIBUTION,
  invalidationId,
  ...overrides,
});

/** Delivers the event, waits for every execution to end, returns the one for this invalidation. */
async function watch(sample: SampleInvalidation, when: Parameters<typeof emulatedInvalidation>[1] | 'unknown' = { inProgressChecks: 1 }) {
  if (when !== 'unknown') pipeline.cloudFront.add(emulatedInvalidation(sample, when));
  await pipeline.deliver(cloudTrailEvent(sample));
  await pipeline.idle();
  return executionFor(sample.invalidationId);
}
const executionFor = (invalidationId: string): LocalExecution =>
  [...pipeline.watcher.executions.values()].find((e) => e.name.includes(invalidationId))!;
const slackFor = (id: string) => pipeline.slack.messages.filter((m) => m.text.includes(id));
const snsFor = (id: string) => pipeline.aws.published.filter((p) => p.subject?.includes(id) || p.message.includes(id));
const emailOf = (id: string) => (JSON.parse(snsFor(id)[0]!.message) as { email: string }).email;

describe('duplicates', () => {
  it('two concurrent deliveries of one event, and a late third, give one execution and one message per channel', async () => {
    const sample = invalidation('IDUPLICATE0001');
    pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 2 }));
    const event = cloudTrailEvent(sample);

    const [first, second] = (await Promise.all([pipeline.deliver(event), pipeline.deliver(event)])) as { executionArn: string }[];
    await pipeline.idle();
    const late = (await pipeline.deliver(event)) as { outcome: string };
    await pipeline.idle();

    expect(second!.executionArn).toBe(first!.executionArn);
    expect(first!.executionArn).toMatch(/:execution:.+:E2QWRUHAPOMQZL-IDUPLICATE0001$/);
    expect(late.outcome).toBe('duplicate');
    expect([...pipeline.watcher.executions.keys()].filter((name) => name.includes('IDUPLICATE0001'))).toHaveLength(1);
    expect(slackFor('IDUPLICATE0001')).toHaveLength(1);
    expect(snsFor('IDUPLICATE0001')).toHaveLength(1);
  });
});

describe('throttling and 5xx from CloudFront', () => {
  it('are retried without failing the execution', async () => {
    pipeline.cloudFront.forceNext(
      { status: 400, code: 'Throttling', message: 'Rate exceeded' },
      { status: 503, code: 'ServiceUnavailable' },
      { status: 400, code: 'Throttling', message: 'Rate exceeded' },
      { status: 500, code: 'InternalError' },
    );
    const execution = await watch(invalidation('ITHROTTLED0001'));

    expect(execution.status).toBe('SUCCEEDED');
    expect(pipeline.cloudFront.callsFor('ITHROTTLED0001').map((c) => c.answer)).toEqual([
      'Throttling',
      'ServiceUnavailable',
      'Throttling',
      'InternalError',
      'InProgress',
      'Completed',
    ]);
    expect(slackFor('ITHROTTLED0001')).toHaveLength(1);
  });

  it('repeated throttling never fails the watch, nor makes the checker ask sooner than the schedule', async () => {
    pipeline.cloudFront.forceNext(...Array.from({ length: 7 }, () => ({ status: 400, code: 'Throttling', message: 'Rate exceeded' })));
    const execution = await watch(invalidation('ITHROTTLED0002'), { inProgressChecks: 2 });

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toMatchObject({ status: { status: 'Completed' } });
    const calls = pipeline.cloudFront.callsFor('ITHROTTLED0002');
    expect(calls.map((c) => c.answer)).toEqual([...Array.from({ length: 7 }, () => 'Throttling'), 'InProgress', 'InProgress', 'Completed']);
    // No retry storm: a throttled check waits its interval like any other (the budget's own
    // shrinking under throttling is test/lambda/shared/budget.test.ts's).
    const gaps = calls.slice(1).map((call, i) => call.at - calls[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(DEFAULT_POLL_SCHEDULE.maxIntervalSeconds * 1000);
    expect(slackFor('ITHROTTLED0002')).toHaveLength(1);
  });
});

describe('errors that cannot be retried', () => {
  it.each([
    ['an unknown invalidation', invalidation('IUNKNOWN00001'), 'unknown' as const, undefined, /NoSuchInvalidation[\s\S]*IUNKNOWN00001/],
    [
      'an unknown tenant',
      { ...SAMPLE_TENANT, targetId: 'dt_doesnotexist', invalidationId: 'IUNKNOWNTENANT' },
      'unknown' as const,
      undefined,
      /EntityNotFound[\s\S]*dt_doesnotexist/,
    ],
    [
      'access denied',
      invalidation('IDENIED000001'),
      { inProgressChecks: 0 },
      { status: 403, code: 'AccessDenied', message: 'User is not authorized' },
      /AccessDenied/,
    ],
  ])('%s ends the execution failed after one call, with a "could not track" message naming it', async (_, sample, when, forced, reason) => {
    if (forced) pipeline.cloudFront.forceNext(forced);
    const execution = await watch(sample, when);

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe(WatcherFailures.couldNotTrack);
    expect(pipeline.cloudFront.callsFor(sample.invalidationId)).toHaveLength(1);
    const [message, ...more] = slackFor(sample.invalidationId);
    expect(more).toHaveLength(0);
    expect(message!.text).toMatch(/Could not track/);
    expect(message!.text).toMatch(reason);
    expect(emailOf(sample.invalidationId)).toMatch(reason);
  });

  it.each([
    [
      'no distribution ID',
      (e: Record<string, any>) => {
        delete e.detail.requestParameters.distributionId;
        delete e.detail.responseElements.location;
      },
      /no distribution ID/,
    ],
    [
      'no invalidation ID',
      (e: Record<string, any>) => {
        delete e.detail.responseElements.invalidation.id;
        delete e.detail.responseElements.location;
      },
      /no invalidation ID/,
    ],
    [
      'an unknown event name',
      (e: Record<string, any>) => {
        e.detail.eventName = 'DeleteDistribution';
      },
      /"DeleteDistribution" is not a call the notifier watches \(CreateInvalidation/,
    ],
    [
      'a deployment call naming no target',
      (e: Record<string, any>) => {
        e.detail.eventName = 'CreateDistribution';
      },
      /no distribution ID: responseElements.distribution.id is missing/,
    ],
  ])(
    'a malformed event (%s) ends failed with a message naming what is missing, and calls CloudFront never',
    async (label, mutate, reason) => {
      const eventId = `malformed-${label.replace(/\W+/g, '-')}`;
      const event = cloudTrailEvent(invalidation('IMALFORMED0001'), eventId);
      mutate(event);
      const callsBefore = pipeline.cloudFront.calls.length;
      await pipeline.deliver(event);
      await pipeline.idle();

      const execution = pipeline.watcher.executions.get(`rejected-${eventId}`)!;
      expect(execution.status).toBe('FAILED');
      expect(execution.error?.name).toBe(WatcherFailures.couldNotTrack);
      expect(pipeline.cloudFront.calls.length).toBe(callsBefore);
      const messages = pipeline.slack.messages.filter((m) => reason.test(m.text));
      expect(messages).toHaveLength(1);
      expect(messages[0]!.text).toMatch(/Could not track/);
    },
  );
});

describe('too long', () => {
  it('sends "still in progress" at the maximum wait and ends; the watcher waits on its token, far from the history limit', async () => {
    const execution = await watch(invalidation('ITOOLONG00001'), { completesAtSecond: 10 * 3600 });

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe(WatcherFailures.stillInProgress);
    expect(execution.virtualSeconds).toBeGreaterThanOrEqual(3600);
    expect(execution.virtualSeconds).toBeLessThan(3600 + 30);
    // A check every maxIntervalSeconds by the checker, and one token wait in the watcher: its
    // history holds a handful of events, far from Step Functions' 25,000.
    const checks = pipeline.cloudFront.callsFor('ITOOLONG00001').length;
    expect(checks).toBeGreaterThanOrEqual(DEFAULT_POLL_SCHEDULE.maxWaitSeconds / DEFAULT_POLL_SCHEDULE.maxIntervalSeconds - 2);
    expect(checks).toBeLessThanOrEqual(DEFAULT_POLL_SCHEDULE.maxWaitSeconds / DEFAULT_POLL_SCHEDULE.maxIntervalSeconds + 2);
    expect(execution.invocations[StateNames.watch]).toBe(1);
    expect(execution.transitions).toBeLessThan(20);
    const [message] = slackFor('ITOOLONG00001');
    expect(message!.text).toMatch(/still in progress after 1 h 0 min/);
  });
});

describe('a big batch: 3,000 items of about 200 characters', () => {
  const paths = Array.from({ length: 3000 }, (_, i) =>
    i % 10 === 0 ? `#tag-${i}-${'x'.repeat(190)}` : `/big/${i}/<a & b> *.html ü €/${'y'.repeat(170)}`.slice(0, 200),
  );
  let execution: LocalExecution;
  beforeAll(async () => {
    execution = await watch(invalidation('IBIGBATCH0001', { paths }), { inProgressChecks: 1 });
  });

  it('keeps every state input and output under 262,144 bytes', () => {
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.maxStatePayloadBytes).toBeGreaterThan(10_000);
    expect(execution.maxStatePayloadBytes).toBeLessThan(262_144);
  });

  it('fits Slack: <= 50 blocks, sections <= 3,000 characters, escaped, with "and N more"', () => {
    const [message] = slackFor('IBIGBATCH0001');
    expect(message!.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const block of message!.blocks) {
      const text = (block as { text?: { text: string } }).text?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars);
    }
    const pathsBlock = JSON.stringify(message!.blocks);
    expect(pathsBlock).toContain('Paths (3000)');
    expect(pathsBlock).toContain('&lt;a &amp; b&gt;');
    expect(pathsBlock).not.toMatch(/<a & b>/);
    const shown = (pathsBlock.match(/\/big\/\d+\//g) ?? []).length + (pathsBlock.match(/#tag-/g) ?? []).length;
    expect(pathsBlock).toContain(`… and ${3000 - shown} more`);
  });

  it('keeps the SNS message under 256 KB and carries the full count', () => {
    const [published] = snsFor('IBIGBATCH0001');
    expect(published!.bytes).toBeLessThan(262_144);
    expect(emailOf('IBIGBATCH0001')).toContain('Paths (3000):');
    expect(emailOf('IBIGBATCH0001')).toMatch(/… and \d+ more/);
  });
});

describe('chat and topic failures', () => {
  it('Slack 429 with Retry-After: waits and delivers once', async () => {
    pipeline.slack.answerNext({ status: 429, retryAfterSeconds: 1, body: 'rate_limited' });
    const attemptsBefore = pipeline.slack.attempts.length;
    const execution = await watch(invalidation('ISLACK4290001'));

    expect(execution.status).toBe('SUCCEEDED');
    expect(pipeline.slack.attempts.length - attemptsBefore).toBe(2);
    expect(slackFor('ISLACK4290001')).toHaveLength(1);
  });

  it('Slack 429 asking for a long wait: the state machine retries later and delivers once', async () => {
    pipeline.slack.answerNext({ status: 429, retryAfterSeconds: 60, body: 'rate_limited' });
    const attemptsBefore = pipeline.slack.attempts.length;
    const execution = await watch(invalidation('ISLACK4290002'));

    expect(execution.status).toBe('SUCCEEDED');
    expect(slackFor('ISLACK4290002')).toHaveLength(1);
    // Nothing posted to the webhook before the wait Slack asked for was over (the pace held it).
    const [refused, accepted, ...more] = pipeline.slack.attempts.slice(attemptsBefore);
    expect(more).toEqual([]);
    expect(refused!.status).toBe(429);
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(60_000);
  });

  it('a rejected webhook (404): no retry, the execution fails visibly, SNS still gets its message', async () => {
    pipeline.slack.answerNext({ status: 404, body: 'no_service' });
    const attemptsBefore = pipeline.slack.attempts.length;
    const execution = await watch(invalidation('ISLACK4040001'));

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe(WatcherFailures.notDelivered);
    expect(execution.error?.cause).toMatch(/WebhookRejected[\s\S]*404 no_service/);
    expect(pipeline.slack.attempts.length - attemptsBefore).toBe(1);
    expect(snsFor('ISLACK4040001')).toHaveLength(1);
  });

  it('an SNS 5xx is retried and published once', async () => {
    pipeline.aws.snsFailures.push({ status: 500, code: 'InternalError' });
    const execution = await watch(invalidation('ISNS50000001'));

    expect(execution.status).toBe('SUCCEEDED');
    expect(snsFor('ISNS50000001')).toHaveLength(1);
  });

  it('an SNS refusal (403) fails the execution but Slack still gets its message', async () => {
    pipeline.aws.snsFailures.push({ status: 403, code: 'AuthorizationError' });
    const execution = await watch(invalidation('ISNS40300001'));

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.cause).toMatch(/AuthorizationError/);
    expect(snsFor('ISNS40300001')).toHaveLength(0);
    expect(slackFor('ISNS40300001')).toHaveLength(1);
  });
});
