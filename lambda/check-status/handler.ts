import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { EnvNames, requireEnv } from '../shared/env';
import { ErrorNames } from '../shared/errors';
import { handlerOptions } from '../shared/handler-options';
import { logger } from '../shared/logger';
import { WATCH_METRICS } from '../shared/metrics';
import { parsePollSchedule } from '../shared/schedule';
import type { StatusResult } from '../shared/status-result';
import { checkStatus, parseCheckInput } from './check-status';
import { cloudFrontAccessFromEnv } from '../shared/cloudfront-access';
import { callBudgetMs, cloudFrontClientConfig } from './cloudfront-client';
import { CrowdEstimator } from './crowd-estimator';
import { endingOf, recordWatchEnd } from './watch-metrics';

// This account's client, or (organization mode) a member's, through its reader role.
const access = cloudFrontAccessFromEnv(cloudFrontClientConfig());
const schedule = parsePollSchedule(requireEnv(EnvNames.pollSchedule));
// Lives as long as the container: what it has seen of CloudFront's throttling and of the crowd.
const crowd = new CrowdEstimator();
const metrics = new Metrics({ namespace: WATCH_METRICS.namespace, serviceName: WATCH_METRICS.service });

export const handler = middy<unknown, StatusResult>(handlerOptions('Check status'))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    const input = parseCheckInput(event);
    // A child per invocation: its keys cannot leak into, or be reset by, another invocation.
    const log = logger.createChild({ persistentKeys: { invalidationId: input.request.invalidationId, targetId: input.request.target.id } });
    try {
      // The call ends before the function does, so a hanging answer is a blip, not a timeout.
      const callTimeoutMs = callBudgetMs(context.getRemainingTimeInMillis());
      const result = await checkStatus(() => access.cloudFront(input.request.account), input, schedule, { crowd, callTimeoutMs });
      if (result.lastError) log.warn('Status check throttled or failed; slowing down', { pace: result.pace, lastError: result.lastError });
      const ending = endingOf(result);
      const facts = {
        status: result.status,
        pace: result.pace,
        elapsedSeconds: result.elapsedSeconds,
        nextCheckInSeconds: result.nextCheckInSeconds,
        deadlinePassed: result.deadlinePassed,
        ...(result.runOver !== undefined ? { runOver: result.runOver, checks: result.checks } : {}),
      };
      // A check every few seconds: one INFO line per watch (its end), the rest at DEBUG.
      if (ending) {
        log.info('Watch ended', { outcome: ending, ...facts });
        recordWatchEnd(metrics, input.request, ending, result);
      } else {
        log.debug('Checked invalidation', facts);
      }
      return result;
    } catch (error) {
      const name = (error as Error).name;
      if (name === ErrorNames.InvalidationInProgress) {
        log.debug('Still in progress; the Task Retry checks again');
      } else {
        log.warn('Status check failed', { errorName: name, errorMessage: (error as Error).message });
      }
      if (name === ErrorNames.InvalidationNotTrackable)
        recordWatchEnd(metrics, input.request, 'could-not-track', undefined, input.previous);
      throw error;
    }
  });
