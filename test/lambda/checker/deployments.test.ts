/**
 * The checker's ticks for deployment watches, against a real DynamoDB table (dynalite), with
 * CloudFront's GetDistribution / GetDistributionTenant and Step Functions mocked. CloudFront
 * reports status per distribution, not per change: these tests pin down what a watch of one
 * change may say when other changes of the same distribution come after it.
 */
import {
  CloudFrontClient,
  GetDistributionCommand,
  GetDistributionTenantCommand,
  NoSuchDistribution,
  type GetDistributionCommandInput,
  type GetDistributionTenantCommandInput,
} from '@aws-sdk/client-cloudfront';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { finalCheck, runTick, type CheckerDeps } from '../../../lambda/checker/checker';
import { parseTickMessage, type TickMessage } from '../../../lambda/shared/chain-state';
import { wakeChecker } from '../../../lambda/shared/checker-clock';
import { ErrorNames } from '../../../lambda/shared/errors';
import type { CheckedDeployment } from '../../../lambda/shared/invalidation-status';
import { DEFAULT_POLL_SCHEDULE } from '../../../lambda/shared/schedule';
import type { StatusResult } from '../../../lambda/shared/status-result';
import { watchedWorkOf, type WatchItem } from '../../../lambda/shared/watch-store';
import { failureOf } from '../../support/failure-of';
import { capturingTickQueue, startWatchTable, type WatchTable } from '../../support/watch-table';

const cloudFrontMock = mockClient(CloudFrontClient);
const sfnMock = mockClient(SFNClient);
const cloudFront = new CloudFrontClient({ region: 'us-east-1' });
const sfn = new SFNClient({ region: 'us-east-1' });

const T0 = Date.parse('2026-05-01T12:00:00.000Z');
const ACCOUNT = '111111111111';
const DISTRIBUTION = 'EDFDVBD6EXAMPLE';
const TENANT = 'dt_2wjDZi3hD1ivOXf6rpZJO1AB';
let now = T0;

/** What each target reads now: its status and the version (ETag) that status is about. */
const targets = new Map<string, { status: 'InProgress' | 'Deployed'; eTag: string } | Error>();
const { queue, sent } = capturingTickQueue();

let table: WatchTable;
beforeAll(async () => {
  table = await startWatchTable();
});
afterAll(() => table.stop());
beforeEach(async () => {
  await table.empty();
  now = T0;
  targets.clear();
  sent.length = 0;
  cloudFrontMock.reset();
  sfnMock.reset();
  const answer = (id: string) => {
    const target = targets.get(id);
    if (!target) throw new Error(`test: no answer scripted for ${id}`);
    if (target instanceof Error) throw target;
    return target;
  };
  cloudFrontMock.on(GetDistributionCommand).callsFake((input: GetDistributionCommandInput) => {
    const { status, eTag } = answer(input.Id!);
    return { Distribution: { Id: input.Id, Status: status }, ETag: eTag };
  });
  cloudFrontMock.on(GetDistributionTenantCommand).callsFake((input: GetDistributionTenantCommandInput) => {
    const { status, eTag } = answer(input.Identifier!);
    return { DistributionTenant: { Id: input.Identifier, Status: status }, ETag: eTag };
  });
  sfnMock.on(SendTaskSuccessCommand).resolves({});
  sfnMock.on(SendTaskFailureCommand).resolves({});
});

const deps = (overrides: Partial<CheckerDeps> = {}): CheckerDeps => ({
  store: table.store,
  queue,
  sfn,
  cloudFront: async () => cloudFront,
  schedule: DEFAULT_POLL_SCHEDULE,
  now: () => now,
  ...overrides,
});

