import type { StateDefinition } from './template';

/**
 * One event of an execution's history, as Step Functions' `GetExecutionHistory` gives it: its
 * id, the id of the event before it in the same line of work (an iteration of a Map has its own
 * line, so an event of one destination's delivery leads back to that iteration's start), its
 * time, its type and its details under the API's own key (`taskFailedEventDetails: { error,
 * cause, ... }`).
 */
export interface LocalHistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestampMs: number;
  readonly type: string;
  readonly details: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** What aws-local-stepfunctions' event log gives (the fields read here). */
export interface InterpreterEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly input?: unknown;
  readonly index?: number;
  readonly state?: { readonly name: string; readonly type: string; readonly input?: unknown; readonly output?: unknown };
  readonly parentState?: { readonly name: string };
  readonly Error?: string;
  readonly Cause?: unknown;
}

/** The line of work outside any Map iteration. */
const MAIN = 'main';

/**
 * Turns the interpreter's event log of one execution into a Step Functions history: ExecutionStarted;
 * per state `<Type>StateEntered` / `<Type>StateExited` (Wait states by their synthesized type, not
 * the local Task that sleeps them); per Task attempt TaskScheduled, TaskStarted, then TaskSucceeded,
 * TaskFailed or TaskTimedOut (error and cause); MapStateStarted, MapIterationStarted / Succeeded /
 * Failed (name and index), MapStateSucceeded / Failed; FailStateEntered; and, from {@link succeeded} or
 * {@link failed}, ExecutionSucceeded / ExecutionFailed.
 *
 * Where the local runner does not know what Step Functions would show, less is shown:
 * TaskScheduled's `parameters` is the state's input (the effective parameters are not exposed),
 * TaskSucceeded's `output` the state's output (the same as the task's result where ResultPath and
 * OutputPath keep it whole, as for Notify). Iterations are told apart by their index alone (the
 * interpreter gives no more), which is enough for one level of Map.
 */
export class HistoryRecorder {
  private readonly events: LocalHistoryEvent[];
  /** The last event's id per line of work. */
  private readonly lastOf = new Map<string, number>();
  /** Lines whose Task error was just caught: the interpreter's StateExited that follows is no success. */
  private readonly caught = new Set<string>();

  constructor(
    events: LocalHistoryEvent[],
    private readonly states: Readonly<Record<string, StateDefinition>>,
    private readonly region: string,
  ) {
    this.events = events;
  }

