import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { EnvNames, optionalEnv, requireEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { createSecretReader, createSnsClient } from './aws-clients';
import { notify, parseNotifyInput, type DeliveryResult, type NotifyDependencies } from './notify';
import { budgetFromLambdaContext } from './time-budget';

const topicArn = requireEnv(EnvNames.topicArn);
const slackSecretId = optionalEnv(EnvNames.slackSecretId);

const dependencies: NotifyDependencies = {
  sns: { client: createSnsClient(), topicArn },
  // The webhook URL is a secret: read at run time, cached for five minutes, never logged.
  ...(slackSecretId ? { slack: { secretId: slackSecretId, readSecret: createSecretReader() } } : {}),
};

export const handler = middy<unknown, DeliveryResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    const input = parseNotifyInput(event);
    const invalidationId = input.watch.request?.invalidationId ?? input.watch.rejected?.invalidationId ?? 'none';
    // A child per invocation: its keys cannot leak into, or be reset by, another invocation.
    const log = logger.createChild({ persistentKeys: { invalidationId, channel: input.channel, outcome: input.watch.outcome } });
    try {
      // Inline waits and requests end before Lambda's timeout would, with a named error to retry.
      const result = await notify(input, dependencies, budgetFromLambdaContext(context));
      log.info('Notification delivered');
      return result;
    } catch (error) {
      log.error('Notification not delivered', { errorName: (error as Error).name, errorMessage: (error as Error).message });
      throw error;
    }
  });
