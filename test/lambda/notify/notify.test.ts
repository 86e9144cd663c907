import {
  AuthorizationErrorException,
  InternalErrorException,
  InvalidParameterException,
  KMSAccessDeniedException,
  KMSThrottlingException,
  NotFoundException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { renderSnsMessage, renderSubject } from '../../../lambda/notify/render-sns';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { notify, type NotifyDependencies } from '../../../lambda/notify/notify';
import { timeBudget } from '../../../lambda/notify/time-budget';
import { parseNotifyInput, type DeliveryInput as NotifyInput } from '../../../lambda/notify/notify-input';
import { buildNotification, type WatchState } from '../../../lambda/shared/notification';
import { samplePaths } from '../../../lambda/shared/status-result';
import { completedStatus, distributionRequest } from './fixtures';
import { failureOf } from '../../support/failure-of';
import { SFNClient } from '@aws-sdk/client-sfn';
import { TellStore } from '../../../lambda/shared/tell-store';
import { WATCH_TABLE, startWatchTable, type WatchTable } from '../../support/watch-table';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudfront-invalidations';
const SECRET_ID = 'cloudfront-notifier/slack-webhook';

const snsMock = mockClient(SNSClient);
const sns = new SNSClient({ region: 'us-east-1' });

const completed: WatchState = {
  outcome: 'completed',
  request: distributionRequest,
  status: completedStatus(samplePaths(['/index.html', '#product-123'], 2)),
};

afterEach(() => {
  snsMock.reset();
});

// Paces and bursts live in the checker's table; Step Functions hears the task's answer.
let table: WatchTable;
const answered: string[] = [];
const sfn = { send: async (command: { input: { output?: string } }) => answered.push(command.input.output ?? '') } as unknown as SFNClient;
beforeAll(async () => {
  table = await startWatchTable();
});
afterAll(() => table.stop());
beforeEach(async () => {
  await table.empty();
  answered.length = 0;
});

/** What "Notify destination" sends for a watch told to `destination`. */
const delivery = (destination: string, watch: WatchState | NotifyInput['watch']): NotifyInput => ({
  taskToken: 'token-1',
  destination,
  watch,
  execution: 'E2QWRUHAPOMQZL-I2J0I21PCUYOIK',
  startedAt: '2026-11-21T18:00:00.000Z',
});

/** The function's view of its destinations: one topic and one Slack webhook. */
function deps(overrides: Partial<NotifyDependencies> = {}): NotifyDependencies {
  return {
    destinations: { email: { type: 'sns', topicArn: TOPIC_ARN }, 'team-slack': { type: 'slack', secretId: SECRET_ID } },
    sns: () => sns,
    eventBridge: () => new EventBridgeClient({ region: 'us-east-1' }),
    readSecret: async () => {
      throw new Error('no secret in this test');
    },
    sfn: () => sfn,
    store: new TellStore(WATCH_TABLE, table.client),
    ...overrides,
  };
}

describe('notify through SNS', () => {
  it('publishes one JSON-structured message with subject and filterable attributes', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const input: NotifyInput = delivery('email', completed);

    // Act
    const result = await notify(input, deps());

    // Assert
    const notification = buildNotification(completed);
    expect(result).toEqual({ destination: 'email', type: 'sns', delivered: true, outcome: 'completed', told: 'separate' });
    expect(answered.map((output) => JSON.parse(output))).toEqual([result]);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      MessageStructure: 'json',
      Subject: renderSubject(notification),
      Message: renderSnsMessage(notification),
      MessageAttributes: {
        outcome: { DataType: 'String', StringValue: 'completed' },
        targetId: { DataType: 'String', StringValue: 'E2QWRUHAPOMQZL' },
        targetKind: { DataType: 'String', StringValue: 'distribution' },
      },
    });
  });

  it('sends only the outcome attribute when the target is unknown', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const input = delivery('email', { outcome: 'could-not-track', rejected: { reason: 'detail.eventName is missing', eventId: 'e-1' } });

    // Act
    await notify(input, deps());

    // Assert
    const sent = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(sent.MessageAttributes).toEqual({ outcome: { DataType: 'String', StringValue: 'could-not-track' } });
  });

  it("gives the SNS call the invocation's signal, so that it ends with the invocation's time", async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const budget = timeBudget(10_000);

    // Act
    await notify(delivery('email', completed), deps(), budget);

    // Assert
    expect((snsMock.call(0).args as unknown[] as [unknown, { abortSignal?: AbortSignal }])[1].abortSignal).toBe(budget.signal);
  });

  it.each<[string, Error]>([
    ['an SNS 500', new InternalErrorException({ message: 'Internal error', $metadata: { httpStatusCode: 500 } })],
    ['SNS throttling (Throttled, 429)', new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } })],
    [
      'KMS throttling behind SNS (KMSThrottling, 400)',
      new KMSThrottlingException({ message: 'KMS rate exceeded', $metadata: { httpStatusCode: 400 } }),
    ],
    ['a network failure without HTTP status', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })],
  ])('turns %s into TopicUnavailable (transient), keeping the cause', async (_name, failure) => {
    // Prepare
    snsMock.on(PublishCommand).rejects(failure);

    // Act
    const error = await failureOf(() => notify(delivery('email', completed), deps()));

    // Assert
    expect(error.name).toBe('TopicUnavailable');
    expect(error.message).toContain(failure.name);
    expect(error.cause).toBe(failure);
  });

  it.each<[string, Error, RegExp]>([
    [
      'AuthorizationError (403)',
      new AuthorizationErrorException({ message: 'not authorized to perform SNS:Publish', $metadata: { httpStatusCode: 403 } }),
      /not allowed to publish/,
    ],
    [
      'InvalidParameter (400)',
      new InvalidParameterException({ message: 'Invalid parameter: Message too long', $metadata: { httpStatusCode: 400 } }),
      /malformed/,
    ],
    [
      'KMSAccessDenied (400)',
      new KMSAccessDeniedException({ message: 'The ciphertext refers to a key that does not exist', $metadata: { httpStatusCode: 400 } }),
      /KMS key/,
    ],
    ['NotFound (404)', new NotFoundException({ message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } }), /does not exist/],
  ])('turns %s into TopicRejected (permanent), naming the topic and what to check', async (_name, failure, what) => {
    // Prepare
    snsMock.on(PublishCommand).rejects(failure);

    // Act
    const error = await failureOf(() => notify(delivery('email', completed), deps()));

    // Assert
    expect(error.name).toBe('TopicRejected');
    expect(error.message).toContain(TOPIC_ARN);
    expect(error.message).toContain(failure.name);
    expect(error.message).toMatch(what);
    expect(error.message).toContain(failure.message);
    expect(error.cause).toBe(failure);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('fails with InvalidWatcherInput, naming the known destinations, for a destination it does not know', async () => {
    // Act
    const error = await failureOf(() => notify(delivery('nowhere', completed), deps()));

    // Assert
    expect(error.name).toBe('InvalidWatcherInput');
    expect(error.message).toContain('"nowhere"');
    expect(error.message).toContain('email, team-slack');
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });
});

