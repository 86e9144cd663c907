import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { LoopbackResponse } from './loopback-server';
import type { Simulation } from './simulation';
import { LOCAL_ACCOUNT, LOCAL_REGION, resolveIntrinsics, resourcesOfType, type CfnTemplate } from './template';

/**
 * Amazon SQS standard queues and Lambda's SQS event source mapping, in process, on the virtual
 * clock of a {@link Simulation}: a message sent with a delay becomes visible when the clock
 * reaches it, a batch a handler failed comes back after the visibility timeout, a message
 * received more than maxReceiveCount times moves to the dead-letter queue. The JSON protocol
 * (`x-amz-target: AmazonSQS.<Operation>`) is answered through {@link QueueEmulator.answer},
 * which the AWS emulator routes to.
 *
 * Not emulated: FIFO queues, message retention (messages never expire), long polling
 * (ReceiveMessage answers at once), the mapping's batching window and its scaling ramp.
 */
export interface QueueOptions {
  /** @default 30 (SQS's default) */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives after which a message moves to the dead-letter queue. @default none (kept forever) */
  readonly maxReceiveCount?: number;
  /** Name of the queue messages move to after maxReceiveCount receives (created if missing). */
  readonly deadLetterQueueName?: string;
  /** The queue's MaximumMessageSize. @default 262,144 (SQS's default; 1,048,576 at most) */
  readonly maximumMessageSizeBytes?: number;
  /** The queue's DelaySeconds, for messages sent without their own. @default 0 */
  readonly delaySeconds?: number;
}

export interface QueueAddress {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

export interface MappingOptions {
  /** Records per invocation (BatchSize). @default 10 (Lambda's default for SQS) */
  readonly batchSize?: number;
  /** Invocations at once (ScalingConfig.MaximumConcurrency). @default unlimited */
  readonly maximumConcurrency?: number;
  /** FunctionResponseTypes includes ReportBatchItemFailures: the handler's batchItemFailures return those messages only. */
  readonly reportBatchItemFailures?: boolean;
}

/** What the mapping invokes: a thrown error fails the whole batch. */
export type QueueHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void | unknown>;

/** A message as the queue holds it, for tests and reports. */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Record<string, MessageAttributeValue>;
  readonly sentAtMs: number;
  /** When it is (or was) visible: sent time + delay, or the end of its last visibility timeout. */
  readonly visibleAtMs: number;
  readonly receiveCount: number;
  readonly firstReceivedAtMs?: number;
  /** For a message in a dead-letter queue: the ARN of the queue it came from. */
  readonly deadLetterSourceArn?: string;
}

export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  /** Base64, as the JSON protocol carries it. */
  readonly BinaryValue?: string;
}

/** Requests as SQS bills them: each 64 KB chunk of a request's payload is one request. */
export interface QueueCounters {
  /** SendMessage and SendMessageBatch. */
  sendMessage: number;
  /** The mapping's ReceiveMessage (one per batch delivered, by the batch's size) and direct ReceiveMessage calls. */
  receiveMessage: number;
  /** DeleteMessage and DeleteMessageBatch: the mapping's one per batch it deletes, and direct calls. */
  deleteMessage: number;
  /** Any other action (GetQueueAttributes, GetQueueUrl). */
  otherRequests: number;
  /** Messages handed to a handler or a ReceiveMessage caller, first receives. */
  messagesDelivered: number;
  /** Receives after the first (a failed batch or an expired visibility timeout). */
  messagesRedelivered: number;
  /** Messages moved to a dead-letter queue. */
  messagesDeadLettered: number;
}

const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;
const DEFAULT_MAXIMUM_MESSAGE_BYTES = 262_144;
const MAXIMUM_MESSAGE_BYTES_CEILING = 1_048_576;
const MAX_DELAY_SECONDS = 900;
const MAX_BATCH_ENTRIES = 10;
/** SQS bills each 64 KB chunk of a payload as one request. */
const BILLING_CHUNK_BYTES = 65_536;
/** Lambda's pollers long-poll for 20 s each; an idle mapping still makes these requests. */
const LONG_POLL_SECONDS = 20;
/** Pollers an SQS event source mapping runs while idle (Lambda's documented starting number). */
export const IDLE_POLLERS = 5;
/** The sender Lambda's SQS records name (an IAM user id). */
const SENDER_ID = 'AIDAIT2UOQQY3AUEKVGXU';

