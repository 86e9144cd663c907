import './polyfill';
import { StateMachine } from 'aws-local-stepfunctions';
import { AwsErrorAnswer, type StartedExecution } from './aws-emulator';
import { allStates, type Retrier, type StateDefinition, type StateMachineDefinition } from './template';

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface LocalExecution {
  readonly name: string;
  readonly arn: string;
  readonly input: unknown;
  readonly startDate: Date;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  /** For FAILED: the Fail state's (or the runtime's) error name and cause. */
  error?: { readonly name: string; readonly cause: string };
  /** Virtual seconds the execution has spent waiting so far (Wait states and Retry pauses). */
  virtualSeconds: number;
  /** State transitions as Step Functions bills them: states entered plus retries. */
  transitions: number;
  /** The largest input or output of any state, in bytes (Step Functions' limit: 262,144). */
  maxStatePayloadBytes: number;
  /** Invocations per Task state. */
  readonly invocations: Record<string, number>;
  readonly done: Promise<void>;
}

export interface LocalWatcherOptions {
  /**
   * Real milliseconds per virtual second. 0 (default): waits take no real time, executions run
   * as fast as the CPU allows and each has its own virtual clock (the sum of its waits). > 0:
   * waits are slept, compressed, and time is the process's compressed Date (virtual-time.ts,
   * installed by the pipeline), shared by all executions, so that they overlap as in AWS.
   */
  readonly msPerVirtualSecond?: number;
  /** For FULL jitter; seedable for repeatable benchmarks. */
  readonly random?: () => number;
}

interface Clock {
  readonly startedAtMs: number;
  elapsed: number;
  pending: number;
  execution?: LocalExecution;
}

/** Per execution and Task state: the retriers' attempt counts within the current state entry. */
interface TaskTrack {
  attempts: number[];
}

/**
 * Runs the watcher's synthesized definition with aws-local-stepfunctions, each Task state
 * calling a local handler. Execution names are unique, as in Step Functions, which is what
 * deduplicates redelivered events.
 *
 * Time is virtual: the interpreter's own pauses are set to zero and the runner accounts for
 * them itself (a Retry pause from the retrier's IntervalSeconds, BackoffRate, MaxDelaySeconds
 * and JitterStrategy; a Wait from the check's `nextCheckInSeconds`, which is what the Wait
 * state's SecondsPath reads). The check handler sees the execution's virtual age through the
 * `startedAt` it is given.
 */
export class LocalWatcher {
  public readonly executions = new Map<string, LocalExecution>();
  private readonly states: Record<string, StateDefinition>;
  private readonly machine: StateMachine;

