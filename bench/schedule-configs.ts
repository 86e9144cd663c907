/**
 * The configurations `npm run bench` compares and the shape of what each worker reports (the
 * prices are in bench/prices.ts). Shared by the parent (bench/schedule-bench.ts) and the worker
 * (bench/schedule-worker.ts): handlers read POLL_SCHEDULE at module load, so each
 * configuration runs in its own process.
 */
import type { DesignName } from './comparison-designs';

export interface ScheduleConfig {
  /** Short, for tables and the chart's legend. */
  readonly label: string;
  readonly description: string;
  /** How it checks: the product's watcher, or a comparison design from bench/comparison-designs.ts. */
  readonly design: DesignName;
}

export const CONFIGS = {
  today: {
    label: 'a. Standard retry (before)',
    description: 'the design before the Express loop: checks by the Standard Task Retry, 5 s growing by 1.5x to 15 s, up to 60 min',
    design: 'retry',
  },
  express: {
    label: 'b. Express loop (the product)',
    description: 'the Express check loop started by the Standard watcher (startExecution.sync:2), a check every 4 s, up to 60 min',
    design: 'product',
  },
  waiter: {
    label: 'c. AWS CLI waiter',
    description:
      "the AWS CLI waiter's schedule as the strongest Standard job poller: Task -> Choice -> Wait calling GetInvalidation " +
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

/** One execution: one invalidation completing at `completesAtSecond`. */
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
  /** Standard transitions, as billed (states entered plus retries): the Express runs' states are not billed per transition. */
  readonly standardTransitions: number;
  /** Per Express run: its virtual duration in seconds and the checks it made. */
  readonly expressRuns: readonly { readonly seconds: number; readonly checks: number }[];
  /** Lambda calls by function folder: every Task that invoked a function, nested runs included, plus the one Start watch call. */
  readonly lambdaCalls: Readonly<Record<string, number>>;
  /** Tasks that called CloudFront through Step Functions' SDK integration (the waiter's checks). */
  readonly sdkIntegrationCalls: number;
  readonly checkInvocations: number;
}

export interface WorkerResult {
  readonly config: ConfigName;
  /** Each function's memory as synthesized (MB), by function folder. */
  readonly functionMemoryMb: Readonly<Record<string, number>>;
  readonly executions: readonly ExecutionMeasure[];
  /** Largest gap between the detection time read from the execution's clock and the one the check reported. */
  readonly clockCheckMaxGapSeconds: number;
  readonly realSeconds: number;
}
