import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { EnvNames, requireEnv } from '../shared/env';
import { handlerOptions } from '../shared/handler-options';
import { logger } from '../shared/logger';
import { DELIVERY_METRICS } from '../shared/metrics';
import { describeFailure } from '../shared/notification';
import { parseRuntimeDestinations } from '../shared/routing';
import { createEventBridgeClient, createSecretReader, createSnsClient } from './aws-clients';
import { recordDelivery } from './delivery-metrics';
import { notify, type DeliveryResult, type NotifyDependencies } from './notify';
import { isFailedDelivery, parseNotifyInput } from './notify-input';
import { budgetOfInvocation } from './time-budget';

const destinations = parseRuntimeDestinations(requireEnv(EnvNames.destinations));
const metrics = new Metrics({ namespace: DELIVERY_METRICS.namespace, serviceName: DELIVERY_METRICS.service });

// Clients are made on first use: a function that only posts to webhooks loads no SNS client.
let sns: ReturnType<typeof createSnsClient> | undefined;
let eventBridge: ReturnType<typeof createEventBridgeClient> | undefined;
const dependencies: NotifyDependencies = {
  destinations,
  sns: () => (sns ??= createSnsClient()),
  eventBridge: () => (eventBridge ??= createEventBridgeClient()),
  // Webhook URLs are secrets: read at run time, cached for five minutes, never logged.
  readSecret: createSecretReader(),
};

/** What the state machine's "Count the failed delivery" gets back: the failure was counted. */
export interface FailureCounted {
  readonly destination: string;
  readonly counted: 'failed';
}

export const handler = middy<unknown, DeliveryResult | FailureCounted>(handlerOptions('Notify'))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context, { signal }) => {
    const input = parseNotifyInput(event);
    const invalidationId = input.watch.request?.invalidationId ?? input.watch.rejected?.invalidationId ?? 'none';
    // A child per invocation: its keys cannot leak into, or be reset by, another invocation.
    const log = logger.createChild({ persistentKeys: { invalidationId, destination: input.destination, outcome: input.watch.outcome } });
    if (isFailedDelivery(input)) {
      // The state machine gave up on this destination (its last Retry, or a permanent error):
      // the one moment a failure is final, so the one place it is counted.
      log.error('Destination failed for good', { error: describeFailure(input.deliveryFailed) });
      recordDelivery(metrics, input.destination, 'failed', invalidationId);
      return { destination: input.destination, counted: 'failed' };
    }
    try {
      // Inline waits and requests end by middy's early timeout, with a named error to retry.
      const result = await notify(input, dependencies, budgetOfInvocation(context, { signal }));
      log.info('Notification delivered', { type: result.type });
      recordDelivery(metrics, input.destination, 'delivered', invalidationId);
      return result;
    } catch (error) {
      // Not counted here: the state machine may retry it; its Catch counts a final failure.
      log.error('Notification not delivered', { errorName: (error as Error).name, errorMessage: (error as Error).message });
      throw error;
    }
  });
