import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import middy from '@middy/core';
import { EnvNames, requireEnv } from '../shared/env';
import { ErrorNames } from '../shared/errors';
import { logger } from '../shared/logger';
import { parsePollSchedule } from '../shared/schedule';
import type { StatusResult } from '../shared/status-result';
import { checkStatus, parseCheckInput } from './check-status';
import { CrowdEstimator } from './crowd-estimator';

// CloudFront's API is global and served from us-east-1. Retries are the state machine's job
// (with jitter, and free while waiting), so the SDK makes one attempt per invocation.
const cloudFront = new CloudFrontClient({ region: 'us-east-1', maxAttempts: 1 });
const schedule = parsePollSchedule(requireEnv(EnvNames.pollSchedule));
// Lives as long as the container: what it has seen of CloudFront's throttling and of the crowd.
const crowd = new CrowdEstimator();

export const handler = middy<unknown, StatusResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const input = parseCheckInput(event);
    // A child per invocation: its keys cannot leak into, or be reset by, another invocation.
    const log = logger.createChild({ persistentKeys: { invalidationId: input.request.invalidationId, targetId: input.request.target.id } });
    try {
      const result = await checkStatus(cloudFront, input, schedule, { crowd });
      if (result.lastError) log.warn('Status check throttled or failed; slowing down', { pace: result.pace, lastError: result.lastError });
      log.info('Checked invalidation', {
        status: result.status,
        pace: result.pace,
        elapsedSeconds: result.elapsedSeconds,
        nextCheckInSeconds: result.nextCheckInSeconds,
        deadlinePassed: result.deadlinePassed,
      });
      return result;
    } catch (error) {
      const name = (error as Error).name;
      if (name === ErrorNames.InvalidationInProgress) {
        log.info('Still in progress; the Task Retry checks again');
      } else {
        log.warn('Status check failed', { errorName: name, errorMessage: (error as Error).message });
      }
      throw error;
    }
  });
