import { SendTaskFailureCommand, SendTaskHeartbeatCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { AwsEmulator, AwsErrorAnswer, type TaskTokenCallbacks } from '../../local/aws-emulator';

/** A token store as the local runner keeps one: open tokens, completed ones, timed-out ones. */
function tokens() {
  const open = new Set(['token-open']);
  const calls: unknown[][] = [];
  const known = (token: string) => {
    if (token === 'token-timed-out') throw new AwsErrorAnswer('TaskTimedOut', 'Task Timed Out: token-timed-out');
    if (token.startsWith('!')) throw new AwsErrorAnswer('InvalidToken', 'Invalid token');
    if (!open.has(token)) throw new AwsErrorAnswer('TaskDoesNotExist', 'Task Does Not Exist');
  };
  const callbacks: TaskTokenCallbacks = {
    success(token, output) {
      known(token);
      open.delete(token);
      calls.push(['success', token, output]);
    },
    failure(token, error, cause) {
      known(token);
      open.delete(token);
      calls.push(['failure', token, error, cause]);
    },
    heartbeat(token) {
      known(token);
      calls.push(['heartbeat', token]);
    },
  };
  return { open, calls, callbacks };
}

let aws: AwsEmulator;
let client: SFNClient;
let store: ReturnType<typeof tokens>;

beforeEach(async () => {
  store = tokens();
  aws = new AwsEmulator(
    () => {
      throw new Error('not started here');
    },
    { taskTokens: store.callbacks },
  );
  client = new SFNClient({
    region: 'us-east-1',
    endpoint: await aws.start(),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterEach(async () => {
  client.destroy();
  await aws.stop();
});

test('SendTaskHeartbeat then SendTaskSuccess reach the callbacks with the token and the output as sent', async () => {
  await client.send(new SendTaskHeartbeatCommand({ taskToken: 'token-open' }));
  await client.send(new SendTaskSuccessCommand({ taskToken: 'token-open', output: '{"loop":{"checks":3},"status":"Completed"}' }));
  expect(store.calls).toEqual([
    ['heartbeat', 'token-open'],
    ['success', 'token-open', '{"loop":{"checks":3},"status":"Completed"}'],
  ]);
});

test('SendTaskFailure carries error and cause', async () => {
  await client.send(
    new SendTaskFailureCommand({ taskToken: 'token-open', error: 'InvalidationNotTrackable', cause: 'NoSuchInvalidation' }),
  );
  expect(store.calls).toEqual([['failure', 'token-open', 'InvalidationNotTrackable', 'NoSuchInvalidation']]);
});

test('a token completed twice: the second answers TaskDoesNotExist (HTTP 400), as the service does', async () => {
  await client.send(new SendTaskSuccessCommand({ taskToken: 'token-open', output: '{}' }));
  await expect(client.send(new SendTaskSuccessCommand({ taskToken: 'token-open', output: '{}' }))).rejects.toMatchObject({
    name: 'TaskDoesNotExist',
    $metadata: { httpStatusCode: 400 },
  });
});

test.each([
  ['token-timed-out', 'TaskTimedOut'],
  ['!garbled', 'InvalidToken'],
])('the callback refuses %s: %s', async (taskToken, name) => {
  await expect(client.send(new SendTaskHeartbeatCommand({ taskToken }))).rejects.toMatchObject({
    name,
    $metadata: { httpStatusCode: 400 },
  });
});

test('an output that is not JSON: InvalidOutput, and the token stays open', async () => {
  await expect(client.send(new SendTaskSuccessCommand({ taskToken: 'token-open', output: '{"status":' }))).rejects.toMatchObject({
    name: 'InvalidOutput',
  });
  expect(store.open.has('token-open')).toBe(true);
});

test('without callbacks the task token calls are not emulated', async () => {
  const bare = new AwsEmulator(() => {
    throw new Error('not started here');
  });
  const bareClient = new SFNClient({
    region: 'us-east-1',
    endpoint: await bare.start(),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await expect(bareClient.send(new SendTaskHeartbeatCommand({ taskToken: 'token-open' }))).rejects.toMatchObject({
    name: 'UnknownOperationException',
  });
  bareClient.destroy();
  await bare.stop();
});