/**
 * ReceiveMessage requests an idle event source mapping makes in `seconds` (each poller holds a
 * 20 s long poll). SQS bills them although they return nothing: the price of a clock that
 * "costs nothing while idle".
 */
export function idlePollRequests(seconds: number, pollers = IDLE_POLLERS): number {
  return Math.ceil(Math.max(0, seconds) / LONG_POLL_SECONDS) * pollers;
}

/** Billed requests for one request carrying `bytes` of payload. */
export const billedRequests = (bytes: number): number => Math.max(1, Math.ceil(bytes / BILLING_CHUNK_BYTES));

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Record<string, MessageAttributeValue>;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly sentAtMs: number;
  readonly deadLetterSourceArn?: string;
  visibleAtMs: number;
  receiveCount: number;
  firstReceivedAtMs?: number;
  receiptHandle?: string;
  /** Cancels the timer that wakes the queue when this message becomes visible. */
  cancelWake?: () => void;
}

interface Queue extends QueueAddress {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount?: number;
  readonly deadLetterQueueName?: string;
  readonly maximumMessageSizeBytes: number;
  readonly delaySeconds: number;
  /** In order of sending: standard queues give no order guarantee, this one delivers oldest first. */
  readonly messages: Map<string, Message>;
  readonly mappings: Mapping[];
}

interface Mapping {
  readonly handler: QueueHandler;
  readonly batchSize: number;
  readonly maximumConcurrency: number;
  readonly reportBatchItemFailures: boolean;
  running: number;
}

