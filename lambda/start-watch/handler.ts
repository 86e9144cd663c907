import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { EnvNames, requireEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { startWatch, type StartWatchResult } from './start-watch';

// Adaptive retries: a burst of invalidations (a SaaS back end, one per tenant) must not lose
// a StartExecution to throttling; what still fails goes to the trigger's dead-letter queue.
const sfn = new SFNClient({ retryMode: 'adaptive', maxAttempts: 6 });
const stateMachineArn = requireEnv(EnvNames.stateMachineArn);

export const handler = middy<unknown, StartWatchResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const result = await startWatch(sfn, stateMachineArn, event);
    const log = logger.createChild({ persistentKeys: { invalidationId: result.invalidationId ?? 'none' } });
    if (result.rejectedReason) {
      log.warn('Event rejected; the watcher will report it', { executionName: result.executionName, reason: result.rejectedReason });
    } else {
      log.info(result.outcome === 'duplicate' ? 'Duplicate event; already watched' : 'Watch started', {
        executionName: result.executionName,
        executionArn: result.executionArn,
      });
    }
    return result;
  });
