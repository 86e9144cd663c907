import { ErrorNames } from '../../lambda/shared/errors';
import type { LocalExecution } from '../../local/local-watcher';
import type { LocalPipeline } from '../../local/pipeline';

/**
 * Notify's attempts (retries included) to tell one destination of one execution's invalidation.
 * An invocation that only waited for its channel's pace (TellLater: another message took the
 * channel's second) made no attempt and is not counted: how often that happens depends on the
 * tests around, not on the behaviour under test.
 */
export function notifyCalls(pipeline: LocalPipeline, destination: string, execution: LocalExecution): number {
  const invalidationId = (execution.input as { request?: { invalidationId?: string } }).request?.invalidationId;
  return pipeline.notifyCalls.filter(
    (call) => call.destination === destination && call.invalidationId === invalidationId && call.result !== ErrorNames.TellLater,
  ).length;
}
