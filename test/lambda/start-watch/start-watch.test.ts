import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import distributionEvent from '../../../local/fixtures/create-invalidation.json';
import tenantEvent from '../../../local/fixtures/create-invalidation-for-tenant.json';
import { executionArnFor, startWatch, watcherExecutionFor } from '../../../lambda/start-watch/start-watch';
import cutEvent from '../../../local/fixtures/create-invalidation-cut.json';
import * as fc from 'fast-check';
import * as v from 'valibot';
import { executionNameFor, parseWatchRequest, type CutEvent } from '../../../lambda/shared/watch-request';
import { WatcherInputSchema } from '../../../lambda/shared/watcher-input';
import type { AudienceOf } from '../../../lambda/start-watch/audience';
import type { RecoverCutEvent } from '../../../lambda/start-watch/recover-cut-event';
import { failureOf } from '../../support/failure-of';
import { cloudTrailEvents, viaJson, withValue } from './arbitraries';

/** Every watch to one destination: routing has its own tests (audience.test.ts). */
const EVERYONE: AudienceOf = async () => ({ destinations: ['sns'], routes: [] });

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
    const result = await startWatch(sfn, STATE_MACHINE_ARN, structuredClone(distributionEvent), EVERYONE);

    // Assert
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE_ARN,
      name: executionNameFor(request),
      input: JSON.stringify({ request, audience: { destinations: ['sns'], routes: [] } }),
    });
    expect(result).toEqual({
      outcome: 'started',
      executionName: executionNameFor(request),
      executionArn,
      invalidationId: 'I2J0I21PCUYOIK',
      destinations: ['sns'],
    });
  });

  it('starts nothing when no destination hears about the invalidation (unmatched and dropped)', async () => {
    // Act
    const result = await startWatch(sfn, STATE_MACHINE_ARN, structuredClone(distributionEvent), async () => ({
      destinations: [],
      routes: [],
    }));

    // Assert
    expect(result).toMatchObject({ outcome: 'dropped', destinations: [] });
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  });

  it('starts a tenant watch with the tenant request as input', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });

    // Act
    await startWatch(sfn, STATE_MACHINE_ARN, structuredClone(tenantEvent), EVERYONE);

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
    const result = await startWatch(sfn, STATE_MACHINE_ARN, structuredClone(distributionEvent), EVERYONE);

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
    const error = await failureOf(() => startWatch(sfn, STATE_MACHINE_ARN, structuredClone(distributionEvent), EVERYONE));

    // Assert
    expect(error).toBe(failure);
  });

  it('still starts an execution for a malformed event, named rejected-<eventId>, carrying the reason', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:rejected' });

    // Act
    const result = await startWatch(sfn, STATE_MACHINE_ARN, malformedEvent(), EVERYONE);

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
    await startWatch(sfn, STATE_MACHINE_ARN, makeEvent(), EVERYONE);
    await startWatch(sfn, STATE_MACHINE_ARN, makeEvent(), EVERYONE);

    // Assert
    const [first, second] = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(second).toEqual(first);
    expect(first?.name).toBeTruthy();
    expect(first?.input).toBeTruthy();
  });
});