describe('notify through Slack', () => {
  it('fails with SecretInvalid naming the secret and the real error when the secret does not exist', async () => {
    // Prepare
    const readSecret = jest.fn(async () => {
      throw Object.assign(new Error("Secrets Manager can't find the specified secret."), {
        name: 'ResourceNotFoundException',
        $metadata: { httpStatusCode: 400 },
      });
    });

    // Act
    const error = await failureOf(() => notify(delivery('team-slack', completed), deps({ readSecret })));

    // Assert
    expect(error.name).toBe('SecretInvalid');
    expect(error.message).toContain(SECRET_ID);
    expect(error.message).toContain('ResourceNotFoundException');
    expect(readSecret).toHaveBeenCalledWith(SECRET_ID);
  });

  it('fails with SecretUnavailable (retried) when Secrets Manager answers 500, not with an "invalid secret"', async () => {
    // Prepare
    const readSecret = async () =>
      Promise.reject(Object.assign(new Error('Internal error'), { name: 'InternalServiceError', $metadata: { httpStatusCode: 500 } }));

    // Act
    const error = await failureOf(() => notify(delivery('team-slack', completed), deps({ readSecret })));

    // Assert
    expect(error.name).toBe('SecretUnavailable');
    expect(error.message).toContain(SECRET_ID);
    expect(error.message).toContain('InternalServiceError');
  });

  it('fails with SecretInvalid when the secret holds no webhook URL, without showing the value', async () => {
    // Prepare
    const readSecret = async () => 'not-a-url-sekr1t';

    // Act
    const error = await failureOf(() => notify(delivery('team-slack', completed), deps({ readSecret })));

    // Assert
    expect(error.name).toBe('SecretInvalid');
    expect(error.message).toContain(SECRET_ID);
    expect(error.message).not.toContain('sekr1t');
  });

  it('says which key is missing when the secret is JSON with another key', async () => {
    // Prepare
    const readSecret = async () => '{"url": "https://hooks.slack.com/services/T0/B0/sekr1t"}';

    // Act
    const error = await failureOf(() => notify(delivery('team-slack', completed), deps({ readSecret })));

    // Assert
    expect(error.name).toBe('SecretInvalid');
    expect(error.message).toContain('"webhookUrl"');
    expect(error.message).not.toMatch(/not valid JSON/);
    expect(error.message).not.toContain('sekr1t');
  });
});

describe('parseNotifyInput', () => {
  it('accepts a channel and a watch state with a known outcome', () => {
    // Prepare
    const event = delivery('team-slack', completed);

    // Act
    const input = parseNotifyInput(event);

    // Assert
    expect(input).toEqual(event);
  });

  it('names every bad field and what it must be', () => {
    const parse = () =>
      parseNotifyInput({ destination: '', watch: { outcome: 'done' }, taskToken: 't', startedAt: '2026-11-21T18:00:00Z' });
    expect(parse).toThrow(
      'Notify input: "destination": must be a destination name; "watch.outcome": must be one of completed, still-in-progress, could-not-track; "execution": is missing',
    );
  });

  it.each<[string, unknown, string]>([
    ['no input', null, 'destination'],
    ['a destination that is not a name', { destination: 3, watch: completed }, 'destination'],
    ['no watch state', { destination: 'email' }, 'watch'],
    ['an unknown outcome', { destination: 'email', watch: { ...completed, outcome: 'done' } }, 'watch.outcome'],
  ])('rejects %s with InvalidWatcherInput', (_name, event, field) => {
    // Act
    const parse = () => parseNotifyInput(event);

    // Assert
    expect(parse).toThrow(expect.objectContaining({ name: 'InvalidWatcherInput', message: expect.stringContaining(field) }));
  });
});
