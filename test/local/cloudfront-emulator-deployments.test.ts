/**
 * The loopback CloudFront's deployments, read by the real SDK client and the project's own
 * check (`getDeployment`, `checkWork`): scripted status sequences, a later change, a deleted
 * target, faults, and Start watch's name look-ups told apart from checks.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudFrontAccess } from '../../lambda/shared/cloudfront-access';
import { createCloudFrontClient, CALL_LIMITS } from '../../lambda/shared/cloudfront-client';
import { checkWork, getDeployment, type CheckedDeployment } from '../../lambda/shared/invalidation-status';
import { TargetLookups } from '../../lambda/start-watch/lookups';
import { CloudFrontEmulator, type RateLimit } from '../../local/cloudfront-emulator';
import { errorOf, failureOf } from '../support/failure-of';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A deployment watch's request, as the checker reads it. */
const watchOf = (kind: 'distribution' | 'tenant', id: string, eTag?: string): CheckedDeployment => ({
  work: 'deployment',
  target: { kind, id },
  account: '123456789012',
  eventId: `evt-${id}`,
  eventTime: '2026-11-21T18:02:27Z',
  change: eTag === undefined ? {} : { eTag },
});

/** The emulator and a client on it; `watching` and `seconds` drive its `isWatched` and `clock`. */
async function emulatorWith(options: { rateLimit?: RateLimit } = {}) {
  const state = { watching: true, seconds: new Map<string, number>(), clockAsked: [] as string[] };
  const emulator = new CloudFrontEmulator({
    ...options,
    clock: (workId) => {
      state.clockAsked.push(workId);
      return state.seconds.get(workId) ?? 0;
    },
    isWatched: () => state.watching,
  });
  const endpoint = await emulator.start();
  const client = createCloudFrontClient(CALL_LIMITS, { endpoint, credentials: CREDENTIALS });
  return { emulator, client, state, endpoint };
}

let setup: Awaited<ReturnType<typeof emulatorWith>>;
let emulator: CloudFrontEmulator;
let client: CloudFrontClient;
beforeEach(async () => {
  setup = await emulatorWith();
  ({ emulator, client } = setup);
});
afterEach(async () => {
  client.destroy();
  await emulator.stop();
});

describe('a deployment script', () => {
  it('answers InProgress to inProgressChecks checks, then Deployed, each with the version in the ETag header', async () => {
    // Prepare
    emulator.describe({ kind: 'distribution', id: 'EDEPLOY000001', deployment: { eTag: 'E2VERSION1', inProgressChecks: 2 } });
    const watch = watchOf('distribution', 'EDEPLOY000001', 'E2VERSION1');

    // Act
    const answers = [];
    for (let check = 0; check < 4; check++) answers.push(await getDeployment(client, watch));

    // Assert
    expect(answers).toEqual([
      { status: 'InProgress', eTag: 'E2VERSION1' },
      { status: 'InProgress', eTag: 'E2VERSION1' },
      { status: 'Deployed', eTag: 'E2VERSION1' },
      { status: 'Deployed', eTag: 'E2VERSION1' },
    ]);
    expect(emulator.deploymentChecksFor('distribution', 'EDEPLOY000001')).toEqual([
      expect.objectContaining({ operation: 'GetDistribution', eTag: 'E2VERSION1', status: 200, answer: 'InProgress' }),
      expect.objectContaining({ answer: 'InProgress' }),
      expect.objectContaining({ answer: 'Deployed' }),
      expect.objectContaining({ answer: 'Deployed' }),
    ]);
    expect(emulator.lookups).toEqual([]);
  });

  it('answers Deployed from deployedAtSecond on, in the virtual time of the version its clock is asked for', async () => {
    // Prepare
    emulator.describe({ kind: 'distribution', id: 'EDEPLOY000002', deployment: { eTag: 'E2VERSION2', deployedAtSecond: 300 } });
    const watch = watchOf('distribution', 'EDEPLOY000002', 'E2VERSION2');

    // Act
    setup.state.seconds.set('E2VERSION2', 299);
    const before = await checkWork(client, watch, new Date(), 299);
    setup.state.seconds.set('E2VERSION2', 300);
    const at = await checkWork(client, watch, new Date(), 300);

    // Assert
    expect(before.status).toMatchObject({ status: 'InProgress', createTime: '2026-11-21T18:02:27.000Z', paths: { total: 0 } });
    expect(at.status).toMatchObject({ status: 'Deployed', elapsedSeconds: 300 });
    expect(at.laterVersion).toBeUndefined();
    expect(new Set(setup.state.clockAsked)).toEqual(new Set(['E2VERSION2']));
  });

  it('reads a tenant through GetDistributionTenant, with its own version and status', async () => {
    // Prepare
    emulator.describe({
      kind: 'tenant',
      id: 'dt_2wjDZi3hD1ivOXf6rpZJO1AB',
      name: 'acme',
      domains: ['acme.example.com'],
      deployment: { eTag: 'E3TENANT1', inProgressChecks: 1 },
    });
    const watch = watchOf('tenant', 'dt_2wjDZi3hD1ivOXf6rpZJO1AB', 'E3TENANT1');

    // Act
    const first = await getDeployment(client, watch);
    const second = await getDeployment(client, watch);

    // Assert
    expect([first, second]).toEqual([
      { status: 'InProgress', eTag: 'E3TENANT1' },
      { status: 'Deployed', eTag: 'E3TENANT1' },
    ]);
    expect(emulator.deploymentChecksFor('tenant', 'dt_2wjDZi3hD1ivOXf6rpZJO1AB').map((call) => call.operation)).toEqual([
      'GetDistributionTenant',
      'GetDistributionTenant',
    ]);
  });

  it('answers a target without a script Deployed, without an ETag, as a look-up', async () => {
    // Prepare
    emulator.describe({ kind: 'distribution', id: 'EPLAIN0000001' });

    // Act
    const state = await getDeployment(client, watchOf('distribution', 'EPLAIN0000001'));

    // Assert
    expect(state).toEqual({ status: 'Deployed' });
    expect(emulator.calls).toEqual([]);
    expect(emulator.lookups).toEqual([{ operation: 'GetDistribution', resource: 'EPLAIN0000001' }]);
  });

  it('refuses a script that gives both inProgressChecks and deployedAtSecond, and a change of a target it does not know', () => {
    expect(
      errorOf(() =>
        emulator.describe({ kind: 'distribution', id: 'EBOTH', deployment: { eTag: 'E1', inProgressChecks: 1, deployedAtSecond: 60 } }),
      ).message,
    ).toMatch(/both inProgressChecks and deployedAtSecond/);
    expect(errorOf(() => emulator.change('tenant', 'dt_unknown', { eTag: 'E2' })).message).toMatch(/tenant dt_unknown was not described/);
    expect(errorOf(() => emulator.remove('distribution', 'EUNKNOWN')).message).toMatch(/distribution EUNKNOWN was not described/);
  });
});

