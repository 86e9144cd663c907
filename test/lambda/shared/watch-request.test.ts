import distributionEvent from '../../../local/fixtures/create-invalidation.json';
import tenantEvent from '../../../local/fixtures/create-invalidation-for-tenant.json';
import {
  MalformedEventError,
  describeIdentity,
  executionNameFor,
  parseWatchRequest,
  rejectedExecutionNameFor,
  type RejectedEvent,
} from '../../../lambda/shared/watch-request';

type Json = Record<string, unknown>;

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
    parseWatchRequest(event);
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
    const request = parseWatchRequest(event);

    // Assert
    expect(request).toEqual({
      target: { kind: 'distribution', id: 'E2QWRUHAPOMQZL' },
      invalidationId: 'I2J0I21PCUYOIK',
      createdBy: 'github-actions-deploy/deploy-web-1342',
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
    const request = parseWatchRequest(event);

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
    const request = parseWatchRequest(event);

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
    const request = parseWatchRequest(event);

    // Assert
    expect(request.target).toEqual({ kind: 'distribution', id: 'E2QWRUHAPOMQZL' });
  });

  it('takes the invalidation ID from responseElements.location when responseElements.invalidation is absent', () => {
    // Prepare
    const event = withDetail(distributionEvent, (detail) => {
      delete (detail.responseElements as Json).invalidation;
    });

    // Act
    const request = parseWatchRequest(event);

    // Assert
    expect(request.invalidationId).toBe('I2J0I21PCUYOIK');
  });

  it('accepts the versioned event name CreateInvalidation2014_01_31 of old records', () => {
    // Prepare
    const event = withDetail(distributionEvent, (detail) => {
      detail.eventName = 'CreateInvalidation2014_01_31';
    });

    // Act
    const request = parseWatchRequest(event);

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
    const request = parseWatchRequest(event);

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

    it('rejects an event whose eventName is not one of the two invalidation calls', () => {
      // Prepare
      const event = withDetail(distributionEvent, (detail) => {
        detail.eventName = 'CreateDistribution';
      });

      // Act
      const error = rejectionOf(event);

      // Assert
      expect(error.rejected.reason).toContain('detail.eventName');
      expect(error.rejected.reason).toContain('CreateDistribution');
      expect(error.rejected.eventName).toBe('CreateDistribution');
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

  it('names a distribution watch after target and invalidation, within Step Functions rules', () => {
    // Prepare
    const request = parseWatchRequest(copy(distributionEvent));

    // Act
    const name = executionNameFor(request);

    // Assert
    expect(name).toMatch(SAFE_NAME);
    expect(name).toContain('I2J0I21PCUYOIK');
    expect(name).toContain('E2QWRUHAPOMQZL');
  });

  it('names a tenant watch within Step Functions rules and keeps the invalidation ID', () => {
    // Prepare
    const request = parseWatchRequest(copy(tenantEvent));

    // Act
    const name = executionNameFor(request);

    // Assert
    expect(name).toMatch(SAFE_NAME);
    expect(name).toContain('I3TENANTX8K2QZ');
  });

  it('replaces characters Step Functions refuses and stays within 80 characters', () => {
    // Prepare
    const request = { target: { kind: 'tenant' as const, id: 'dt_weird id:with;chars|^~$#%&"' }, invalidationId: 'I3 TENANT/X8K2QZ' };

    // Act
    const name = executionNameFor(request);

    // Assert
    expect(name).toMatch(SAFE_NAME);
    expect(name).toContain('I3_TENANT_X8K2QZ');
  });

  it('gives two invalidations of the same target different names', () => {
    // Prepare
    const target = { kind: 'distribution' as const, id: 'E2QWRUHAPOMQZL' };

    // Act
    const first = executionNameFor({ target, invalidationId: 'I2J0I21PCUYOIK' });
    const second = executionNameFor({ target, invalidationId: 'I9Z9Z9Z9Z9Z9Z9' });

    // Assert
    expect(first).not.toBe(second);
  });
});

describe('rejectedExecutionNameFor', () => {
  it('names a rejected event after its event ID, within Step Functions rules', () => {
    // Prepare
    const rejected: RejectedEvent = { reason: 'detail.eventName is missing', eventId: '0b4f8a11-8d26-4b67-95a3-5e2d0d1f6c7a' };

    // Act
    const name = rejectedExecutionNameFor(rejected);

    // Assert
    expect(name).toBe('rejected-0b4f8a11-8d26-4b67-95a3-5e2d0d1f6c7a');
  });

  it('replaces unsafe characters and cuts a long event ID to 80 characters', () => {
    // Prepare
    const rejected: RejectedEvent = { reason: 'x', eventId: `id with spaces:${'x'.repeat(200)}` };

    // Act
    const name = rejectedExecutionNameFor(rejected);

    // Assert
    expect(name).toMatch(/^rejected-id_with_spaces_x+$/);
    expect(name).toHaveLength(80);
  });
});