/** An SQS error: its JSON `__type`, the query-compatible code the SDK reads, and the HTTP status. */
export class SqsError extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const queueDoesNotExist = () =>
  new SqsError('com.amazonaws.sqs#QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
const invalidParameterValue = (message: string) =>
  new SqsError('com.amazon.coral.service#InvalidParameterValueException', 'InvalidParameterValue', message);
const missingParameter = (name: string) =>
  new SqsError('com.amazon.coral.service#MissingParameterException', 'MissingParameter', `The request must contain the parameter ${name}.`);

export class QueueEmulator {
  readonly counters: QueueCounters = {
    sendMessage: 0,
    receiveMessage: 0,
    deleteMessage: 0,
    otherRequests: 0,
    messagesDelivered: 0,
    messagesRedelivered: 0,
    messagesDeadLettered: 0,
  };
  private readonly queues = new Map<string, Queue>();
  /** Receipt handle -> message id, for DeleteMessage. */
  private readonly receipts = new Map<string, { queue: string; messageId: string }>();

  constructor(private readonly sim: Simulation) {}

  createQueue(name: string, options: QueueOptions = {}): QueueAddress {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name))
      throw new Error(`Queue name "${name}": use 1 to 80 letters, digits, hyphens or underscores (standard queues).`);
    const existing = this.queues.get(name);
    if (existing) return address(existing);
    const maximumMessageSizeBytes = options.maximumMessageSizeBytes ?? DEFAULT_MAXIMUM_MESSAGE_BYTES;
    if (maximumMessageSizeBytes < 1024 || maximumMessageSizeBytes > MAXIMUM_MESSAGE_BYTES_CEILING)
      throw new Error(`Queue ${name}: maximumMessageSizeBytes ${maximumMessageSizeBytes} is outside 1,024-1,048,576.`);
    if (options.deadLetterQueueName && !this.queues.has(options.deadLetterQueueName)) this.createQueue(options.deadLetterQueueName);
    const queue: Queue = {
      ...addressOf(name),
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
      maxReceiveCount: options.maxReceiveCount,
      deadLetterQueueName: options.deadLetterQueueName,
      maximumMessageSizeBytes,
      delaySeconds: options.delaySeconds ?? 0,
      messages: new Map(),
      mappings: [],
    };
    this.queues.set(name, queue);
    return address(queue);
  }

  /**
   * Creates the template's `AWS::SQS::Queue`s (named by logical id, dead-letter queues first) and
   * returns their addresses by logical id.
   */
  createQueuesOf(template: CfnTemplate): Record<string, QueueAddress> {
    const declared = new Map(resourcesOfType(template, 'AWS::SQS::Queue'));
    const created: Record<string, QueueAddress> = {};
    const create = (logicalId: string): QueueAddress => {
      if (created[logicalId]) return created[logicalId];
      const properties = (declared.get(logicalId)?.Properties ?? {}) as Record<string, unknown>;
      const redrive = resolveIntrinsics(template, properties.RedrivePolicy) as
        { deadLetterTargetArn?: string; maxReceiveCount?: number } | undefined;
      const deadLetterQueueName = redrive?.deadLetterTargetArn ? queueNameOfArn(redrive.deadLetterTargetArn) : undefined;
      if (deadLetterQueueName && declared.has(deadLetterQueueName)) create(deadLetterQueueName);
      created[logicalId] = this.createQueue(logicalId, {
        visibilityTimeoutSeconds: optionalNumber(properties.VisibilityTimeout),
        maxReceiveCount: optionalNumber(redrive?.maxReceiveCount),
        deadLetterQueueName,
        maximumMessageSizeBytes: optionalNumber(properties.MaximumMessageSize),
        delaySeconds: optionalNumber(properties.DelaySeconds),
      });
      return created[logicalId];
    };
    for (const logicalId of declared.keys()) create(logicalId);
    return created;
  }

  /**
   * Subscribes the template's `AWS::Lambda::EventSourceMapping`s on SQS queues: `handlerOf`
   * gets the mapping's function (its logical id, from FunctionName's Ref) and returns what runs it.
   */
  subscribeMappingsOf(template: CfnTemplate, handlerOf: (functionLogicalId: string) => QueueHandler): void {
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')) {
      const properties = (resource.Properties ?? {}) as Record<string, unknown>;
      const sourceArn = String(resolveIntrinsics(template, properties.EventSourceArn));
      if (!sourceArn.startsWith('arn:aws:sqs:')) continue;
      const functionName = properties.FunctionName as { Ref?: string } | string;
      const functionLogicalId = typeof functionName === 'string' ? functionName : functionName.Ref;
      if (!functionLogicalId) throw new Error(`Event source mapping ${logicalId}: FunctionName is neither a name nor a Ref.`);
      this.subscribe(sourceArn, handlerOf(functionLogicalId), {
        batchSize: optionalNumber(properties.BatchSize),
        maximumConcurrency: optionalNumber((properties.ScalingConfig as { MaximumConcurrency?: unknown } | undefined)?.MaximumConcurrency),
        reportBatchItemFailures: ((properties.FunctionResponseTypes as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
      });
    }
  }

  /** Lambda's event source mapping: delivers the queue's visible messages to `handler` in batches. */
  subscribe(queueArn: string, handler: QueueHandler, options: MappingOptions = {}): void {
    const queue = this.queues.get(queueNameOfArn(queueArn));
    if (!queue) throw new Error(`No queue ${queueArn} to subscribe to: create it first.`);
    const batchSize = options.batchSize ?? 10;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
      throw new Error(`Batch size ${batchSize} is outside 1-10,000.`);
    const maximumConcurrency = options.maximumConcurrency ?? Number.POSITIVE_INFINITY;
    // Lambda refuses a MaximumConcurrency below 2.
    if (maximumConcurrency < 2) throw new Error(`Maximum concurrency ${maximumConcurrency}: Lambda accepts 2 to 1,000.`);
    queue.mappings.push({
      handler,
      batchSize,
      maximumConcurrency,
      reportBatchItemFailures: options.reportBatchItemFailures ?? false,
      running: 0,
    });
    this.wake(queue);
  }

  /** A queue's messages (including those in flight), oldest first: for tests and dead-letter inspection. */
  messages(queueName: string): StoredMessage[] {
    return [...this.queueNamed(queueName).messages.values()].map((message) => ({
      messageId: message.messageId,
      body: message.body,
      messageAttributes: message.messageAttributes,
      sentAtMs: message.sentAtMs,
      visibleAtMs: message.visibleAtMs,
      receiveCount: message.receiveCount,
      firstReceivedAtMs: message.firstReceivedAtMs,
      deadLetterSourceArn: message.deadLetterSourceArn,
    }));
  }

  /** Sends a message as SendMessage would (without the HTTP round trip): returns its id. */
  send(queueName: string, body: string, delaySeconds?: number, messageAttributes: Record<string, MessageAttributeValue> = {}): string {
    const queue = this.queueNamed(queueName);
    const bytes = payloadBytes(body, messageAttributes);
    this.counters.sendMessage += billedRequests(bytes);
    return this.enqueue(queue, body, delaySeconds, messageAttributes).messageId;
  }

  /** Answers one `AmazonSQS.<Operation>` JSON request. */
  answer(target: string, body: string): LoopbackResponse {
    try {
      const input = JSON.parse(body || '{}') as Record<string, unknown>;
      switch (target) {
        case 'AmazonSQS.SendMessage':
          return ok(this.sendMessage(input));
        case 'AmazonSQS.SendMessageBatch':
          return ok(this.sendMessageBatch(input));
        case 'AmazonSQS.ReceiveMessage':
          return ok(this.receiveMessage(input));
        case 'AmazonSQS.DeleteMessage':
          return ok(this.deleteMessage(input));
        case 'AmazonSQS.DeleteMessageBatch':
          return ok(this.deleteMessageBatch(input));
        case 'AmazonSQS.GetQueueAttributes':
          return ok(this.getQueueAttributes(input));
        case 'AmazonSQS.GetQueueUrl':
          return ok(this.getQueueUrl(input));
        default:
          throw new SqsError('com.amazon.coral.service#UnknownOperationException', 'UnknownOperation', `Not emulated: ${target}`);
      }
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      return {
        status: error.status,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${error.queryCode};Sender`,
          'x-amzn-requestid': randomUUID(),
        },
        body: JSON.stringify({ __type: error.type, message: error.message }),
      };
    }
  }

  private sendMessage(input: Record<string, unknown>): Record<string, unknown> {
    const queue = this.queueOfUrl(input.QueueUrl);
    const entry = validEntry(queue, input);
    this.counters.sendMessage += billedRequests(entry.bytes);
    const message = this.enqueue(queue, entry.body, entry.delaySeconds, entry.messageAttributes);
    return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody, MD5OfMessageAttributes: message.md5OfMessageAttributes };
  }

  private sendMessageBatch(input: Record<string, unknown>): Record<string, unknown> {
    const queue = this.queueOfUrl(input.QueueUrl);
    const entries = (input.Entries ?? []) as Record<string, unknown>[];
    if (entries.length === 0)
      throw new SqsError(
        'com.amazonaws.sqs#EmptyBatchRequest',
        'AWS.SimpleQueueService.EmptyBatchRequest',
        'There should be at least one SendMessageBatchRequestEntry in the request.',
      );
    if (entries.length > MAX_BATCH_ENTRIES)
      throw new SqsError(
        'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
        'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
      );
    const ids = entries.map((entry) => String(entry.Id ?? ''));
    const badId = ids.find((id) => !/^[A-Za-z0-9_-]{1,80}$/.test(id));
    if (badId !== undefined)
      throw new SqsError(
        'com.amazonaws.sqs#InvalidBatchEntryId',
        'AWS.SimpleQueueService.InvalidBatchEntryId',
        `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.`,
      );
    if (new Set(ids).size !== ids.length)
      throw new SqsError(
        'com.amazonaws.sqs#BatchEntryIdsNotDistinct',
        'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
        'Two or more batch entries in the request have the same Id.',
      );
    const totalBytes = entries.reduce((sum, entry) => sum + payloadBytes(String(entry.MessageBody ?? ''), attributesOf(entry)), 0);
    if (totalBytes > queue.maximumMessageSizeBytes)
      throw new SqsError(
        'com.amazonaws.sqs#BatchRequestTooLong',
        'AWS.SimpleQueueService.BatchRequestTooLong',
        `Batch requests cannot be longer than ${queue.maximumMessageSizeBytes} bytes. You have sent ${totalBytes} bytes.`,
      );
    this.counters.sendMessage += billedRequests(totalBytes);
    const Successful: Record<string, unknown>[] = [];
    const Failed: Record<string, unknown>[] = [];
    for (const [index, raw] of entries.entries()) {
      try {
        const entry = validEntry(queue, raw);
        const message = this.enqueue(queue, entry.body, entry.delaySeconds, entry.messageAttributes);
        Successful.push({
          Id: ids[index],
          MessageId: message.messageId,
          MD5OfMessageBody: message.md5OfBody,
          MD5OfMessageAttributes: message.md5OfMessageAttributes,
        });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        Failed.push({ Id: ids[index], SenderFault: true, Code: error.queryCode, Message: error.message });
      }
    }
    return { Successful, Failed };
  }

  private receiveMessage(input: Record<string, unknown>): Record<string, unknown> {
    const queue = this.queueOfUrl(input.QueueUrl);
    const max = optionalNumber(input.MaxNumberOfMessages) ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10)
      throw invalidParameterValue(
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    const visibility = optionalNumber(input.VisibilityTimeout) ?? queue.visibilityTimeoutSeconds;
    const batch = this.receive(queue, max, visibility);
    this.counters.receiveMessage += billedRequests(
      batch.reduce((sum, message) => sum + payloadBytes(message.body, message.messageAttributes), 0),
    );
    const wanted = new Set([...((input.AttributeNames as string[]) ?? []), ...((input.MessageSystemAttributeNames as string[]) ?? [])]);
    const attributeNames = new Set((input.MessageAttributeNames as string[]) ?? []);
    return {
      Messages: batch.map((message) => ({
        MessageId: message.messageId,
        ReceiptHandle: message.receiptHandle,
        MD5OfBody: message.md5OfBody,
        Body: message.body,
        Attributes: wanted.size > 0 ? pick(systemAttributes(message), wanted) : undefined,
        MessageAttributes:
          attributeNames.size > 0
            ? Object.fromEntries(
                Object.entries(message.messageAttributes).filter(
                  ([name]) => attributeNames.has('All') || attributeNames.has('.*') || attributeNames.has(name),
                ),
              )
            : undefined,
        MD5OfMessageAttributes: attributeNames.size > 0 ? message.md5OfMessageAttributes : undefined,
      })),
    };
  }

  private deleteMessage(input: Record<string, unknown>): Record<string, unknown> {
    const queue = this.queueOfUrl(input.QueueUrl);
    this.counters.deleteMessage += 1;
    this.deleteByReceipt(queue, String(input.ReceiptHandle ?? ''));
    return {};
  }

  private deleteMessageBatch(input: Record<string, unknown>): Record<string, unknown> {
    const queue = this.queueOfUrl(input.QueueUrl);
    const entries = (input.Entries ?? []) as { Id?: string; ReceiptHandle?: string }[];
    if (entries.length === 0)
      throw new SqsError(
        'com.amazonaws.sqs#EmptyBatchRequest',
        'AWS.SimpleQueueService.EmptyBatchRequest',
        'There should be at least one DeleteMessageBatchRequestEntry in the request.',
      );
    this.counters.deleteMessage += 1;
    const Successful: { Id: string }[] = [];
    const Failed: Record<string, unknown>[] = [];
    for (const entry of entries) {
      try {
        this.deleteByReceipt(queue, entry.ReceiptHandle ?? '');
        Successful.push({ Id: entry.Id ?? '' });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        Failed.push({ Id: entry.Id ?? '', SenderFault: true, Code: error.queryCode, Message: error.message });
      }
    }
    return { Successful, Failed };
  }

  private getQueueAttributes(input: Record<string, unknown>): Record<string, unknown> {
    const queue = this.queueOfUrl(input.QueueUrl);
    this.counters.otherRequests += 1;
    const now = this.sim.now();
    const messages = [...queue.messages.values()];
    const all: Record<string, string> = {
      QueueArn: queue.arn,
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      MaximumMessageSize: String(queue.maximumMessageSizeBytes),
      DelaySeconds: String(queue.delaySeconds),
      ApproximateNumberOfMessages: String(messages.filter((message) => message.visibleAtMs <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(
        messages.filter((message) => message.visibleAtMs > now && message.receiveCount > 0).length,
      ),
      ApproximateNumberOfMessagesDelayed: String(
        messages.filter((message) => message.visibleAtMs > now && message.receiveCount === 0).length,
      ),
    };
    if (queue.deadLetterQueueName)
      all.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: addressOf(queue.deadLetterQueueName).arn,
        maxReceiveCount: queue.maxReceiveCount,
      });
    const names = (input.AttributeNames as string[] | undefined) ?? [];
    const unknown = names.find((name) => name !== 'All' && !(name in all) && !KNOWN_QUEUE_ATTRIBUTES.has(name));
    if (unknown) throw new SqsError('com.amazonaws.sqs#InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${unknown}.`);
    return { Attributes: names.includes('All') ? all : pick(all, new Set(names)) };
  }

  private getQueueUrl(input: Record<string, unknown>): Record<string, unknown> {
    this.counters.otherRequests += 1;
    const queue = this.queues.get(String(input.QueueName ?? ''));
    if (!queue) throw queueDoesNotExist();
    return { QueueUrl: queue.url };
  }

  private enqueue(
    queue: Queue,
    body: string,
    delaySeconds: number | undefined,
    messageAttributes: Record<string, MessageAttributeValue>,
  ): Message {
    const now = this.sim.now();
    const message: Message = {
      messageId: randomUUID(),
      body,
      messageAttributes,
      md5OfBody: md5(body),
      md5OfMessageAttributes: Object.keys(messageAttributes).length > 0 ? md5OfMessageAttributes(messageAttributes) : undefined,
      sentAtMs: now,
      visibleAtMs: now + (delaySeconds ?? queue.delaySeconds) * 1000,
      receiveCount: 0,
    };
    queue.messages.set(message.messageId, message);
    this.wakeAt(queue, message);
    return message;
  }

  /** Marks the oldest visible messages received (or moves them to the dead-letter queue) and returns them. */
  private receive(queue: Queue, max: number, visibilityTimeoutSeconds: number): Message[] {
    const now = this.sim.now();
    const batch: Message[] = [];
    for (const message of queue.messages.values()) {
      if (batch.length >= max) break;
      if (message.visibleAtMs > now) continue;
      if (queue.maxReceiveCount !== undefined && queue.deadLetterQueueName && message.receiveCount >= queue.maxReceiveCount) {
        this.moveToDeadLetterQueue(queue, message);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAtMs ??= now;
      message.visibleAtMs = now + visibilityTimeoutSeconds * 1000;
      if (message.receiptHandle) this.receipts.delete(message.receiptHandle);
      message.receiptHandle = receiptHandle(message.messageId);
      this.receipts.set(message.receiptHandle, { queue: queue.name, messageId: message.messageId });
      if (message.receiveCount === 1) this.counters.messagesDelivered += 1;
      else this.counters.messagesRedelivered += 1;
      this.wakeAt(queue, message);
      batch.push(message);
    }
    return batch;
  }

  private moveToDeadLetterQueue(queue: Queue, message: Message): void {
    this.forget(queue, message);
    const deadLetterQueue = this.queueNamed(queue.deadLetterQueueName!);
    const moved: Message = {
      messageId: message.messageId,
      body: message.body,
      messageAttributes: message.messageAttributes,
      md5OfBody: message.md5OfBody,
      md5OfMessageAttributes: message.md5OfMessageAttributes,
      sentAtMs: message.sentAtMs,
      deadLetterSourceArn: queue.arn,
      visibleAtMs: this.sim.now(),
      receiveCount: message.receiveCount,
      firstReceivedAtMs: message.firstReceivedAtMs,
    };
    deadLetterQueue.messages.set(moved.messageId, moved);
    this.counters.messagesDeadLettered += 1;
    this.wakeAt(deadLetterQueue, moved);
  }

  private deleteByReceipt(queue: Queue, handle: string): void {
    const receipt = this.receipts.get(handle);
    if (!receipt || receipt.queue !== queue.name)
      throw new SqsError(
        'com.amazonaws.sqs#ReceiptHandleIsInvalid',
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
        404,
      );
    const message = queue.messages.get(receipt.messageId);
    // Deleting a message already deleted succeeds, as in SQS.
    if (message) this.forget(queue, message);
    this.receipts.delete(handle);
  }

  private forget(queue: Queue, message: Message): void {
    message.cancelWake?.();
    if (message.receiptHandle) this.receipts.delete(message.receiptHandle);
    queue.messages.delete(message.messageId);
  }

  /** Wakes the queue's mappings when the message becomes visible. */
  private wakeAt(queue: Queue, message: Message): void {
    message.cancelWake?.();
    message.cancelWake = undefined;
    if (queue.mappings.length === 0) return;
    message.cancelWake = this.sim.at(message.visibleAtMs, () => {
      message.cancelWake = undefined;
      this.deliver(queue);
    });
  }

  /** Timers for the messages sent before the first subscription. */
  private wake(queue: Queue): void {
    for (const message of queue.messages.values()) this.wakeAt(queue, message);
  }

  /** Starts invocations while a mapping has room and the queue has visible messages. */
  private deliver(queue: Queue): void {
    for (;;) {
      const mapping = queue.mappings.find((candidate) => candidate.running < candidate.maximumConcurrency);
      if (!mapping) return;
      const batch = this.receive(queue, mapping.batchSize, queue.visibilityTimeoutSeconds);
      if (batch.length === 0) return;
      this.counters.receiveMessage += billedRequests(
        batch.reduce((sum, message) => sum + payloadBytes(message.body, message.messageAttributes), 0),
      );
      mapping.running += 1;
      void this.sim.track(async () => {
        try {
          await this.invoke(queue, mapping, batch);
        } finally {
          mapping.running -= 1;
          this.deliver(queue);
        }
      });
    }
  }

  private async invoke(queue: Queue, mapping: Mapping, batch: Message[]): Promise<void> {
    const event: SQSEvent = { Records: batch.map((message) => this.record(queue, message)) };
    let failedIds: Set<string>;
    try {
      const result = await mapping.handler(event);
      failedIds = mapping.reportBatchItemFailures ? failuresOf(result, batch) : new Set();
    } catch {
      // The whole batch comes back after its visibility timeout.
      return;
    }
    const done = event.Records.filter((record) => !failedIds.has(record.messageId));
    if (done.length === 0) return;
    this.counters.deleteMessage += 1;
    for (const record of done) {
      const message = queue.messages.get(record.messageId);
      // A message whose visibility expired and that was received again has a newer handle: the old one still deletes it, as in SQS.
      if (message) this.forget(queue, message);
      this.receipts.delete(record.receiptHandle);
    }
  }

  private record(queue: Queue, message: Message): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle!,
      body: message.body,
      attributes: systemAttributes(message) as unknown as SQSRecord['attributes'],
      messageAttributes: lambdaAttributes(message.messageAttributes),
      md5OfBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: LOCAL_REGION,
    };
  }

  private queueNamed(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`No queue named ${name}: known ${[...this.queues.keys()].join(', ') || 'none'}.`);
    return queue;
  }

  /** The queue a QueueUrl names (by its account and name, whatever the host). */
  private queueOfUrl(url: unknown): Queue {
    if (typeof url !== 'string' || url === '') throw missingParameter('QueueUrl');
    const match = /\/(\d{12})\/([^/?]+)\/?$/.exec(url);
    const queue = match && match[1] === LOCAL_ACCOUNT ? this.queues.get(match[2]!) : undefined;
    if (!queue) throw queueDoesNotExist();
    return queue;
  }
}

