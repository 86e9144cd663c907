/**
 * `smoke`'s reading of an execution's history (per destination: delivered, or not and why; the
 * event bus) and its verdicts, on histories in GetExecutionHistory's shape and mocked AWS clients.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { PRICES } from '../../bench/prices';
import {
  CALLER_REFERENCE_PREFIX,
  DEFAULT_SMOKE_PATH,
  checkSmokePath,
  costOf,
  describeReport,
  readHistory,
  runSmoke,
  type SmokeDeps,
  type SmokeSettings,
} from '../../cli/smoke';
import { DeliveryStateNames, WatcherFailures } from '../../lambda/shared/delivery-names';

/** A history as Step Functions writes one: ids in order, each iteration on its own line of previousEventIds. */
class History {
  readonly events: HistoryEvent[] = [];
  private readonly lines = new Map<string, number>();

  add(line: string, type: string, details: Record<string, unknown> = {}): this {
    const id = this.events.length + 1;
    this.events.push({
      id,
      previousEventId: this.lines.get(line) ?? 0,
      timestamp: new Date(1_800_000_000_000 + id * 1000),
      type,
      ...details,
    } as HistoryEvent);
    this.lines.set(line, id);
    return this;
  }

  started(destinations: string[]): this {
    const input = {
      request: { target: { kind: 'distribution', id: 'E2SMOKE' }, invalidationId: 'ISMOKE' },
      audience: { destinations, routes: [] },
    };
    return this.add('main', 'ExecutionStarted', { executionStartedEventDetails: { input: JSON.stringify(input) } })
      .add('main', 'MapStateEntered', { stateEnteredEventDetails: { name: DeliveryStateNames.notifyDestinations, input: '{}' } })
      .add('main', 'MapStateStarted', { mapStateStartedEventDetails: { length: destinations.length } });
  }

  /** One destination's iteration, up to its Notify task's first attempt. */
  iteration(index: number, destination: string): this {
    this.lines.set(destination, this.lines.get('main')!);
    return this.add(destination, 'MapIterationStarted', {
      mapIterationStartedEventDetails: { name: DeliveryStateNames.notifyDestinations, index },
    })
      .add(destination, 'TaskStateEntered', {
        stateEnteredEventDetails: { name: DeliveryStateNames.notifyDestination, input: JSON.stringify({ destination, watch: {} }) },
      })
      .attempt(destination);
  }

