import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { putInvalidationEvent } from '../../../lambda/notify/deliver-eventbridge';
import { timeBudget } from '../../../lambda/notify/time-budget';
import { buildInvalidationEvent } from '../../../lambda/shared/invalidation-event';
import { buildNotification, type WatchState } from '../../../lambda/shared/notification';
import { samplePaths } from '../../../lambda/shared/status-result';
import { failureOf } from '../../support/failure-of';
import { completedStatus, distributionRequest } from './fixtures';

const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/default';
const eventBridgeMock = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'us-east-1' });
afterEach(() => eventBridgeMock.reset());

const watch: WatchState = { outcome: 'completed', request: distributionRequest, status: completedStatus(samplePaths(['/a'], 1)) };
const event = buildInvalidationEvent(watch, buildNotification(watch));

describe('putInvalidationEvent', () => {
  it('puts one entry on the bus, with the source, detail-type, resources and JSON detail of the contract', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });

    await expect(putInvalidationEvent(client, BUS, event, timeBudget(10_000))).resolves.toBe('ev-1');

    expect(eventBridgeMock).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: BUS,
          Source: 'cloudfront-invalidation-notifier',
          DetailType: 'CloudFront Invalidation Completed',
          Resources: ['arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL'],
          Detail: JSON.stringify(event.Detail),
        },
      ],
    });
  });

  it("gives the call the invocation's signal, so that it ends with the invocation's time", async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });
    const budget = timeBudget(10_000);

    await putInvalidationEvent(client, BUS, event, budget);

    expect((eventBridgeMock.call(0).args as unknown[] as [unknown, { abortSignal?: AbortSignal }])[1].abortSignal).toBe(budget.signal);
  });

  it.each([
    ['ThrottlingException', 'EventBusUnavailable'],
    ['InternalFailure', 'EventBusUnavailable'],
    ['AccessDeniedException', 'EventBusRejected'],
    ['MalformedDetail', 'EventBusRejected'],
  ])('turns an entry failing with %s into %s, naming the bus', async (code, name) => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: code, ErrorMessage: 'no' }] });

    const error = await failureOf(() => putInvalidationEvent(client, BUS, event, timeBudget(10_000)));

    expect(error.name).toBe(name);
    expect(error.message).toContain(BUS);
    expect(error.message).toContain(code);
  });

  it.each([
    [
      'a 500',
      Object.assign(new Error('internal'), { name: 'InternalException', $metadata: { httpStatusCode: 500 } }),
      'EventBusUnavailable',
    ],
    ['no answer', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 'EventBusUnavailable'],
    [
      'a missing bus',
      Object.assign(new Error('Event bus x does not exist.'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }),
      'EventBusRejected',
    ],
  ])('turns %s into %s', async (_, failure, name) => {
    eventBridgeMock.on(PutEventsCommand).rejects(failure);

    const error = await failureOf(() => putInvalidationEvent(client, BUS, event, timeBudget(10_000)));

    expect(error.name).toBe(name);
  });
});
