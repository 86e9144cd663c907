import { SNS_LIMITS, renderAmazonQ, renderSnsMessage, renderSubject, renderText } from '../../../lambda/notify/render-sns';
import { buildNotification } from '../../../lambda/shared/notification';
import { completedWith, completedWithPaths, distributionRequest, moreCount } from './fixtures';

interface AmazonQNotification {
  version: string;
  source: string;
  id?: string;
  content: { textType: string; title: string; description: string; nextSteps?: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: string; relatedResources: string[]; additionalContext: Record<string, string> };
}

const ASCII_SINGLE_LINE = /^[\x20-\x7e]+$/;

function parseMessage(message: string): { default: string; email: string } {
  return JSON.parse(message) as { default: string; email: string };
}

describe('renderSubject', () => {
  it('names the outcome, target and invalidation', () => {
    // Prepare
    const notification = completedWith(['/index.html']);

    // Act
    const subject = renderSubject(notification);

    // Assert
    expect(subject).toBe('CloudFront invalidation completed: E2QWRUHAPOMQZL I2J0I21PCUYOIK');
  });

  it('stays ASCII, single-line and within 100 characters whatever the IDs hold', () => {
    // Prepare
    const notification = buildNotification({
      outcome: 'could-not-track',
      rejected: { reason: 'x', eventId: 'e-1', targetId: `dt_ünï\ncødé-${'😀'.repeat(60)}`, invalidationId: 'I\tLONG'.repeat(20) },
    });

    // Act
    const subject = renderSubject(notification);

    // Assert
    expect(subject).toMatch(ASCII_SINGLE_LINE);
    expect(subject.length).toBeLessThanOrEqual(SNS_LIMITS.subjectChars);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('uses the title alone when no ID is known', () => {
    // Prepare
    const notification = buildNotification({ outcome: 'could-not-track', rejected: { reason: 'x', eventId: 'e-1' } });

    // Act
    const subject = renderSubject(notification);

    // Assert
    expect(subject).toBe('Could not track CloudFront invalidation');
  });
});

describe('renderSnsMessage', () => {
  it('carries an Amazon Q custom notification as default and plain text for e-mail', () => {
    // Prepare
    const notification = completedWith(['/index.html', '#product-123']);

    // Act
    const message = parseMessage(renderSnsMessage(notification));

    // Assert
    expect(Object.keys(message).sort()).toEqual(['default', 'email']);
    const amazonQ = JSON.parse(message.default) as AmazonQNotification;
    expect(amazonQ).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: 'CloudFront invalidation completed' },
      metadata: { threadId: 'I2J0I21PCUYOIK', eventType: 'CloudFrontInvalidation.completed' },
    });
    expect(amazonQ.content.description).toContain(notification.summary);
    expect(amazonQ.content.description).toContain('/index.html');
    expect(amazonQ.content.nextSteps?.[0]).toContain(notification.consoleUrl);
    expect(amazonQ.content.keywords).toEqual(['completed', 'E2QWRUHAPOMQZL']);
    expect(message.email).toBe(renderText(notification));
    expect(message.email.startsWith(`${notification.summary}\n`)).toBe(true);
    expect(message.email).toContain('Invalidation: I2J0I21PCUYOIK');
    expect(message.email).toContain('Paths (2):\n/index.html\n#product-123');
    expect(message.email).toContain(`Console: ${notification.consoleUrl}`);
  });

  it('adds the pending note to the e-mail of a still-in-progress notification', () => {
    // Prepare
    const notification = buildNotification({
      outcome: 'still-in-progress',
      request: distributionRequest,
      status: {
        status: 'InProgress',
        pace: 0,
        checkedAt: '2026-11-21T19:02:27.000Z',
        elapsedSeconds: 3600,
        paths: { total: 0, sample: [] },
        deadlinePassed: true,
        nextCheckInSeconds: 0,
      },
    });

    // Act
    const email = renderText(notification);

    // Assert
    expect(email).toContain('Waited: 1 h 0 min');
    expect(email).toContain(notification.reason!);
    expect(email).not.toContain('Paths (');
  });

  describe('3,000 paths of about 200 characters', () => {
    const notification = completedWithPaths(3000);
    const message = renderSnsMessage(notification);

    it('stays below the 262,144-byte SNS message limit', () => {
      // Act
      const bytes = Buffer.byteLength(message, 'utf8');

      // Assert
      expect(bytes).toBeLessThan(SNS_LIMITS.messageBytes);
    });

    it('tells the full count in the e-mail text, with "and N more" matching the paths shown', () => {
      // Act
      const email = parseMessage(message).email;

      // Assert
      expect(email).toContain('Paths (3000):');
      const list = email.split('Paths (3000):\n')[1]!.split('\n\nConsole:')[0]!;
      const lines = list.split('\n');
      expect(moreCount(lines.at(-1)!)).toBe(3000 - (lines.length - 1));
      lines.slice(0, -1).forEach((line, i) => expect(line).toBe(notification.paths.sample[i]));
    });

    it('keeps the Amazon Q description readable in chat and says how many paths are left out', () => {
      // Act
      const amazonQ = JSON.parse(renderAmazonQ(notification)) as AmazonQNotification;

      // Assert
      expect(amazonQ.content.description.length).toBeLessThanOrEqual(SNS_LIMITS.chatDescriptionChars);
      const lines = amazonQ.content.description.split('*Paths:*\n')[1]!.split('\n');
      expect(moreCount(lines.at(-1)!)).toBe(3000 - (lines.length - 1));
    });
  });
});