const KNOWN_QUEUE_ATTRIBUTES = new Set([
  'Policy',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

function addressOf(name: string): QueueAddress {
  return {
    name,
    url: `https://sqs.${LOCAL_REGION}.amazonaws.com/${LOCAL_ACCOUNT}/${name}`,
    arn: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`,
  };
}

const address = (queue: Queue): QueueAddress => ({ name: queue.name, url: queue.url, arn: queue.arn });

function queueNameOfArn(arn: string): string {
  const match = /^arn:aws:sqs:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]+)$/.exec(arn);
  if (!match) throw new Error(`"${arn}" is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>).`);
  return match[1]!;
}

function optionalNumber(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`Expected a number, got ${JSON.stringify(value)}.`);
  return number;
}

/** The characters SQS accepts in a message body (XML 1.0's). */
// eslint-disable-next-line no-control-regex -- the set SQS allows is written with the control characters it admits.
const INVALID_BODY_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function validEntry(queue: Queue, input: Record<string, unknown>) {
  if (typeof input.MessageBody !== 'string' || input.MessageBody === '') throw missingParameter('MessageBody');
  const body = input.MessageBody;
  const delaySeconds = optionalNumber(input.DelaySeconds);
  if (delaySeconds !== undefined && (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS))
    throw invalidParameterValue(
      `Value ${delaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`,
    );
  if (INVALID_BODY_CHARACTER.test(body))
    throw new SqsError(
      'com.amazonaws.sqs#InvalidMessageContents',
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  const messageAttributes = attributesOf(input);
  const bytes = payloadBytes(body, messageAttributes);
  if (bytes > queue.maximumMessageSizeBytes)
    throw invalidParameterValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${queue.maximumMessageSizeBytes} bytes.`,
    );
  return { body, delaySeconds, messageAttributes, bytes };
}

function attributesOf(input: Record<string, unknown>): Record<string, MessageAttributeValue> {
  const attributes = (input.MessageAttributes ?? {}) as Record<string, MessageAttributeValue>;
  if (Object.keys(attributes).length > 10)
    throw invalidParameterValue('Number of message attributes [' + Object.keys(attributes).length + '] exceeds the allowed maximum [10].');
  return attributes;
}

/** A message's size as SQS counts it: the body plus each attribute's name, type and value. */
function payloadBytes(body: string, attributes: Record<string, MessageAttributeValue>): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    bytes += value.BinaryValue !== undefined ? Buffer.from(value.BinaryValue, 'base64').length : Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}

const md5 = (text: string | Buffer): string => createHash('md5').update(text).digest('hex');

/** SQS's digest of message attributes: sorted by name, each length-prefixed field in turn. */
function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const field = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(value.DataType, 'utf8'));
    const binary = value.BinaryValue !== undefined;
    parts.push(Buffer.from([binary ? 2 : 1]));
    field(binary ? Buffer.from(value.BinaryValue!, 'base64') : Buffer.from(value.StringValue ?? '', 'utf8'));
  }
  return md5(Buffer.concat(parts));
}

