import { parseInvalidationRequest } from '../../support/invalidation-request';
import distributionEvent from '../../../local/fixtures/create-invalidation.json';
import tenantEvent from '../../../local/fixtures/create-invalidation-for-tenant.json';
import cutEvent from '../../../local/fixtures/create-invalidation-cut.json';
import requestCutEvent from '../../../local/fixtures/create-invalidation-request-cut.json';
import * as fc from 'fast-check';
import {
  MalformedEventError,
  describeIdentity,
  executionNameFor,
  rejectedExecutionNameFor,
  type RejectedEvent,
  type TargetKind,
} from '../../../lambda/shared/watch-request';
import { awkwardString } from '../start-watch/arbitraries';

type Json = Record<string, unknown>;
type WatchKey = [kind: TargetKind, targetId: string, invalidationId: string];

/** A deep copy of a fixture, so each test can change it freely. */
const copy = <T>(value: T): T => structuredClone(value);

/** The fixture with `change` applied to a copy of its `detail`. */
function withDetail(event: Json, change: (detail: Json) => void): Json {
  const result = copy(event);
  change(result.detail as Json);
  return result;
}

/** Runs parseWatchRequest and returns the MalformedEventError it must throw. */
function rejectionOf(event: unknown): MalformedEventError {
  try {
    parseInvalidationRequest(event);
  } catch (error) {
    if (error instanceof MalformedEventError) return error;
    throw error;
  }
  throw new Error('parseWatchRequest accepted the event');
}