describe('a change of a described target', () => {
  it('answers the new version InProgress again, which the earlier change reads as a later version', async () => {
    // Prepare
    emulator.describe({ kind: 'distribution', id: 'ETWICE0000001', aliases: ['www.example.com'], deployment: { eTag: 'E1FIRST' } });
    const first = watchOf('distribution', 'ETWICE0000001', 'E1FIRST');
    const deployedFirst = await checkWork(client, first, new Date(), 60);

    // Act
    emulator.change('distribution', 'ETWICE0000001', { eTag: 'E2SECOND', inProgressChecks: 1 });
    const whileSecondDeploys = await checkWork(client, first, new Date(), 120);
    const afterSecond = await checkWork(client, first, new Date(), 180);

    // Assert
    expect(deployedFirst).toEqual({ status: expect.objectContaining({ status: 'Deployed' }) });
    expect(whileSecondDeploys).toEqual({ status: expect.objectContaining({ status: 'InProgress' }), laterVersion: true });
    expect(afterSecond).toEqual({ status: expect.objectContaining({ status: 'Deployed' }), laterVersion: true });
    expect(emulator.deploymentChecksFor('distribution', 'ETWICE0000001').map((call) => `${call.eTag} ${call.answer}`)).toEqual([
      'E1FIRST Deployed',
      'E2SECOND InProgress',
      'E2SECOND Deployed',
    ]);
  });
});

describe('a removed target', () => {
  it.each([
    ['distribution', 'EGONE00000001', 'NoSuchDistribution'],
    ['tenant', 'dt_gone000000000000000001', 'EntityNotFound'],
  ] as const)('ends a check of %s %s as DeploymentNotTrackable naming it', async (kind, id, code) => {
    // Prepare
    emulator.describe({ kind, id, deployment: { eTag: 'E1GONE', inProgressChecks: 5 } });
    emulator.remove(kind, id);

    // Act
    const error = await failureOf(() => getDeployment(client, watchOf(kind, id, 'E1GONE')));

    // Assert
    expect(error.name).toBe('DeploymentNotTrackable');
    expect(error.message).toContain(
      `${code}: CloudFront refused the status check for ${kind === 'tenant' ? 'distribution tenant' : 'distribution'} ${id}`,
    );
    expect(error.message).toContain('deployment E1GONE');
    expect(emulator.deploymentChecksFor(kind, id)).toEqual([expect.objectContaining({ status: 404, answer: code })]);
  });

  it('answers its invalidations 404 too, as the deleted target', async () => {
    // Prepare
    emulator.describe({ kind: 'distribution', id: 'EGONE00000002', deployment: { eTag: 'E1' } });
    emulator.add({ kind: 'distribution', targetId: 'EGONE00000002', invalidationId: 'IGONE', paths: ['/*'] });
    emulator.remove('distribution', 'EGONE00000002');

    // Act
    const error = await failureOf(() =>
      checkWork(client, { target: { kind: 'distribution', id: 'EGONE00000002' }, invalidationId: 'IGONE' }, new Date(), 0),
    );

    // Assert
    expect(error.name).toBe('InvalidationNotTrackable');
    expect(error.message).toMatch(/^NoSuchDistribution/);
  });
});

