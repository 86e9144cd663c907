/**
 * parseWatchRequest on the calls that start a deployment: the recorded fixtures, the local
 * event builder for every call, failed calls, events CloudTrail cut, and any JSON.
 */
import * as fc from 'fast-check';
import updateDistributionEvent from '../../../local/fixtures/update-distribution.json';
import createTenantEvent from '../../../local/fixtures/create-distribution-tenant.json';
import { DEPLOYMENT_CALLS, DEPLOYMENT_CALL_NAMES, type DeploymentCallName } from '../../../lambda/shared/cloudtrail-calls';
import {
  MAX_CHANGE_LINES,
  MalformedEventError,
  WatchRequestSchema,
  executionNameFor,
  parseWatchRequest,
  type DeploymentRequest,
} from '../../../lambda/shared/watch-request';
import * as v from 'valibot';
import { SAMPLE_DISTRIBUTION_UPDATE, SAMPLE_TENANT_CREATION, deploymentEvent, type SampleDeployment } from '../../../local/events';
import { cloudTrailEvents, viaJson, withValue } from '../start-watch/arbitraries';

type Json = Record<string, unknown>;

const WEB_ACL = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/storefront/3f2b5c1a-7d4e-4c8b-a1f2-9e8d7c6b5a41';

/** parseWatchRequest for an event that must be a deployment's. */
function parseDeployment(event: unknown): DeploymentRequest {
  const request = parseWatchRequest(event);
  if (request.work !== 'deployment') throw new Error(`expected a deployment's request, got an invalidation's (${request.invalidationId})`);
  return request;
}

/** The MalformedEventError parseWatchRequest must throw. */
function rejectionOf(event: unknown): MalformedEventError {
  try {
    parseWatchRequest(event);
  } catch (error) {
    if (error instanceof MalformedEventError) return error;
    throw error;
  }
  throw new Error('parseWatchRequest accepted the event');
}

/** A copy of `event` with `change` applied to its detail. */
function withDetail(event: unknown, change: (detail: Json) => void): Json {
  const copy = structuredClone(event) as Json;
  change(copy.detail as Json);
  return copy;
}

/** A deployment of the call's kind of target, for the builder. */
const sampleFor = (call: DeploymentCallName): SampleDeployment =>
  DEPLOYMENT_CALLS[call].target === 'tenant' ? SAMPLE_TENANT_CREATION : SAMPLE_DISTRIBUTION_UPDATE;

describe('parseWatchRequest on the recorded deployment events', () => {
  it('reads update-distribution.json into a distribution deployment: target, version and what the configuration is now', () => {
    // Act
    const request = parseDeployment(structuredClone(updateDistributionEvent));

    // Assert
    expect(request).toEqual({
      work: 'deployment',
      target: { kind: 'distribution', id: 'E2QWRUHAPOMQZL' },
      createdBy: 'github-actions-deploy/deploy-web-1343',
      createdByArn: 'arn:aws:sts::123456789012:assumed-role/github-actions-deploy/deploy-web-1343',
      eventTime: '2026-11-21T18:20:11Z',
      eventId: 'a7c3e9d1-4b2f-4e8a-9c6d-2f1e0b9a8c73',
      account: '123456789012',
      region: 'us-east-1',
      change: {
        call: 'UpdateDistribution',
        eTag: 'E3UN6WX5RRO2AG',
        changes: [
          'configuration updated; now:',
          'enabled',
          'aliases: www.example.com, shop.example.com',
          '2 origins',
          '2 cache behaviors (the default included)',
          `web ACL: ${WEB_ACL}`,
        ],
      },
    });
    expect(v.is(WatchRequestSchema, request)).toBe(true);
    expect(executionNameFor(request)).toBe('E2QWRUHAPOMQZL-deployed-E3UN6WX5RRO2AG');
  });

  it('reads create-distribution-tenant.json into a tenant deployment, the tenant named by the response', () => {
    // Act
    const request = parseDeployment(structuredClone(createTenantEvent));

    // Assert
    expect(request).toEqual({
      work: 'deployment',
      target: { kind: 'tenant', id: 'dt_2xk7Qm4Rt9Vb1Nc3Ld5Pf8Hs0AB' },
      createdBy: 'saas-tenant-onboarding/tenant-onboarding-acme',
      createdByArn: 'arn:aws:sts::123456789012:assumed-role/saas-tenant-onboarding/tenant-onboarding-acme',
      eventTime: '2026-11-21T18:24:37Z',
      eventId: 'c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f',
      account: '123456789012',
      region: 'us-east-1',
      change: {
        call: 'CreateDistributionTenant',
        eTag: 'E2TENANTV1ABCD',
        changes: [
          'tenant created: acme',
          'enabled',
          'domains: acme.example.com, www.acme.example.com',
          'on distribution E1MULTITENANT7',
          'web ACL: arn:aws:wafv2:us-east-1:123456789012:global/webacl/acme/5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
        ],
      },
    });
    expect(executionNameFor(request)).toBe('dt_2xk7Qm4Rt9Vb1Nc3Ld5Pf8Hs0AB-deployed-E2TENANTV1ABCD');
  });

  it('reads the versioned event name UpdateDistribution2020_05_31 as UpdateDistribution', () => {
    // Prepare
    const event = withDetail(updateDistributionEvent, (detail) => {
      detail.eventName = 'UpdateDistribution2020_05_31';
    });

    // Act
    const request = parseDeployment(event);

    // Assert
    expect(request.change.call).toBe('UpdateDistribution');
  });
});

