/**
 * Delivery faults, end to end through the synthesized state machine: a brief fault of a
 * dependency (Secrets Manager, SNS, KMS behind SNS) is retried by the state machine and the
 * message still arrives exactly once; a permanent one fails visibly, naming what is wrong.
 *
 * Order matters in this file: the Notify function caches the webhook secret once it has read
 * it, so the secret's faults are exercised before the first successful read.
 *
 * Notify gets an 8 s timeout here (Lambda's is 30 s) so that running past it costs seconds of
 * real time, not tens; its time budget is what the context says is left, as in Lambda.
 */
import { ErrorNames, LAMBDA_TIMEOUT_ERRORS } from '../../lambda/shared/errors';
import { AWS_CLIENT_MAX_ATTEMPTS } from '../../lambda/notify/aws-clients';
import { WatcherFailures } from '../../lib/watcher';
import { SAMPLE_DISTRIBUTION, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../../local/events';
import type { LocalExecution } from '../../local/local-watcher';
import { notifyCalls } from '../support/notify-calls';
import { LOCAL_SLACK_SECRET_NAME, startLocalPipeline, type LocalPipeline } from '../../local/pipeline';

const NOTIFY_TIMEOUT_MS = 8_000;

/** Per `channel:invalidationId`: what the next Notify invocations do before the handler runs. */
const notifyFaults = new Map<string, (() => Promise<void>)[]>();

let pipeline: LocalPipeline;
beforeAll(async () => {
  pipeline = await startLocalPipeline({
    functionTimeoutsMs: { notify: NOTIFY_TIMEOUT_MS },
    beforeInvoke: async (functionDir, input) => {
      const { destination: channel, watch } = (input ?? {}) as { destination?: string; watch?: { request?: { invalidationId?: string } } };
      if (functionDir === 'notify') await notifyFaults.get(`${channel}:${watch?.request?.invalidationId}`)?.shift()?.();
    },
  });
});
afterAll(() => pipeline.stop());

const invalidation = (invalidationId: string): SampleInvalidation => ({ ...SAMPLE_DISTRIBUTION, invalidationId });

async function watch(sample: SampleInvalidation): Promise<LocalExecution> {
  pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 0 }));
  await pipeline.deliver(cloudTrailEvent(sample));
  await pipeline.idle();
  return [...pipeline.watcher.executions.values()].find((e) => e.name.includes(sample.invalidationId))!;
}
const slackFor = (id: string) => pipeline.slack.messages.filter((m) => m.text.includes(id));
const snsFor = (id: string) => pipeline.aws.published.filter((p) => p.subject?.includes(id) || p.message.includes(id));

describe('the webhook secret', () => {
  it('access denied is permanent: one read, no retry, the cause names the secret; SNS still delivers', async () => {
    pipeline.aws.secretsFailures.push({ status: 400, code: 'AccessDeniedException' });
    const readsBefore = pipeline.aws.secretReads;
    const execution = await watch(invalidation('ISECRETDENIED1'));

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe(WatcherFailures.notDelivered);
    expect(execution.error?.cause).toContain(ErrorNames.SecretInvalid);
    expect(execution.error?.cause).toContain(LOCAL_SLACK_SECRET_NAME);
    expect(execution.error?.cause).toContain('AccessDeniedException');
    // One attempt, not retried; the state machine counts the failed delivery itself (defect 8).
    expect(notifyCalls(pipeline, 'slack', execution)).toBe(1);
    expect(pipeline.aws.secretReads - readsBefore).toBe(1);
    expect(pipeline.slack.attempts).toHaveLength(0);
    expect(snsFor('ISECRETDENIED1')).toHaveLength(1);
  });

  it('a Secrets Manager fault lasting a whole invocation (500, throttling) is retried: one Slack message, execution succeeds', async () => {
    // Every attempt the SDK makes inside one invocation fails; the next invocation reads it.
    const faults = [
      { status: 500, code: 'InternalServiceError' },
      { status: 400, code: 'ThrottlingException' },
    ];
    pipeline.aws.secretsFailures.push(...Array.from({ length: AWS_CLIENT_MAX_ATTEMPTS }, (_, i) => faults[i % faults.length]!));
    const execution = await watch(invalidation('ISECRET5000001'));

    expect(execution.status).toBe('SUCCEEDED');
    // The attempts, each with how it ended (a wait for the channel's pace is not an attempt).
    expect(
      pipeline.notifyCalls
        .filter((call) => call.invalidationId === 'ISECRET5000001' && call.destination === 'slack' && call.result !== ErrorNames.TellLater)
        .map((call) => call.result),
    ).toEqual([ErrorNames.SecretUnavailable, 'returned']);
    expect(notifyCalls(pipeline, 'slack', execution)).toBe(2);
    expect(pipeline.aws.secretsFailures).toHaveLength(0);
    expect(slackFor('ISECRET5000001')).toHaveLength(1);
    expect(snsFor('ISECRET5000001')).toHaveLength(1);
  });
});