/** The request of a change made `secondsAfterT0` in, which made version `eTag`. */
function change(
  eTag: string | undefined,
  secondsAfterT0: number,
  target: CheckedDeployment['target'] = { kind: 'distribution', id: DISTRIBUTION },
): CheckedDeployment {
  return {
    work: 'deployment',
    account: ACCOUNT,
    target,
    eventId: `event-${eTag ?? 'none'}-${secondsAfterT0}`,
    eventTime: new Date(T0 + secondsAfterT0 * 1000).toISOString(),
    change: eTag ? { eTag } : {},
  };
}
function watchOf(request: CheckedDeployment, maxWaitSeconds = DEFAULT_POLL_SCHEDULE.maxWaitSeconds): WatchItem {
  const startedAtMs = Date.parse(request.eventTime) + 5_000;
  return { ...watchedWorkOf(request), startedAtMs, deadlineAtMs: startedAtMs + maxWaitSeconds * 1000, registeredAtMs: startedAtMs };
}
const tokenOf = (watch: WatchItem) => `token-${watch.key}`;
async function register(...watches: WatchItem[]): Promise<void> {
  for (const watch of watches) await table.store.register(watch, tokenOf(watch));
}
async function startChain(): Promise<TickMessage> {
  expect(await wakeChecker(table.store, queue, now)).toBe(true);
  return parseTickMessage(sent.shift()!.body);
}
/** Runs ticks, each at its requested delay, until none is sent or the next would be after `untilMs`; returns that next one. */
async function runTicks(first: TickMessage, untilMs: number): Promise<TickMessage | undefined> {
  let tick: TickMessage = first;
  for (;;) {
    await runTick(tick, deps());
    const next = sent.shift();
    if (!next) return undefined;
    now += next.delaySeconds * 1000;
    tick = parseTickMessage(next.body);
    if (now > untilMs) return tick;
  }
}
const answered = () =>
  new Map(
    sfnMock
      .commandCalls(SendTaskSuccessCommand)
      .map((call) => [call.args[0].input.taskToken!, JSON.parse(call.args[0].input.output!) as StatusResult] as const),
  );