  record(event: InterpreterEvent): void {
    const line = event.index === undefined ? MAIN : iterationLine(event.index);
    const at = event.timestamp;
    switch (event.type) {
      case 'ExecutionStarted':
        this.add(MAIN, at, 'ExecutionStarted', { executionStartedEventDetails: { input: json(event.input) } });
        return;
      case 'MapIterationStarted': {
        const iteration = iterationLine(event.index!);
        this.lastOf.set(iteration, this.lastOf.get(MAIN) ?? 0);
        this.add(iteration, at, 'MapIterationStarted', {
          mapIterationStartedEventDetails: { name: event.parentState!.name, index: event.index },
        });
        return;
      }
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const iteration = iterationLine(event.index!);
        const key = event.type === 'MapIterationSucceeded' ? 'mapIterationSucceededEventDetails' : 'mapIterationFailedEventDetails';
        this.add(iteration, at, event.type, { [key]: { name: event.parentState!.name, index: event.index } });
        return;
      }
      case 'StateEntered':
        this.entered(line, at, event.state!);
        return;
      case 'StateExited':
        this.exited(line, at, event.state!);
        return;
      case 'StateFailed':
        this.stateFailed(line, at, event.state!, event.Error ?? '', causeText(event.Cause));
        return;
      case 'StateRetried':
        this.scheduled(line, at, event.state!);
        return;
      case 'StateCaught':
        this.caught.add(line);
        return;
      default:
        // ExecutionSucceeded and ExecutionFailed come from the runner (which unwraps the interpreter's errors).
        return;
    }
  }

  succeeded(atMs: number, output: unknown): void {
    this.add(MAIN, atMs, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: json(output) } });
  }

  failed(atMs: number, error: string, cause: string): void {
    this.add(MAIN, atMs, 'ExecutionFailed', { executionFailedEventDetails: { error, cause } });
  }

  private entered(line: string, at: number, state: NonNullable<InterpreterEvent['state']>): void {
    const type = this.typeOf(state);
    this.add(line, at, `${type}StateEntered`, { stateEnteredEventDetails: { name: state.name, input: json(state.input) } });
    if (type === 'Task') this.scheduled(line, at, state);
    if (type === 'Map') this.add(line, at, 'MapStateStarted', { mapStateStartedEventDetails: {} });
  }

  private exited(line: string, at: number, state: NonNullable<InterpreterEvent['state']>): void {
    const type = this.typeOf(state);
    if (this.caught.delete(line)) {
      // Left through a Catch: its failure is already told; the output is the error at the Catch's ResultPath.
      this.add(line, at, `${type}StateExited`, { stateExitedEventDetails: { name: state.name, output: json(state.output) } });
      return;
    }
    if (type === 'Task')
      this.add(line, at, 'TaskSucceeded', { taskSucceededEventDetails: { ...this.resourceOf(state), output: json(state.output) } });
    if (type === 'Map') this.add(line, at, 'MapStateSucceeded', {});
    this.add(line, at, `${type}StateExited`, { stateExitedEventDetails: { name: state.name, output: json(state.output) } });
  }

  private stateFailed(line: string, at: number, state: NonNullable<InterpreterEvent['state']>, error: string, cause: string): void {
    const type = this.typeOf(state);
    if (type === 'Task') {
      const timedOut = error === 'States.Timeout' || error === 'States.HeartbeatTimeout';
      const [eventType, key] = timedOut ? ['TaskTimedOut', 'taskTimedOutEventDetails'] : ['TaskFailed', 'taskFailedEventDetails'];
      this.add(line, at, eventType, { [key]: { ...this.resourceOf(state), error, cause } });
    } else if (type === 'Map') {
      this.add(line, at, 'MapStateFailed', {});
    }
  }

  /** One attempt of a Task: scheduled and started at once (locally nothing queues). */
  private scheduled(line: string, at: number, state: NonNullable<InterpreterEvent['state']>): void {
    if (this.typeOf(state) !== 'Task') return;
    const resource = this.resourceOf(state);
    this.add(line, at, 'TaskScheduled', {
      taskScheduledEventDetails: { ...resource, region: this.region, parameters: json(state.input) },
    });
    this.add(line, at, 'TaskStarted', { taskStartedEventDetails: resource });
  }

  /** The state's type as synthesized: a Wait stays a Wait though the local runner sleeps it in a Task. */
  private typeOf(state: NonNullable<InterpreterEvent['state']>): string {
    return this.states[state.name]?.Type ?? state.type;
  }

  /** `arn:aws:states:::lambda:invoke.waitForTaskToken` -> `lambda`, `invoke.waitForTaskToken`, as the history splits it. */
  private resourceOf(state: NonNullable<InterpreterEvent['state']>): { resourceType: string; resource: string } {
    const arn = this.states[state.name]?.Resource ?? '';
    const integration = /^arn:aws:states:::((?:aws-sdk:)?[^:]+):(.+)$/.exec(arn);
    if (integration) return { resourceType: integration[1]!, resource: integration[2]! };
    return { resourceType: arn.startsWith('arn:aws:lambda:') ? 'lambda' : 'activity', resource: arn };
  }

  private add(line: string, timestampMs: number, type: string, details: LocalHistoryEvent['details']): void {
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId: this.lastOf.get(line) ?? 0, timestampMs, type, details });
    this.lastOf.set(line, id);
    // The main line goes on from the latest event of any iteration once the Map ends.
    if (line !== MAIN && (type === 'MapIterationSucceeded' || type === 'MapIterationFailed')) this.lastOf.set(MAIN, id);
  }
}

const iterationLine = (index: number): string => `iteration#${index}`;

const json = (value: unknown): string => JSON.stringify(value ?? null);

/** The interpreter gives an error's cause, else its message: text either way. */
function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return cause === undefined ? '' : JSON.stringify(cause);
}
