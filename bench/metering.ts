/**
 * Reading what the local pipeline billed, for the bench and the scale run: Lambda invocations
 * by function folder (counted through the pipeline's `beforeInvoke`), SQS requests and DynamoDB
 * request units, read before and after a stretch of the run; the difference is the stretch's
 * {@link Usage} (bench/costs.ts prices it).
 */
import type { LocalPipeline } from '../local/pipeline';
import type { Usage } from './costs';

/** The watchdog's event (lib/checker.ts WATCHDOG_EVENT): its calls are the checker's fixed cost, not a watch's. */
export const isWatchdogCall = (input: unknown): boolean => typeof input === 'object' && input !== null && 'watchdog' in input;

/** Counts invocations by function folder; pass `count` as (part of) the pipeline's `beforeInvoke`. */
export class InvocationCounter {
  readonly byFunction: Record<string, number> = {};
  watchdogCalls = 0;

  count(functionDir: string, input: unknown): void {
    if (isWatchdogCall(input)) this.watchdogCalls += 1;
    else this.byFunction[functionDir] = (this.byFunction[functionDir] ?? 0) + 1;
  }
}

export interface MeterReading {
  readonly lambdaCalls: Readonly<Record<string, number>>;
  readonly sqsRequests: number;
  readonly readUnits: number;
  readonly writeUnits: number;
}

/** What the pipeline has billed so far, outside the executions' own counters. */
export function readMeter(pipeline: LocalPipeline, invocations: InvocationCounter): MeterReading {
  const { sendMessage, receiveMessage, deleteMessage, otherRequests } = pipeline.queues.counters;
  const { readUnits, writeUnits } = pipeline.dynamoDb.consumed.total;
  return {
    lambdaCalls: { ...invocations.byFunction },
    sqsRequests: sendMessage + receiveMessage + deleteMessage + otherRequests,
    readUnits,
    writeUnits,
  };
}

/** The usage between two readings, with what the executions counted themselves (transitions, Express runs, SDK calls, other Lambda calls). */
export function usageBetween(
  before: MeterReading,
  after: MeterReading,
  own: Omit<Usage, 'sqsRequests' | 'dynamoDbReadUnits' | 'dynamoDbWriteUnits'>,
): Usage {
  const lambdaCalls: Record<string, number> = { ...own.lambdaCalls };
  for (const [dir, calls] of Object.entries(after.lambdaCalls)) {
    const delta = calls - (before.lambdaCalls[dir] ?? 0);
    if (delta > 0) lambdaCalls[dir] = (lambdaCalls[dir] ?? 0) + delta;
  }
  return {
    ...own,
    lambdaCalls,
    sqsRequests: after.sqsRequests - before.sqsRequests,
    dynamoDbReadUnits: after.readUnits - before.readUnits,
    dynamoDbWriteUnits: after.writeUnits - before.writeUnits,
  };
}

/** Each function's memory as synthesized (MB), by function folder. */
export function functionMemoryOf(
  pipeline: LocalPipeline,
  functions: readonly { functionDir: string; logicalId: string }[],
): Record<string, number> {
  return Object.fromEntries(
    functions.map((fn) => [fn.functionDir, Number(pipeline.template.Resources[fn.logicalId]?.Properties?.MemorySize ?? 128)]),
  );
}
