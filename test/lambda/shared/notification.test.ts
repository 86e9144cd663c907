import distributionEvent from '../../../local/fixtures/create-invalidation.json';
import tenantEvent from '../../../local/fixtures/create-invalidation-for-tenant.json';
import {
  NOTIFICATION_LIMITS,
  buildNotification,
  formatDuration,
  formatTime,
  type Fact,
  type WatchState,
} from '../../../lambda/shared/notification';
import { samplePaths, type StatusResult } from '../../../lambda/shared/status-result';
import { codePointLength } from '../../../lambda/shared/text';
import { parseWatchRequest, type RejectedEvent } from '../../../lambda/shared/watch-request';

const distributionRequest = parseWatchRequest(structuredClone(distributionEvent));
const tenantRequest = parseWatchRequest(structuredClone(tenantEvent));

const completedStatus: StatusResult = {
  status: 'Completed',
  createTime: '2026-11-21T18:02:27.000Z',
  checkedAt: '2026-11-21T18:05:39.000Z',
  elapsedSeconds: 190,
  paths: samplePaths(['/index.html', '/assets/app-*.js', '/images/hero <new>.png', '#product-123'], 4),
};

const factValue = (facts: readonly Fact[], label: string) => facts.find((fact) => fact.label === label)?.value;

describe('buildNotification', () => {
  describe('completed', () => {
    it('states the target, invalidation, author, times and duration as facts', () => {
      // Prepare
      const state: WatchState = { outcome: 'completed', request: distributionRequest, status: completedStatus };

      // Act
      const notification = buildNotification(state);

      // Assert
      expect(notification.title).toBe('CloudFront invalidation completed');
      expect(notification.facts).toEqual([
        { label: 'Distribution', value: 'E2QWRUHAPOMQZL' },
        { label: 'Invalidation', value: 'I2J0I21PCUYOIK' },
        { label: 'Created by', value: 'github-actions-deploy/deploy-web-1342' },
        { label: 'Created at', value: '2026-11-21 18:02:27 UTC' },
        { label: 'Took', value: 'about 3 min 12 s' },
        { label: 'Caller reference', value: 'deploy-web-1342' },
      ]);
      expect(notification.summary).toBe(
        'CloudFront invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL completed in about 3 min 12 s.',
      );
      expect(notification.paths).toEqual(completedStatus.paths);
      expect(notification.reason).toBeUndefined();
      expect(notification).toMatchObject({ invalidationId: 'I2J0I21PCUYOIK', targetId: 'E2QWRUHAPOMQZL', targetKind: 'distribution' });
    });

    it('links a distribution invalidation to the distributions section of the console', () => {
      // Act
      const notification = buildNotification({ outcome: 'completed', request: distributionRequest, status: completedStatus });

      // Assert
      expect(notification.consoleUrl).toBe(
        'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/E2QWRUHAPOMQZL/invalidations/details/I2J0I21PCUYOIK',
      );
    });

    it('links a tenant invalidation to the distribution-tenants section of the console', () => {
      // Act
      const notification = buildNotification({ outcome: 'completed', request: tenantRequest, status: completedStatus });

      // Assert
      expect(notification.consoleUrl).toContain('#/distribution-tenants/dt_2wjDZi3hD1ivOXf6rpZJO1AB/invalidations/details/I3TENANTX8K2QZ');
      expect(notification.consoleUrl).not.toContain('#/distributions/');
      expect(factValue(notification.facts, 'Distribution tenant')).toBe('dt_2wjDZi3hD1ivOXf6rpZJO1AB');
      expect(notification.summary).toContain('on tenant dt_2wjDZi3hD1ivOXf6rpZJO1AB');
      expect(notification.targetKind).toBe('tenant');
    });

    it('leaves out "Took" and "Created at" when CloudFront gave no create time', () => {
      // Prepare
      const { createTime: _omitted, ...statusWithoutCreateTime } = completedStatus;

      // Act
      const notification = buildNotification({ outcome: 'completed', request: distributionRequest, status: statusWithoutCreateTime });

      // Assert
      expect(factValue(notification.facts, 'Took')).toBeUndefined();
      expect(factValue(notification.facts, 'Created at')).toBeUndefined();
      expect(notification.summary).toBe('CloudFront invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL completed.');
    });
  });

  describe('still in progress', () => {
    it('says how long it waited and that the watch stopped', () => {
      // Prepare
      const status: StatusResult = { ...completedStatus, status: 'InProgress', elapsedSeconds: 3600 };

      // Act
      const notification = buildNotification({ outcome: 'still-in-progress', request: distributionRequest, status });

      // Assert
      expect(notification.title).toBe('CloudFront invalidation still in progress');
      expect(factValue(notification.facts, 'Waited')).toBe('1 h 0 min');
      expect(factValue(notification.facts, 'Took')).toBeUndefined();
      expect(notification.summary).toContain('is still in progress after 1 h 0 min');
      expect(notification.summary).toContain('I2J0I21PCUYOIK');
      expect(notification.reason).toContain('has not reported Completed');
      expect(notification.consoleUrl).toContain('#/distributions/E2QWRUHAPOMQZL/');
    });
  });

  describe('could not track', () => {
    it('explains a rejected CloudTrail event with what the event still told', () => {
      // Prepare
      const rejected: RejectedEvent = {
        reason: 'no invalidation ID: responseElements.invalidation.id and responseElements.location are both missing',
        eventId: '0b4f8a11-8d26-4b67-95a3-5e2d0d1f6c7a',
        eventName: 'CreateInvalidation',
        targetId: 'E2QWRUHAPOMQZL',
        createdBy: 'alice',
      };

      // Act
      const notification = buildNotification({ outcome: 'could-not-track', rejected });

      // Assert
      expect(notification.title).toBe('Could not track CloudFront invalidation');
      expect(notification.reason).toBe(`the CloudTrail event was rejected: ${rejected.reason}`);
      expect(notification.summary).toBe(`Could not track CloudFront an invalidation: ${notification.reason}`);
      expect(notification.facts).toEqual([
        { label: 'Target', value: 'E2QWRUHAPOMQZL' },
        { label: 'Created by', value: 'alice' },
      ]);
      expect(notification.consoleUrl).toBeUndefined();
      expect(notification.paths).toEqual({ total: 0, sample: [] });
    });

    it("reads the errorMessage out of a Catch whose Cause is Lambda's JSON error", () => {
      // Prepare
      const cause = JSON.stringify({
        errorType: 'InvalidationNotTrackable',
        errorMessage: 'NoSuchInvalidation: CloudFront refused the status check for distribution E2QWRUHAPOMQZL (HTTP 404)',
        trace: ['InvalidationNotTrackable: NoSuchInvalidation', '    at classifyCloudFrontError (/var/task/index.js:1:1)'],
      });
      const state: WatchState = {
        outcome: 'could-not-track',
        request: distributionRequest,
        error: { Error: 'InvalidationNotTrackable', Cause: cause },
      };

      // Act
      const notification = buildNotification(state);

      // Assert
      expect(notification.reason).toBe(
        'InvalidationNotTrackable: NoSuchInvalidation: CloudFront refused the status check for distribution E2QWRUHAPOMQZL (HTTP 404)',
      );
      expect(notification.summary).toBe(
        `Could not track CloudFront invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL: ${notification.reason}`,
      );
      expect(notification.summary).not.toContain('trace');
      expect(notification.summary).not.toContain('errorType');
      expect(notification.consoleUrl).toContain('#/distributions/E2QWRUHAPOMQZL/');
    });

    it('uses a plain-text Cause as it is', () => {
      // Prepare
      const state: WatchState = {
        outcome: 'could-not-track',
        request: tenantRequest,
        error: { Error: 'States.Timeout', Cause: 'The state machine timed out after 3 h' },
      };

      // Act
      const notification = buildNotification(state);

      // Assert
      expect(notification.reason).toBe('States.Timeout: The state machine timed out after 3 h');
      expect(notification.summary).toContain('on tenant dt_2wjDZi3hD1ivOXf6rpZJO1AB');
    });

    it('uses a JSON Cause without errorMessage as it is', () => {
      // Prepare
      const state: WatchState = {
        outcome: 'could-not-track',
        request: distributionRequest,
        error: { Error: 'Custom', Cause: '{"detail":"x"}' },
      };

      // Act
      const notification = buildNotification(state);

      // Assert
      expect(notification.reason).toBe('Custom: {"detail":"x"}');
    });

    it('names only the error when there is no Cause, and says "unknown error" when there is no error', () => {
      // Act
      const errorOnly = buildNotification({ outcome: 'could-not-track', request: distributionRequest, error: { Error: 'States.Runtime' } });
      const nothing = buildNotification({ outcome: 'could-not-track', request: distributionRequest });

      // Assert
      expect(errorOnly.reason).toBe('States.Runtime');
      expect(nothing.reason).toBe('unknown error');
    });
  });
  describe('caller-controlled text', () => {
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

    it('keeps every fact and the summary on one line, so no text can forge another line', () => {
      // Prepare
      const request = {
        ...distributionRequest,
        createdBy: 'deploy-role/\nConsole: http://evil.example',
        callerReference: 'deploy-1\r\nCreated by: someone else\u2028\u0000',
      };

      // Act
      const notification = buildNotification({ outcome: 'could-not-track', request, error: { Error: 'E', Cause: 'line 1\nline 2' } });

      // Assert
      expect(factValue(notification.facts, 'Created by')).toBe('deploy-role/ Console: http://evil.example');
      expect(factValue(notification.facts, 'Caller reference')).toBe('deploy-1 Created by: someone else');
      notification.facts.forEach((fact) => expect(fact.value).not.toMatch(CONTROL));
      expect(notification.summary).not.toMatch(CONTROL);
      expect(notification.reason).toBe('E: line 1 line 2');
    });

    it('bounds every free-text field on code points, whatever the caller sent', () => {
      // Prepare
      const huge = '😀<!channel>\n&'.repeat(1000);
      const state: WatchState = {
        outcome: 'could-not-track',
        rejected: { reason: huge, eventId: 'e-1', targetId: huge, invalidationId: huge, createdBy: huge },
      };

      // Act
      const notification = buildNotification(state);

      // Assert
      notification.facts.forEach((fact) => expect(codePointLength(fact.value)).toBeLessThanOrEqual(NOTIFICATION_LIMITS.factChars));
      expect(codePointLength(notification.summary)).toBeLessThanOrEqual(NOTIFICATION_LIMITS.summaryChars);
      expect(codePointLength(notification.reason!)).toBeLessThanOrEqual(NOTIFICATION_LIMITS.reasonChars);
      expect(codePointLength(notification.targetId!)).toBeLessThanOrEqual(NOTIFICATION_LIMITS.idChars);
      expect(codePointLength(notification.invalidationId!)).toBeLessThanOrEqual(NOTIFICATION_LIMITS.idChars);
      expect(notification.targetId).not.toMatch(CONTROL);
      expect(notification.summary).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    });

    it('leaves out a console link that would be absurdly long rather than cut it', () => {
      // Prepare
      const request = { ...distributionRequest, target: { kind: 'distribution' as const, id: 'E'.repeat(5000) } };

      // Act
      const notification = buildNotification({ outcome: 'completed', request, status: completedStatus });

      // Assert
      expect(notification.consoleUrl).toBeUndefined();
    });
  });

  describe('durations', () => {
    it('carries the duration in seconds of a completed invalidation and the wait of one still in progress', () => {
      // Act
      const completed = buildNotification({ outcome: 'completed', request: distributionRequest, status: completedStatus });
      const pending = buildNotification({
        outcome: 'still-in-progress',
        request: distributionRequest,
        status: { ...completedStatus, status: 'InProgress', elapsedSeconds: 3600 },
      });

      // Assert
      expect(completed.durationSeconds).toBe(192);
      expect(completed.waitedSeconds).toBeUndefined();
      expect(pending.waitedSeconds).toBe(3600);
      expect(pending.durationSeconds).toBeUndefined();
    });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45, '45 s'],
    [59.6, '1 min'],
    [60, '1 min'],
    [120, '2 min'],
    [192, '3 min 12 s'],
    [3599, '59 min 59 s'],
    [3600, '1 h 0 min'],
    [3725, '1 h 2 min'],
    [90_000, '25 h 0 min'],
    [-5, '0 s'],
  ])('formats %d seconds as "%s"', (seconds, expected) => {
    // Act
    const text = formatDuration(seconds);

    // Assert
    expect(text).toBe(expected);
  });
});

describe('formatTime', () => {
  it('writes an ISO time in UTC without fractions', () => {
    // Act
    const text = formatTime('2026-11-21T18:02:27.123Z');

    // Assert
    expect(text).toBe('2026-11-21 18:02:27 UTC');
  });

  it('converts a time with an offset to UTC', () => {
    // Act
    const text = formatTime('2026-11-21T19:02:27+01:00');

    // Assert
    expect(text).toBe('2026-11-21 18:02:27 UTC');
  });

  it('returns text that is not a time unchanged', () => {
    // Act
    const text = formatTime('not a time');

    // Assert
    expect(text).toBe('not a time');
  });
});
