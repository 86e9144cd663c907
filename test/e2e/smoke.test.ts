/**
 * `smoke` end to end, as a user runs it after `cdk deploy`: the command line in a child process
 * against the whole local notifier (the demo's kind of pipeline: a Teams webhook, a Slack webhook,
 * an SNS topic, an EventBridge bus). The loopback CloudFront's CreateInvalidation plays CloudTrail:
 * a moment later it delivers the matching event to Start watch. The child reads the watcher
 * through the loopback Step Functions (ListExecutions, DescribeExecution, GetExecutionHistory) and
 * CloudFormation (DescribeStacks), in compressed time; the pipeline runs in virtual time here.
 */
import { cloudTrailEvent } from '../../local/events';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';
import { watcherDefinition } from '../../local/template';
import { WatcherFailures } from '../../lambda/shared/delivery-names';
import { CALLER_REFERENCE_PREFIX, DEFAULT_SMOKE_PATH, DEFAULT_STACK_NAME, WATCHER_OUTPUT, type SmokeReport } from '../../cli/smoke';
import { EXIT } from '../../cli/exit-codes';
import { cliEnv, runCli } from '../cli/run-cli';

const DISTRIBUTION = 'E2SMOKETEST01';
const CONTEXT = {
  destinations: {
    'web-teams': { type: 'teams', secretName: 'cloudfront-notifier/web-teams' },
    'payments-slack': { type: 'slack', secretName: 'cloudfront-notifier/payments-slack' },
    email: { type: 'sns' },
    automation: { type: 'eventbridge' },
  },
  routes: [
    { name: 'website', match: { distributionIds: [DISTRIBUTION] }, destinations: ['web-teams', 'payments-slack', 'email', 'automation'] },
  ],
  defaultDestinations: ['email'],
};
/** CloudTrail's delay, shortened: the command finds no execution at first, then finds it. */
const CLOUDTRAIL_DELAY_MS = 300;
/** An invalidation of this path never reaches the notifier (no trail, a disabled rule). */
const LOST_PATH = '/smoke/lost';

let pipeline: LocalPipeline;
let env: NodeJS.ProcessEnv;
let stateMachineArn: string;
/** Invalidations CreateInvalidation made, in order. */
const created: string[] = [];

beforeAll(async () => {
  pipeline = await startLocalPipeline({
    context: CONTEXT,
    onCreateInvalidation: (invalidation) => {
      created.push(invalidation.invalidationId);
      if (invalidation.paths.includes(LOST_PATH)) return { inProgressChecks: 2 };
      setTimeout(
        () => void pipeline.deliver(cloudTrailEvent({ ...invalidation, callerReference: invalidation.callerReference ?? '' })),
        CLOUDTRAIL_DELAY_MS,
      );
      return { inProgressChecks: 2 };
    },
  });
  pipeline.cloudFront.describe({ kind: 'distribution', id: DISTRIBUTION, aliases: ['www.example.com'] });
  stateMachineArn = watcherDefinition(pipeline.template).arn;
  pipeline.aws.stacks.set(DEFAULT_STACK_NAME, { [WATCHER_OUTPUT]: stateMachineArn });
  const aws = process.env.AWS_ENDPOINT_URL_SFN!;
  // A minute of the command's time in a real second: its polls come every 80 to 250 ms.
  env = cliEnv({ endpoints: { CLOUDFRONT: process.env.AWS_ENDPOINT_URL_CLOUDFRONT!, SFN: aws, CLOUDFORMATION: aws }, timeScale: 60 });
});
afterAll(() => pipeline.stop());

const busEventsFor = (invalidationId: string) =>
  pipeline.aws.events.filter((event) => JSON.stringify(event.detail).includes(invalidationId));

