import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { AwsEmulator } from '../../local/aws-emulator';
import { QueueEmulator, idlePollRequests } from '../../local/queue-emulator';
import { Simulation } from '../../local/simulation';
import type { CfnTemplate } from '../../local/template';

const T0 = Date.UTC(2025, 0, 1);
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/clock';

let sim: Simulation;
let queues: QueueEmulator;
let aws: AwsEmulator;
let client: SQSClient;

beforeEach(async () => {
  sim = new Simulation({ startMs: T0 });
  queues = new QueueEmulator(sim);
  aws = new AwsEmulator(
    () => {
      throw new Error('no state machines here');
    },
    { queues },
  );
  // As the functions will: the endpoint from AWS_ENDPOINT_URL_SQS, and the queue URL's own
  // host ignored (by default the SDK sends to the host in QueueUrl, the real SQS).
  process.env.AWS_ENDPOINT_URL_SQS = await aws.start();
  client = new SQSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
});

afterEach(async () => {
  client.destroy();
  delete process.env.AWS_ENDPOINT_URL_SQS;
  await aws.stop();
});

/** SDK calls run as a handler's would: tracked, so the clock stands still during the round trip. */
const send = <T>(work: () => Promise<T>) => sim.track(work);

/** A handler that records each delivery's virtual instant and event, then answers with `answer`. */
function recorder(answer: (event: SQSEvent, delivery: number) => SQSBatchResponse | void | Promise<void> = () => undefined) {
  const deliveries: { atMs: number; event: SQSEvent }[] = [];
  const handler = async (event: SQSEvent) => {
    deliveries.push({ atMs: sim.now(), event });
    return answer(event, deliveries.length);
  };
  return { deliveries, handler };
}