describe('faults on a deployment check', () => {
  const id = 'EFAULTS000001';
  beforeEach(() => emulator.describe({ kind: 'distribution', id, deployment: { eTag: 'E1FAULTS', inProgressChecks: 1 } }));

  it('ends a forced Throttling as CloudFrontThrottled, without counting a check of the script', async () => {
    // Prepare
    emulator.forceNext({ status: 400, code: 'Throttling', message: 'Rate exceeded' });
    const watch = watchOf('distribution', id, 'E1FAULTS');

    // Act
    const error = await failureOf(() => getDeployment(client, watch));
    const next = await getDeployment(client, watch);

    // Assert
    expect(error.name).toBe('CloudFrontThrottled');
    expect(error.message).toContain(`distribution ${id}, deployment E1FAULTS`);
    expect(next).toEqual({ status: 'InProgress', eTag: 'E1FAULTS' });
    expect(emulator.deploymentChecksFor('distribution', id).map((call) => call.answer)).toEqual(['Throttling', 'InProgress']);
  });

  it.each([
    [{ blip: 'truncated' } as const, 'truncated'],
    [{ blip: 'truncated-xml' } as const, 'truncated-xml'],
    [{ status: 503, code: 'ServiceUnavailable' }, 'ServiceUnavailable'],
  ])('ends %j as CloudFrontUnavailable', async (forced, answer) => {
    // Prepare
    emulator.forceNext(forced);

    // Act
    const error = await failureOf(() => getDeployment(client, watchOf('distribution', id, 'E1FAULTS')));

    // Assert
    expect(error.name).toBe('CloudFrontUnavailable');
    expect(emulator.deploymentChecksFor('distribution', id).map((call) => call.answer)).toEqual([answer]);
  });

  it('answers Throttling beyond the rate limit, which deployment and invalidation checks share', async () => {
    // Prepare
    const limited = await emulatorWith({ rateLimit: { perSecond: 0.001, burst: 2 } });
    limited.emulator.describe({ kind: 'distribution', id, deployment: { eTag: 'E1FAULTS' } });
    limited.emulator.add({ kind: 'distribution', targetId: id, invalidationId: 'ILIMITED', paths: ['/*'] });
    const invalidation = { target: { kind: 'distribution', id }, invalidationId: 'ILIMITED', account: '123456789012' } as const;

    // Act
    const deployed = await getDeployment(limited.client, watchOf('distribution', id, 'E1FAULTS'));
    const completed = await checkWork(limited.client, invalidation, new Date(), 0);
    const error = await failureOf(() => getDeployment(limited.client, watchOf('distribution', id, 'E1FAULTS')));
    limited.client.destroy();
    await limited.emulator.stop();

    // Assert
    expect(deployed.status).toBe('Deployed');
    expect(completed.status.status).toBe('Completed');
    expect(error.name).toBe('CloudFrontThrottled');
    expect(limited.emulator.calls.map((call) => `${call.operation} ${call.answer}`)).toEqual([
      'GetDistribution Deployed',
      'GetInvalidation Completed',
      'GetDistribution Throttling',
    ]);
  });
});

describe("Start watch's look-ups of a scripted target", () => {
  it('are answered from the script but take no check, no forced answer and no token while no watch of the target runs', async () => {
    // Prepare
    emulator.describe({
      kind: 'distribution',
      id: 'ELOOKUP000001',
      aliases: ['shop.example.com'],
      deployment: { eTag: 'E1LOOKUP', inProgressChecks: 1 },
    });
    emulator.forceNext({ status: 400, code: 'Throttling' });
    const lookups = new TargetLookups(
      new CloudFrontAccess({ clientConfig: { endpoint: setup.endpoint, credentials: CREDENTIALS, maxAttempts: 1 } }),
    );
    setup.state.watching = false;

    // Act
    const details = await lookups.details({ kind: 'distribution', id: 'ELOOKUP000001' }, '123456789012', false);
    setup.state.watching = true;
    const throttled = await failureOf(() => getDeployment(client, watchOf('distribution', 'ELOOKUP000001', 'E1LOOKUP')));
    const first = await getDeployment(client, watchOf('distribution', 'ELOOKUP000001', 'E1LOOKUP'));

    // Assert
    expect(details.name).toBe('shop.example.com');
    expect(emulator.lookups).toEqual([{ operation: 'GetDistribution', resource: 'ELOOKUP000001' }]);
    expect(throttled.name).toBe('CloudFrontThrottled');
    expect(first).toEqual({ status: 'InProgress', eTag: 'E1LOOKUP' });
  });
});
