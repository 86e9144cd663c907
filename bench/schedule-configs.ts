/**
 * The configurations `npm run bench` compares and the shape of what each worker reports.
 * Shared by the parent (bench/schedule-bench.ts) and the worker (bench/schedule-worker.ts):
 * handlers read POLL_SCHEDULE at module load, so each configuration runs in its own process.
 */
import type { ContextKey } from '../lib/config';
import type { PollSchedule } from '../lambda/shared/schedule';

export interface ScheduleConfig {
  readonly label: string;
  /** CDK context, as `cdk deploy -c key=value` would give it. */
  readonly context: Partial<Record<ContextKey, string>>;
  /**
   * How checks repeat. Not a context key (the app always uses `retry`): it reaches the construct's
   * `schedule` prop through the local pipeline's `schedule` option.
   */
  readonly checkStyle: PollSchedule['checkStyle'];
}

/** The AWS CLI waiter's schedule: every 20 s, giving up at 10 minutes. */
const CLI_WAITER = { firstIntervalSeconds: '20', backoffRate: '1', maxIntervalSeconds: '20', maxWaitMinutes: '10' } as const;

export const CONFIGS = {
  default: { label: 'a. notifier default', context: {}, checkStyle: 'retry' },
  'waiter-wait-loop': { label: 'b. AWS CLI waiter as a wait loop', context: CLI_WAITER, checkStyle: 'wait-loop' },
  'waiter-retry': { label: 'c. 20 s waiter, retry-driven', context: CLI_WAITER, checkStyle: 'retry' },
} satisfies Record<string, ScheduleConfig>;

export type ConfigName = keyof typeof CONFIGS;

export const isConfigName = (name: string | undefined): name is ConfigName => name !== undefined && name in CONFIGS;

/** The reference mix: when invalidations complete, in seconds after the watch started. */
export const COMPLETION_TIMES_SECONDS = [30, 60, 120, 180, 300, 600, 1200, 2400] as const;

/**
 * Phases added to each completion time: the midpoints of 16 equal steps across one 20 s
 * period (0.625, 1.875, ... 19.375 s). Spread evenly, they average over where a completion
 * falls between two checks; as midpoints they never fall on a check of either schedule
 * (the 20 s grid, or the default's 38.75 + 15k s), where a completion would count as found
 * with no delay at all.
 */
export const PHASE_OFFSETS_SECONDS: readonly number[] = Array.from({ length: 16 }, (_, step) => (step + 0.5) * 1.25);

/** One execution: one invalidation completing at `completesAtSecond`. */
export interface ExecutionMeasure {
  readonly completionSeconds: number;
  readonly offsetSeconds: number;
  readonly completesAtSecond: number;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'RUNNING';
  readonly errorName?: string;
  readonly outcome?: string;
  readonly detected: boolean;
  readonly gaveUp: boolean;
  /** Virtual seconds from completion to the check that saw Completed (detected only). */
  readonly detectionDelaySeconds?: number;
  /** Virtual seconds the watch lasted: the time of its last check. */
  readonly watchSeconds: number;
  readonly getInvalidationCalls: number;
  readonly transitions: number;
  /** Invocations of the watcher's Task states, plus the one Start watch invocation. */
  readonly lambdaInvocations: number;
  readonly checkInvocations: number;
}

/** Mean real duration of one invocation, measured in-process against the loopback emulators. */
export interface HandlerDurations {
  readonly checkInProgressMs: number;
  readonly checkCompletedMs: number;
  readonly notifyMs: number;
  readonly startWatchMs: number;
}

export interface WorkerResult {
  readonly config: ConfigName;
  readonly label: string;
  readonly context: Partial<Record<ContextKey, string>>;
  readonly executions: readonly ExecutionMeasure[];
  readonly durations: HandlerDurations;
  /** Largest gap between the detection time read from the execution's clock and the one the check reported. */
  readonly clockCheckMaxGapSeconds: number;
  readonly realSeconds: number;
}
