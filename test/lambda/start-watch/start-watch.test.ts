import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import distributionEvent from '../../../local/fixtures/create-invalidation.json';
import tenantEvent from '../../../local/fixtures/create-invalidation-for-tenant.json';
import { executionArnFor, startWatch, watcherExecutionFor } from '../../../lambda/start-watch/start-watch';
import { executionNameFor, parseWatchRequest } from '../../../lambda/shared/watch-request';
import { failureOf } from '../../support/failure-of';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:InvalidationWatcher';

const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: 'us-east-1' });

type Json = Record<string, unknown>;

/** The event without detail.eventName: readable enough to name, not enough to watch. */
function malformedEvent(): Json {
  const event = structuredClone(distributionEvent) as Json;
  delete (event.detail as Json).eventName;
  return event;
}

afterEach(() => {
  sfnMock.reset();
});

describe('startWatch', () => {
  it('starts an execution named after the invalidation with the watch request as input', async () => {
    // Prepare
    const request = parseWatchRequest(structuredClone(distributionEvent));
    const executionArn = executionArnFor(STATE_MACHINE_ARN, executionNameFor(request));
    sfnMock.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date('2026-11-21T18:02:30Z') });

    // Act
    const result = await startWatch(sfn, STATE_MACHINE_ARN, structuredClone(distributionEvent));

    // Assert
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE_ARN,
      name: executionNameFor(request),
      input: JSON.stringify({ request }),
    });
    expect(result).toEqual({
      outcome: 'started',
      executionName: executionNameFor(request),
      executionArn,
      invalidationId: 'I2J0I21PCUYOIK',
    });
  });

  it('starts a tenant watch with the tenant request as input', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });

    // Act
    await startWatch(sfn, STATE_MACHINE_ARN, structuredClone(tenantEvent));

    // Assert
    const sent = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    const input = JSON.parse(sent.input!) as { request: { target: unknown } };
    expect(input.request.target).toEqual({ kind: 'tenant', id: 'dt_2wjDZi3hD1ivOXf6rpZJO1AB' });
    expect(sent.name).toContain('I3TENANTX8K2QZ');
  });

  it('reports a duplicate, with the existing execution ARN, when the execution already exists', async () => {
    // Prepare
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: { httpStatusCode: 400 } }));
    const name = executionNameFor(parseWatchRequest(structuredClone(distributionEvent)));

    // Act
    const result = await startWatch(sfn, STATE_MACHINE_ARN, structuredClone(distributionEvent));

    // Assert
    expect(result.outcome).toBe('duplicate');
    expect(result.executionName).toBe(name);
    expect(result.executionArn).toBe(`arn:aws:states:us-east-1:123456789012:execution:InvalidationWatcher:${name}`);
  });

  it('lets other Step Functions errors propagate, so the event goes to the dead-letter queue', async () => {
    // Prepare
    const failure = new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: { httpStatusCode: 400 } });
    sfnMock.on(StartExecutionCommand).rejects(failure);

    // Act
    const error = await failureOf(() => startWatch(sfn, STATE_MACHINE_ARN, structuredClone(distributionEvent)));

    // Assert
    expect(error).toBe(failure);
  });

  it('still starts an execution for a malformed event, named rejected-<eventId>, carrying the reason', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:rejected' });

    // Act
    const result = await startWatch(sfn, STATE_MACHINE_ARN, malformedEvent());

    // Assert
    const sent = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(sent.name).toBe('rejected-0b4f8a11-8d26-4b67-95a3-5e2d0d1f6c7a');
    const input = JSON.parse(sent.input!) as Json;
    expect(input).not.toHaveProperty('request');
    expect(input.rejected).toMatchObject({
      reason: expect.stringContaining('detail.eventName'),
      eventId: '0b4f8a11-8d26-4b67-95a3-5e2d0d1f6c7a',
      createdBy: 'github-actions-deploy/deploy-web-1342',
    });
    expect(result).toMatchObject({
      outcome: 'started',
      executionName: sent.name,
      rejectedReason: expect.stringContaining('detail.eventName'),
    });
    expect(result.invalidationId).toBeUndefined();
  });

  it.each<[string, () => unknown]>([
    ['a valid event', () => structuredClone(distributionEvent)],
    ['a malformed event', malformedEvent],
  ])('sends the same name and input when %s is delivered twice', async (_name, makeEvent) => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });

    // Act
    await startWatch(sfn, STATE_MACHINE_ARN, makeEvent());
    await startWatch(sfn, STATE_MACHINE_ARN, makeEvent());

    // Assert
    const [first, second] = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(second).toEqual(first);
    expect(first?.name).toBeTruthy();
    expect(first?.input).toBeTruthy();
  });
});

describe('watcherExecutionFor', () => {
  it('propagates errors that are not about the event', () => {
    // Prepare: a getter that throws while the event is read.
    const event = {
      get detail(): never {
        throw new TypeError('boom');
      },
    };

    // Act
    const build = () => watcherExecutionFor(event);

    // Assert
    expect(build).toThrow(TypeError);
  });
});

describe('executionArnFor', () => {
  it('turns the state machine ARN into the ARN of its named execution', () => {
    // Act
    const arn = executionArnFor(STATE_MACHINE_ARN, 'E2QWRUHAPOMQZL-I2J0I21PCUYOIK');

    // Assert
    expect(arn).toBe('arn:aws:states:us-east-1:123456789012:execution:InvalidationWatcher:E2QWRUHAPOMQZL-I2J0I21PCUYOIK');
  });

  it('keeps the partition and region of the state machine', () => {
    // Act
    const arn = executionArnFor('arn:aws-cn:states:cn-north-1:123456789012:stateMachine:Watcher', 'n');

    // Assert
    expect(arn).toBe('arn:aws-cn:states:cn-north-1:123456789012:execution:Watcher:n');
  });
});
