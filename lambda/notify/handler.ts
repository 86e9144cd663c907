import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import { EnvNames, optionalEnv, requireEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { notify, parseNotifyInput, type DeliveryResult, type NotifyDependencies } from './notify';

const topicArn = requireEnv(EnvNames.topicArn);
const slackSecretId = optionalEnv(EnvNames.slackSecretId);

const dependencies: NotifyDependencies = {
  sns: { client: new SNSClient({}), topicArn },
  // The webhook URL is a secret: read at run time, cached for five minutes, never logged.
  ...(slackSecretId ? { slack: { secretId: slackSecretId, readSecret: (id: string) => getSecret(id, { maxAge: 300 }) } } : {}),
};

export const handler = middy<unknown, DeliveryResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const input = parseNotifyInput(event);
    const invalidationId = input.watch.request?.invalidationId ?? input.watch.rejected?.invalidationId ?? 'none';
    // A child per invocation: its keys cannot leak into, or be reset by, another invocation.
    const log = logger.createChild({ persistentKeys: { invalidationId, channel: input.channel, outcome: input.watch.outcome } });
    try {
      const result = await notify(input, dependencies);
      log.info('Notification delivered');
      return result;
    } catch (error) {
      log.error('Notification not delivered', { errorName: (error as Error).name, errorMessage: (error as Error).message });
      throw error;
    }
  });