describe('a deployment watch', () => {
  it('ends Deployed when its distribution reads Deployed at its own version, timed from the change', async () => {
    // Prepare: in progress for the first checks, then deployed.
    const watch = watchOf(change('E2VERSION0001', 0));
    await register(watch);
    targets.set(DISTRIBUTION, { status: 'InProgress', eTag: 'E2VERSION0001' });
    const pending = await runTicks(await startChain(), T0 + 30_000);
    expect(answered().size).toBe(0);

    // Act
    targets.set(DISTRIBUTION, { status: 'Deployed', eTag: 'E2VERSION0001' });
    await runTicks(pending!, T0 + 120_000);

    // Assert
    const status = answered().get(tokenOf(watch));
    expect(status).toMatchObject({ status: 'Deployed', createTime: new Date(T0).toISOString(), paths: { total: 0, sample: [] } });
    expect(status?.laterChanges).toBeUndefined();
    expect(cloudFrontMock.commandCalls(GetDistributionCommand).every((call) => call.args[0].input.Id === DISTRIBUTION)).toBe(true);
  });

  it('two updates in a row: neither ends while the later is in progress; both end when it is deployed, the first saying so', async () => {
    // Prepare: the second change (E2 at 20 s) superseded the first (E1 at 0 s) before either was deployed.
    const first = watchOf(change('E1FIRST000001', 0));
    const second = watchOf(change('E2SECOND00001', 20));
    await register(first, second);
    targets.set(DISTRIBUTION, { status: 'InProgress', eTag: 'E2SECOND00001' });
    now = second.startedAtMs;
    const pending = await runTicks(await startChain(), now + 120_000);
    expect(answered().size).toBe(0);

    // Act
    targets.set(DISTRIBUTION, { status: 'Deployed', eTag: 'E2SECOND00001' });
    await runTicks(pending!, now + 120_000);

    // Assert
    const statuses = answered();
    expect(statuses.get(tokenOf(first))).toMatchObject({ status: 'Deployed', laterChanges: 1 });
    expect(statuses.get(tokenOf(second))).toMatchObject({ status: 'Deployed' });
    expect(statuses.get(tokenOf(second))?.laterChanges).toBeUndefined();
  });

  it("a change whose distribution reads a later version, Deployed, with the later change's watch gone: deployed together with at least 1 later change", async () => {
    // Prepare
    const watch = watchOf(change('E1FIRST000002', 0));
    await register(watch);
    targets.set(DISTRIBUTION, { status: 'Deployed', eTag: 'E9UNWATCHED01' });

    // Act
    await runTicks(await startChain(), T0 + 60_000);

    // Assert
    expect(answered().get(tokenOf(watch))).toMatchObject({ status: 'Deployed', laterChanges: 1 });
  });

  it('a change CloudTrail gave no ETag for ends when its distribution reads Deployed, whatever the version', async () => {
    // Prepare
    const watch = watchOf(change(undefined, 0));
    await register(watch);
    targets.set(DISTRIBUTION, { status: 'Deployed', eTag: 'E5SOMEVERSION' });

    // Act
    await runTicks(await startChain(), T0 + 60_000);

    // Assert
    expect(answered().get(tokenOf(watch))).toMatchObject({ status: 'Deployed' });
    expect(answered().get(tokenOf(watch))?.laterChanges).toBeUndefined();
  });

  it('a tenant is checked with GetDistributionTenant', async () => {
    // Prepare
    const watch = watchOf(change('E3TENANT00001', 0, { kind: 'tenant', id: TENANT }));
    await register(watch);
    targets.set(TENANT, { status: 'Deployed', eTag: 'E3TENANT00001' });

    // Act
    await runTicks(await startChain(), T0 + 60_000);

    // Assert
    expect(cloudFrontMock.commandCalls(GetDistributionTenantCommand).map((call) => call.args[0].input.Identifier)).toEqual([TENANT]);
    expect(answered().get(tokenOf(watch))).toMatchObject({ status: 'Deployed' });
  });

  it('a distribution deleted while watched: could not track, naming the distribution and the reason', async () => {
    // Prepare
    const watch = watchOf(change('E1DELETED0001', 0));
    await register(watch);
    targets.set(
      DISTRIBUTION,
      new NoSuchDistribution({ message: 'The specified distribution does not exist.', $metadata: { httpStatusCode: 404 } }),
    );

    // Act
    await runTicks(await startChain(), T0 + 60_000);

    // Assert
    const failures = sfnMock.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input);
    expect(failures).toEqual([
      expect.objectContaining({
        taskToken: tokenOf(watch),
        error: ErrorNames.DeploymentNotTrackable,
        cause: expect.stringContaining(
          `NoSuchDistribution: CloudFront refused the status check for distribution ${DISTRIBUTION}, deployment E1DELETED0001`,
        ),
      }),
    ]);
  });

  it('still deploying at its maximum wait: ends still in progress', async () => {
    // Prepare
    const watch = watchOf(change('E1SLOW0000001', 0), 120);
    await register(watch);
    targets.set(DISTRIBUTION, { status: 'InProgress', eTag: 'E1SLOW0000001' });

    // Act
    await runTicks(await startChain(), watch.deadlineAtMs + 60_000);

    // Assert
    expect(answered().get(tokenOf(watch))).toMatchObject({ status: 'InProgress' });
  });

  it("the final check reads the deployment's status too, and a refusal is thrown as DeploymentNotTrackable", async () => {
    // Prepare
    const request = change('E1FINAL000001', 0);
    targets.set(DISTRIBUTION, { status: 'Deployed', eTag: 'E1FINAL000001' });

    // Act
    const status = await finalCheck(request, new Date(T0).toISOString(), deps());
    targets.set(DISTRIBUTION, new NoSuchDistribution({ message: 'gone', $metadata: { httpStatusCode: 404 } }));
    const refused = await failureOf(() => finalCheck(request, new Date(T0).toISOString(), deps()));

    // Assert
    expect(status).toMatchObject({ status: 'Deployed' });
    expect(refused.name).toBe(ErrorNames.DeploymentNotTrackable);
  });
});
