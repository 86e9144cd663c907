/**
 * The configurations `npm run bench` compares, the prices its costs use, and the shape of what
 * each worker reports. Shared by the parent (bench/schedule-bench.ts) and the worker
 * (bench/schedule-worker.ts): handlers read POLL_SCHEDULE at module load, so each
 * configuration runs in its own process.
 */
import { DEFAULT_POLL_SCHEDULE, RETRY_POLL_SCHEDULE, type PollSchedule } from '../lambda/shared/schedule';

export interface ScheduleConfig {
  /** Short, for tables and the chart's legend. */
  readonly label: string;
  readonly description: string;
  /** The construct's `schedule` prop (through the local pipeline's `schedule` option). */
  readonly schedule: PollSchedule;
}

export const CONFIGS = {
  today: {
    label: 'a. Standard retry (before)',
    description: 'the design before the Express loop: checks by the Standard Task Retry, 5 s growing by 1.5x to 15 s, up to 60 min',
    schedule: RETRY_POLL_SCHEDULE,
  },
  express: {
    label: 'b. Express loop (new default)',
    description: 'the Express check loop started by the Standard watcher (startExecution.sync:2), a check every 4 s, up to 60 min',
    schedule: DEFAULT_POLL_SCHEDULE,
  },
  waiter: {
    label: 'c. AWS CLI waiter',
    description:
      "the AWS CLI waiter's schedule as the classic Standard job poller: Check -> Choice -> Wait, every 20 s, gives up at 10 min",
    schedule: { firstIntervalSeconds: 20, backoffRate: 1, maxIntervalSeconds: 20, maxWaitSeconds: 600, checkStyle: 'wait-loop' },
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

/**
 * AWS list prices, us-east-1, as in ../shared/reference/aws-facts.md. Lambda is billed at an
 * assumed 100 ms per call (a check is one CloudFront round trip; handler time measured
 * in-process against a loopback emulator would understate it) and the functions' 256 MB.
 */
export const PRICES = {
  /** Step Functions Standard: $0.025 per 1,000 state transitions. */
  standardTransition: 0.025 / 1000,
  /** Step Functions Express: $1.00 per million requests (executions started). */
  expressRequest: 1 / 1_000_000,
  /** Step Functions Express: $0.00001667 per GB-second. */
  expressGbSecond: 0.00001667,
  /** Express memory is billed in 64 MB chunks; the check loop's small state is one chunk. */
  expressGb: 64 / 1024,
  /** Express duration is rounded up to the next 100 ms, per execution. */
  expressRoundingSeconds: 0.1,
  /** Lambda: $0.20 per million requests. */
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda arm64: about $0.0000000017 per ms at 128 MB, in proportion to the function's memory (from the template). */
  lambdaMsAt128Mb: 0.0000000017,
  /** Billed milliseconds assumed per Lambda call. */
  lambdaBilledMsPerCall: 100,
} as const;

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
