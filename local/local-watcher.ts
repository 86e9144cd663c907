import './polyfill';
import { StateMachine } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { AwsErrorAnswer, type StartedExecution } from './aws-emulator';
import { HistoryRecorder, type InterpreterEvent, type LocalHistoryEvent } from './execution-history';
import type { Simulation } from './simulation';
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
  /** Virtual seconds from its start to its end (to now while it runs: see {@link LocalWatcher.elapsedSeconds}). */
  virtualSeconds: number;
  /** State transitions of this execution alone, as Step Functions bills them: states entered plus retries. */
  transitions: number;
  /** The largest input or output of any state, in bytes (Step Functions' limit: 262,144), nested runs included. */
  maxStatePayloadBytes: number;
  /** Invocations per Task state that calls a function, including those of the nested runs. */
  readonly invocations: Record<string, number>;
  /** The executions it started and waited for (startExecution.sync:2: the runs of the bench's Express check loop design), in order. */
  readonly runs: LocalExecution[];
  /** What `GetExecutionHistory` answers for it (local/execution-history.ts), growing while it runs. */
  readonly history: LocalHistoryEvent[];
  readonly done: Promise<void>;
}

export interface LocalWatcherOptions {
  /** For FULL jitter; seedable for repeatable benchmarks. */
  readonly random?: () => number;
  /**
   * State machines a Task may start and wait for with `startExecution.sync` (the bench's Express
   * check loop design), by ARN. They run nested, on the clock of the execution that started them.
   */
  readonly nested?: Readonly<Record<string, StateMachineDefinition>>;
}

/** An execution being run: itself and the executions it is nested in. */
interface Frame {
  readonly execution: LocalExecution;
  /** The execution, then whoever started it, up to the watcher execution. */
  readonly lineage: readonly LocalExecution[];
}

/** Per execution and Task state: the retriers' attempt counts within the current state entry, and the pause before the next attempt. */
interface TaskTrack {
  attempts: number[];
  pendingSeconds: number;
}

/** A Task waiting on its token (`.waitForTaskToken`) until SendTaskSuccess or SendTaskFailure. */
interface WaitingTask {
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Restarts the heartbeat timer (SendTaskHeartbeat). */
  readonly heartbeat: () => void;
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
const WAIT_FOR_TOKEN = /\.waitForTaskToken$/;
/** What `$$.Task.Token` reads locally; each Task entry replaces it with a token of its own. */
const TOKEN_PLACEHOLDER = 'local-task-token';

/**
 * Runs the watcher's synthesized definition with aws-local-stepfunctions, each Task state
 * calling a local handler. Execution names are unique, as in Step Functions, which is what
 * deduplicates redelivered events. A Task that starts another state machine and waits for it
 * (`startExecution.sync:2`, the bench's Express check loop design) runs that machine's synthesized definition
 * nested, on the same virtual clock, and answers as the integration would: the run's output
 * under `Output`, or `States.TaskFailed` when the run failed.
 *
 * A Task with `.waitForTaskToken` invokes its function with a fresh token where the
 * definition reads `$$.Task.Token`, then waits for {@link sendTaskSuccess} or
 * {@link sendTaskFailure} (the emulated Step Functions API calls them), under its
 * TimeoutSeconds and HeartbeatSeconds (States.Timeout, States.HeartbeatTimeout).
 *
 * Time is the simulation's (local/simulation.ts), one clock for every execution: a Wait state
 * is run as a local Task that sleeps its `Seconds` or `SecondsPath`; a Retry pause (from the
 * retrier's IntervalSeconds, BackoffRate, MaxDelaySeconds and JitterStrategy) is slept when the
 * retried Task starts again; the interpreter's own pauses and timers are set aside. Each
 * handler runs as tracked work, so the clock stands still while it runs.
 */
export class LocalWatcher {
  public readonly executions = new Map<string, LocalExecution>();
  private readonly machines = new Map<string, LocalMachine>();
  private readonly waitingTasks = new Map<string, WaitingTask>();
  /** Tokens of Tasks that ended (answered, timed out): a late answer gets TaskTimedOut, as in Step Functions. */
  private readonly endedTokens = new Set<string>();

