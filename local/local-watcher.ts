import './polyfill';
import { StateMachine } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
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
  /**
   * A watcher execution: virtual seconds since it started (Wait states, Retry pauses and the
   * nested runs' waits). A nested run: its duration, from its start to its end.
   */
  virtualSeconds: number;
  /** State transitions of this execution alone, as Step Functions bills them: states entered plus retries. */
  transitions: number;
  /** The largest input or output of any state, in bytes (Step Functions' limit: 262,144), nested runs included. */
  maxStatePayloadBytes: number;
  /** Invocations per Task state that calls a function, including those of the nested runs. */
  readonly invocations: Record<string, number>;
  /** The executions it started and waited for (startExecution.sync:2: the Express check loop's runs), in order. */
  readonly runs: LocalExecution[];
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
  /**
   * State machines a Task may start and wait for with `startExecution.sync` (the Express check
   * loop), by ARN. They run nested, on the clock of the execution that started them.
   */
  readonly nested?: Readonly<Record<string, StateMachineDefinition>>;
}

/** One watch's virtual time, shared by the watcher execution and every run it nests. */
interface Clock {
  readonly startedAtMs: number;
  elapsed: number;
  /** Retry pauses not yet taken: taken when the retried Task starts again. */
  pending: number;
  readonly watch: LocalExecution;
}

/** An execution being run: its clock, itself and the executions it is nested in. */
interface Frame {
  readonly clock: Clock;
  readonly execution: LocalExecution;
  /** The execution, then whoever started it, up to the watcher execution. */
  readonly lineage: readonly LocalExecution[];
  /** The clock's reading when the execution started. */
  readonly origin: number;
}

/** Per execution and Task state: the retriers' attempt counts within the current state entry. */
interface TaskTrack {
  attempts: number[];
}

interface LocalMachine {
  readonly arn: string;
  readonly machine: StateMachine;
  /** The definition's states as synthesized (Wait states as they are). */
  readonly states: Record<string, StateDefinition>;
  /** The same states as the interpreter runs them (Wait states as LOCAL_WAIT Tasks). */
  readonly localStates: Record<string, StateDefinition>;
}

/** Wait states become Tasks of this resource (see `withLocalWaits`). */
const LOCAL_WAIT = 'arn:aws:states:::local:wait';
const SYNC_START = /^arn:aws:states:::states:startExecution\.sync(:2)?$/;

/**
 * Runs the watcher's synthesized definition with aws-local-stepfunctions, each Task state
 * calling a local handler. Execution names are unique, as in Step Functions, which is what
 * deduplicates redelivered events. A Task that starts another state machine and waits for it
 * (`startExecution.sync:2`, the Express check loop) runs that machine's synthesized definition
 * nested, on the same virtual clock, and answers as the integration would: the run's output
 * under `Output`, or `States.TaskFailed` when the run failed.
 *
 * Time is virtual. Each Wait state is run as a local Task that takes its `Seconds` or
 * `SecondsPath` off the clock; a Retry pause (from the retrier's IntervalSeconds, BackoffRate,
 * MaxDelaySeconds and JitterStrategy) is taken when the retried Task starts again. The
 * interpreter's own pauses are set to zero. The check handler sees the watch's virtual age
 * through the `startedAt` it is given, and a nested run's through `runStartedAt`.
 */
export class LocalWatcher {
  public readonly executions = new Map<string, LocalExecution>();
  private readonly machines = new Map<string, LocalMachine>();

