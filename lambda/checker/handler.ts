import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import * as v from 'valibot';
import { MalformedTickMessage, parseTickMessage } from '../shared/chain-state';
import { TickQueue } from '../shared/checker-clock';
import { cloudFrontAccessFromEnv } from '../shared/cloudfront-access';
import { callBudgetMs, cloudFrontClientConfig } from '../shared/cloudfront-client';
import { EnvNames, requireEnv } from '../shared/env';
import { ErrorNames, NamedError } from '../shared/errors';
import { handlerOptions } from '../shared/handler-options';
import { logger } from '../shared/logger';
import { WATCH_METRICS } from '../shared/metrics';
import { CheckedRequestSchema } from '../shared/invalidation-status';
import { parsePollSchedule } from '../shared/schedule';
import type { StatusResult } from '../shared/status-result';
import { recordWatchEnd } from '../shared/watch-metrics';
import { WatchStore, checkedRequestOf } from '../shared/watch-store';
import { workLogKeys } from '../shared/watch-request';
import { finalCheck, runTick, runWatchdog, type CheckerDeps, type TickReport } from './checker';
import { WatchCache } from './watch-cache';

// This account's client, or (organization mode) a member's, through its reader role.
const access = cloudFrontAccessFromEnv(cloudFrontClientConfig());
const schedule = parsePollSchedule(requireEnv(EnvNames.pollSchedule));
const store = new WatchStore(requireEnv(EnvNames.watchTable));
const queue = new TickQueue(requireEnv(EnvNames.tickQueueUrl));
const sfn = new SFNClient({});
// Lives as long as the container: the watches it saw at its last tick (lambda/checker/watch-cache.ts).
const cache = new WatchCache();
const metrics = new Metrics({ namespace: WATCH_METRICS.namespace, serviceName: WATCH_METRICS.service });
const { names } = WATCH_METRICS;

const nonEmpty = v.pipe(v.string(), v.minLength(1));
/** The watcher's "Final check": the invalidation and the watch's start. */
const FinalCheckSchema = v.object({
  finalCheck: v.object({
    request: CheckedRequestSchema,
    startedAt: nonEmpty,
  }),
});

function depsFor(context: Context): CheckerDeps {
  return {
    store,
    cache,
    queue,
    sfn,
    schedule,
    cloudFront: (account) => access.cloudFront(account),
    // Every call ends before the function does, so a hanging answer is a blip, not a timeout.
    callTimeoutMs: () => callBudgetMs(context.getRemainingTimeInMillis()),
    onWatchEnd: (watch, ending, state) => {
      if (ending.outcome === 'announced') {
        logger.info('Watch announced', { ...workLogKeys(checkedRequestOf(watch)), targetId: watch.targetId });
        return;
      }
      const request = checkedRequestOf(watch);
      const status: StatusResult | undefined = 'status' in ending ? ending.status : undefined;
      logger.info('Watch ended', {
        ...workLogKeys(request),
        targetId: watch.targetId,
        outcome: ending.outcome,
        checks: state.checks,
        throttledChecks: state.throttledChecks,
        ...(status ? { status: status.status, elapsedSeconds: status.elapsedSeconds } : { reason: 'cause' in ending ? ending.cause : '' }),
      });
      recordWatchEnd(metrics, request, ending.outcome, state, status);
    },
    onCheckFailed: (watch, error, throttled) =>
      logger.warn(throttled ? 'Status check throttled; the budget shrinks' : 'Status check failed; the watch goes on', {
        ...workLogKeys(checkedRequestOf(watch)),
        targetId: watch.targetId,
        errorName: error.name,
        errorMessage: error.message,
      }),
    onEndFailed: (watch, error, kept) =>
      logger.error(
        kept
          ? "Step Functions did not take the watch's answer; tried again at its next check"
          : "Step Functions refused the watch's token for good; the watcher's final check ends it at its maximum wait",
        // Its name only: Step Functions' validation messages quote the value, here the task token.
        { ...workLogKeys(checkedRequestOf(watch)), targetId: watch.targetId, errorName: error.name },
      ),
  };
}

/** The checker's own metrics, when the chain records itself (about every 20 s) or goes idle: not per tick, which would cost a log line every few seconds. */
function reportTick(report: TickReport): void {
  const line = {
    result: report.result,
    watches: report.watches,
    calls: report.calls,
    throttled: report.throttled,
    ended: report.ended,
    waiting: report.waiting,
    nextTickInSeconds: report.nextTickInSeconds,
  };
  if (report.unreadable.length > 0) logger.error('Watch items that cannot be read are left for their TTL', { keys: report.unreadable });
  if (report.dropped.length > 0)
    logger.warn('Check states that did not fit the tick message (those watches count as never checked)', { count: report.dropped.length });
  if (!report.recorded && report.result !== 'idle') {
    logger.debug('Tick', line);
    return;
  }
  logger.info('Checker', line);
  const rates = Object.values(report.budgets).map((budget) => budget.perSecond);
  metrics.addMetric(names.watchesInFlight, MetricUnit.Count, report.watches - report.ended);
  metrics.addMetric(names.checkerCalls, MetricUnit.Count, report.tally.calls);
  metrics.addMetric(names.checkerThrottledCalls, MetricUnit.Count, report.tally.throttled);
  if (rates.length > 0) metrics.addMetric(names.callBudgetPerSecond, MetricUnit.Count, Math.min(...rates));
  metrics.addMetric(names.oldestWatchAge, MetricUnit.Seconds, report.oldestWatchSeconds);
  metrics.publishStoredMetrics();
}

/**
 * Three callers: the tick queue (an SQS event of one tick), the watchdog (once a minute), and
 * the watcher's final check (returns the status).
 */
export const handler = middy<unknown, StatusResult | { batchItemFailures: [] } | void>(handlerOptions('Checker'))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    const deps = depsFor(context);
    if (event && typeof event === 'object' && 'Records' in event) {
      for (const record of (event as SQSEvent).Records) {
        let tick;
        try {
          tick = parseTickMessage(record.body);
        } catch (error) {
          // Not a tick this checker sent: retrying it would fail the same way. Dropped, named.
          if (error instanceof MalformedTickMessage) {
            logger.error('Dropped a malformed tick message', { messageId: record.messageId, errorMessage: error.message });
            continue;
          }
          throw error;
        }
        reportTick(await runTick(tick, deps));
      }
      return { batchItemFailures: [] };
    }
    if (event && typeof event === 'object' && 'watchdog' in event) {
      const result = await runWatchdog(deps);
      if (result === 'started') logger.warn('Watchdog: watches were waiting and no chain of ticks was live; started one');
      return;
    }
    const parsed = v.safeParse(FinalCheckSchema, event);
    if (!parsed.success) {
      throw new NamedError(
        ErrorNames.InvalidWatcherInput,
        `Checker input: not a tick, the watchdog or a final check (${parsed.issues.map((issue) => `${v.getDotPath(issue) ?? 'input'}: ${issue.message}`).join('; ')})`,
      );
    }
    const { request, startedAt } = parsed.output.finalCheck;
    logger.warn('Final check: the watch token was never answered', { ...workLogKeys(request as never), targetId: request.target.id });
    return finalCheck(request as never, startedAt, deps);
  });