describe('QueueEmulator through the real SQS client', () => {
  test('a delayed message is delivered when the virtual clock reaches send time + delay, in a Lambda SQS event, then deleted', async () => {
    const { arn } = queues.createQueue('clock', { visibilityTimeoutSeconds: 10 });
    const { deliveries, handler } = recorder();
    queues.subscribe(arn, handler, { batchSize: 1, maximumConcurrency: 2 });

    const sent = await send(() =>
      client.send(
        new SendMessageCommand({
          QueueUrl: QUEUE_URL,
          MessageBody: '{"tick":1}',
          DelaySeconds: 4,
          MessageAttributes: { chain: { DataType: 'String', StringValue: 'c-1' } },
        }),
      ),
    );
    const attributes = await send(() =>
      client.send(
        new GetQueueAttributesCommand({
          QueueUrl: QUEUE_URL,
          AttributeNames: ['ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessages'],
        }),
      ),
    );
    expect(attributes.Attributes).toEqual({ ApproximateNumberOfMessagesDelayed: '1', ApproximateNumberOfMessages: '0' });
    await sim.idle();

    expect(deliveries.map((delivery) => delivery.atMs - T0)).toEqual([4000]);
    const [record] = deliveries[0]!.event.Records;
    expect(record).toEqual({
      messageId: sent.MessageId,
      receiptHandle: expect.any(String),
      body: '{"tick":1}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(T0),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: String(T0 + 4000),
      },
      messageAttributes: { chain: { dataType: 'String', stringValue: 'c-1', stringListValues: [], binaryListValues: [] } },
      md5OfBody: sent.MD5OfMessageBody,
      md5OfMessageAttributes: sent.MD5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:clock',
      awsRegion: 'us-east-1',
    });
    expect(queues.messages('clock')).toEqual([]);
    // Nothing left: no visibility timer keeps the clock going after the delete.
    expect(sim.now()).toBe(T0 + 4000);
    expect(queues.counters).toMatchObject({
      sendMessage: 1,
      receiveMessage: 1,
      deleteMessage: 1,
      otherRequests: 1,
      messagesDelivered: 1,
      messagesRedelivered: 0,
    });
  });

  test("MD5OfMessageAttributes is SQS's digest: each attribute's name, type, transport and value, length-prefixed, sorted by name", async () => {
    queues.createQueue('clock');
    const sent = await send(() =>
      client.send(
        new SendMessageCommand({
          QueueUrl: QUEUE_URL,
          MessageBody: 'x',
          MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } },
        }),
      ),
    );
    // Name "a", type "String", transport 1, value "b", each length-prefixed (4 bytes big-endian), MD5.
    const bytes = Buffer.concat([
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('a'),
      Buffer.from([0, 0, 0, 6]),
      Buffer.from('String'),
      Buffer.from([1]),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('b'),
    ]);
    expect(sent.MD5OfMessageAttributes).toBe(createHash('md5').update(bytes).digest('hex'));
  });

  test('a thrown error brings the batch back after the visibility timeout with its receive count up; past maxReceiveCount it moves to the dead-letter queue', async () => {
    const { arn } = queues.createQueue('clock', { visibilityTimeoutSeconds: 10, maxReceiveCount: 3, deadLetterQueueName: 'clock-dlq' });
    const { deliveries, handler } = recorder(() => {
      throw new Error('checker crashed');
    });
    queues.subscribe(arn, handler, { batchSize: 1, maximumConcurrency: 2 });

    await send(() => client.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: 'tick', DelaySeconds: 1 })));
    await sim.idle();

    expect(deliveries.map(({ atMs, event }) => [atMs - T0, event.Records[0]!.attributes.ApproximateReceiveCount])).toEqual([
      [1000, '1'],
      [11_000, '2'],
      [21_000, '3'],
    ]);
    // The fourth receive (at 31 s) finds the count at maxReceiveCount: the message moves instead.
    expect(sim.now()).toBe(T0 + 31_000);
    expect(queues.messages('clock')).toEqual([]);
    expect(queues.messages('clock-dlq')).toEqual([
      expect.objectContaining({ body: 'tick', receiveCount: 3, deadLetterSourceArn: arn, sentAtMs: T0, firstReceivedAtMs: T0 + 1000 }),
    ]);
    expect(queues.counters).toMatchObject({
      receiveMessage: 3,
      deleteMessage: 0,
      messagesDelivered: 1,
      messagesRedelivered: 2,
      messagesDeadLettered: 1,
    });
  });

  test('batchItemFailures bring back only the messages they name; naming one not in the batch fails the whole batch', async () => {
    const { arn } = queues.createQueue('clock', { visibilityTimeoutSeconds: 5 });
    const { deliveries, handler } = recorder((event, delivery) => {
      if (delivery === 1) return { batchItemFailures: [{ itemIdentifier: event.Records[1]!.messageId }] };
      if (delivery === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
    });
    queues.subscribe(arn, handler, { batchSize: 10, maximumConcurrency: 2, reportBatchItemFailures: true });

    const batch = await send(() =>
      client.send(
        new SendMessageBatchCommand({
          QueueUrl: QUEUE_URL,
          Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })),
        }),
      ),
    );
    expect(batch.Successful).toHaveLength(3);
    await sim.idle();

    expect(deliveries.map(({ atMs, event }) => [atMs - T0, event.Records.map((record) => record.body)])).toEqual([
      [0, ['a', 'b', 'c']],
      [5000, ['b']],
      [10_000, ['b']],
    ]);
    // One SendMessageBatch, three batches received, two batches deleted (the second deleted nothing).
    expect(queues.counters).toMatchObject({
      sendMessage: 1,
      receiveMessage: 3,
      deleteMessage: 2,
      messagesDelivered: 3,
      messagesRedelivered: 2,
    });
  });

  test('without ReportBatchItemFailures a returned batchItemFailures is ignored: the batch succeeded', async () => {
    const { arn } = queues.createQueue('clock', { visibilityTimeoutSeconds: 5 });
    const { deliveries, handler } = recorder((event) => ({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] }));
    queues.subscribe(arn, handler, { batchSize: 10, maximumConcurrency: 2 });
    queues.send('clock', 'a');
    await sim.idle();
    expect(deliveries).toHaveLength(1);
    expect(queues.messages('clock')).toEqual([]);
  });

  test('at most maximumConcurrency invocations at once; the rest wait for one to end, at the same virtual instant', async () => {
    const { arn } = queues.createQueue('clock');
    let running = 0;
    let most = 0;
    const instants: number[] = [];
    queues.subscribe(
      arn,
      async () => {
        running++;
        most = Math.max(most, running);
        instants.push(sim.now());
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
      },
      { batchSize: 1, maximumConcurrency: 2 },
    );
    for (let i = 0; i < 6; i++) queues.send('clock', `m${i}`);
    await sim.idle();
    expect(instants).toHaveLength(6);
    expect(most).toBe(2);
    expect(new Set(instants)).toEqual(new Set([T0]));
  });

  test('messages sent before the mapping exists are delivered once it subscribes', async () => {
    const { arn } = queues.createQueue('clock');
    queues.send('clock', 'early', 2);
    await sim.sleep(5);
    const { deliveries, handler } = recorder();
    queues.subscribe(arn, handler, { batchSize: 1, maximumConcurrency: 2 });
    await sim.idle();
    expect(deliveries.map((delivery) => delivery.atMs - T0)).toEqual([5000]);
  });

  test('ReceiveMessage and DeleteMessage for a consumer without a mapping', async () => {
    queues.createQueue('clock', { visibilityTimeoutSeconds: 30 });
    await send(() => client.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: 'hello', DelaySeconds: 2 })));
    expect((await send(() => client.send(new ReceiveMessageCommand({ QueueUrl: QUEUE_URL })))).Messages ?? []).toEqual([]);
    await sim.sleep(2);
    const received = await send(() =>
      client.send(new ReceiveMessageCommand({ QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] })),
    );
    expect(received.Messages).toEqual([
      expect.objectContaining({ Body: 'hello', Attributes: expect.objectContaining({ ApproximateReceiveCount: '1' }) }),
    ]);
    const notVisible = await send(() => client.send(new GetQueueAttributesCommand({ QueueUrl: QUEUE_URL, AttributeNames: ['All'] })));
    expect(notVisible.Attributes).toMatchObject({
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    });
    await send(() => client.send(new DeleteMessageCommand({ QueueUrl: QUEUE_URL, ReceiptHandle: received.Messages![0]!.ReceiptHandle })));
    expect(queues.messages('clock')).toEqual([]);
    await expect(send(() => client.send(new DeleteMessageCommand({ QueueUrl: QUEUE_URL, ReceiptHandle: 'forged' })))).rejects.toMatchObject(
      {
        name: 'ReceiptHandleIsInvalid',
      },
    );
  });
});