  constructor(
    private readonly arn: string,
    definition: StateMachineDefinition,
    private readonly handlersByResource: Record<string, TaskHandler>,
    private readonly options: LocalWatcherOptions = {},
  ) {
    for (const [machineArn, machineDefinition] of [[arn, definition] as const, ...Object.entries(options.nested ?? {})]) {
      const local = withLocalWaits(machineDefinition);
      this.machines.set(machineArn, {
        arn: machineArn,
        machine: new StateMachine(local as never, { validationOptions: { checkArn: false, checkPaths: false } }),
        states: allStates(machineDefinition),
        localStates: allStates(local),
      });
    }
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
    const execution = newExecution(name, executionArn, input);
    const clock: Clock = { startedAtMs: Date.now(), elapsed: 0, pending: 0, watch: execution };
    const frame: Frame = { clock, execution, lineage: [execution], origin: 0 };
    (execution as { done: Promise<void> }).done = this.runIn(this.machines.get(this.arn)!, frame).then(
      (output) => {
        execution.status = 'SUCCEEDED';
        execution.output = output;
      },
      (error: Error) => {
        execution.status = 'FAILED';
        execution.error = { name: error.name, cause: error.message };
      },
    );
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

  /** Runs one execution of `target` to its end: its output, or the error that failed it (the Fail state's or the runtime's). */
  private async runIn(target: LocalMachine, frame: Frame): Promise<unknown> {
    const { execution } = frame;
    const taskStates = Object.entries(target.localStates).filter(([, state]) => state.Type === 'Task');
    const overrides = {
      taskResourceLocalHandlers: Object.fromEntries(
        taskStates.map(([stateName, state]) => [stateName, this.wrapTask(target, stateName, state, frame)]),
      ),
      retryIntervalOverrides: Object.fromEntries(taskStates.map(([stateName]) => [stateName, 0])),
    };
    const running = target.machine.run(execution.input as never, {
      overrides: overrides as never,
      context: { Execution: { Name: execution.name, Id: execution.arn } } as never,
    });
    const counting = (async () => {
      for await (const event of running.eventLogs) {
        if (event.type === 'StateEntered' || event.type === 'StateRetried') execution.transitions += 1;
        if (event.type === 'StateEntered' || event.type === 'StateExited') {
          const { input: stateInput, output: stateOutput } = event.state as { input?: unknown; output?: unknown };
          const bytes = Math.max(jsonBytes(stateInput), jsonBytes(stateOutput));
          for (const each of frame.lineage) each.maxStatePayloadBytes = Math.max(each.maxStatePayloadBytes, bytes);
        }
      }
    })();
    try {
      const output = await running.result;
      await counting;
      return output;
    } catch (error) {
      await counting.catch(() => undefined);
      throw ((error as Error).cause as Error | undefined) ?? error;
    }
  }

  private wrapTask(target: LocalMachine, stateName: string, state: StateDefinition, frame: Frame): TaskHandler {
    const { clock } = frame;
    if (state.Resource === LOCAL_WAIT) {
      const wait = target.states[stateName]!;
      return async (input) => {
        await this.advance(clock, this.takePending(clock) + waitSeconds(stateName, wait, input));
        return {};
      };
    }
    const run = state.Resource && SYNC_START.test(state.Resource) ? this.nestedRun(frame) : this.invocation(stateName, state, frame);
    const track: TaskTrack = { attempts: (state.Retry ?? []).map(() => 0) };
    return async (input) => {
      await this.advance(clock, this.takePending(clock));
      try {
        const result = await run(input);
        track.attempts.fill(0);
        return result;
      } catch (error) {
        clock.pending += this.pauseAfterError(state, track, (error as Error).name);
        throw error;
      }
    };
  }

  /** A function's Task: counted, and told the watch's (and the run's) start shifted by the virtual time. */
  private invocation(stateName: string, state: StateDefinition, frame: Frame): TaskHandler {
    const handler = state.Resource ? this.handlersByResource[state.Resource] : undefined;
    if (!handler) throw new Error(`No local handler for Task "${stateName}" (resource ${state.Resource})`);
    const { clock } = frame;
    return (input) => {
      for (const execution of frame.lineage) execution.invocations[stateName] = (execution.invocations[stateName] ?? 0) + 1;
      const now = Date.now();
      const shifted =
        input && typeof input === 'object'
          ? {
              ...input,
              ...('startedAt' in input ? { startedAt: new Date(now - clock.elapsed * 1000).toISOString() } : {}),
              ...('runStartedAt' in input ? { runStartedAt: new Date(now - (clock.elapsed - frame.origin) * 1000).toISOString() } : {}),
            }
          : input;
      return handler(shifted);
    };
  }

  /** startExecution.sync:2: runs the state machine nested and answers as the integration does. */
  private nestedRun(frame: Frame): TaskHandler {
    return async (input) => {
      const { StateMachineArn: arn, Input: runInput } = input as { StateMachineArn: string; Input?: unknown };
      const target = this.machines.get(arn);
      if (!target) throw new Error(`startExecution.sync for a state machine the local runner was not given: ${arn}`);
      const name = randomUUID();
      const runArn = `${arn.replace(':stateMachine:', ':express:')}:${name}:${randomUUID()}`;
      const run = newExecution(name, runArn, runInput ?? {});
      frame.execution.runs.push(run);
      const origin = this.now(frame.clock);
      const runFrame: Frame = { clock: frame.clock, execution: run, lineage: [run, ...frame.lineage], origin };
      try {
        const output = await this.runIn(target, runFrame);
        run.status = 'SUCCEEDED';
        run.output = output;
        return { ExecutionArn: runArn, StateMachineArn: arn, Name: name, Status: 'SUCCEEDED', Input: runInput, Output: output };
      } catch (error) {
        run.status = 'FAILED';
        run.error = { name: (error as Error).name, cause: (error as Error).message };
        const cause = JSON.stringify({ ExecutionArn: runArn, Status: 'FAILED', Error: run.error.name, Cause: run.error.cause });
        throw Object.assign(new Error(cause), { name: 'States.TaskFailed' });
      } finally {
        (run as { virtualSeconds: number }).virtualSeconds = this.now(frame.clock) - origin;
      }
    };
  }

  /** The pause Step Functions takes after a Task error before its Retry tries again (0 when none retries it). */
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
    return 0;
  }

