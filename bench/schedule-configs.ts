/**
 * The configurations `npm run bench` compares and the shape of what each worker reports (the
 * prices are in bench/prices.ts). Shared by the parent (bench/schedule-bench.ts) and the worker
 * (bench/schedule-worker.ts): handlers read POLL_SCHEDULE at module load and keep state for the
 * life of their container, so each configuration runs in its own process.
 */
import type { DesignName } from './comparison-designs';
import type { Usage } from './costs';

export interface ScheduleConfig {
  /** Short, for tables and the chart's legend. */
  readonly label: string;
  readonly description: string;
  /** How it checks: the product's watcher, or a comparison design from bench/comparison-designs.ts. */
  readonly design: DesignName;
}

export const CONFIGS = {
  checker: {
    label: 'a. Checker (the product)',
    description:
      "the account's checker: Register watch waits on a task token; one chain of SQS ticks (per-message delay) checks every watch " +
      'in flight from the DynamoDB table under one budget and answers the token',
    design: 'product',
  },
  express: {
    label: 'b. Express loop (before)',
    description: 'the Express check loop started by the Standard watcher (startExecution.sync:2), a check every 4 s, runs of up to 4 min',
    design: 'express',
  },
  waiter: {
    label: 'c. AWS CLI waiter',
    description:
      "the AWS CLI waiter's schedule as the cheapest Standard job poller: Task -> Choice -> Wait calling GetInvalidation " +
      'through the SDK integration (no Lambda), every 20 s, gives up at 10 min',
    design: 'waiter',
  },
} satisfies Record<string, ScheduleConfig>;

export type ConfigName = keyof typeof CONFIGS;

export const isConfigName = (name: string | undefined): name is ConfigName => name !== undefined && name in CONFIGS;

/** The reference mix: when invalidations complete, in seconds after the watch started. */
export const COMPLETION_TIMES_SECONDS = [30, 60, 120, 180, 300, 600, 1200, 2400] as const;

/**
 * Phases added to each completion time: the midpoints of 16 equal steps across one 20 s
 * period (0.625, 1.875, ... 19.375 s). Spread evenly, they average over where a completion
 * falls between two checks; as midpoints they never fall on a check of the waiter's 20 s grid
 * or of the 4 s one, where a completion would count as found with no delay at all.
 */
export const PHASE_OFFSETS_SECONDS: readonly number[] = Array.from({ length: 16 }, (_, step) => (step + 0.5) * 1.25);

/** One watch, measured alone: one invalidation completing at `completesAtSecond`. */
export interface ExecutionMeasure {
  readonly completionSeconds: number;
  readonly offsetSeconds: number;
  readonly completesAtSecond: number;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'RUNNING';
  readonly errorName?: string;
  readonly detected: boolean;
  readonly gaveUp: boolean;
  /** Virtual seconds from completion to the check that saw Completed (detected only). */
  readonly detectionDelaySeconds?: number;
  /** Virtual seconds the watch lasted: the time of its last check. */
  readonly watchSeconds: number;
  readonly getInvalidationCalls: number;
  /** Everything the watch used that AWS bills (bench/costs.ts prices it). */
  readonly usage: Usage;
}

export interface WorkerResult {
  readonly config: ConfigName;
  /** Each function's memory as synthesized (MB), by function folder. */
  readonly functionMemoryMb: Readonly<Record<string, number>>;
  readonly executions: readonly ExecutionMeasure[];
  /** The checker only: what one watchdog call uses (its fixed monthly cost is priced from it), and the idle polls of a month. */
  readonly fixed?: { readonly watchdogCall: Usage; readonly idlePollRequestsPerMonth: number };
  /** Largest gap between the detection time read from the execution's clock and the one the check reported. */
  readonly clockCheckMaxGapSeconds: number;
  readonly realSeconds: number;
}