describe('parseWatchRequest', () => {
  it('reads a CreateInvalidation event into a distribution watch request', () => {
    // Prepare
    const event = copy(distributionEvent);

    // Act
    const request = parseInvalidationRequest(event);

    // Assert
    expect(request).toEqual({
      target: { kind: 'distribution', id: 'E2QWRUHAPOMQZL' },
      invalidationId: 'I2J0I21PCUYOIK',
      createdBy: 'github-actions-deploy/deploy-web-1342',
      createdByArn: 'arn:aws:sts::123456789012:assumed-role/github-actions-deploy/deploy-web-1342',
      callerReference: 'deploy-web-1342',
      eventTime: '2026-11-21T18:02:27Z',
      eventId: '0b4f8a11-8d26-4b67-95a3-5e2d0d1f6c7a',
      account: '123456789012',
      region: 'us-east-1',
    });
  });

  it('reads a CreateInvalidationForDistributionTenant event into a tenant watch request', () => {
    // Prepare
    const event = copy(tenantEvent);

    // Act
    const request = parseInvalidationRequest(event);

    // Assert
    expect(request.target).toEqual({ kind: 'tenant', id: 'dt_2wjDZi3hD1ivOXf6rpZJO1AB' });
    expect(request.invalidationId).toBe('I3TENANTX8K2QZ');
    expect(request.createdBy).toBe('saas-backend');
    expect(request.callerReference).toBe('acme-theme-update-77');
    expect(request.eventTime).toBe('2026-11-21T18:10:05Z');
    expect(request.eventId).toBe('7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6');
  });

  it('takes the tenant ID from responseElements.location when requestParameters.id is absent', () => {
    // Prepare
    const event = withDetail(tenantEvent, (detail) => {
      delete (detail.requestParameters as Json).id;
    });

    // Act
    const request = parseInvalidationRequest(event);

    // Assert
    expect(request.target).toEqual({ kind: 'tenant', id: 'dt_2wjDZi3hD1ivOXf6rpZJO1AB' });
    expect(request.invalidationId).toBe('I3TENANTX8K2QZ');
  });

  it('takes the distribution ID from responseElements.location when requestParameters.distributionId is absent', () => {
    // Prepare
    const event = withDetail(distributionEvent, (detail) => {
      delete (detail.requestParameters as Json).distributionId;
    });

    // Act
    const request = parseInvalidationRequest(event);

    // Assert
    expect(request.target).toEqual({ kind: 'distribution', id: 'E2QWRUHAPOMQZL' });
  });

  it('takes the invalidation ID from responseElements.location when responseElements.invalidation is absent', () => {
    // Prepare
    const event = withDetail(distributionEvent, (detail) => {
      delete (detail.responseElements as Json).invalidation;
    });

    // Act
    const request = parseInvalidationRequest(event);

    // Assert
    expect(request.invalidationId).toBe('I2J0I21PCUYOIK');
  });

  it('accepts the versioned event name CreateInvalidation2014_01_31 of old records', () => {
    // Prepare
    const event = withDetail(distributionEvent, (detail) => {
      detail.eventName = 'CreateInvalidation2014_01_31';
    });

    // Act
    const request = parseInvalidationRequest(event);

    // Assert
    expect(request.target).toEqual({ kind: 'distribution', id: 'E2QWRUHAPOMQZL' });
    expect(request.invalidationId).toBe('I2J0I21PCUYOIK');
  });

  it('leaves callerReference out when the event has none', () => {
    // Prepare
    const event = withDetail(distributionEvent, (detail) => {
      delete ((detail.requestParameters as Json).invalidationBatch as Json).callerReference;
    });

    // Act
    const request = parseInvalidationRequest(event);

    // Assert
    expect(request).not.toHaveProperty('callerReference');
  });

  describe('rejects an event it cannot watch with a MalformedEventError naming the problem', () => {
    it('rejects an event without a detail object', () => {
      // Prepare
      const event = { id: 'event-without-detail', 'detail-type': 'AWS API Call via CloudTrail' };

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.name).toBe('MalformedEvent');
      expect(error.rejected.reason).toContain('"detail"');
      expect(error.rejected.eventId).toBe('event-without-detail');
      expect(error.message).toBe(error.rejected.reason);
    });

    it('rejects something that is not an event at all', () => {
      // Act
      const error = rejectionOf(null);

      // Assert
      expect(error.rejected.reason).toContain('"detail"');
      expect(error.rejected.eventId).toBe('unknown-event');
    });

    it('rejects an event without detail.eventName', () => {
      // Prepare
      const event = withDetail(distributionEvent, (detail) => {
        delete detail.eventName;
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toContain('detail.eventName');
      expect(error.rejected.eventId).toBe('0b4f8a11-8d26-4b67-95a3-5e2d0d1f6c7a');
      expect(error.rejected.createdBy).toBe('github-actions-deploy/deploy-web-1342');
    });

    it('rejects an event whose eventName is neither an invalidation call nor a deployment call', () => {
      // Prepare
      const event = withDetail(distributionEvent, (detail) => {
        detail.eventName = 'DeleteDistribution';
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toContain('detail.eventName');
      expect(error.rejected.reason).toContain('DeleteDistribution');
      expect(error.rejected.eventName).toBe('DeleteDistribution');
    });

    it('reads a deployment call as a deployment, and rejects it naming the field its target ID is missing from', () => {
      // Prepare: an invalidation event renamed CreateDistribution has no created distribution in its response.
      const event = withDetail(distributionEvent, (detail) => {
        detail.eventName = 'CreateDistribution';
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toBe('no distribution ID: responseElements.distribution.id is missing');
      expect(error.rejected.work).toBe('deployment');
    });

    it('rejects an event from another event source', () => {
      // Prepare
      const event = withDetail(distributionEvent, (detail) => {
        detail.eventSource = 'lambda.amazonaws.com';
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toContain('detail.eventSource');
      expect(error.rejected.reason).toContain('lambda.amazonaws.com');
      expect(error.rejected.eventName).toBe('CreateInvalidation');
    });

    it('rejects the record of a failed API call (errorCode present)', () => {
      // Prepare
      const event = withDetail(distributionEvent, (detail) => {
        detail.errorCode = 'TooManyInvalidationsInProgress';
        detail.errorMessage = 'Your request contains too many invalidations.';
        delete detail.responseElements;
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toContain('TooManyInvalidationsInProgress');
      expect(error.rejected.reason).toContain('failed');
    });

    it('rejects a distribution event with neither requestParameters.distributionId nor responseElements.location', () => {
      // Prepare
      const event = withDetail(distributionEvent, (detail) => {
        delete (detail.requestParameters as Json).distributionId;
        delete (detail.responseElements as Json).location;
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toContain('requestParameters.distributionId');
      expect(error.rejected.reason).toContain('responseElements.location');
      expect(error.rejected.invalidationId).toBe('I2J0I21PCUYOIK');
    });

    it('rejects a tenant event with neither requestParameters.id nor responseElements.location', () => {
      // Prepare
      const event = withDetail(tenantEvent, (detail) => {
        delete (detail.requestParameters as Json).id;
        delete (detail.responseElements as Json).location;
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toContain('requestParameters.id');
      expect(error.rejected.reason).toContain('responseElements.location');
      expect(error.rejected.createdBy).toBe('saas-backend');
    });

    it('does not take a tenant ID from a location that points at a distribution', () => {
      // Prepare
      const event = withDetail(tenantEvent, (detail) => {
        delete (detail.requestParameters as Json).id;
        (detail.responseElements as Json).location =
          'https://cloudfront.amazonaws.com/2020-05-31/distribution/E2QWRUHAPOMQZL/invalidation/I3TENANTX8K2QZ';
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toContain('requestParameters.id');
    });

    it('rejects an event with neither responseElements.invalidation.id nor responseElements.location', () => {
      // Prepare
      const event = withDetail(distributionEvent, (detail) => {
        delete ((detail.responseElements as Json).invalidation as Json).id;
        delete (detail.responseElements as Json).location;
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toContain('responseElements.invalidation.id');
      expect(error.rejected.reason).toContain('responseElements.location');
      expect(error.rejected.targetId).toBe('E2QWRUHAPOMQZL');
    });

    it('rejects, instead of throwing URIError, a location with a bad percent-escape when the IDs must come from it', () => {
      // Prepare
      const event = withDetail(distributionEvent, (detail) => {
        delete (detail.requestParameters as Json).distributionId;
        delete (detail.responseElements as Json).invalidation;
        (detail.responseElements as Json).location =
          'https://cloudfront.amazonaws.com/2020-05-31/distribution/E2QW%E0%A4%A/invalidation/I2J0%ZZ';
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toContain('responseElements.location');
      expect(error.rejected.reason).toContain('percent-escape');
      expect(error.rejected.eventId).toBe('0b4f8a11-8d26-4b67-95a3-5e2d0d1f6c7a');
    });

    it('rejects an invalidation ID longer than any CloudFront ID instead of carrying it into the execution', () => {
      // Prepare
      const event = withDetail(distributionEvent, (detail) => {
        ((detail.responseElements as Json).invalidation as Json).id = 'I'.repeat(5000);
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toMatch(/responseElements.invalidation.id is 5000 characters long/);
      expect(error.rejected.invalidationId!.length).toBeLessThanOrEqual(256);
    });

    it('keeps every field of a rejected event bounded, whatever the event carries', () => {
      // Prepare: a huge event name is quoted in the reason and kept as eventName.
      const event = withDetail(distributionEvent, (detail) => {
        detail.eventName = `Create${'x'.repeat(200_000)}`;
        detail.eventID = 'e'.repeat(200_000);
        detail.userIdentity = { type: 'IAMUser', userName: 'u'.repeat(200_000) };
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(JSON.stringify(error.rejected).length).toBeLessThan(4096);
      expect(error.rejected.reason).toContain('is not a call the notifier watches (CreateInvalidation');
    });
  });

  it('ignores a location with a bad percent-escape when the event names both IDs elsewhere', () => {
    // Prepare
    const event = withDetail(distributionEvent, (detail) => {
      (detail.responseElements as Json).location = 'https://cloudfront.amazonaws.com/2020-05-31/distribution/%E0%A4%A/invalidation/%';
    });

    // Act
    const request = parseInvalidationRequest(event);

    // Assert
    expect(request.target).toEqual({ kind: 'distribution', id: 'E2QWRUHAPOMQZL' });
    expect(request.invalidationId).toBe('I2J0I21PCUYOIK');
  });

  it('reads a long location that defeats a backtracking pattern in linear time', () => {
    // Prepare: the largest event EventBridge delivers is 256 KB; a quadratic pattern takes minutes on it.
    const event = withDetail(distributionEvent, (detail) => {
      (detail.responseElements as Json).location =
        `https://cloudfront.amazonaws.com/2020-05-31/distribution/E1/invalidation/I${' '.repeat(100_000)}#`;
    });
    const started = performance.now();

    // Act
    parseInvalidationRequest(event);

    // Assert
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('decodes a valid percent-escape in the location', () => {
    // Prepare
    const event = withDetail(distributionEvent, (detail) => {
      delete (detail.requestParameters as Json).distributionId;
      (detail.responseElements as Json).location =
        'https://cloudfront.amazonaws.com/2020-05-31/distribution/E2QW%52UHAPOMQZL/invalidation/I2J0I21PCUYOIK';
    });

    // Act
    const request = parseInvalidationRequest(event);

    // Assert
    expect(request.target.id).toBe('E2QWRUHAPOMQZL');
  });

  it('bounds the free-text fields of a watch request', () => {
    // Prepare
    const event = withDetail(distributionEvent, (detail) => {
      ((detail.requestParameters as Json).invalidationBatch as Json).callerReference = `ref-${'r'.repeat(200_000)}`;
      detail.userIdentity = { type: 'IAMUser', userName: 'u'.repeat(200_000) };
      detail.eventTime = 't'.repeat(200_000);
    });

    // Act
    const request = parseInvalidationRequest(event);

    // Assert
    expect(request.callerReference!.startsWith('ref-rrr')).toBe(true);
    expect(JSON.stringify(request).length).toBeLessThan(4096);
  });
});

describe('parseWatchRequest on an event CloudTrail cut for size', () => {
  it('rejects an event whose requestParameters and responseElements were both cut, keeping what is left to find it by', () => {
    // Act
    const error = rejectionOf(copy(cutEvent));

    // Assert
    expect(error.rejected.reason).toBe(
      'the CloudTrail event was cut (too large: CloudTrail omitted requestParameters and responseElements), so it names no distribution ID',
    );
    expect(error.cut).toEqual({
      kind: 'distribution',
      cutFields: ['requestParameters', 'responseElements'],
      eventTime: '2026-11-21T18:02:27.000Z',
      createdBy: 'github-actions-deploy/deploy-web-1342',
      createdByArn: 'arn:aws:sts::123456789012:assumed-role/github-actions-deploy/deploy-web-1342',
      eventId: '5c0f5d7e-1f6a-4f5b-9a51-2b7e0c9d8e01',
      account: '123456789012',
      region: 'us-east-1',
    });
  });

  it('reads an event whose requestParameters alone were cut from the IDs responseElements still holds', () => {
    // Act
    const request = parseInvalidationRequest(copy(requestCutEvent));

    // Assert
    expect(request.target).toEqual({ kind: 'distribution', id: 'E2QWRUHAPOMQZL' });
    expect(request.invalidationId).toBe('I2J0I21PCUYOIK');
    expect(request).not.toHaveProperty('callerReference');
  });

  it('keeps the target ID when only the members that hold the batch and the response were cut', () => {
    // Prepare
    const event = withDetail(cutEvent, (detail) => {
      detail.requestParameters = { distributionId: 'E2QWRUHAPOMQZL', invalidationBatch: { omitted: true, originalSize: 140000 } };
    });

    // Act
    const error = rejectionOf(event);

    // Assert
    expect(error.rejected.reason).toContain('so it names no invalidation ID');
    expect(error.cut).toMatchObject({ targetId: 'E2QWRUHAPOMQZL', cutFields: ['requestParameters', 'responseElements'] });
  });

  it('rejects a cut event with no time to find its invalidation by, saying so', () => {
    // Prepare
    const event = withDetail(cutEvent, (detail) => {
      detail.eventTime = 'yesterday';
    });

    // Act
    const error = rejectionOf(event);

    // Assert
    expect(error.rejected.reason).toContain('detail.eventTime is not a time');
    expect(error.cut).toBeUndefined();
  });

  it('does not take an event with missing IDs but no cut mark for a cut one', () => {
    // Prepare
    const event = withDetail(distributionEvent, (detail) => {
      detail.requestParameters = {};
      detail.responseElements = {};
    });

    // Act
    const error = rejectionOf(event);

    // Assert
    expect(error.cut).toBeUndefined();
    expect(error.rejected.reason).toContain('requestParameters.distributionId');
  });
});

describe('describeIdentity', () => {
  it('calls the root user "root user"', () => {
    // Act
    const who = describeIdentity({ type: 'Root', arn: 'arn:aws:iam::123456789012:root', principalId: '123456789012' });

    // Assert
    expect(who).toBe('root user');
  });

  it('names an IAM user by user name', () => {
    // Act
    const who = describeIdentity({ type: 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::123456789012:user/alice' });

    // Assert
    expect(who).toBe('alice');
  });

  it('falls back to the ARN for an IAM user without user name', () => {
    // Act
    const who = describeIdentity({ type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/bob' });

    // Assert
    expect(who).toBe('arn:aws:iam::123456789012:user/bob');
  });

  it('names an assumed role by role and session', () => {
    // Act
    const who = describeIdentity({ type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/deploy-role/ci-run-42' });

    // Assert
    expect(who).toBe('deploy-role/ci-run-42');
  });

  it('names an assumed role without ARN by its session issuer', () => {
    // Act
    const who = describeIdentity({
      type: 'AssumedRole',
      sessionContext: { sessionIssuer: { type: 'Role', userName: 'deploy-role' } },
    });

    // Assert
    expect(who).toBe('deploy-role');
  });

  it('names an AWS service by invokedBy', () => {
    // Act
    const who = describeIdentity({ type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' });

    // Assert
    expect(who).toBe('cloudformation.amazonaws.com');
  });

  it('falls back to the ARN for an unknown identity type', () => {
    // Act
    const who = describeIdentity({ type: 'FederatedUser', arn: 'arn:aws:sts::123456789012:federated-user/carol' });

    // Assert
    expect(who).toBe('arn:aws:sts::123456789012:federated-user/carol');
  });

  it('says "unknown caller" when there is no identity', () => {
    // Act
    const missing = describeIdentity(undefined);
    const empty = describeIdentity({});

    // Assert
    expect(missing).toBe('unknown caller');
    expect(empty).toBe('unknown caller');
  });
});

describe('executionNameFor', () => {
  const SAFE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

  it('keeps a distribution watch readable: target and invalidation IDs as they are', () => {
    // Prepare
    const request = parseInvalidationRequest(copy(distributionEvent));

    // Act
    const name = executionNameFor(request);

    // Assert
    expect(name).toBe('E2QWRUHAPOMQZL-I2J0I21PCUYOIK');
  });

  it('keeps a tenant watch readable: the tenant ID says it is a tenant', () => {
    // Prepare
    const request = parseInvalidationRequest(copy(tenantEvent));

    // Act
    const name = executionNameFor(request);

    // Assert
    expect(name).toBe('dt_2wjDZi3hD1ivOXf6rpZJO1AB-I3TENANTX8K2QZ');
  });

  it('replaces characters Step Functions refuses and adds a hash of the original IDs', () => {
    // Prepare
    const request = { target: { kind: 'tenant' as const, id: 'dt_weird id:with;chars|^~$#%&"' }, invalidationId: 'I3 TENANT/X8K2QZ' };

    // Act
    const name = executionNameFor(request);

    // Assert
    expect(name).toMatch(SAFE_NAME);
    expect(name).toMatch(/^dt_weird_id_with_chars_+-I3_TENANT_X8K2QZ-[0-9a-f]{16}$/);
  });

  it.each<[string, WatchKey, WatchKey]>([
    ['a dot sanitised to an underscore', ['distribution', 'E.1', 'I1'], ['distribution', 'E_1', 'I1']],
    ['invalidation IDs cut at the same length', ['distribution', 'E1', `${'I'.repeat(60)}A`], ['distribution', 'E1', `${'I'.repeat(60)}B`]],
    ['target IDs cut at the same length', ['distribution', `${'E'.repeat(80)}A`, 'I1'], ['distribution', `${'E'.repeat(80)}B`, 'I1']],
    [
      'the same ID as distribution and as tenant',
      ['distribution', 'dt_2wjDZi3hD1ivOXf6rpZJO1AB', 'I1'],
      ['tenant', 'dt_2wjDZi3hD1ivOXf6rpZJO1AB', 'I1'],
    ],
    ['a dash moved between target and invalidation', ['distribution', 'E1-X', 'I1'], ['distribution', 'E1', 'X-I1']],
  ])('gives different names to invalidations that differ only by %s', (_label, first, second) => {
    // Act
    const names = [first, second].map(([kind, id, invalidationId]) => executionNameFor({ target: { kind, id }, invalidationId }));

    // Assert
    expect(names[0]).not.toBe(names[1]);
    for (const name of names) expect(name).toMatch(SAFE_NAME);
  });

  it('never gives a watch the name of a rejected event', () => {
    // Act
    const watch = executionNameFor({ target: { kind: 'distribution', id: 'rejected' }, invalidationId: 'abc' });
    const rejected = rejectedExecutionNameFor({ reason: 'x', eventId: 'abc' });

    // Assert
    expect(watch).not.toBe(rejected);
  });

  it('gives distinct inputs distinct names, all valid for Step Functions, across generated IDs that collide when sanitised or cut', () => {
    // Prepare: IDs that collide under sanitising or cutting, mixed with realistic ones.
    const baseId = fc.oneof(
      fc.stringMatching(/^E[A-Z0-9]{13}$/),
      fc.stringMatching(/^dt_[A-Za-z0-9]{24}$/),
      awkwardString(120),
      fc.tuple(fc.integer({ min: 55, max: 85 }), awkwardString(10)).map(([length, tail]) => `${'E'.repeat(length)}${tail}`),
    );
    const variantsOf = (id: string, tail: string): string[] => [
      id,
      id.replace(/[^A-Za-z0-9_-]/g, '_'),
      id.replace(/_/g, '.'),
      `${id}x`,
      id.slice(0, 60),
      id.slice(0, 79),
      `${id.slice(0, 60)}${tail}`,
    ];
    const keyOf = (key: readonly unknown[]) => JSON.stringify(key);

    // Act and assert
    fc.assert(
      fc.property(
        fc.array(fc.tuple(baseId, baseId, awkwardString(40)), { minLength: 5, maxLength: 40 }),
        fc.constantFrom('distribution' as const, 'tenant' as const),
        (pairs, kind) => {
          const seen = new Map<string, string>();
          const record = (key: string, name: string) => {
            if (!SAFE_NAME.test(name)) throw new Error(`${key} has the name ${JSON.stringify(name)}, which Step Functions refuses`);
            const earlier = seen.get(name);
            if (earlier !== undefined && earlier !== key) throw new Error(`${earlier} and ${key} share the name ${name}`);
            seen.set(name, key);
          };
          for (const [first, second, tail] of pairs) {
            for (const id of variantsOf(first, tail)) {
              for (const invalidationId of variantsOf(second, tail).slice(0, 3)) {
                for (const each of [kind, kind === 'tenant' ? 'distribution' : 'tenant'] as const) {
                  if (id === '' || invalidationId === '') continue;
                  record(keyOf(['watch', each, id, invalidationId]), executionNameFor({ target: { kind: each, id }, invalidationId }));
                }
              }
              if (id !== '') record(keyOf(['rejected', id]), rejectedExecutionNameFor({ reason: 'x', eventId: id }));
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives the same request the same name every time, so a redelivered event is a duplicate', () => {
    // Prepare
    const request = { target: { kind: 'distribution' as const, id: 'E.1 é' }, invalidationId: 'I'.repeat(100) };

    // Act
    const names = [executionNameFor(request), executionNameFor(structuredClone(request))];

    // Assert
    expect(names[0]).toBe(names[1]);
  });
});

describe('rejectedExecutionNameFor', () => {
  it('names a rejected event after its event ID, as it is, when that is safe', () => {
    // Prepare
    const rejected: RejectedEvent = { reason: 'detail.eventName is missing', eventId: '0b4f8a11-8d26-4b67-95a3-5e2d0d1f6c7a' };

    // Act
    const name = rejectedExecutionNameFor(rejected);

    // Assert
    expect(name).toBe('rejected-0b4f8a11-8d26-4b67-95a3-5e2d0d1f6c7a');
  });

  it('replaces unsafe characters, cuts a long event ID and adds a hash of the original', () => {
    // Prepare
    const rejected: RejectedEvent = { reason: 'x', eventId: `id with spaces:${'x'.repeat(200)}` };

    // Act
    const name = rejectedExecutionNameFor(rejected);

    // Assert
    expect(name).toMatch(/^rejected_id_with_spaces_x+-[0-9a-f]{16}$/);
    expect(name.length).toBeLessThanOrEqual(80);
  });

  it('names two events without an event ID after their content, the same event twice alike', () => {
    // Prepare
    const first = { detail: { eventName: 'CreateDistribution' } };
    const second = { detail: { eventName: 'DeleteDistribution' } };
    const nameOf = (event: unknown) => rejectedExecutionNameFor(rejectionOf(event).rejected, event);

    // Act
    const names = [nameOf(first), nameOf(second), nameOf(structuredClone(first))];

    // Assert
    expect(names[0]).not.toBe(names[1]);
    expect(names[2]).toBe(names[0]);
    expect(names[0]).toMatch(/^rejected_unknown-event-[0-9a-f]{16}$/);
  });
});