describe('startWatch with an event CloudTrail cut for size', () => {
  const found = parseWatchRequest(structuredClone(distributionEvent));
  const recovered = {
    ...found,
    foundBy: 'listing invalidations: the CloudTrail event was cut (too large); found invalidation I2J0I21PCUYOIK',
  };

  it('watches the invalidation the search found, under its own name, and says how it was found', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    const searched: CutEvent[] = [];
    const recover: RecoverCutEvent = async (cut) => {
      searched.push(cut);
      return { request: recovered };
    };

    // Act
    const result = await startWatch(sfn, STATE_MACHINE_ARN, structuredClone(cutEvent), EVERYONE, { recover });

    // Assert
    expect(searched).toMatchObject([{ kind: 'distribution', eventTime: '2026-11-21T18:02:27.000Z', account: '123456789012' }]);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      name: 'E2QWRUHAPOMQZL-I2J0I21PCUYOIK',
      input: JSON.stringify({ request: recovered, audience: { destinations: ['sns'], routes: [] } }),
    });
    expect(result).toMatchObject({ outcome: 'started', invalidationId: 'I2J0I21PCUYOIK', foundBy: recovered.foundBy });
  });

  it('rejects the event with the reason the search gives when it finds nothing to watch', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    const recover: RecoverCutEvent = async () => ({ reason: '2 invalidations were created within 30 s: I1, I2; none is watched' });

    // Act
    const result = await startWatch(sfn, STATE_MACHINE_ARN, structuredClone(cutEvent), EVERYONE, { recover });

    // Assert
    const sent = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(sent.name).toBe('rejected-5c0f5d7e-1f6a-4f5b-9a51-2b7e0c9d8e01');
    expect(result.rejectedReason).toBe(
      'the CloudTrail event was cut (too large: CloudTrail omitted requestParameters and responseElements), so it names no distribution ID; ' +
        '2 invalidations were created within 30 s: I1, I2; none is watched',
    );
  });

  it('does not search for an event that is not cut', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    const recover = jest.fn<ReturnType<RecoverCutEvent>, Parameters<RecoverCutEvent>>();

    // Act
    await startWatch(sfn, STATE_MACHINE_ARN, malformedEvent(), EVERYONE, { recover });
    await startWatch(sfn, STATE_MACHINE_ARN, structuredClone(distributionEvent), EVERYONE, { recover });

    // Assert
    expect(recover).not.toHaveBeenCalled();
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

describe('any JSON event', () => {
  const VALID_NAME = /^[A-Za-z0-9_-]{1,80}$/;
  /** Far below StartExecution's 256 KB: the input holds bounded fields only. */
  const MAX_INPUT_BYTES = 16 * 1024;

  /** Every field Start watch reads, and the objects that hold them. */
  const FIELDS = [
    ['id'],
    ['account'],
    ['region'],
    ['time'],
    ['detail'],
    ['detail', 'eventID'],
    ['detail', 'eventName'],
    ['detail', 'eventSource'],
    ['detail', 'errorCode'],
    ['detail', 'eventTime'],
    ['detail', 'awsRegion'],
    ['detail', 'recipientAccountId'],
    ['detail', 'userIdentity'],
    ['detail', 'userIdentity', 'type'],
    ['detail', 'userIdentity', 'arn'],
    ['detail', 'userIdentity', 'userName'],
    ['detail', 'userIdentity', 'invokedBy'],
    ['detail', 'userIdentity', 'principalId'],
    ['detail', 'userIdentity', 'sessionContext'],
    ['detail', 'userIdentity', 'sessionContext', 'sessionIssuer', 'userName'],
    ['detail', 'requestParameters'],
    ['detail', 'requestParameters', 'distributionId'],
    ['detail', 'requestParameters', 'id'],
    ['detail', 'requestParameters', 'distributionTenantId'],
    ['detail', 'requestParameters', 'invalidationBatch'],
    ['detail', 'requestParameters', 'invalidationBatch', 'callerReference'],
    ['detail', 'responseElements'],
    ['detail', 'responseElements', 'location'],
    ['detail', 'responseElements', 'invalidation'],
    ['detail', 'responseElements', 'invalidation', 'id'],
    ['detail', 'requestParameters', 'omitted'],
    ['detail', 'requestParameters', 'invalidationBatch', 'omitted'],
    ['detail', 'responseElements', 'omitted'],
    ['detail', 'responseElements', 'invalidation', 'omitted'],
  ] as const;

  /** Values of every type, and strings that trip decoders and sanitisers. */
  const AWKWARD_VALUES: unknown[] = [
    null,
    true,
    0,
    -1.5,
    '',
    '   ',
    [],
    ['E2QWRUHAPOMQZL'],
    {},
    { id: 'x' },
    'x'.repeat(250_000),
    '%E0%A4%A',
    'https://cloudfront.amazonaws.com/2020-05-31/distribution/%E0%A4%A/invalidation/%ZZ',
    'https://cloudfront.amazonaws.com/2020-05-31/distribution-tenant/dt_%/invalidation/I%',
    `https://cloudfront.amazonaws.com/2020-05-31/distribution/x/invalidation/${' '.repeat(50_000)}#`,
    'CreateInvalidation2014_01_31',
    'CreateInvalidationForDistributionTenant',
    'E2QW.RUH APOMQZL',
    '😀\ud800\u0000\n',
  ];

  /** The fixtures with every field set to every awkward value, one at a time. */
  const everyFieldEveryType = (): unknown[] =>
    [distributionEvent, tenantEvent].flatMap((fixture) =>
      FIELDS.flatMap((path) => AWKWARD_VALUES.map((value) => withValue(fixture, path, value))),
    );

  /** Any JSON, mutated fixtures, and fixtures whose read fields hold any value. */
  const events = () => cloudTrailEvents([distributionEvent, tenantEvent, cutEvent], FIELDS).map(viaJson);

  /** What must hold for every event: a valid name, a small input, and no exception. */
  const expectWatchable = (event: unknown) => {
    const { name, subject: input } = watcherExecutionFor(event);
    if (!VALID_NAME.test(name))
      throw new Error(`invalid execution name ${JSON.stringify(name)} for ${JSON.stringify(event).slice(0, 300)}`);
    const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
    if (bytes > MAX_INPUT_BYTES) throw new Error(`input of ${bytes} bytes for ${JSON.stringify(event).slice(0, 300)}`);
    // The input Start watch writes is the declared contract.
    const parsed = v.safeParse(WatcherInputSchema, { ...input, audience: { destinations: ['sns'], routes: [] } });
    if (!parsed.success) throw new Error(`input ${JSON.stringify(input).slice(0, 300)} breaks the contract: ${v.summarize(parsed.issues)}`);
  };

  it('turns every field of the event, holding any type of value, into a watch or a rejected event', () => {
    // Prepare
    const events = everyFieldEveryType().map(viaJson);

    // Act and assert
    for (const event of events) expectWatchable(event);
    expect(events.length).toBeGreaterThan(1000);
  });

  it('turns any generated JSON event into a watch or a rejected event', () => {
    // Act and assert
    fc.assert(fc.property(events(), expectWatchable), { numRuns: 4000 });
  });

  it('starts an execution for any JSON event, and fails only when Step Functions does', async () => {
    // Prepare
    const startFailure = new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: { httpStatusCode: 400 } });

    // Act and assert
    await fc.assert(
      fc.asyncProperty(events(), fc.boolean(), async (event, stepFunctionsFails) => {
        sfnMock.reset();
        if (!stepFunctionsFails) {
          sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
          await expect(startWatch(sfn, STATE_MACHINE_ARN, event, EVERYONE)).resolves.toMatchObject({ outcome: 'started' });
        } else {
          sfnMock.on(StartExecutionCommand).rejects(startFailure);
          await expect(startWatch(sfn, STATE_MACHINE_ARN, event, EVERYONE)).rejects.toBe(startFailure);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives two malformed events without any event ID two executions, and the same one twice one', () => {
    // Prepare
    const first = { detail: { eventName: 'CreateDistribution' } };
    const second = { detail: { eventName: 'DeleteDistribution' } };

    // Act
    const names = [first, second, structuredClone(first)].map((event) => watcherExecutionFor(event).name);

    // Assert
    expect(names[0]).not.toBe(names[1]);
    expect(names[2]).toBe(names[0]);
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
