import { SNS_LIMITS, renderAmazonQ, renderSms, renderSnsMessage, renderSubject, renderText } from '../../../lambda/notify/render-sns';
import { buildNotification, type Notification } from '../../../lambda/shared/notification';
import { completedWith, completedWithPaths, deploymentNotifications, distributionRequest, moreCount, tenantRequest } from './fixtures';

interface AmazonQNotification {
  version: string;
  source: string;
  id?: string;
  content: { textType: string; title: string; description: string; nextSteps?: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: string; relatedResources: string[]; additionalContext: Record<string, string> };
}

const ASCII_SINGLE_LINE = /^[\x20-\x7e]+$/;

function parseMessage(message: string): { default: string; email: string; sms: string } {
  return JSON.parse(message) as { default: string; email: string; sms: string };
}

const amazonQOf = (notification: Notification) => JSON.parse(renderAmazonQ(notification)) as AmazonQNotification;

/** The lines of the Amazon Q description's path list (inside its code block). */
function amazonQPathLines(description: string): string[] {
  const match = /\*Paths \(\d+\):\*\n```\n([\s\S]*)\n```$/.exec(description);
  if (!match) throw new Error(`no path list in: ${description.slice(-200)}`);
  return match[1]!.split('\n');
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
    expect(Object.keys(message).sort()).toEqual(['default', 'email', 'sms']);
    const amazonQ = JSON.parse(message.default) as AmazonQNotification;
    expect(amazonQ).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: 'CloudFront invalidation completed' },
      metadata: { threadId: 'I2J0I21PCUYOIK', eventType: 'CloudFrontInvalidation.completed' },
    });
    expect(amazonQ.content.description).toContain(notification.summary);
    expect(amazonQPathLines(amazonQ.content.description)).toEqual(['/index.html', '#product-123']);
    expect(amazonQ.content.description).toContain('*Paths (2):*');
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
        checkedAt: '2026-11-21T19:02:27.000Z',
        elapsedSeconds: 3600,
        paths: { total: 0, sample: [] },
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
      const amazonQ = amazonQOf(notification);

      // Assert
      expect(amazonQ.content.description.length).toBeLessThanOrEqual(SNS_LIMITS.chatDescriptionChars);
      expect(amazonQ.content.description).toContain('*Paths (3000):*');
      const lines = amazonQPathLines(amazonQ.content.description);
      expect(moreCount(lines.at(-1)!)).toBe(3000 - (lines.length - 1));
    });
  });

  describe('caller-controlled text in the Amazon Q description', () => {
    const hostile = buildNotification({
      outcome: 'completed',
      request: {
        ...distributionRequest,
        createdBy: 'ci-role/<!channel> & @here',
        callerReference: '<http://evil.example|Open the console> <@U024BE7LH> [Open the console](http://evil.example)',
      },
      status: {
        status: 'Completed',
        createTime: '2026-11-21T18:02:27.000Z',
        checkedAt: '2026-11-21T18:05:39.000Z',
        elapsedSeconds: 190,
        paths: { total: 3, sample: ['/<!here>', '/a & <b>', '/```/<!everyone>'] },
      },
    });
    const amazonQ = amazonQOf(hostile);
    const description = amazonQ.content.description;

    it('escapes &, < and > as the Slack channel does, so no mention or disguised link gets through', () => {
      // Assert
      expect(description).not.toMatch(/<[!@#]|<https?:/);
      expect(description).not.toMatch(/[<>]/);
      expect(description).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(description).toContain('*Created by:* ci-role/&lt;\u2060!channel&gt; &amp;');
      expect(amazonQPathLines(description)).toEqual(['/&lt;!here&gt;', '/a &amp; &lt;b&gt;', '/ˋˋˋ/&lt;!everyone&gt;']);
    });

    it('breaks plain @here / @channel mentions and Markdown links without hiding the text', () => {
      // Assert
      expect(description).not.toMatch(/@(here|channel|everyone)\b/);
      expect(description).not.toContain('](');
      expect(description).toContain('[Open the console]');
    });

    it('escapes the summary, keywords and related resources too', () => {
      // Prepare
      const notification = buildNotification({
        outcome: 'could-not-track',
        rejected: { reason: 'bad <!channel>', eventId: 'e-1', targetId: 'E<@U1>', invalidationId: 'I<!here>' },
      });

      // Act
      const message = amazonQOf(notification);

      // Assert
      const fields = [
        message.metadata.summary,
        ...message.content.keywords,
        ...message.metadata.relatedResources,
        message.content.description,
      ];
      fields.forEach((field) => expect(field).not.toMatch(/[<>]/));
    });

    it('leaves the console link, which is ours, as a link', () => {
      // Assert
      expect(amazonQ.content.nextSteps).toEqual([`<${hostile.consoleUrl}|Open the invalidation in the CloudFront console>`]);
    });
  });

  it('gives the path count in the Amazon Q description even when no path fits', () => {
    // Prepare
    const notification = { ...completedWith(['/a']), paths: { total: 3000, sample: ['x'.repeat(1024)] }, summary: 's'.repeat(5000) };

    // Act
    const description = amazonQOf(notification).content.description;

    // Assert
    expect(description).toContain('*Paths (3000):*');
    expect(description.length).toBeLessThanOrEqual(SNS_LIMITS.chatDescriptionChars);
  });

  it('stays under 262,144 bytes even when caller text alone is larger than that', () => {
    // Prepare: one built as usual, and one built elsewhere that skipped the notification's bounds.
    const huge = '"日😀\\'.repeat(100_000);
    const built = buildNotification({ outcome: 'completed', request: { ...distributionRequest, callerReference: huge, createdBy: huge } });
    const handMade = {
      ...completedWithPaths(3000),
      summary: huge,
      reason: huge,
      facts: Array.from({ length: 50 }, (_, i) => ({ label: `Fact ${i}`, value: huge })),
    };

    // Act
    const messages = [renderSnsMessage(built), renderSnsMessage(handMade)];

    // Assert
    messages.forEach((message) => expect(Buffer.byteLength(message, 'utf8')).toBeLessThan(SNS_LIMITS.messageBytes));
    expect(parseMessage(messages[1]!).email).toContain('Console: ');
  });

  it('cannot be given a second "Console:" line in the e-mail by a caller reference', () => {
    // Prepare
    const notification = { ...completedWith(['/a']), facts: [{ label: 'Caller reference', value: 'x\n\nConsole: http://evil.example' }] };

    // Act
    const email = renderText(notification);

    // Assert
    expect(email.split('\n').filter((line) => line.startsWith('Console:'))).toEqual([`Console: ${notification.consoleUrl}`]);
    expect(email).toContain('Caller reference: x Console: http://evil.example');
  });
});

