/**
 * Step Functions' read API over the local watcher's executions, as `@aws-sdk/client-sfn` sees it:
 * ListExecutions, DescribeExecution and GetExecutionHistory (paged), what `smoke` reads.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { SAMPLE_DISTRIBUTION, cloudTrailEvent, emulatedInvalidation, type SampleInvalidation } from '../../local/events';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';
import { watcherDefinition } from '../../local/template';

let pipeline: LocalPipeline;
let sfn: SFNClient;
let stateMachineArn: string;
beforeAll(async () => {
  pipeline = await startLocalPipeline();
  sfn = new SFNClient({ endpoint: process.env.AWS_ENDPOINT_URL_SFN, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  stateMachineArn = watcherDefinition(pipeline.template).arn;
  for (const invalidationId of ['IREADS00000001', 'IREADS00000002']) {
    const sample: SampleInvalidation = { ...SAMPLE_DISTRIBUTION, invalidationId };
    pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 2 }));
    await pipeline.deliver(cloudTrailEvent(sample));
    await pipeline.sim.sleep(1);
  }
  await pipeline.idle();
});
afterAll(async () => {
  sfn.destroy();
  await pipeline.stop();
});

const executionArnOf = (invalidationId: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${SAMPLE_DISTRIBUTION.targetId}-${invalidationId}`;

async function wholeHistory(executionArn: string, maxResults: number): Promise<{ events: HistoryEvent[]; pages: number }> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken);
  return { events, pages };
}

test('ListExecutions: newest first, honours maxResults and statusFilter', async () => {
  const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
  expect(all.executions?.map((execution) => execution.name)).toEqual([
    `${SAMPLE_DISTRIBUTION.targetId}-IREADS00000002`,
    `${SAMPLE_DISTRIBUTION.targetId}-IREADS00000001`,
  ]);
  expect(all.executions?.[0]).toMatchObject({
    status: 'SUCCEEDED',
    stateMachineArn,
    startDate: expect.any(Date),
    stopDate: expect.any(Date),
  });
  const one = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1 }));
  expect(one.executions).toHaveLength(1);
  expect(one.nextToken).toBeDefined();
  const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
  expect(running.executions).toEqual([]);
});

test('DescribeExecution: status, input and output as strings; an unknown execution is ExecutionDoesNotExist', async () => {
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf('IREADS00000001') }));
  expect(described).toMatchObject({ status: 'SUCCEEDED', name: `${SAMPLE_DISTRIBUTION.targetId}-IREADS00000001` });
  expect(JSON.parse(described.output!)).toMatchObject({ outcome: 'completed' });
  expect(JSON.parse(described.input!)).toMatchObject({ request: { invalidationId: 'IREADS00000001' } });
  await expect(sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf('INOSUCHONE0001') }))).rejects.toMatchObject({
    name: 'ExecutionDoesNotExist',
  });
});

test('GetExecutionHistory: pages that add up to the whole history, ids in order, each event after the one it follows', async () => {
  const executionArn = executionArnOf('IREADS00000001');
  const whole = await wholeHistory(executionArn, 1000);
  const paged = await wholeHistory(executionArn, 7);
  expect(whole.pages).toBe(1);
  expect(paged.pages).toBe(Math.ceil(whole.events.length / 7));
  expect(paged.events).toEqual(whole.events);
  expect(whole.events.map((event) => event.id)).toEqual(whole.events.map((_, i) => i + 1));
  for (const event of whole.events.slice(1)) expect(event.previousEventId).toBeLessThan(event.id!);
  expect(whole.events[0]?.type).toBe('ExecutionStarted');
  expect(whole.events.at(-1)).toMatchObject({ type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: expect.any(String) } });
});

test("GetExecutionHistory: each destination's Notify task leads back to its own Map iteration, with Notify's result", async () => {
  const { events } = await wholeHistory(executionArnOf('IREADS00000002'), 1000);
  const byId = new Map(events.map((event) => [event.id!, event]));
  const succeeded = events.filter(
    (event) => event.type === 'TaskSucceeded' && event.taskSucceededEventDetails?.output?.includes('"delivered":true'),
  );
  expect(
    succeeded
      .map((event) => JSON.parse(event.taskSucceededEventDetails!.output!) as { destination: string })
      .map((result) => result.destination)
      .sort(),
  ).toEqual(['slack', 'sns']);
  for (const each of succeeded) {
    const chain: string[] = [];
    for (let event: HistoryEvent | undefined = each; event; event = byId.get(event.previousEventId!)) chain.push(event.type!);
    expect(chain.slice(0, 5)).toEqual(['TaskSucceeded', 'TaskStarted', 'TaskScheduled', 'TaskStateEntered', 'MapIterationStarted']);
  }
});