describe('parseWatchRequest on the local builder events', () => {
  it.each(DEPLOYMENT_CALL_NAMES)('accepts %s: its target, call and version', (call) => {
    // Prepare
    const sample = sampleFor(call);

    // Act
    const request = parseDeployment(deploymentEvent(call, sample, { eventId: `evt-${call}` }));

    // Assert
    expect(request.target).toEqual({ kind: sample.kind, id: sample.targetId });
    expect(request.change.call).toBe(call);
    expect(request.change.eTag).toBe(sample.eTag);
    expect(request.change.changes.length).toBeGreaterThan(0);
    expect(request.eventId).toBe(`evt-${call}`);
    expect(v.is(WatchRequestSchema, request)).toBe(true);
  });

  it.each<[DeploymentCallName, Parameters<typeof deploymentEvent>[2], string[]]>([
    [
      'UpdateDistribution',
      { distribution: { aliases: ['a.example.com'], enabled: false, origins: 1, cacheBehaviors: 0, webACLId: '' } },
      ['configuration updated; now:', 'disabled', 'aliases: a.example.com', '1 origin', '1 cache behavior (the default included)'],
    ],
    [
      'CreateDistribution',
      { distribution: { aliases: [], origins: 3, cacheBehaviors: 2, webACLId: '' } },
      ['distribution created', 'enabled', 'no aliases', '3 origins', '3 cache behaviors (the default included)'],
    ],
    [
      'CreateDistributionTenant',
      { tenant: { name: 'beta', domains: ['beta.example.com'], distributionId: 'E1OTHER', enabled: false, webAclArn: 'arn:waf' } },
      ['tenant created: beta', 'disabled', 'domains: beta.example.com', 'on distribution E1OTHER', 'web ACL: arn:waf'],
    ],
    [
      'UpdateDistributionTenant',
      { tenant: { domains: ['acme.example.com', 'shop.acme.example.com'] } },
      [
        'tenant updated; now:',
        'enabled',
        'domains: acme.example.com, shop.acme.example.com',
        'on distribution E1MULTITENANT7',
        'web ACL: arn:aws:wafv2:us-east-1:123456789012:global/webacl/acme/5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
      ],
    ],
    [
      'AssociateDistributionWebACL',
      { webACLArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1' },
      ['web ACL associated: arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1'],
    ],
    ['DisassociateDistributionTenantWebACL', {}, ['web ACL removed']],
  ])('tells what %s changed', (call, options, changes) => {
    // Act
    const request = parseDeployment(deploymentEvent(call, sampleFor(call), options));

    // Assert
    expect(request.change.changes).toEqual(changes);
  });

  it('names a duplicated delivery of one change the same, and two changes of one target apart', () => {
    // Prepare
    const first = deploymentEvent('UpdateDistribution', SAMPLE_DISTRIBUTION_UPDATE, { eventId: 'evt-1' });
    const second = deploymentEvent('UpdateDistribution', { ...SAMPLE_DISTRIBUTION_UPDATE, eTag: 'E2LATER' }, { eventId: 'evt-2' });

    // Act
    const names = [first, structuredClone(first), second].map((event) => executionNameFor(parseDeployment(event)));

    // Assert
    expect(names[0]).toBe(names[1]);
    expect(names[2]).not.toBe(names[0]);
  });

  it("refuses to build a call for the other kind of target (the builder's own check)", () => {
    expect(() => deploymentEvent('UpdateDistributionTenant', SAMPLE_DISTRIBUTION_UPDATE)).toThrow(/changes a tenant, not a distribution/);
  });
});

describe('parseWatchRequest rejects', () => {
  it.each(DEPLOYMENT_CALL_NAMES)('a failed %s (errorCode): there is no deployment to watch', (call) => {
    // Prepare
    const event = withDetail(deploymentEvent(call, sampleFor(call)), (detail) => {
      detail.errorCode = 'PreconditionFailed';
      detail.errorMessage = 'The If-Match version is missing or not valid for the resource.';
    });

    // Act
    const rejected = rejectionOf(event).rejected;

    // Assert
    expect(rejected).toMatchObject({ eventName: call, work: 'deployment' });
    expect(rejected.reason).toBe('the API call failed with "PreconditionFailed"; there is no deployment to watch');
  });

  it('a deployment call from another event source', () => {
    // Prepare
    const event = withDetail(updateDistributionEvent, (detail) => {
      detail.eventSource = 'evil.example.com';
    });

    // Act
    const rejected = rejectionOf(event).rejected;

    // Assert
    expect(rejected).toMatchObject({ eventName: 'UpdateDistribution', work: 'deployment' });
    expect(rejected.reason).toMatch(/^detail.eventSource is "evil.example.com", expected cloudfront.amazonaws.com/);
  });

  it('an update that names no distribution anywhere, saying which fields it read', () => {
    // Prepare
    const event = withDetail(updateDistributionEvent, (detail) => {
      delete (detail.requestParameters as Json).id;
      delete (detail.responseElements as Json).distribution;
    });

    // Act
    const rejected = rejectionOf(event).rejected;

    // Assert
    expect(rejected.reason).toBe('no distribution ID: requestParameters.id and responseElements.distribution.id are both missing');
  });

  it('a target ID longer than any CloudFront ID, naming the field', () => {
    // Prepare
    const event = withDetail(createTenantEvent, (detail) => {
      ((detail.responseElements as Json).distributionTenant as Json).id = `dt_${'x'.repeat(400)}`;
    });

    // Act
    const rejected = rejectionOf(event).rejected;

    // Assert
    expect(rejected.reason).toBe('responseElements.distributionTenant.id is 403 characters long, longer than any CloudFront ID (256)');
    expect(rejected.targetId?.length).toBeLessThanOrEqual(256);
  });
});

describe('parseWatchRequest on a deployment event CloudTrail cut', () => {
  const OMITTED = { omitted: true, originalSize: 143_201 };

  it('watches an update whose request was cut: the target from the response, the version kept, "configuration updated"', () => {
    // Prepare
    const event = withDetail(updateDistributionEvent, (detail) => {
      detail.requestParameters = OMITTED;
    });

    // Act
    const request = parseDeployment(event);

    // Assert
    expect(request.target).toEqual({ kind: 'distribution', id: 'E2QWRUHAPOMQZL' });
    expect(request.change).toEqual({ call: 'UpdateDistribution', eTag: 'E3UN6WX5RRO2AG', changes: ['configuration updated'] });
  });

  it('watches an update whose response was cut: the target from the request, no version (named by the event)', () => {
    // Prepare
    const event = withDetail(updateDistributionEvent, (detail) => {
      detail.responseElements = OMITTED;
    });

    // Act
    const request = parseDeployment(event);

    // Assert
    expect(request.target).toEqual({ kind: 'distribution', id: 'E2QWRUHAPOMQZL' });
    expect(request.change.eTag).toBeUndefined();
    expect(request.change.changes[0]).toBe('configuration updated; now:');
    expect(executionNameFor(request)).toBe(executionNameFor(parseDeployment(structuredClone(event))));
  });

  it('names a change by its event when its eTag is not shaped like a CloudFront version, so no version can pass for another change (event-...)', () => {
    // Prepare: one change without an ETag, named by its event; another whose "ETag" spells that name.
    const unnamed = withDetail(updateDistributionEvent, (detail) => {
      delete (detail.responseElements as Json).eTag;
      detail.eventID = 'evt-1';
    });
    const spoofing = withDetail(updateDistributionEvent, (detail) => {
      (detail.responseElements as Json).eTag = 'event-evt-1';
      detail.eventID = 'evt-2';
    });

    // Act
    const [first, second] = [parseDeployment(unnamed), parseDeployment(spoofing)];

    // Assert
    expect(second.change.eTag).toBeUndefined();
    expect(executionNameFor(first)).not.toBe(executionNameFor(second));
  });

  it.each([
    ['the whole response', (detail: Json) => void (detail.responseElements = OMITTED), 'responseElements'],
    [
      'the created tenant in the response',
      (detail: Json) => void ((detail.responseElements as Json).distributionTenant = OMITTED),
      'responseElements',
    ],
  ])('rejects a creation when CloudTrail cut %s, saying it was cut', (_what, cut, field) => {
    // Prepare
    const event = withDetail(createTenantEvent, cut);

    // Act
    const error = rejectionOf(event);

    // Assert
    expect(error.rejected.reason).toBe(
      `the CloudTrail event was cut (too large: CloudTrail omitted ${field}), so it names no distribution tenant ID (responseElements.distributionTenant.id missing)`,
    );
    expect(error.rejected.work).toBe('deployment');
    // A deployment cannot be found by listing, as a cut invalidation can.
    expect(error.cut).toBeUndefined();
  });

  it('rejects an update whose request and response were both cut', () => {
    // Prepare
    const event = withDetail(updateDistributionEvent, (detail) => {
      detail.requestParameters = OMITTED;
      detail.responseElements = OMITTED;
    });

    // Act
    const rejected = rejectionOf(event).rejected;

    // Assert
    expect(rejected.reason).toBe(
      'the CloudTrail event was cut (too large: CloudTrail omitted requestParameters and responseElements), so it names no distribution ID (requestParameters.id and responseElements.distribution.id missing)',
    );
  });
});

describe('parseWatchRequest on any deployment event', () => {
  it('returns a valid deployment request with a bounded description, or rejects with MalformedEventError: never anything else', () => {
    const fixtures = [
      updateDistributionEvent,
      createTenantEvent,
      ...DEPLOYMENT_CALL_NAMES.map((call) => deploymentEvent(call, sampleFor(call))),
    ];
    const fields = [
      ['detail', 'requestParameters'],
      ['detail', 'requestParameters', 'id'],
      ['detail', 'requestParameters', 'distributionConfig'],
      ['detail', 'requestParameters', 'distributionConfig', 'aliases'],
      ['detail', 'requestParameters', 'domains'],
      ['detail', 'responseElements'],
      ['detail', 'responseElements', 'eTag'],
      ['detail', 'responseElements', 'distribution'],
      ['detail', 'responseElements', 'distributionTenant', 'id'],
      ['detail', 'eventName'],
    ];
    fc.assert(
      fc.property(cloudTrailEvents(fixtures, fields), (event) => {
        let request;
        try {
          request = parseWatchRequest(viaJson(event));
        } catch (error) {
          if (error instanceof MalformedEventError) return;
          throw error;
        }
        expect(v.is(WatchRequestSchema, request)).toBe(true);
        if (request.work === 'deployment') expect(request.change.changes.length).toBeLessThanOrEqual(MAX_CHANGE_LINES);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps a huge alias list to a few bounded lines', () => {
    // Prepare
    const aliases = Array.from({ length: 100_000 }, (_, i) => `alias-${i}-${'x'.repeat(50)}.example.com`);
    const event = withValue(updateDistributionEvent, ['detail', 'requestParameters', 'distributionConfig', 'aliases'], {
      quantity: aliases.length,
      items: aliases,
    });

    // Act
    const request = parseDeployment(event);

    // Assert
    expect(request.change.changes[2]).toMatch(/^aliases: alias-0-x+\.example\.com, .* and 99995 more$/);
    expect(v.is(WatchRequestSchema, request)).toBe(true);
  });
});
