import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { cloudFrontAccessFromEnv } from '../shared/cloudfront-access';
import { EnvNames, requireEnv } from '../shared/env';
import { handlerOptions } from '../shared/handler-options';
import { logger } from '../shared/logger';
import { parseRouteTable } from '../shared/routing';
import { audienceFrom } from './audience';
import { TargetLookups } from './lookups';
import { cutEventRecovery } from './recover-cut-event';
import { startWatch, type StartWatchResult } from './start-watch';

// Adaptive retries: a burst of invalidations (a SaaS back end, one per tenant) must not lose
// a StartExecution to throttling; what still fails goes to the trigger's dead-letter queue.
const sfn = new SFNClient({ retryMode: 'adaptive', maxAttempts: 6 });
const stateMachineArn = requireEnv(EnvNames.stateMachineArn);
// Names and tags are a nicety: one quick attempt each, 2 s at most, cached for the container.
const access = cloudFrontAccessFromEnv({ maxAttempts: 1, requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } });
const audienceOf = audienceFrom(parseRouteTable(requireEnv(EnvNames.routing)), new TargetLookups(access));
// A cut event's invalidation is looked for with the same quick calls, each tried a few times
// with backoff by the search itself, which is bounded in calls and in time (RECOVERY_LIMITS).
const recover = cutEventRecovery(access);

export const handler = middy<unknown, StartWatchResult>(handlerOptions('Start watch'))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    let result: StartWatchResult;
    try {
      // In organization mode two accounts may share IDs: the account is part of the execution name.
      result = await startWatch(sfn, stateMachineArn, event, audienceOf, { withAccount: access.organizationMode, recover });
    } catch (error) {
      // Lambda tries the event again, then keeps it in the dead-letter queue (alarmed).
      logger.warn('Could not start the watch; the event will be tried again', {
        errorName: (error as Error).name,
        errorMessage: (error as Error).message,
      });
      throw error;
    }
    const log = logger.createChild({ persistentKeys: { invalidationId: result.invalidationId ?? 'none' } });
    if (result.routingNote) {
      log.warn('Routed without tag routes: the tags could not be read', {
        routingNote: result.routingNote,
        destinations: result.destinations,
      });
    }
    if (result.outcome === 'dropped') {
      log.info('No route matches and unmatched invalidations are dropped: not watched', { executionName: result.executionName });
    } else if (result.rejectedReason) {
      log.warn('Event rejected; the watcher will report it', { executionName: result.executionName, reason: result.rejectedReason });
    } else {
      log.info(result.outcome === 'duplicate' ? 'Duplicate event; already watched' : 'Watch started', {
        executionName: result.executionName,
        executionArn: result.executionArn,
        destinations: result.destinations,
        ...(result.foundBy ? { foundBy: result.foundBy } : {}),
      });
    }
    return result;
  });