  constructor(
    private readonly arn: string,
    definition: StateMachineDefinition,
    private readonly handlersByResource: Record<string, TaskHandler>,
    private readonly options: LocalWatcherOptions = {},
  ) {
    this.states = allStates(definition);
    this.machine = new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: false } });
  }

  /** StartExecution's semantics: idempotent for the same name and input while running, else ExecutionAlreadyExists. */
  start(name: string, inputJson: string): StartedExecution {
    const existing = this.executions.get(name);
    const executionArn = `${this.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    if (existing) {
      if (existing.status === 'RUNNING' && JSON.stringify(existing.input) === JSON.stringify(JSON.parse(inputJson))) {
        return { executionArn, startDate: existing.startDate };
      }
      throw new AwsErrorAnswer('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const input = JSON.parse(inputJson) as unknown;
    const execution = this.run(name, executionArn, input);
    this.executions.set(name, execution);
    return { executionArn, startDate: execution.startDate };
  }

  /** Resolves when every execution started so far (and any they lead to) has ended. */
  async idle(): Promise<void> {
    let count = -1;
    while (count !== this.executions.size) {
      count = this.executions.size;
      await Promise.all([...this.executions.values()].map((execution) => execution.done));
    }
  }

  private run(name: string, arn: string, input: unknown): LocalExecution {
    const taskStates = Object.entries(this.states).filter(([, state]) => state.Type === 'Task');
    const waitStates = Object.entries(this.states).filter(([, state]) => state.Type === 'Wait');
    const clock: Clock = { startedAtMs: Date.now(), elapsed: 0, pending: 0 };
    const execution: LocalExecution = {
      name,
      arn,
      input,
      startDate: new Date(),
      status: 'RUNNING',
      virtualSeconds: 0,
      transitions: 0,
      maxStatePayloadBytes: 0,
      invocations: {},
      done: Promise.resolve(),
    };
    clock.execution = execution;

    const overrides = {
      taskResourceLocalHandlers: Object.fromEntries(
        taskStates.map(([stateName, state]) => [stateName, this.wrapTask(stateName, state, clock, execution)]),
      ),
      waitTimeOverrides: Object.fromEntries(waitStates.map(([stateName]) => [stateName, 0])),
      retryIntervalOverrides: Object.fromEntries(taskStates.map(([stateName]) => [stateName, 0])),
    };
    const running = this.machine.run(input as never, {
      overrides: overrides as never,
      context: { Execution: { Name: name, Id: arn } } as never,
    });

    const countTransitions = (async () => {
      for await (const event of running.eventLogs) {
        if (event.type === 'StateEntered' || event.type === 'StateRetried') execution.transitions += 1;
        if (event.type === 'StateEntered' || event.type === 'StateExited') {
          const { input: stateInput, output: stateOutput } = event.state as { input?: unknown; output?: unknown };
          const bytes = Math.max(jsonBytes(stateInput), jsonBytes(stateOutput));
          execution.maxStatePayloadBytes = Math.max(execution.maxStatePayloadBytes, bytes);
        }
      }
    })();
    (execution as { done: Promise<void> }).done = running.result.then(
      async (output: unknown) => {
        await countTransitions;
        execution.status = 'SUCCEEDED';
        execution.output = output;
      },
      async (error: Error) => {
        await countTransitions.catch(() => undefined);
        const cause = (error.cause as Error | undefined) ?? error;
        execution.status = 'FAILED';
        execution.error = { name: cause.name, cause: cause.message };
      },
    );
    return execution;
  }

  private wrapTask(stateName: string, state: StateDefinition, clock: Clock, execution: LocalExecution) {
    const handler = state.Resource ? this.handlersByResource[state.Resource] : undefined;
    if (!handler) throw new Error(`No local handler for Task "${stateName}" (resource ${state.Resource})`);
    const track: TaskTrack = { attempts: (state.Retry ?? []).map(() => 0) };
    return async (input: unknown) => {
      await this.pass(clock);
      execution.invocations[stateName] = (execution.invocations[stateName] ?? 0) + 1;
      const shifted =
        input && typeof input === 'object' && 'startedAt' in input
          ? { ...input, startedAt: new Date(Date.now() - clock.elapsed * 1000).toISOString() }
          : input;
      try {
        const result = await handler(shifted);
        track.attempts.fill(0);
        const next = (result as { nextCheckInSeconds?: unknown } | null)?.nextCheckInSeconds;
        if (typeof next === 'number') clock.pending += next;
        return result;
      } catch (error) {
        clock.pending += this.pauseAfterError(state, track, (error as Error).name);
        throw error;
      }
    };
  }

  /** The pause Step Functions takes after a Task error: a Retry's, or a Wait the Catch leads to. */
  private pauseAfterError(state: StateDefinition, track: TaskTrack, errorName: string): number {
    const index = (state.Retry ?? []).findIndex((retrier) => matches(retrier.ErrorEquals, errorName));
    const retrier: Retrier | undefined = index >= 0 ? state.Retry![index] : undefined;
    if (retrier && track.attempts[index]! < (retrier.MaxAttempts ?? 3)) {
      const attempt = track.attempts[index]!;
      track.attempts[index] = attempt + 1;
      const delay = Math.min((retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt, retrier.MaxDelaySeconds ?? Infinity);
      return retrier.JitterStrategy === 'FULL' ? delay * (this.options.random ?? Math.random)() : delay;
    }
    // Not retried: the state is left through a Catch (or the execution fails); the next entry starts afresh.
    track.attempts.fill(0);
    const catcher = state.Catch?.find((candidate) => matches(candidate.ErrorEquals, errorName));
    const next = catcher ? this.states[catcher.Next] : undefined;
    return next?.Type === 'Wait' && typeof next.Seconds === 'number' ? next.Seconds : 0;
  }

  private async pass(clock: Clock): Promise<void> {
    const seconds = clock.pending;
    clock.pending = 0;
    const msPerSecond = this.options.msPerVirtualSecond ?? 0;
    if (msPerSecond > 0) {
      await new Promise((resolve) => setTimeout(resolve, seconds * msPerSecond));
      // Compressed time (see virtual-time.ts): Date runs at virtual speed for everybody, so the
      // execution's age is read from it; when the CPU falls behind, every clock does too.
      clock.elapsed = (Date.now() - clock.startedAtMs) / 1000;
    } else {
      clock.elapsed += seconds;
    }
    if (clock.execution) clock.execution.virtualSeconds = clock.elapsed;
  }
}

const jsonBytes = (value: unknown) => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8'));

const matches = (errorEquals: readonly string[], name: string) =>
  errorEquals.includes(name) || errorEquals.includes('States.ALL') || errorEquals.includes('States.TaskFailed');
