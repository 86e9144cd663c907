import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { EnvNames, requireEnv } from '../shared/env';
import { handlerOptions } from '../shared/handler-options';
import { logger } from '../shared/logger';
import { parseRuntimeDestinations } from '../shared/routing';
import { createEventBridgeClient, createSecretReader, createSnsClient } from './aws-clients';
import { notify, parseNotifyInput, type DeliveryResult, type NotifyDependencies } from './notify';
import { budgetFromLambdaContext } from './time-budget';

const destinations = parseRuntimeDestinations(requireEnv(EnvNames.destinations));

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

export const handler = middy<unknown, DeliveryResult>(handlerOptions('Notify'))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    const input = parseNotifyInput(event);
    const invalidationId = input.watch.request?.invalidationId ?? input.watch.rejected?.invalidationId ?? 'none';
    // A child per invocation: its keys cannot leak into, or be reset by, another invocation.
    const log = logger.createChild({ persistentKeys: { invalidationId, destination: input.destination, outcome: input.watch.outcome } });
    try {
      // Inline waits and requests end before Lambda's timeout would, with a named error to retry.
      const result = await notify(input, dependencies, budgetFromLambdaContext(context));
      log.info('Notification delivered', { type: result.type });
      return result;
    } catch (error) {
      log.error('Notification not delivered', { errorName: (error as Error).name, errorMessage: (error as Error).message });
      throw error;
    }
  });