  private takePending(clock: Clock): number {
    const seconds = clock.pending;
    clock.pending = 0;
    return seconds;
  }

  /** Virtual seconds since the watch started. */
  private now(clock: Clock): number {
    return (this.options.msPerVirtualSecond ?? 0) > 0 ? (Date.now() - clock.startedAtMs) / 1000 : clock.elapsed;
  }

  private async advance(clock: Clock, seconds: number): Promise<void> {
    const msPerSecond = this.options.msPerVirtualSecond ?? 0;
    if (msPerSecond > 0) {
      if (seconds > 0) await new Promise((resolve) => setTimeout(resolve, seconds * msPerSecond));
      // Compressed time (see virtual-time.ts): Date runs at virtual speed for everybody, so the
      // watch's age is read from it; when the CPU falls behind, every clock does too.
      clock.elapsed = (Date.now() - clock.startedAtMs) / 1000;
    } else {
      clock.elapsed += seconds;
    }
    clock.watch.virtualSeconds = clock.elapsed;
  }
}

function newExecution(name: string, arn: string, input: unknown): LocalExecution {
  return {
    name,
    arn,
    input,
    startDate: new Date(),
    status: 'RUNNING',
    virtualSeconds: 0,
    transitions: 0,
    maxStatePayloadBytes: 0,
    invocations: {},
    runs: [],
    done: Promise.resolve(),
  };
}

/**
 * The definition with every Wait state (nested ones too) turned into a Task of LOCAL_WAIT that
 * passes its input through, so the runner takes the wait off the virtual clock itself, at the
 * moment and for the length the state says. One transition either way.
 */
function withLocalWaits(definition: StateMachineDefinition): StateMachineDefinition {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      if (state.Type === 'Wait') {
        const { Type: _type, Seconds: _seconds, SecondsPath: _path, ...rest } = state as StateDefinition & Record<string, unknown>;
        // A long timeout (real seconds, at most what setTimeout takes): the interpreter's default
        // (60 s) would cut a long compressed wait.
        return [name, { ...rest, Type: 'Task', Resource: LOCAL_WAIT, ResultPath: null, TimeoutSeconds: 1_000_000 }];
      }
      const nested = {
        ...(state.Branches ? { Branches: state.Branches.map(withLocalWaits) } : {}),
        ...(state.ItemProcessor ? { ItemProcessor: { ...state.ItemProcessor, ...withLocalWaits(state.ItemProcessor) } } : {}),
        ...(state.Iterator ? { Iterator: { ...state.Iterator, ...withLocalWaits(state.Iterator) } } : {}),
      };
      return [name, { ...state, ...nested }];
    }),
  );
  return { ...definition, States: states as Record<string, StateDefinition> };
}

/** A Wait's seconds, as Step Functions reads them: `Seconds`, or the whole number at `SecondsPath` in the state's input. */
function waitSeconds(stateName: string, wait: StateDefinition, input: unknown): number {
  if (typeof wait.Seconds === 'number') return wait.Seconds;
  const path = wait.SecondsPath;
  if (!path?.startsWith('$.')) throw new Error(`Wait "${stateName}": only Seconds and SecondsPath ($.a.b) are run locally`);
  const value = path
    .slice(2)
    .split('.')
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), input);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw Object.assign(new Error(`Wait "${stateName}": ${path} is ${JSON.stringify(value)}, not a whole number of seconds >= 0`), {
      name: 'States.Runtime',
    });
  }
  return value;
}

const jsonBytes = (value: unknown) => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8'));

const matches = (errorEquals: readonly string[], name: string) =>
  errorEquals.includes(name) || errorEquals.includes('States.ALL') || errorEquals.includes('States.TaskFailed');