describe('renderSms', () => {
  const SMS_SAFE = /^[\x20-\x7e]+$/;

  it('says what happened in one short line for a completed invalidation', () => {
    // Act
    const sms = renderSms(completedWith(['/index.html']));

    // Assert
    expect(sms).toBe('CloudFront invalidation I2J0I21PCUYOIK on E2QWRUHAPOMQZL completed in about 3 min 12 s');
  });

  it('says how long it waited for one still in progress', () => {
    // Prepare
    const notification = buildNotification({
      outcome: 'still-in-progress',
      request: distributionRequest,
      status: {
        status: 'InProgress',
        checkedAt: '2026-11-21T19:02:27.000Z',
        elapsedSeconds: 3600,
        paths: { total: 1, sample: ['/a'] },
      },
    });

    // Act
    const sms = renderSms(notification);

    // Assert
    expect(sms).toBe('CloudFront invalidation I2J0I21PCUYOIK on E2QWRUHAPOMQZL still in progress after 1 h 0 min; no longer watched');
  });

  it('stays printable ASCII and within 140 characters, whatever the reason and IDs hold', () => {
    // Prepare
    const notification = buildNotification({
      outcome: 'could-not-track',
      rejected: { reason: `ünï\ncødé 😀 ${'x'.repeat(500)}`, eventId: 'e-1', targetId: `dt_😀${'y'.repeat(300)}`, invalidationId: 'I\tX' },
    });

    // Act
    const sms = renderSms(notification);

    // Assert
    expect(sms).toMatch(SMS_SAFE);
    expect(sms.length).toBeLessThanOrEqual(SNS_LIMITS.smsChars);
    expect(sms.startsWith('Could not track CloudFront invalidation I X')).toBe(true);
  });

  it('is the sms rendering of the SNS message', () => {
    // Prepare
    const notification = completedWith(['/index.html']);

    // Act
    const message = parseMessage(renderSnsMessage(notification));

    // Assert
    expect(message.sms).toBe(renderSms(notification));
  });
});

