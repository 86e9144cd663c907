import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { putWatchEvent } from '../../../lambda/notify/deliver-eventbridge';
import { notify } from '../../../lambda/notify/notify';
import { timeBudget } from '../../../lambda/notify/time-budget';
import { buildInvalidationEvent } from '../../../lambda/shared/invalidation-event';
import { buildNotification, type WatchState } from '../../../lambda/shared/notification';
import { samplePaths } from '../../../lambda/shared/status-result';
import type { TellStore } from '../../../lambda/shared/tell-store';
import { failureOf } from '../../support/failure-of';
import { createTenantEvent, deploymentRequestOf, deploymentWatch, updateDistributionEvent } from '../shared/deployment-event-fixtures';
import { completedStatus, distributionRequest } from './fixtures';

const BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/default';
const eventBridgeMock = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'us-east-1' });
afterEach(() => eventBridgeMock.reset());

const watch: WatchState = { outcome: 'completed', request: distributionRequest, status: completedStatus(samplePaths(['/a'], 1)) };
const event = buildInvalidationEvent(watch, buildNotification(watch));

describe('putWatchEvent', () => {
  it('puts one entry on the bus, with the source, detail-type, resources and JSON detail of the contract', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });

    await expect(putWatchEvent(client, BUS, event, timeBudget(10_000))).resolves.toBe('ev-1');

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

    await putWatchEvent(client, BUS, event, budget);

    expect((eventBridgeMock.call(0).args as unknown[] as [unknown, { abortSignal?: AbortSignal }])[1].abortSignal).toBe(budget.signal);
  });

  it.each([
    ['ThrottlingException', 'EventBusUnavailable'],
    ['InternalFailure', 'EventBusUnavailable'],
    ['AccessDeniedException', 'EventBusRejected'],
    ['MalformedDetail', 'EventBusRejected'],
  ])('turns an entry failing with %s into %s, naming the bus', async (code, name) => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: code, ErrorMessage: 'no' }] });

    const error = await failureOf(() => putWatchEvent(client, BUS, event, timeBudget(10_000)));

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

    const error = await failureOf(() => putWatchEvent(client, BUS, event, timeBudget(10_000)));

    expect(error.name).toBe(name);
  });
});

describe("Notify's EventBridge delivery", () => {
  /** Notify told to put `watch`'s event on the default bus: an event bus is told alone, without a pace, so no table is read. */
  const putFor = async (watch: WatchState) => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });
    await notify(
      { taskToken: 'token-1', destination: 'automation', watch, execution: 'exec-1', startedAt: '2026-11-21T18:00:00.000Z' },
      {
        destinations: { automation: { type: 'eventbridge', busName: 'default' } },
        eventBridge: () => client,
        sns: () => {
          throw new Error('no topic in this test');
        },
        readSecret: () => Promise.reject(new Error('no secret in this test')),
        sfn: () => ({ send: async () => ({}) }) as unknown as SFNClient,
        store: {} as TellStore,
      },
    );
    const entry = eventBridgeMock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    return { detailType: entry.DetailType, resources: entry.Resources, detail: JSON.parse(entry.Detail!) as Record<string, unknown> };
  };

  it.each([
    ['a distribution', updateDistributionEvent(), 'CloudFront Distribution Deployed', 'distribution/EDFDVBD6EXAMPLE'],
    ['a tenant', createTenantEvent(), 'CloudFront Distribution Tenant Deployed', 'distribution-tenant/dt_'],
  ])("puts %s's deployment as its own event, not an invalidation's", async (_, cloudTrailEvent, detailType, arn) => {
    const put = await putFor(deploymentWatch('completed', deploymentRequestOf(cloudTrailEvent)));

    expect(put.detailType).toBe(detailType);
    expect(put.resources).toEqual([expect.stringContaining(arn)]);
    expect(put.detail).toMatchObject({ work: 'deployment', status: 'Deployed', change: { call: expect.any(String) } });
  });

  it("puts an invalidation's event as before", async () => {
    const put = await putFor(watch);

    expect(put.detailType).toBe('CloudFront Invalidation Completed');
    expect(put.detail).toEqual(event.Detail);
  });
});
