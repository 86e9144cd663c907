import {
  CloudFrontClient,
  ListDistributionTenantsCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
  ListInvalidationsForDistributionTenantCommand,
} from '@aws-sdk/client-cloudfront';
// The STS client fromTemporaryCredentials makes for itself.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import cutDistributionEvent from '../../../local/fixtures/create-invalidation-cut.json';
import cutTenantEvent from '../../../local/fixtures/create-invalidation-for-tenant-cut.json';
import { CloudFrontAccess } from '../../../lambda/shared/cloudfront-access';
import { MalformedEventError, parseWatchRequest, type CutEvent } from '../../../lambda/shared/watch-request';
import { RECOVERY_LIMITS, cutEventRecovery, type RecoveryClock } from '../../../lambda/start-watch/recover-cut-event';

const cloudFrontMock = mockClient(CloudFrontClient);
const access = new CloudFrontAccess({ clientConfig: {} });
afterEach(() => cloudFrontMock.reset());

/** A clock whose backoffs pass at once (and are recorded): no real sleeps. */
function instantClock(start = 0) {
  let now = start;
  const sleeps: number[] = [];
  const clock: RecoveryClock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return { clock, sleeps, advance: (ms: number) => (now += ms) };
}
const recoverWith = (clock: RecoveryClock = instantClock().clock) => cutEventRecovery(access, RECOVERY_LIMITS, clock);
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });

/** What parseWatchRequest leaves of a cut event, for the search. */
function cutOf(event: unknown): CutEvent {
  try {
    parseWatchRequest(structuredClone(event));
  } catch (error) {
    if (error instanceof MalformedEventError && error.cut) return error.cut;
    throw error;
  }
  throw new Error('the event was read as a whole');
}

const distributionCut = cutOf(cutDistributionEvent);
const tenantCut = cutOf(cutTenantEvent);
/** The distribution fixture's eventTime, or the tenant fixture's. */
const at = (secondsFromEvent: number, event: { detail: { eventTime: string } } = cutDistributionEvent) =>
  new Date(Date.parse(event.detail.eventTime) + secondsFromEvent * 1000);
const invalidations = (...items: [id: string, secondsFromEvent: number, event?: { detail: { eventTime: string } }][]) => ({
  InvalidationList: {
    Items: items.map(([Id, seconds, event]) => ({ Id, CreateTime: at(seconds, event), Status: 'InProgress' })),
    IsTruncated: false,
    Marker: '',
    MaxItems: 100,
    Quantity: items.length,
  },
});
const distributions = (...ids: string[]) => ({
  DistributionList: { Items: ids.map((Id) => ({ Id }) as never), IsTruncated: false, Marker: '', MaxItems: 100, Quantity: ids.length },
});