it('all delivered: exit 0, each destination named delivered, the event on the bus, what it cost', async () => {
  const run = await runCli(['smoke', '--distribution-id', DISTRIBUTION, '--json'], env);

  expect(run.stderr).toContain('Smoke test passed');
  expect(run.code).toBe(EXIT.completed);
  const report = JSON.parse(run.stdout) as SmokeReport;
  const invalidationId = created.at(-1)!;
  expect(report).toMatchObject({
    outcome: 'passed',
    stateMachineArn,
    invalidation: {
      id: invalidationId,
      path: DEFAULT_SMOKE_PATH,
      callerReference: expect.stringMatching(new RegExp(`^${CALLER_REFERENCE_PREFIX} `)),
    },
    execution: { name: `${DISTRIBUTION}-${invalidationId}`, status: 'SUCCEEDED' },
    eventBus: { destinations: ['automation'], reached: true },
  });
  expect(report.destinations.map(({ name, type, status }) => [name, type, status])).toEqual([
    ['web-teams', 'teams', 'delivered'],
    ['payments-slack', 'slack', 'delivered'],
    ['email', 'sns', 'delivered'],
    ['automation', 'eventbridge', 'delivered'],
  ]);
  for (const line of [
    'web-teams (teams): delivered',
    'payments-slack (slack): delivered',
    'email (sns): delivered',
    'automation (eventbridge): delivered',
  ]) {
    expect(run.stderr).toContain(line);
  }
  expect(run.stderr).toContain('The event reached the bus (automation).');
  // It costs one path, and says so; the watch's transitions are counted from its history.
  expect(run.stderr).toMatch(/Cost: one invalidation path \(free within the account's first 1,000 paths a month, then \$0\.005\)/);
  expect(report.cost?.transitions).toBeGreaterThan(5);
  // What the command says was delivered was: one Teams card, one Slack message, one email, one event.
  expect(pipeline.webhooks['web-teams']!.messages.filter((message) => JSON.stringify(message).includes(invalidationId))).toHaveLength(1);
  expect(pipeline.webhooks['payments-slack']!.messages.filter((message) => JSON.stringify(message).includes(invalidationId))).toHaveLength(
    1,
  );
  expect(pipeline.aws.published.filter((message) => message.message.includes(invalidationId))).toHaveLength(1);
  expect(busEventsFor(invalidationId)).toHaveLength(1);
});

it('one destination failing for good (the Teams webhook answers 404): exit 1, it is named with the reason from the history, the others delivered', async () => {
  pipeline.webhooks['web-teams']!.answerNext({ status: 404, body: 'not found' });
  const run = await runCli(
    ['smoke', '--state-machine-arn', stateMachineArn, '--distribution-id', DISTRIBUTION, '--path', '/smoke/teams', '--json'],
    env,
  );

  expect(run.code).toBe(EXIT.couldNotTrack);
  const report = JSON.parse(run.stdout) as SmokeReport;
  expect(report.outcome).toBe('failed');
  expect(report.execution).toMatchObject({ status: 'FAILED', error: WatcherFailures.notDelivered });
  expect(report.destinations).toEqual([
    expect.objectContaining({
      name: 'web-teams',
      status: 'not-delivered',
      error: 'WebhookRejected',
      cause: expect.stringContaining('(404)'),
    }),
    expect.objectContaining({ name: 'payments-slack', status: 'delivered' }),
    expect.objectContaining({ name: 'email', status: 'delivered' }),
    expect.objectContaining({ name: 'automation', status: 'delivered' }),
  ]);
  expect(run.stderr).toMatch(
    /web-teams: NOT delivered: WebhookRejected: Microsoft Teams refused the webhook \(404\).*cloudfront-notifier\/web-teams/,
  );
  expect(run.stderr).toMatch(/Smoke test FAILED: Not delivered to web-teams \(WebhookRejected: /);
  expect(run.stderr).toContain('The event reached the bus (automation).');
  expect(busEventsFor(created.at(-1)!)).toHaveLength(1);
});

it('no execution ever appears (CloudTrail never delivers the event): exit 1 when --timeout passes, saying what that means and what to check', async () => {
  const run = await runCli(['smoke', '--distribution-id', DISTRIBUTION, '--path', LOST_PATH, '--timeout', '2m'], env);

  expect(run.code).toBe(EXIT.couldNotTrack);
  expect(run.stderr).toContain(
    `Smoke test FAILED: No execution ${DISTRIBUTION}-${created.at(-1)} of ${stateMachineArn} appeared within 2 minutes.`,
  );
  for (const hint of ['a trail records management events', 'rule is enabled', 'us-east-1 only', 'organization mode'])
    expect(run.stderr).toContain(hint);
});

it('a stack that does not exist: exit 1, naming it and what to pass instead', async () => {
  const run = await runCli(['smoke', '--stack-name', 'NoSuchStack', '--distribution-id', DISTRIBUTION], env);
  expect(run.code).toBe(EXIT.couldNotTrack);
  expect(run.stderr).toMatch(/Stack NoSuchStack does not exist in this region \(us-east-1\).*--state-machine-arn/);
});

it.each([
  [
    'a wildcard path',
    ['--distribution-id', DISTRIBUTION, '--path', '/assets/*'],
    /option '--path <path>' argument '\/assets\/\*' is invalid.*not a wildcard/,
  ],
  ['no target', [], /--distribution-id E\.\.\..*--tenant-id dt_\.\.\./],
  [
    'a malformed state machine ARN',
    ['--distribution-id', DISTRIBUTION, '--state-machine-arn', 'Watcher'],
    /option '--state-machine-arn <arn>' argument 'Watcher' is invalid/,
  ],
])('bad arguments (%s): a usage error naming the argument, nothing created', async (_, args, message) => {
  const before = created.length;
  const run = await runCli(['smoke', ...args], env);
  expect(run.code).toBe(EXIT.usage);
  expect(run.stderr).toMatch(message);
  expect(created).toHaveLength(before);
});