  constructor(
    private readonly sim: Simulation,
    private readonly arn: string,
    definition: StateMachineDefinition,
    private readonly handlersByResource: Record<string, TaskHandler>,
    private readonly options: LocalWatcherOptions = {},
  ) {
    for (const [machineArn, machineDefinition] of [[arn, definition] as const, ...Object.entries(options.nested ?? {})]) {
      const local = forLocalRun(machineDefinition);
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
    const execution = newExecution(name, executionArn, input, this.sim.now());
    const frame: Frame = { execution, lineage: [execution] };
    (execution as { done: Promise<void> }).done = this.runIn(this.machines.get(this.arn)!, frame)
      .then(
        (output) => {
          execution.status = 'SUCCEEDED';
          execution.output = output;
        },
        (error: Error) => {
          execution.status = 'FAILED';
          execution.error = { name: error.name, cause: error.message };
        },
      )
      .finally(() => {
        execution.virtualSeconds = (this.sim.now() - execution.startDate.getTime()) / 1000;
      });
    this.executions.set(name, execution);
    return { executionArn, startDate: execution.startDate };
  }

  /** Virtual seconds since the execution started (to its end once it has ended). */
  elapsedSeconds(execution: LocalExecution): number {
    return execution.status === 'RUNNING' ? (this.sim.now() - execution.startDate.getTime()) / 1000 : execution.virtualSeconds;
  }

  /** SendTaskSuccess: the waiting Task ends with `outputJson` as its result. */
  sendTaskSuccess(token: string, outputJson: string): void {
    let output: unknown;
    try {
      output = JSON.parse(outputJson);
    } catch {
      throw new AwsErrorAnswer('InvalidOutput', 'Invalid State Machine Execution Output: not JSON');
    }
    this.takeWaiting(token).resolve(output);
  }

  /** SendTaskFailure: the waiting Task fails with `error` (its name) and `cause`. */
  sendTaskFailure(token: string, error = '', cause = ''): void {
    this.takeWaiting(token).reject(Object.assign(new Error(cause), { name: error }));
  }

  /** SendTaskHeartbeat: the waiting Task's heartbeat timer starts again. */
  sendTaskHeartbeat(token: string): void {
    const waiting = this.waitingTasks.get(token);
    if (!waiting) throw this.unknownToken(token);
    waiting.heartbeat();
  }

  /** Tasks waiting on their token now. */
  get waitingTaskCount(): number {
    return this.waitingTasks.size;
  }

  private takeWaiting(token: string): WaitingTask {
    const waiting = this.waitingTasks.get(token);
    if (!waiting) throw this.unknownToken(token);
    this.waitingTasks.delete(token);
    this.endedTokens.add(token);
    return waiting;
  }

  private unknownToken(token: string): AwsErrorAnswer {
    return this.endedTokens.has(token)
      ? new AwsErrorAnswer('TaskTimedOut', 'Task Timed Out: the task has already ended')
      : new AwsErrorAnswer('InvalidToken', `Invalid Token: '${token.slice(0, 40)}'`);
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
      context: { Execution: { Name: execution.name, Id: execution.arn }, Task: { Token: TOKEN_PLACEHOLDER } } as never,
    });
    const history = new HistoryRecorder(execution.history, target.states, execution.arn.split(':')[3] ?? '');
    const counting = (async () => {
      for await (const event of running.eventLogs) {
        history.record(event as InterpreterEvent);
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
      history.succeeded(this.sim.now(), output);
      return output;
    } catch (error) {
      await counting.catch(() => undefined);
      const failure = ((error as Error).cause as Error | undefined) ?? error;
      history.failed(this.sim.now(), (failure as Error).name, (failure as Error).message);
      throw failure;
    }
  }

  private wrapTask(target: LocalMachine, stateName: string, state: StateDefinition, frame: Frame): TaskHandler {
    const track: TaskTrack = { attempts: (state.Retry ?? []).map(() => 0), pendingSeconds: 0 };
    if (state.Resource === LOCAL_WAIT) {
      const wait = target.states[stateName]!;
      return async (input) => {
        await this.sim.sleep(waitSeconds(stateName, wait, input));
        return {};
      };
    }
    const synthesized = target.states[stateName]!;
    const run =
      state.Resource && SYNC_START.test(state.Resource)
        ? this.nestedRun(frame)
        : state.Resource && WAIT_FOR_TOKEN.test(state.Resource)
          ? this.tokenTask(stateName, synthesized, frame)
          : this.invocation(stateName, state, frame);
    return async (input) => {
      const pause = track.pendingSeconds;
      track.pendingSeconds = 0;
      if (pause > 0) await this.sim.sleep(pause);
      try {
        const result = await run(input);
        track.attempts.fill(0);
        return result;
      } catch (error) {
        track.pendingSeconds = this.pauseAfterError(state, track, (error as Error).name);
        throw acrossLambda(error as Error);
      }
    };
  }

  /** A function's Task: counted, and run as tracked work (the clock stands still while it runs). */
  private invocation(stateName: string, state: StateDefinition, frame: Frame): TaskHandler {
    const handler = state.Resource ? this.handlersByResource[state.Resource] : undefined;
    if (!handler) throw new Error(`No local handler for Task "${stateName}" (resource ${state.Resource})`);
    return (input) => {
      for (const execution of frame.lineage) execution.invocations[stateName] = (execution.invocations[stateName] ?? 0) + 1;
      return this.sim.track(() => handler(input));
    };
  }

  /**
   * `.waitForTaskToken`: invokes the function (the Lambda integration's FunctionName and Payload)
   * with a fresh token in place of `$$.Task.Token`, then waits for the token's answer, under the
   * state's TimeoutSeconds and HeartbeatSeconds, on the simulation's clock.
   */
  private tokenTask(stateName: string, synthesized: StateDefinition, frame: Frame): TaskHandler {
    const { TimeoutSeconds: timeoutSeconds, HeartbeatSeconds: heartbeatSeconds } = synthesized as {
      TimeoutSeconds?: number;
      HeartbeatSeconds?: number;
    };
    return async (input) => {
      const { FunctionName: functionName, Payload: payload } = (input ?? {}) as { FunctionName?: string; Payload?: unknown };
      const handler = functionName ? this.handlersByResource[functionName.replace(/:\$LATEST$/, '')] : undefined;
      if (!handler)
        throw new Error(
          `No local handler for Task "${stateName}" (FunctionName ${functionName}): only lambda:invoke.waitForTaskToken is run locally`,
        );
      const token = `${frame.execution.name}:${stateName}:${randomUUID()}`;
      for (const execution of frame.lineage) execution.invocations[stateName] = (execution.invocations[stateName] ?? 0) + 1;
      const answered = new Promise<unknown>((resolve, reject) => {
        const cancels: (() => void)[] = [];
        const end = (settle: () => void) => {
          for (const cancel of cancels.splice(0)) cancel();
          settle();
        };
        const fail = (name: string, message: string) => {
          if (!this.waitingTasks.delete(token)) return;
          this.endedTokens.add(token);
          end(() => reject(Object.assign(new Error(message), { name })));
        };
        let heartbeatCancel: (() => void) | undefined;
        const armHeartbeat = () => {
          heartbeatCancel?.();
          if (heartbeatSeconds !== undefined) {
            heartbeatCancel = this.sim.at(this.sim.now() + heartbeatSeconds * 1000, () =>
              fail('States.HeartbeatTimeout', `No heartbeat within ${heartbeatSeconds} s`),
            );
          }
        };
        this.waitingTasks.set(token, {
          resolve: (output) => end(() => resolve(output)),
          reject: (error) => end(() => reject(error)),
          heartbeat: armHeartbeat,
        });
        armHeartbeat();
        cancels.push(() => heartbeatCancel?.());
        if (timeoutSeconds !== undefined) {
          cancels.push(
            this.sim.at(this.sim.now() + timeoutSeconds * 1000, () =>
              fail('States.Timeout', `The task timed out after ${timeoutSeconds} s`),
            ),
          );
        }
      });
      try {
        await this.sim.track(() => handler(withToken(payload, token)));
      } catch (error) {
        // The invocation failed: the task fails with its error, as the Lambda integration would.
        this.waitingTasks.get(token)?.reject(error as Error);
        this.waitingTasks.delete(token);
        this.endedTokens.add(token);
      }
      return answered;
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
      const run = newExecution(name, runArn, runInput ?? {}, this.sim.now());
      frame.execution.runs.push(run);
      const runFrame: Frame = { execution: run, lineage: [run, ...frame.lineage] };
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
        run.virtualSeconds = (this.sim.now() - run.startDate.getTime()) / 1000;
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
}

function newExecution(name: string, arn: string, input: unknown, startMs: number): LocalExecution {
  return {
    name,
    arn,
    input,
    startDate: new Date(startMs),
    status: 'RUNNING',
    virtualSeconds: 0,
    transitions: 0,
    maxStatePayloadBytes: 0,
    invocations: {},
    runs: [],
    history: [],
    done: Promise.resolve(),
  };
}

/**
 * The definition as the local runner runs it (nested ones too): every Wait state turned into a
 * Task of LOCAL_WAIT that passes its input through, so the runner sleeps it on the simulation's
 * clock, at the moment and for the length the state says (one transition either way); and the
 * Tasks' timeouts taken off the interpreter, whose timers are real: the runner keeps those of
 * the token Tasks on the simulation's clock, and a function's own timeout is the pipeline's.
 */
function forLocalRun(definition: StateMachineDefinition): StateMachineDefinition {
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      if (state.Type === 'Wait') {
        const { Type: _type, Seconds: _seconds, SecondsPath: _path, ...rest } = state as StateDefinition & Record<string, unknown>;
        return [name, { ...rest, Type: 'Task', Resource: LOCAL_WAIT, ResultPath: null, TimeoutSeconds: REAL_TIMER_MAX_SECONDS }];
      }
      if (state.Type === 'Task') {
        const { HeartbeatSeconds: _heartbeat, ...rest } = state as StateDefinition & Record<string, unknown>;
        return [name, { ...rest, TimeoutSeconds: REAL_TIMER_MAX_SECONDS }];
      }
      const nested = {
        ...(state.Branches ? { Branches: state.Branches.map(forLocalRun) } : {}),
        ...(state.ItemProcessor ? { ItemProcessor: { ...state.ItemProcessor, ...forLocalRun(state.ItemProcessor) } } : {}),
        ...(state.Iterator ? { Iterator: { ...state.Iterator, ...forLocalRun(state.Iterator) } } : {}),
      };
      return [name, { ...state, ...nested }];
    }),
  );
  return { ...definition, States: states as Record<string, StateDefinition> };
}

/** The longest timer setTimeout takes (about 24.8 days): the interpreter's real timers never fire. */
const REAL_TIMER_MAX_SECONDS = 2_000_000;

/** The payload with every `$$.Task.Token` reading replaced by the Task's own token. */
function withToken(payload: unknown, token: string): unknown {
  if (payload === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(payload)) return payload.map((item) => withToken(item, token));
  if (payload && typeof payload === 'object') {
    return Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, withToken(value, token)]));
  }
  return payload;
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

/**
 * An error as it leaves a function: its name and message, as Lambda reports them (errorType,
 * errorMessage), without the `cause` a handler's error may hold in-process (the interpreter
 * would show that cause, an object, in place of the message).
 */
function acrossLambda(error: Error): Error {
  return error.cause === undefined ? error : Object.assign(new Error(error.message), { name: error.name });
}

const jsonBytes = (value: unknown) => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8'));

const matches = (errorEquals: readonly string[], name: string) =>
  errorEquals.includes(name) || errorEquals.includes('States.ALL') || errorEquals.includes('States.TaskFailed');