describe('QueueEmulator refuses what SQS refuses, with its codes', () => {
  beforeEach(() => {
    queues.createQueue('clock');
  });

  test('an unknown queue: QueueDoesNotExist (query code AWS.SimpleQueueService.NonExistentQueue)', async () => {
    await expect(
      send(() =>
        client.send(new SendMessageCommand({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/nope', MessageBody: 'x' })),
      ),
    ).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      $metadata: { httpStatusCode: 400 },
    });
  });

  test('a body of 262,144 bytes is accepted and billed as 4 requests; one byte more is InvalidParameterValue', async () => {
    await send(() => client.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: 'x'.repeat(262_144) })));
    expect(queues.counters.sendMessage).toBe(4);
    await expect(
      send(() => client.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: 'x'.repeat(262_145) }))),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
      $metadata: { httpStatusCode: 400 },
    });
    expect(queues.messages('clock')).toHaveLength(1);
  });

  test('DelaySeconds above 900: InvalidParameterValue; in a batch, that entry fails alone', async () => {
    await expect(
      send(() => client.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: 'x', DelaySeconds: 901 }))),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    const batch = await send(() =>
      client.send(
        new SendMessageBatchCommand({
          QueueUrl: QUEUE_URL,
          Entries: [
            { Id: 'ok', MessageBody: 'x', DelaySeconds: 900 },
            { Id: 'late', MessageBody: 'y', DelaySeconds: 901 },
          ],
        }),
      ),
    );
    expect(batch.Successful?.map((entry) => entry.Id)).toEqual(['ok']);
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: 'late', SenderFault: true, Code: 'InvalidParameterValue' })]);
    expect(queues.messages('clock').map((message) => message.visibleAtMs - T0)).toEqual([900_000]);
  });

  test('batches: ids must be distinct, at most 10 entries', async () => {
    await expect(
      send(() =>
        client.send(
          new SendMessageBatchCommand({
            QueueUrl: QUEUE_URL,
            Entries: [
              { Id: 'a', MessageBody: 'x' },
              { Id: 'a', MessageBody: 'y' },
            ],
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    await expect(
      send(() =>
        client.send(
          new SendMessageBatchCommand({
            QueueUrl: QUEUE_URL,
            Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' })),
          }),
        ),
      ),
    ).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
  });

  test('a body with a character SQS does not accept: InvalidMessageContents', async () => {
    await expect(
      send(() => client.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: 'bell \u0007' }))),
    ).rejects.toMatchObject({
      name: 'InvalidMessageContents',
    });
  });
});