  attempt(destination: string): this {
    return this.add(destination, 'TaskScheduled', {
      taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', region: 'us-east-1', parameters: '{}' },
    }).add(destination, 'TaskStarted', { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' } });
  }

  delivered(destination: string, type: string, told = 'separate'): this {
    const result = { destination, type, delivered: true, outcome: 'completed', told };
    return this.add(destination, 'TaskSucceeded', {
      taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: JSON.stringify(result) },
    })
      .add(destination, 'TaskStateExited', {
        stateExitedEventDetails: { name: DeliveryStateNames.notifyDestination, output: JSON.stringify(result) },
      })
      .add(destination, 'MapIterationSucceeded', { mapIterationSucceededEventDetails: { name: DeliveryStateNames.notifyDestinations } });
  }

  taskFailed(destination: string, error: string, cause: string): this {
    return this.add(destination, 'TaskFailed', {
      taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', error, cause },
    });
  }

  /** The Catch: the failure is final, the Pass state reports it. */
  notDelivered(destination: string, error: string, cause: string): this {
    const result = { destination, delivered: false, error: { Error: error, Cause: cause } };
    return this.add(destination, 'TaskStateExited', {
      stateExitedEventDetails: { name: DeliveryStateNames.notifyDestination, output: '{}' },
    })
      .add(destination, 'PassStateEntered', { stateEnteredEventDetails: { name: DeliveryStateNames.notDelivered, input: '{}' } })
      .add(destination, 'PassStateExited', {
        stateExitedEventDetails: { name: DeliveryStateNames.notDelivered, output: JSON.stringify({ destination, result }) },
      })
      .add(destination, 'MapIterationSucceeded', { mapIterationSucceededEventDetails: { name: DeliveryStateNames.notifyDestinations } });
  }

  ended(type: 'ExecutionSucceeded' | 'ExecutionFailed', error?: string, cause?: string): this {
    this.add('main', 'MapStateSucceeded').add('main', 'MapStateExited', {
      stateExitedEventDetails: { name: DeliveryStateNames.notifyDestinations, output: '{}' },
    });
    return type === 'ExecutionSucceeded'
      ? this.add('main', type, { executionSucceededEventDetails: { output: '{}' } })
      : this.add('main', type, { executionFailedEventDetails: { error, cause } });
  }
}

const TEAMS_404 =
  'Microsoft Teams refused the webhook (404): the webhook was revoked or is wrong; check the webhook URL in secret "n/web-teams"';

describe('readHistory', () => {
  it('every destination delivered: each named with its type, the event on the bus', () => {
    const history = new History()
      .started(['slack', 'email', 'automation'])
      .iteration(0, 'slack')
      .iteration(1, 'email')
      .iteration(2, 'automation')
      .delivered('automation', 'eventbridge')
      .delivered('slack', 'slack')
      .delivered('email', 'sns')
      .ended('ExecutionSucceeded');
    const reading = readHistory(history.events);
    expect(reading.routed).toEqual(['slack', 'email', 'automation']);
    expect(reading.destinations).toEqual([
      { name: 'slack', type: 'slack', status: 'delivered', notifyCalls: 1, told: 'separate' },
      { name: 'email', type: 'sns', status: 'delivered', notifyCalls: 1, told: 'separate' },
      { name: 'automation', type: 'eventbridge', status: 'delivered', notifyCalls: 1, told: 'separate' },
    ]);
    expect(reading.lambdaInvocations).toBe(3);
    // Map + one Task per destination.
    expect(reading.transitions).toBe(4);
  });

  it('one destination failing for good: named, with the error and cause of the Catch; a retry before counts as an attempt; the others delivered', () => {
    const history = new History()
      .started(['web-teams', 'slack'])
      .iteration(0, 'web-teams')
      .iteration(1, 'slack')
      .taskFailed('web-teams', 'WebhookUnavailable', 'Microsoft Teams did not answer (ECONNRESET)')
      .delivered('slack', 'slack')
      .attempt('web-teams')
      .taskFailed('web-teams', 'WebhookRejected', TEAMS_404)
      .notDelivered('web-teams', 'WebhookRejected', TEAMS_404)
      .ended('ExecutionFailed', WatcherFailures.notDelivered, '[...]');
    const reading = readHistory(history.events);
    expect(reading.destinations).toEqual([
      { name: 'web-teams', status: 'not-delivered', notifyCalls: 2, error: 'WebhookRejected', cause: TEAMS_404 },
      { name: 'slack', type: 'slack', status: 'delivered', notifyCalls: 1, told: 'separate' },
    ]);
    // The retry is a transition of its own; the Pass state too.
    expect(reading.transitions).toBe(1 + 2 + 1 + 1);
  });

  it("a Lambda error's cause (JSON with errorMessage, as Step Functions records it) reads as its message; an event bus that refused is the bus not reached", () => {
    const lambdaCause = JSON.stringify({
      errorType: 'EventBusRejected',
      errorMessage: 'EventBridge refused the event for ops-bus (AccessDenied)',
      trace: [],
    });
    const history = new History()
      .started(['automation'])
      .iteration(0, 'automation')
      .taskFailed('automation', 'EventBusRejected', lambdaCause)
      .notDelivered('automation', 'EventBusRejected', lambdaCause)
      .ended('ExecutionFailed', WatcherFailures.notDelivered, '[...]');
    const [automation] = readHistory(history.events).destinations;
    expect(automation).toMatchObject({
      type: 'eventbridge',
      status: 'not-delivered',
      cause: 'EventBridge refused the event for ops-bus (AccessDenied)',
    });
  });

  it('an execution that failed before delivering: its routed destinations are not reached', () => {
    const history = new History()
      .add('main', 'ExecutionStarted', {
        executionStartedEventDetails: {
          input: JSON.stringify({ request: {}, audience: { destinations: ['slack', 'email'], routes: [] } }),
        },
      })
      .add('main', 'ExecutionFailed', { executionFailedEventDetails: { error: 'States.Runtime', cause: 'boom' } });
    expect(readHistory(history.events).destinations).toEqual([
      { name: 'slack', status: 'not-reached', notifyCalls: 0 },
      { name: 'email', status: 'not-reached', notifyCalls: 0 },
    ]);
  });

  it("events after the Map are nobody's: the main line going on from the last iteration does not count for its destination", () => {
    const history = new History().started(['slack']).iteration(0, 'slack').delivered('slack', 'slack');
    // In Step Functions, the Map's end follows the last iteration's end.
    history.add('slack', 'MapStateSucceeded').add('slack', 'TaskScheduled', {
      taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', region: 'us-east-1', parameters: '{}' },
    });
    expect(readHistory(history.events).destinations).toEqual([
      { name: 'slack', type: 'slack', status: 'delivered', notifyCalls: 1, told: 'separate' },
    ]);
  });
});

describe('costOf', () => {
  it('prices the path and the watch at bench/prices.ts, in plain decimals', () => {
    const cost = costOf({ transitions: 11, lambdaInvocations: 5 });
    expect(cost).toMatchObject({ invalidationPathUsd: PRICES.invalidationPath, transitionsUsd: 11 * PRICES.standardTransition });
    expect(cost.text).toContain("one invalidation path (free within the account's first 1,000 paths a month, then $0.005)");
    expect(cost.text).toContain('11 state transitions ($0.00028) and 5 Lambda invocations ($0.000001 in requests, $0.00000085 in duration');
    expect(cost.text).not.toMatch(/\de-\d/);
  });
});

describe('checkSmokePath', () => {
  it.each([
    ['no slash', 'smoke', /must start with "\/"/],
    ['a wildcard', '/assets/*', /not a wildcard/],
    ['a space', '/a b', /spaces or control characters/],
  ])('refuses %s, naming --path', (_, path, message) => {
    expect(() => checkSmokePath(path)).toThrow(message);
    expect(() => checkSmokePath(path)).toThrow(/--path/);
  });
  it('takes the default', () => expect(checkSmokePath(DEFAULT_SMOKE_PATH)).toBe(DEFAULT_SMOKE_PATH));
});

describe('runSmoke, with mocked AWS', () => {
  const cloudFront = mockClient(CloudFrontClient);
  const sfn = mockClient(SFNClient);
  const cloudFormation = mockClient(CloudFormationClient);
  const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Watcher';
  const settings: SmokeSettings = {
    target: { kind: 'distribution', id: 'E2SMOKE' },
    path: DEFAULT_SMOKE_PATH,
    stackName: 'CloudFrontInvalidationNotifier',
    timeoutMs: 30 * 60_000,
  };
  let clock: number;
  let lines: string[];
  const deps = (): SmokeDeps => ({
    cloudFront: new CloudFrontClient({ region: 'us-east-1' }),
    sfn: new SFNClient({ region: 'us-east-1' }),
    cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    log: (line) => lines.push(line),
  });

  beforeEach(() => {
    clock = Date.parse('2026-12-03T10:00:00Z');
    lines = [];
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'x',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'WatcherStateMachineArn', OutputValue: STATE_MACHINE }],
        },
      ],
    });
    cloudFront
      .on(CreateInvalidationCommand)
      .resolves({ Invalidation: { Id: 'ISMOKE', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } });
  });
  afterEach(() => {
    cloudFront.reset();
    sfn.reset();
    cloudFormation.reset();
  });

  it("creates one exact path with a caller reference that says what it is, on the stack's watcher", async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    await runSmoke({ ...settings, timeoutMs: 60_000 }, deps());
    expect(cloudFormation.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({ StackName: 'CloudFrontInvalidationNotifier' });
    expect(cloudFront.commandCalls(CreateInvalidationCommand)[0]!.args[0].input).toEqual({
      DistributionId: 'E2SMOKE',
      InvalidationBatch: {
        CallerReference: `${CALLER_REFERENCE_PREFIX} 2026-12-03T10:00:00.000Z`,
        Paths: { Quantity: 1, Items: [DEFAULT_SMOKE_PATH] },
      },
    });
    expect(sfn.commandCalls(ListExecutionsCommand)[0]!.args[0].input).toMatchObject({ stateMachineArn: STATE_MACHINE });
  });

  it('no execution within the timeout: failed, saying what that means and what to check; the path still costs', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: `${STATE_MACHINE}:other`,
          name: 'E2SMOKE-IOTHER',
          stateMachineArn: STATE_MACHINE,
          status: 'RUNNING',
          startDate: new Date(),
        },
      ],
    });
    const report = await runSmoke(settings, deps());
    expect(report.outcome).toBe('failed');
    expect(report.problem).toMatch(/No execution E2SMOKE-ISMOKE .* within 30 minutes/);
    for (const hint of [/trail/, /rule is enabled/, /us-east-1/, /organization mode/]) expect(report.problem).toMatch(hint);
    expect(clock - Date.parse('2026-12-03T10:00:00Z')).toBe(30 * 60_000);
    expect(report.cost?.invalidationPathUsd).toBe(PRICES.invalidationPath);
    expect(describeReport(report).at(-1)).toMatch(/^Smoke test FAILED: No execution/);
  });

  it('an execution that could not track the invalidation: failed, with its error; found by account prefix (organization mode)', async () => {
    const arn = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:111122223333-E2SMOKE-ISMOKE`;
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [] })
      .resolves({
        executions: [
          {
            executionArn: arn,
            name: '111122223333-E2SMOKE-ISMOKE',
            stateMachineArn: STATE_MACHINE,
            status: 'RUNNING',
            startDate: new Date(),
          },
        ],
      });
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING', executionArn: arn, stateMachineArn: STATE_MACHINE, startDate: new Date() })
      .resolves({
        status: 'FAILED',
        error: WatcherFailures.couldNotTrack,
        cause: 'The invalidation could not be tracked',
        executionArn: arn,
        stateMachineArn: STATE_MACHINE,
        startDate: new Date(),
      });
    const history = new History()
      .started(['slack'])
      .iteration(0, 'slack')
      .delivered('slack', 'slack')
      .ended('ExecutionFailed', WatcherFailures.couldNotTrack, '...');
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: history.events.slice(0, 4), nextToken: 'next' })
      .resolves({ events: history.events.slice(4) });
    const report = await runSmoke(settings, deps());
    expect(report.outcome).toBe('failed');
    expect(report.execution).toMatchObject({ name: '111122223333-E2SMOKE-ISMOKE', status: 'FAILED', error: WatcherFailures.couldNotTrack });
    expect(report.problem).toMatch(/could not track/);
    // Both pages read.
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[1]!.args[0].input).toMatchObject({ nextToken: 'next' });
    expect(report.destinations).toEqual([expect.objectContaining({ name: 'slack', status: 'delivered' })]);
    expect(report.eventBus?.text).toMatch(/No eventbridge destination routed/);
  });

  it('a stack without the output: failed, naming the output and what to pass instead', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'x', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    const report = await runSmoke(settings, deps());
    expect(report.problem).toMatch(/no output WatcherStateMachineArn.*--state-machine-arn/);
    expect(cloudFront.commandCalls(CreateInvalidationCommand)).toHaveLength(0);
  });

  it('Ctrl-C while waiting: interrupted, saying the invalidation was created', async () => {
    const controller = new AbortController();
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const report = await runSmoke(settings, {
      ...deps(),
      signal: controller.signal,
      sleep: async (_, signal) => {
        controller.abort();
        if (signal?.aborted) throw new Error('aborted');
      },
    });
    expect(report.outcome).toBe('interrupted');
    expect(report.problem).toMatch(/invalidation ISMOKE was created/);
  });
});