describe('SNS: deployments', () => {
  const deployments = deploymentNotifications();

  it('names the target and the change in the subject', () => {
    // Act
    const subject = renderSubject(deployments.completed);

    // Assert
    expect(subject).toBe('CloudFront distribution deployed: EDFDVBD6EXAMPLE UpdateDistribution');
  });

  it('writes an e-mail with what changed, no paths line, and the distribution console link', () => {
    // Act
    const email = renderText(deployments.withLater);

    // Assert
    expect(email.split('\n')).toEqual([
      'UpdateDistribution of CloudFront distribution www.example.com (EDFDVBD6EXAMPLE) deployed in about 4 min, together with 1 later change.',
      '',
      'Name: www.example.com',
      'Distribution: EDFDVBD6EXAMPLE',
      'Change: UpdateDistribution',
      'What changed: configuration updated; now: enabled; aliases: www.example.com; 2 origins',
      'Version: E2QWRUHEXAMPLE',
      'Changed by: platform-deploy/alice',
      'Changed at: 2026-11-21 18:02:27 UTC',
      'Took: about 4 min',
      'Deployed: together with 1 later change',
      '',
      'Console: https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/EDFDVBD6EXAMPLE',
    ]);
  });

  it('gives Amazon Q a deployment event type, a thread per target and change, and a link to the distribution', () => {
    // Act
    const amazonQ = amazonQOf(deployments.couldNotTrack);

    // Assert
    expect(amazonQ.id).toBe('EDFDVBD6EXAMPLE-E2QWRUHEXAMPLE');
    expect(amazonQ.metadata.threadId).toBe('EDFDVBD6EXAMPLE-E2QWRUHEXAMPLE');
    expect(amazonQ.metadata.eventType).toBe('CloudFrontDeployment.could-not-track');
    expect(amazonQ.metadata.relatedResources).toEqual(['EDFDVBD6EXAMPLE']);
    expect(amazonQ.content.nextSteps).toEqual([
      '<https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/EDFDVBD6EXAMPLE|Open the distribution in the CloudFront console>',
    ]);
    expect(amazonQ.content.description).not.toContain('Paths');
  });

  it.each([
    ['completed', 'UpdateDistribution of CloudFront distribution EDFDVBD6EXAMPLE deployed in about 4 min'],
    ['withLater', 'UpdateDistribution of CloudFront distribution EDFDVBD6EXAMPLE deployed in about 4 min, together with 1 later change'],
    ['stillInProgress', 'UpdateDistribution of CloudFront distribution EDFDVBD6EXAMPLE still deploying after 1 h 0 min; no longer watched'],
  ] as const)('sends one SMS segment for a deployment %s', (phase, sms) => {
    // Act
    const text = renderSms(deployments[phase]);

    // Assert
    expect(text).toBe(sms);
  });

  it('keeps the SMS of a deployment that could not be tracked within one segment, and a tenant called a tenant', () => {
    // Act
    const untracked = renderSms(deployments.couldNotTrack);
    const tenant = renderSms(deploymentNotifications(tenantRequest).completed);

    // Assert
    expect(untracked).toMatch(/^Could not track UpdateDistribution of CloudFront distribution EDFDVBD6EXAMPLE: /);
    expect(untracked.length).toBeLessThanOrEqual(SNS_LIMITS.smsChars);
    expect(tenant).toBe('CreateDistributionTenant of CloudFront tenant dt_2abcEXAMPLE deployed in about 4 min');
  });

  it("keeps an invalidation's Amazon Q IDs and event type as they were", () => {
    // Act
    const amazonQ = amazonQOf(completedWith(['/a']));

    // Assert
    expect(amazonQ.id).toBe('I2J0I21PCUYOIK');
    expect(amazonQ.metadata.threadId).toBe('I2J0I21PCUYOIK');
    expect(amazonQ.metadata.eventType).toBe('CloudFrontInvalidation.completed');
  });
});