describe('queues and mappings from a CloudFormation template', () => {
  // The shapes CDK synthesizes for `new Queue(..., { deadLetterQueue })` and `new SqsEventSource(...)`.
  const template: CfnTemplate = {
    Resources: {
      CheckerTicks: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: 20,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['CheckerTicksDlq', 'Arn'] }, maxReceiveCount: 2 },
        },
      },
      CheckerTicksDlq: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } },
      Checker: { Type: 'AWS::Lambda::Function', Properties: {} },
      CheckerSqsEventSource: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: { 'Fn::GetAtt': ['CheckerTicks', 'Arn'] },
          FunctionName: { Ref: 'Checker' },
          BatchSize: 1,
          ScalingConfig: { MaximumConcurrency: 2 },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        },
      },
    },
  };

  test('creates the queues by logical id with their visibility timeout and redrive policy, and subscribes the mapped function', async () => {
    const created = queues.createQueuesOf(template);
    expect(created.CheckerTicks).toEqual({
      name: 'CheckerTicks',
      url: 'https://sqs.us-east-1.amazonaws.com/123456789012/CheckerTicks',
      arn: 'arn:aws:sqs:us-east-1:123456789012:CheckerTicks',
    });
    const invoked: string[] = [];
    const deliveries: number[] = [];
    queues.subscribeMappingsOf(template, (functionLogicalId) => {
      invoked.push(functionLogicalId);
      return async (event) => {
        deliveries.push(sim.now() - T0);
        // Batch size 1 and partial failures reported: the one record fails.
        return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
      };
    });
    expect(invoked).toEqual(['Checker']);

    queues.send('CheckerTicks', 'tick');
    queues.send('CheckerTicks', 'tock');
    await sim.idle();
    // Two at once (concurrency 2, batch 1), back after 20 s, then to the dead-letter queue.
    expect(deliveries).toEqual([0, 0, 20_000, 20_000]);
    expect(
      queues
        .messages('CheckerTicksDlq')
        .map((message) => message.body)
        .sort(),
    ).toEqual(['tick', 'tock']);
  });

  test('a mapping on a queue the template does not declare is refused by name', () => {
    expect(() => queues.subscribe('arn:aws:sqs:us-east-1:123456789012:Missing', async () => undefined)).toThrow(
      'No queue arn:aws:sqs:us-east-1:123456789012:Missing',
    );
  });
});

test('an idle mapping still long-polls: 5 pollers, one request each per 20 s', () => {
  expect(idlePollRequests(3600)).toBe(900);
});