describe('cutEventRecovery', () => {
  it('finds the one invalidation created at the event time among the distributions of the account, and says how', async () => {
    // Prepare
    cloudFrontMock.on(ListDistributionsCommand).resolves(distributions('E1OTHER', 'E2QWRUHAPOMQZL'));
    cloudFrontMock.on(ListInvalidationsCommand, { DistributionId: 'E1OTHER' }).resolves(invalidations(['IOLD', -3600]));
    cloudFrontMock
      .on(ListInvalidationsCommand, { DistributionId: 'E2QWRUHAPOMQZL' })
      .resolves(invalidations(['ILATER', 600], ['IBIG', -2], ['IEARLIER', -900]));

    // Act
    const recovery = await cutEventRecovery(access)(distributionCut);

    // Assert
    expect(recovery).toEqual({
      request: {
        target: { kind: 'distribution', id: 'E2QWRUHAPOMQZL' },
        invalidationId: 'IBIG',
        createdBy: 'github-actions-deploy/deploy-web-1342',
        createdByArn: 'arn:aws:sts::123456789012:assumed-role/github-actions-deploy/deploy-web-1342',
        eventTime: '2026-11-21T18:02:27.000Z',
        eventId: '5c0f5d7e-1f6a-4f5b-9a51-2b7e0c9d8e01',
        account: '123456789012',
        region: 'us-east-1',
        foundBy: expect.stringContaining(
          `the CloudTrail event was cut (too large); found invalidation IBIG of distribution E2QWRUHAPOMQZL created at ${at(-2).toISOString()}`,
        ),
      },
    });
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListDistributionsCommand, 1);
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListInvalidationsCommand, 2);
  });

  it('lists only the target the event still names, when a field that was not cut names it', async () => {
    // Prepare
    cloudFrontMock.on(ListInvalidationsCommand).resolves(invalidations(['IBIG', 1]));

    // Act
    const recovery = await cutEventRecovery(access)({ ...distributionCut, targetId: 'E2QWRUHAPOMQZL' });

    // Assert
    expect(recovery).toMatchObject({ request: { target: { id: 'E2QWRUHAPOMQZL' }, invalidationId: 'IBIG' } });
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListDistributionsCommand, 0);
    expect(cloudFrontMock).toHaveReceivedCommandWith(ListInvalidationsCommand, {
      DistributionId: 'E2QWRUHAPOMQZL',
      MaxItems: RECOVERY_LIMITS.invalidationPageSize,
    });
  });

  it('pages newest first until a page reaches past the window, and no further', async () => {
    // Prepare: page 1 holds a burst of newer invalidations; page 2 the one sought and older ones.
    const newer = Array.from({ length: RECOVERY_LIMITS.invalidationPageSize }, (_, i) => [`INEW${i}`, 3600 - i] as [string, number]);
    cloudFrontMock
      .on(ListInvalidationsCommand, { DistributionId: 'E2QWRUHAPOMQZL', MaxItems: RECOVERY_LIMITS.invalidationPageSize })
      .resolves({ InvalidationList: { ...invalidations(...newer).InvalidationList, IsTruncated: true, NextMarker: 'INEWLAST' } });
    cloudFrontMock.on(ListInvalidationsCommand, { DistributionId: 'E2QWRUHAPOMQZL', Marker: 'INEWLAST' }).resolves({
      InvalidationList: { ...invalidations(['IBIG', 0], ['IOLD', -600]).InvalidationList, IsTruncated: true, NextMarker: 'IOLD' },
    });

    // Act
    const recovery = await cutEventRecovery(access)({ ...distributionCut, targetId: 'E2QWRUHAPOMQZL' });

    // Assert
    expect(recovery).toMatchObject({ request: { invalidationId: 'IBIG' } });
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListInvalidationsCommand, 2);
  });

  it('watches none of two invalidations created within the window, and names both', async () => {
    // Prepare
    cloudFrontMock.on(ListDistributionsCommand).resolves(distributions('E1', 'E2'));
    cloudFrontMock.on(ListInvalidationsCommand, { DistributionId: 'E1' }).resolves(invalidations(['IONE', -5]));
    cloudFrontMock.on(ListInvalidationsCommand, { DistributionId: 'E2' }).resolves(invalidations(['ITWO', 3]));

    // Act
    const recovery = await cutEventRecovery(access)(distributionCut);

    // Assert
    expect(recovery).not.toHaveProperty('request');
    const { reason } = recovery as { reason: string };
    expect(reason).toContain('2 invalidations');
    expect(reason).toContain(`IONE of distribution E1 created at ${at(-5).toISOString()}`);
    expect(reason).toContain(`ITWO of distribution E2 created at ${at(3).toISOString()}`);
    expect(reason).toContain('none is watched');
  });

  it('says when no invalidation was created within the window', async () => {
    // Prepare
    cloudFrontMock.on(ListDistributionsCommand).resolves(distributions('E1'));
    cloudFrontMock.on(ListInvalidationsCommand).resolves(invalidations(['ILATE', RECOVERY_LIMITS.windowSeconds + 1], ['IEARLY', -40]));

    // Act
    const recovery = await cutEventRecovery(access)(distributionCut);

    // Assert
    expect(recovery).toEqual({
      reason: `no invalidation of the account's 1 distributions was created within 30 s of the event's time 2026-11-21T18:02:27.000Z (2 CloudFront calls)`,
    });
  });

  it.each([25, 150])('finds the one invalidation created at the event time in an account of %i distributions', async (count) => {
    // Prepare: two pages of distributions when there are more than 100.
    const ids = Array.from({ length: count }, (_, i) => `EDIST${String(i).padStart(3, '0')}`);
    const page = (items: string[], next?: string) => ({
      DistributionList: {
        ...distributions(...items).DistributionList,
        IsTruncated: next !== undefined,
        ...(next ? { NextMarker: next } : {}),
      },
    });
    cloudFrontMock.on(ListDistributionsCommand).resolves(count > 100 ? page(ids.slice(0, 100), 'M100') : page(ids));
    cloudFrontMock.on(ListDistributionsCommand, { Marker: 'M100' }).resolves(page(ids.slice(100)));
    cloudFrontMock.on(ListInvalidationsCommand).resolves(invalidations(['IOLD', -86_400]));
    const sought = ids[count - 3]!;
    cloudFrontMock.on(ListInvalidationsCommand, { DistributionId: sought }).resolves(invalidations(['IBIG', -2], ['IOLD', -86_400]));

    // Act
    const recovery = await recoverWith()(distributionCut);

    // Assert
    expect(recovery).toMatchObject({ request: { target: { id: sought }, invalidationId: 'IBIG' } });
    expect(cloudFrontMock).toHaveReceivedCommandWith(ListDistributionsCommand, { MaxItems: 100 });
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListDistributionsCommand, Math.ceil(count / 100));
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListInvalidationsCommand, count);
  });

  it('keeps a few calls in flight at once, never more', async () => {
    // Prepare
    const ids = Array.from({ length: 20 }, (_, i) => `E${i}`);
    cloudFrontMock.on(ListDistributionsCommand).resolves(distributions(...ids));
    let inFlight = 0;
    let most = 0;
    cloudFrontMock.on(ListInvalidationsCommand).callsFake(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return invalidations(['IOLD', -3600]);
    });

    // Act
    await recoverWith()(distributionCut);

    // Assert
    expect(most).toBe(RECOVERY_LIMITS.concurrency);
  });

  it('stops at its bound of calls in an account of 1,000 tenants and says so, with the bound', async () => {
    // Prepare: 10 pages of 100 tenants, none with an invalidation in the window.
    const tenants = Array.from({ length: 1000 }, (_, i) => ({ Id: `dt_${i}` }));
    for (let page = 0; page < 10; page++) {
      cloudFrontMock.on(ListDistributionTenantsCommand, page === 0 ? {} : { Marker: `M${page}` }).resolves({
        DistributionTenantList: tenants.slice(page * 100, page * 100 + 100) as never,
        ...(page < 9 ? { NextMarker: `M${page + 1}` } : {}),
      });
    }
    cloudFrontMock.on(ListInvalidationsForDistributionTenantCommand).resolves(invalidations(['IOLD', -3600, cutTenantEvent]));

    // Act
    const recovery = await recoverWith()(tenantCut);

    // Assert
    const searched = RECOVERY_LIMITS.maxCalls - 10;
    expect(recovery).toEqual({
      reason:
        `the search stopped at its bound of ${RECOVERY_LIMITS.maxCalls} CloudFront calls ` +
        `(one event may cost ${RECOVERY_LIMITS.maxCalls} calls in ${RECOVERY_LIMITS.maxSeconds} s), ` +
        `having looked at ${searched} of 1000 distribution tenants`,
    });
    expect(cloudFrontMock.calls()).toHaveLength(RECOVERY_LIMITS.maxCalls);
  });

  it('stops at its bound of time and says so', async () => {
    // Prepare: every call takes a second of the clock.
    const { clock, advance } = instantClock();
    cloudFrontMock.on(ListDistributionsCommand).resolves(distributions(...Array.from({ length: 150 }, (_, i) => `E${i}`)));
    cloudFrontMock.on(ListInvalidationsCommand).callsFake(async () => {
      advance(1000);
      return invalidations(['IOLD', -3600]);
    });

    // Act
    const recovery = await recoverWith(clock)(distributionCut);

    // Assert
    expect((recovery as { reason: string }).reason).toMatch(
      new RegExp(`^the search stopped at its bound of ${RECOVERY_LIMITS.maxSeconds} s .*having looked at \\d+ of 150 distributions$`),
    );
    expect(cloudFrontMock.calls().length).toBeLessThan(RECOVERY_LIMITS.maxSeconds + 1 + RECOVERY_LIMITS.concurrency);
  });

  it('says the invalidations could not be listed when CloudFront refuses, and what to grant', async () => {
    // Prepare
    cloudFrontMock
      .on(ListDistributionsCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));

    // Act
    const recovery = await cutEventRecovery(access)(distributionCut);

    // Assert
    expect((recovery as { reason: string }).reason).toMatch(
      /could not be listed \(AccessDenied 403: User is not authorized\).*List permissions/,
    );
  });

  it('tries a throttled List call again after a backoff, and finds the invalidation', async () => {
    // Prepare
    const { clock, sleeps } = instantClock();
    cloudFrontMock.on(ListDistributionsCommand).rejectsOnce(throttled()).resolves(distributions('E2QWRUHAPOMQZL'));
    cloudFrontMock
      .on(ListInvalidationsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves(invalidations(['IBIG', -2]));

    // Act
    const recovery = await recoverWith(clock)(distributionCut);

    // Assert
    expect(recovery).toMatchObject({ request: { invalidationId: 'IBIG' } });
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListDistributionsCommand, 2);
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListInvalidationsCommand, 3);
    expect(sleeps).toHaveLength(3);
  });

  it('ends in a reason that says CloudFront kept throttling, never in a failed invocation', async () => {
    // Prepare
    cloudFrontMock.on(ListDistributionsCommand).rejects(throttled());

    // Act
    const recovery = await recoverWith()(distributionCut);

    // Assert
    expect(recovery).toEqual({
      reason: expect.stringMatching(
        new RegExp(
          `could not be listed: CloudFront still failed after ${RECOVERY_LIMITS.attemptsPerCall} attempts \\(Throttling 400: Rate exceeded\\); it was throttling`,
        ),
      ),
    });
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListDistributionsCommand, RECOVERY_LIMITS.attemptsPerCall);
  });

  it('searches the tenants of the account with the tenant calls for a tenant event', async () => {
    // Prepare
    cloudFrontMock.on(ListDistributionTenantsCommand).resolves({ DistributionTenantList: [{ Id: 'dt_a' }, { Id: 'dt_b' }] as never });
    cloudFrontMock.on(ListInvalidationsForDistributionTenantCommand, { Id: 'dt_a' }).resolves(invalidations());
    cloudFrontMock
      .on(ListInvalidationsForDistributionTenantCommand, { Id: 'dt_b' })
      .resolves(invalidations(['ITENANT', -1, cutTenantEvent]));

    // Act
    const recovery = await cutEventRecovery(access)(tenantCut);

    // Assert
    expect(recovery).toMatchObject({ request: { target: { kind: 'tenant', id: 'dt_b' }, invalidationId: 'ITENANT' } });
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListInvalidationsCommand, 0);
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListDistributionsCommand, 0);
  });

  it("lists a member account's invalidations through the member's reader role in organization mode", async () => {
    // Prepare
    const stsMock = mockClient(STSClient);
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
    });
    const organization = new CloudFrontAccess({
      clientConfig: {},
      organization: { ownAccount: '111111111111' },
    });
    cloudFrontMock.on(ListInvalidationsCommand).resolves(invalidations(['IBIG', 0]));

    // Act
    const recovery = await cutEventRecovery(organization)({ ...distributionCut, targetId: 'E2QWRUHAPOMQZL' });

    // Assert
    expect(recovery).toMatchObject({ request: { invalidationId: 'IBIG', account: '123456789012' } });
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::123456789012:role/CloudFrontInvalidationNotifierReader',
    });
    stsMock.restore();
  });

  it('does not search without an account in organization mode', async () => {
    // Prepare
    const organization = new CloudFrontAccess({ clientConfig: {}, organization: { ownAccount: '111111111111' } });

    // Act
    const recovery = await cutEventRecovery(organization)({ ...distributionCut, account: 'unknown' });

    // Assert
    expect(recovery).toEqual({ reason: 'the event names no account to look for the invalidation in' });
    expect(cloudFrontMock.calls()).toHaveLength(0);
  });
});
