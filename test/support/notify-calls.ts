import type { LocalExecution } from '../../local/local-watcher';
import type { LocalPipeline } from '../../local/pipeline';

/** Notify invocations (retries included) for one destination of one execution's invalidation. */
export function notifyCalls(pipeline: LocalPipeline, destination: string, execution: LocalExecution): number {
  const invalidationId = (execution.input as { request?: { invalidationId?: string } }).request?.invalidationId;
  return pipeline.notifyCalls.filter((call) => call.destination === destination && call.invalidationId === invalidationId).length;
}