function systemAttributes(message: Message): Record<string, string> {
  return {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAtMs),
    SenderId: SENDER_ID,
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAtMs ?? message.sentAtMs),
    ...(message.deadLetterSourceArn ? { DeadLetterQueueSourceArn: message.deadLetterSourceArn } : {}),
  };
}

function lambdaAttributes(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        dataType: value.DataType,
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  );
}

function pick(values: Record<string, string>, names: Set<string>): Record<string, string> {
  if (names.has('All')) return values;
  return Object.fromEntries(Object.entries(values).filter(([name]) => names.has(name)));
}

/**
 * The messages a handler's `batchItemFailures` names. As Lambda does, an answer naming a message
 * not in the batch (or without an id) fails the whole batch.
 */
function failuresOf(result: unknown, batch: Message[]): Set<string> {
  const failures = (result as Partial<SQSBatchResponse> | undefined)?.batchItemFailures;
  if (!Array.isArray(failures)) return new Set();
  const inBatch = new Set(batch.map((message) => message.messageId));
  const named = failures.map((failure) => (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier);
  if (named.some((id) => typeof id !== 'string' || !inBatch.has(id))) return inBatch;
  return new Set(named as string[]);
}

const receiptHandle = (messageId: string): string => Buffer.from(`${messageId}:${randomUUID()}`).toString('base64');

const ok = (body: Record<string, unknown>): LoopbackResponse => ({
  status: 200,
  headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() },
  body: JSON.stringify(body),
});
