import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { EnvNames, requireEnv } from '../shared/env';
import { handlerOptions } from '../shared/handler-options';
import { logger } from '../shared/logger';
import { DELIVERY_METRICS } from '../shared/metrics';
import { parseRuntimeDestinations } from '../shared/routing';
import { TellStore } from '../shared/tell-store';
import { workLogKeys } from '../shared/watch-request';
import { createEventBridgeClient, createSecretReader, createSfnClient, createSnsClient } from './aws-clients';
import { recordDelivered } from './delivery-metrics';
import { announce, notify, type DeliveryResult, type NotifyDependencies } from './notify';
import { parseNotifyInput } from './notify-input';
import { budgetOfInvocation } from './time-budget';

const destinations = parseRuntimeDestinations(requireEnv(EnvNames.destinations));
const metrics = new Metrics({ namespace: DELIVERY_METRICS.namespace, serviceName: DELIVERY_METRICS.service });

// Clients are made on first use: a function that only posts to webhooks loads no SNS client.
let sns: ReturnType<typeof createSnsClient> | undefined;
let eventBridge: ReturnType<typeof createEventBridgeClient> | undefined;
let sfn: ReturnType<typeof createSfnClient> | undefined;
const dependencies: NotifyDependencies = {
  destinations,
  sns: () => (sns ??= createSnsClient()),
  eventBridge: () => (eventBridge ??= createEventBridgeClient()),
  sfn: () => (sfn ??= createSfnClient()),
  // Webhook URLs and bot tokens are secrets: read at run time, cached for five minutes, never logged.
  readSecret: createSecretReader(),
  store: new TellStore(requireEnv(EnvNames.watchTable)),
  onReplyRefused: (error) =>
    logger.warn('A Slack thread reply was refused; the message itself shows the outcomes', {
      errorName: error.name,
      errorMessage: error.message,
    }),
  onTokenRefused: (error) =>
    logger.warn('A told watch could not be answered; it finds itself told when it comes back', { errorName: error.name }),
};

/**
 * A delivery answers its task's token (here, or later in another watch's digest or live
 * message) and returns what it did; an announcement returns what each live message did.
 */
export const handler = middy<unknown, DeliveryResult | Record<string, string> | undefined>(handlerOptions('Notify'))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context, { signal }) => {
    const input = parseNotifyInput(event);
    const budget = budgetOfInvocation(context, { signal });
    if ('announce' in input) {
      const shown = await announce(input.announce, dependencies, budget);
      logger.info('Watch announced', { ...workLogKeys(input.announce.watch.request), shown });
      return shown;
    }
    const work = workLogKeys(input.watch.request ?? input.watch.rejected);
    // A child per invocation: its keys cannot leak into, or be reset by, another invocation.
    const log = logger.createChild({ persistentKeys: { ...work, destination: input.destination, outcome: input.watch.outcome } });
    try {
      // Inline waits and requests end by middy's early timeout, with a named error to retry.
      const result = await notify(input, dependencies, budget);
      if (!result) {
        log.info('Waiting to be told in its burst', {});
        return undefined;
      }
      log.info('Notification delivered', { type: result.type, told: result.told });
      recordDelivered(metrics, input.destination, work);
      return result;
    } catch (error) {
      // Not counted here: the state machine may retry it, and counts a final failure itself
      // (its own PutMetricData step, so a broken Notify is counted too).
      const level = (error as Error).name === 'TellLater' ? 'info' : 'error';
      log[level]('Notification not delivered', { errorName: (error as Error).name, errorMessage: (error as Error).message });
      throw error;
    }
  });