describe('SNS', () => {
  it('KMSThrottlingException once: retried, exactly one SNS message, execution succeeds', async () => {
    pipeline.aws.snsFailures.push({ status: 400, code: 'KMSThrottling' });
    const execution = await watch(invalidation('ISNSKMSTHROTT1'));

    expect(execution.status).toBe('SUCCEEDED');
    expect(notifyCalls(pipeline, 'sns', execution)).toBe(2);
    expect(snsFor('ISNSKMSTHROTT1')).toHaveLength(1);
    expect(slackFor('ISNSKMSTHROTT1')).toHaveLength(1);
  });
});

describe('the webhook', () => {
  it('400 invalid_blocks is our payload: no retry, the cause says malformed with Slack\'s code, not "check the webhook"', async () => {
    pipeline.slack.answerNext({ status: 400, body: 'invalid_blocks' });
    const attemptsBefore = pipeline.slack.attempts.length;
    const execution = await watch(invalidation('ISLACKBLOCKS01'));

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.name).toBe(WatcherFailures.notDelivered);
    expect(execution.error?.cause).toContain(ErrorNames.WebhookPayloadRejected);
    expect(execution.error?.cause).toMatch(/malformed[\s\S]*invalid_blocks|invalid_blocks[\s\S]*malformed/);
    expect(execution.error?.cause).not.toMatch(/check the webhook/i);
    expect(pipeline.slack.attempts.length - attemptsBefore).toBe(1);
    expect(snsFor('ISLACKBLOCKS01')).toHaveLength(1);
  });

  it('410 channel_is_archived says the webhook no longer works: no retry', async () => {
    pipeline.slack.answerNext({ status: 410, body: 'channel_is_archived' });
    const attemptsBefore = pipeline.slack.attempts.length;
    const execution = await watch(invalidation('ISLACKGONE0001'));

    expect(execution.status).toBe('FAILED');
    expect(execution.error?.cause).toContain(ErrorNames.WebhookRejected);
    expect(execution.error?.cause).toContain('channel_is_archived');
    expect(execution.error?.cause).toContain(LOCAL_SLACK_SECRET_NAME);
    expect(pipeline.slack.attempts.length - attemptsBefore).toBe(1);
  });
});

describe('the time budget', () => {
  it('Retry-After waits longer than the invocation has left are not slept: no function timeout, retried later, one message', async () => {
    // Two answers asking for 7 s each (below the 10 s inline limit): after either wait no time
    // would be left for a request before middy's early timeout, 1 s before the 8 s timeout.
    pipeline.slack.answerNext(
      { status: 429, body: 'rate_limited', retryAfterSeconds: 7 },
      { status: 429, body: 'rate_limited', retryAfterSeconds: 7 },
    );
    const execution = await watch(invalidation('ISLACKBUDGET01'));

    expect(pipeline.functionTimeouts).not.toContain('notify');
    expect(execution.status).toBe('SUCCEEDED');
    expect(notifyCalls(pipeline, 'slack', execution)).toBe(3);
    expect(slackFor('ISLACKBUDGET01')).toHaveLength(1);
  });

  it.each(LAMBDA_TIMEOUT_ERRORS)('a Notify invocation ending in %s (a stalled runtime) is retried: one message', async (errorName) => {
    const id = `INOTIFYTIMEOUT${errorName.replace(/\W/g, '')}`.slice(0, 20);
    notifyFaults.set(`slack:${id}`, [
      () => Promise.reject(Object.assign(new Error(`Task timed out after ${NOTIFY_TIMEOUT_MS / 1000}.00 seconds`), { name: errorName })),
    ]);
    const execution = await watch(invalidation(id));

    expect(execution.status).toBe('SUCCEEDED');
    expect(notifyCalls(pipeline, 'slack', execution)).toBe(2);
    expect(slackFor(id)).toHaveLength(1);
    expect(snsFor(id)).toHaveLength(1);
  });
});
