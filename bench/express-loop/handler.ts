import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { EnvNames, requireEnv } from '../../lambda/shared/env';
import { ErrorNames } from '../../lambda/shared/errors';
import { handlerOptions } from '../../lambda/shared/handler-options';
import { logger } from '../../lambda/shared/logger';
import { WATCH_METRICS } from '../../lambda/shared/metrics';
import { parsePollSchedule } from '../../lambda/shared/schedule';
import { checkStatus, nextWatchState, parseCheckInput } from './check-status';
import { cloudFrontAccessFromEnv } from '../../lambda/shared/cloudfront-access';
import { callBudgetMs, cloudFrontClientConfig } from '../../lambda/shared/cloudfront-client';
import { CrowdEstimator } from './crowd-estimator';
import { recordWatchEnd } from '../../lambda/shared/watch-metrics';
import { endingOf } from './express-loop-state';

// This account's client, or (organization mode) a member's, through its reader role.
const access = cloudFrontAccessFromEnv(cloudFrontClientConfig());
const schedule = parsePollSchedule(requireEnv(EnvNames.pollSchedule));
// Lives as long as the container: what it has seen of CloudFront's throttling and of the crowd.
const crowd = new CrowdEstimator();
const metrics = new Metrics({ namespace: WATCH_METRICS.namespace, serviceName: WATCH_METRICS.service });

export const handler = middy<unknown, ReturnType<typeof nextWatchState>>(handlerOptions('Check status'))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    const input = parseCheckInput(event);
    const { request } = input.watch;
    // A child per invocation: its keys cannot leak into, or be reset by, another invocation.
    const log = logger.createChild({ persistentKeys: { invalidationId: request.invalidationId, targetId: request.target.id } });
    try {
      // The call ends before the function does, so a hanging answer is a blip, not a timeout.
      const callTimeoutMs = callBudgetMs(context.getRemainingTimeInMillis());
      const step = await checkStatus(() => access.cloudFront(request.account), input, schedule, { crowd, callTimeoutMs });
      const { loop, status } = step;
      if (status.lastError) log.warn('Status check throttled or failed; slowing down', { pace: loop.pace, lastError: status.lastError });
      const ending = endingOf(step);
      const facts = {
        status: status.status,
        elapsedSeconds: status.elapsedSeconds,
        pace: loop.pace,
        nextCheckInSeconds: loop.nextCheckInSeconds,
        deadlinePassed: loop.deadlinePassed,
        runOver: loop.runOver,
        checks: loop.checks,
      };
      // A check every few seconds: one INFO line per watch (its end), the rest at DEBUG.
      if (ending) {
        log.info('Watch ended', { outcome: ending, ...facts });
        recordWatchEnd(metrics, request, ending, step.loop, step.status);
      } else {
        log.debug('Checked invalidation', facts);
      }
      return nextWatchState(input, step);
    } catch (error) {
      const name = (error as Error).name;
      log.warn('Status check failed', { errorName: name, errorMessage: (error as Error).message });
      if (name === ErrorNames.InvalidationNotTrackable)
        recordWatchEnd(metrics, request, 'could-not-track', {
          // The refused call counts as one more check.
          checks: (input.watch.loop?.checks ?? 0) + 1,
          throttledChecks: input.watch.loop?.throttledChecks ?? 0,
        });
      throw error;
    }
  });
