import { parseInvalidationRequest } from '../../support/invalidation-request';
import {
  CloudFrontClient,
  GetDistributionCommand,
  GetDistributionTenantCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import distributionEvent from '../../../local/fixtures/create-invalidation.json';
import tenantEvent from '../../../local/fixtures/create-invalidation-for-tenant.json';
import { CloudFrontAccess } from '../../../lambda/shared/cloudfront-access';
import { parseRouting, type RoutingConfig } from '../../../lib/config';
import { audienceFrom } from '../../../lambda/start-watch/audience';
import { TargetLookups } from '../../../lambda/start-watch/lookups';
import { failureOf } from '../../support/failure-of';

const cloudFrontMock = mockClient(CloudFrontClient);
const access = new CloudFrontAccess({ clientConfig: {} });
afterEach(() => cloudFrontMock.reset());

const distribution = parseInvalidationRequest(structuredClone(distributionEvent));
const tenant = parseInvalidationRequest(structuredClone(tenantEvent));

function routing(raw: object): RoutingConfig {
  const { config, problems } = parseRouting(raw as never);
  if (!config) throw new Error(problems.join('\n'));
  return config;
}

const TABLE = routing({
  destinations: { payments: { type: 'slack', secretName: 'p' }, web: { type: 'teams', secretName: 'w' }, ops: { type: 'sns' } },
  routes: [
    { name: 'payments', match: { tags: { team: 'payments' } }, destinations: ['payments'] },
    { name: 'deploy bot', match: { createdBy: ['arn:aws:sts::*:assumed-role/github-actions-deploy/*'] }, destinations: ['web'] },
  ],
  defaultDestinations: ['ops'],
});

describe('audienceFrom', () => {
  it('names the distribution by its first alternate domain name and routes by its tags and its creator ARN', async () => {
    // Prepare
    cloudFrontMock.on(GetDistributionCommand).resolves({
      Distribution: {
        DomainName: 'd111.cloudfront.net',
        DistributionConfig: { Aliases: { Quantity: 2, Items: ['www.example.com', 'example.com'] } },
      } as never,
    });
    cloudFrontMock.on(ListTagsForResourceCommand).resolves({ Tags: { Items: [{ Key: 'team', Value: 'payments' }] } });

    // Act
    const audience = await audienceFrom(TABLE, new TargetLookups(access, { sleep: async () => undefined }))({ request: distribution });

    // Assert
    expect(audience).toEqual({ destinations: ['payments', 'web'], routes: ['payments', 'deploy bot'], targetName: 'www.example.com' });
    expect(cloudFrontMock).toHaveReceivedCommandWith(ListTagsForResourceCommand, {
      Resource: `arn:aws:cloudfront::123456789012:distribution/${distribution.target.id}`,
    });
  });

  it('names a tenant by its name and first domain', async () => {
    cloudFrontMock
      .on(GetDistributionTenantCommand)
      .resolves({ DistributionTenant: { Name: 'acme', Domains: [{ Domain: 'acme.example.com' }] } as never });
    cloudFrontMock.on(ListTagsForResourceCommand).resolves({ Tags: { Items: [] } });

    const audience = await audienceFrom(TABLE, new TargetLookups(access, { sleep: async () => undefined }))({ request: tenant });

    expect(audience.targetName).toBe('acme (acme.example.com)');
    expect(cloudFrontMock).toHaveReceivedCommandWith(GetDistributionTenantCommand, { Identifier: tenant.target.id });
  });

  it('falls back to the IDs when a name cannot be read, and says so when tags are refused for good', async () => {
    cloudFrontMock
      .on(GetDistributionTenantCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    cloudFrontMock
      .on(ListTagsForResourceCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));

    const audience = await audienceFrom(TABLE, new TargetLookups(access, { sleep: async () => undefined }))({ request: tenant });

    expect(audience).toEqual({
      destinations: ['ops'],
      routes: [],
      routingNote: expect.stringMatching(
        /tags of distribution tenant dt_\w+ could not be read \(AccessDenied 403: denied\), so routes on tags were not applied/,
      ),
    });
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 1);
  });

  it('never routes on tags it could not read for now: tries three times, then fails the invocation (Lambda tries again)', async () => {
    cloudFrontMock.on(GetDistributionTenantCommand).resolves({ DistributionTenant: { Name: 'acme' } as never });
    cloudFrontMock
      .on(ListTagsForResourceCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));

    const error = await failureOf(() =>
      audienceFrom(TABLE, new TargetLookups(access, { sleep: async () => undefined }))({ request: tenant }),
    );

    expect(error.name).toBe('TagsUnavailable');
    expect(error.message).toContain(tenant.target.id);
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 3);
  });

  it('does not ask for tags with an account the event does not name, and says why tag routes were not applied', async () => {
    cloudFrontMock.on(GetDistributionTenantCommand).resolves({ DistributionTenant: { Name: 'acme' } as never });

    const audience = await audienceFrom(
      TABLE,
      new TargetLookups(access, { sleep: async () => undefined }),
    )({
      request: { ...tenant, account: 'unknown' },
    });

    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 0);
    expect(audience.routingNote).toMatch(/names no account/);
  });

  it('says so when a rejected event cannot be routed on tags', async () => {
    const audience = await audienceFrom(TABLE, new TargetLookups(access))({ rejected: { reason: 'no invalidation ID', eventId: 'e1' } });

    expect(audience).toMatchObject({
      destinations: ['ops'],
      routingNote: expect.stringMatching(/could not be read, so routes on tags were not applied/),
    });
  });

  it('routes by tag when a throttled tag read succeeds on a later attempt', async () => {
    cloudFrontMock.on(GetDistributionTenantCommand).resolves({ DistributionTenant: { Name: 'acme' } as never });
    cloudFrontMock
      .on(ListTagsForResourceCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }))
      .resolves({ Tags: { Items: [{ Key: 'team', Value: 'payments' }] } });

    const audience = await audienceFrom(TABLE, new TargetLookups(access, { sleep: async () => undefined }))({ request: tenant });

    expect(audience.destinations).toEqual(['payments']);
  });

  it('reads each target once per container, and tags only when a route needs them', async () => {
    cloudFrontMock.on(GetDistributionCommand).resolves({ Distribution: { DomainName: 'd111.cloudfront.net' } as never });
    const noTagRoutes = routing({
      destinations: { ops: { type: 'sns' } },
    });
    const audienceOf = audienceFrom(noTagRoutes, new TargetLookups(access, { sleep: async () => undefined }));

    const first = await audienceOf({ request: distribution });
    await audienceOf({ request: { ...distribution, invalidationId: 'I2OTHER' } });

    expect(first.targetName).toBe('d111.cloudfront.net');
    expect(cloudFrontMock).toHaveReceivedCommandTimes(GetDistributionCommand, 1);
    expect(cloudFrontMock).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 0);
  });

  it('routes a rejected event by what it still names (the creator), else to the default', async () => {
    const audienceOf = audienceFrom(TABLE, new TargetLookups(access, { sleep: async () => undefined }));

    const audience = await audienceOf({
      rejected: {
        reason: 'no invalidation ID',
        eventId: 'e1',
        createdBy: 'someone',
        createdByArn: 'arn:aws:sts::1:assumed-role/github-actions-deploy/x',
      },
    });

    expect(audience).toEqual({
      destinations: ['web'],
      routes: ['deploy bot'],
      routingNote: expect.stringContaining('routes on tags were not applied'),
    });
    expect(cloudFrontMock.calls()).toHaveLength(0);
  });
});
