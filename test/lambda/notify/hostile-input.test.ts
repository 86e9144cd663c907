/**
 * Every rendering of notifications whose caller-controlled fields are hostile and huge: each
 * must stay within its platform's limits, relay no chat markup from caller text, and keep
 * one-line fields on one line.
 */
import { GOOGLE_CHAT_LIMITS, renderGoogleChatBurst } from '../../../lambda/notify/render-google-chat';
import {
  SLACK_LIMITS,
  renderSlack,
  renderSlackBurst,
  consoleLinkLabel,
  renderSlackFailureReply,
  type SlackMessage,
} from '../../../lambda/notify/render-slack';
import { SNS_LIMITS, renderBurstSubject, renderSnsBurstMessage, renderSnsMessage, renderSubject } from '../../../lambda/notify/render-sns';
import { TEAMS_LIMITS, renderTeamsBurst } from '../../../lambda/notify/render-teams';
import { buildBurstNotification } from '../../../lambda/shared/burst-notification';
import { NOTIFICATION_LIMITS, buildProgressNotification, type Notification } from '../../../lambda/shared/notification';
import { codePointLength } from '../../../lambda/shared/text';
import { adaptiveCardProblems } from './adaptive-card-check';
import {
  hostileBurstMembers,
  hostileDeploymentBurstMembers,
  hostileDeploymentNotifications,
  hostileDeploymentStates,
  hostileNotifications,
  hostileWatch,
} from './fixtures';

type Block = Record<string, unknown> & { type: string };
type Text = { type: string; text: string };

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Slack markup a caller could use to ping the channel or disguise a link. */
const CHAT_MARKUP = /<[!@#]|<https?:|<mailto:|[<>]/;
const DANGLING_AMPERSAND = /&(?!amp;|lt;|gt;)/;
const PLAIN_MENTION = /@(here|channel|everyone)\b/i;

interface AmazonQNotification {
  version: string;
  source: string;
  id?: string;
  content: { textType: string; title: string; description: string; nextSteps?: string[]; keywords: string[] };
  metadata: { threadId: string; summary: string; eventType: string; relatedResources: string[]; additionalContext: Record<string, string> };
}

const consoleLink = (notification: Notification) => `<${notification.consoleUrl}|${consoleLinkLabel(notification)}>`;

const hostileProgress = buildProgressNotification({ ...hostileWatch(), status: { ...hostileWatch().status, status: 'InProgress' } });

describe.each(
  [...hostileNotifications(), ...hostileDeploymentNotifications()].map(
    (notification) => [notification.outcome, notification.work, notification.change?.call ?? '', notification] as const,
  ),
)('a hostile, huge %s notification of an %s %s', (_outcome, _work, _call, notification) => {
  it('is itself bounded, with one-line facts and summary', () => {
    // Assert
    expect(codePointLength(notification.summary)).toBeLessThanOrEqual(NOTIFICATION_LIMITS.summaryChars);
    expect(notification.summary).not.toMatch(CONTROL);
    expect(notification.summary).not.toMatch(LONE_SURROGATE);
    for (const fact of notification.facts) {
      expect(codePointLength(fact.value)).toBeLessThanOrEqual(NOTIFICATION_LIMITS.factChars);
      expect(fact.value).not.toMatch(CONTROL);
      expect(fact.value).not.toMatch(LONE_SURROGATE);
    }
  });

  describe('in Slack', () => {
    const message: SlackMessage = renderSlack(notification);
    const blocks = message.blocks as readonly Block[];
    const sections = blocks.filter((block) => block.type === 'section' && block.text).map((block) => (block.text as Text).text);
    const fields = blocks.flatMap((block) => ((block.fields as Text[] | undefined) ?? []).map((field) => field.text));

    it('stays within every Block Kit limit', () => {
      // Assert
      expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
      expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.totalChars);
      expect((blocks[0]!.text as Text).text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerChars);
      sections.forEach((text) => expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars));
      fields.forEach((text) => expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldChars));
      for (const block of blocks) expect(((block.fields as unknown[] | undefined) ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      expect(fields).toHaveLength(notification.facts.length);
      expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars);
    });

    it('relays no chat markup from caller text and cuts no entity or emoji', () => {
      // Assert
      for (const text of [...sections, ...fields, message.text]) {
        expect(text).not.toMatch(CHAT_MARKUP);
        expect(text).not.toMatch(DANGLING_AMPERSAND);
        expect(text).not.toMatch(LONE_SURROGATE);
      }
      const context = blocks.filter((block) => block.type === 'context');
      if (notification.consoleUrl) expect(JSON.stringify(context)).toContain(JSON.stringify(consoleLink(notification)).slice(1, -1));
    });

    it('keeps the summary and every fact value on one line', () => {
      // Assert
      expect(sections[0]).not.toMatch(CONTROL);
      expect(message.text).not.toMatch(CONTROL);
      fields.forEach((field) => expect(field.split('\n')[1]).not.toMatch(CONTROL));
      fields.forEach((field) => expect(field.split('\n')).toHaveLength(2));
      sections.forEach((text) => expect(text).not.toMatch(CONTROL_BUT_NEWLINE));
    });
  });

  describe('in SNS', () => {
    const message = renderSnsMessage(notification);
    const parsed = JSON.parse(message) as { default: string; email: string; sms: string };
    const amazonQ = JSON.parse(parsed.default) as AmazonQNotification;

    it('keeps the whole Message, every protocol together, under 262,144 bytes', () => {
      // Assert
      expect(Buffer.byteLength(message, 'utf8')).toBeLessThan(SNS_LIMITS.messageBytes);
      expect(Object.keys(parsed).sort()).toEqual(['default', 'email', 'sms']);
    });

    it('gives Amazon Q a valid custom notification that relays no chat markup from caller text', () => {
      // Assert
      expect(amazonQ).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
      expect(amazonQ.content.description.length).toBeLessThanOrEqual(SNS_LIMITS.chatDescriptionChars);
      expect(codePointLength(amazonQ.metadata.summary)).toBeLessThanOrEqual(200);
      const callerText = [
        amazonQ.content.title,
        amazonQ.content.description,
        amazonQ.metadata.summary,
        ...amazonQ.content.keywords,
        ...amazonQ.metadata.relatedResources,
      ];
      for (const text of callerText) {
        expect(text).not.toMatch(CHAT_MARKUP);
        expect(text).not.toMatch(DANGLING_AMPERSAND);
        expect(text).not.toMatch(LONE_SURROGATE);
        expect(text).not.toMatch(PLAIN_MENTION);
        expect(text).not.toContain('](');
        expect(text).not.toMatch(CONTROL_BUT_NEWLINE);
      }
      expect(amazonQ.content.nextSteps ?? []).toEqual(notification.consoleUrl ? [consoleLink(notification)] : []);
      if (notification.paths.total > 0) expect(amazonQ.content.description).toContain(`*Paths (${notification.paths.total}):*`);
    });

    it('gives Amazon Q one line per fact, so no fact can be forged', () => {
      // Assert
      const factLines = amazonQ.content.description.split('\n').filter((line) => /^\*[^*]+:\*( |$)/.test(line));
      expect(factLines.map((line) => /^\*([^*]+):\*/.exec(line)![1])).toEqual([
        ...notification.facts.map((fact) => fact.label),
        ...(notification.paths.total > 0 ? [`Paths (${notification.paths.total})`] : []),
      ]);
    });

    it('gives e-mail one line per fact and exactly one console line', () => {
      // Assert
      const lines = parsed.email.split('\n');
      expect(parsed.email).not.toMatch(CONTROL_BUT_NEWLINE);
      expect(parsed.email).not.toMatch(LONE_SURROGATE);
      for (const fact of notification.facts) expect(lines.filter((line) => line.startsWith(`${fact.label}: `))).toHaveLength(1);
      expect(lines.filter((line) => line.startsWith('Console: '))).toEqual(
        notification.consoleUrl ? [`Console: ${notification.consoleUrl}`] : [],
      );
    });

    it('keeps the subject and the SMS short, single-line ASCII', () => {
      // Assert
      const subject = renderSubject(notification);
      expect(subject).toMatch(/^[\x20-\x7e]+$/);
      expect(subject.length).toBeLessThanOrEqual(SNS_LIMITS.subjectChars);
      expect(parsed.sms).toMatch(/^[\x20-\x7e]+$/);
      expect(parsed.sms.length).toBeLessThanOrEqual(SNS_LIMITS.smsChars);
    });
  });
});

/** Slack blocks' texts (sections, fields, context), each a string the platform reads as mrkdwn. */
function slackTexts(message: SlackMessage): string[] {
  return (message.blocks as readonly Block[]).flatMap((block) => [
    ...(block.type === 'section' && block.text ? [(block.text as Text).text] : []),
    ...((block.fields as Text[] | undefined) ?? []).map((field) => field.text),
    ...((block.elements as Text[] | undefined) ?? []).map((element) => element.text),
  ]);
}

/** Slack text with our own links (`<https://...|label>`, the only markup we write) taken out. */
const withoutOwnLinks = (text: string) => text.replace(/<https:\/\/[^\s<>|]+\|[^<>]*>/g, '');

function expectSafeSlack(message: SlackMessage) {
  const blocks = message.blocks as readonly Block[];
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.totalChars);
  for (const text of [...slackTexts(message), message.text]) {
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars);
    expect(withoutOwnLinks(text)).not.toMatch(CHAT_MARKUP);
    expect(text).not.toMatch(DANGLING_AMPERSAND);
    expect(text).not.toMatch(LONE_SURROGATE);
    expect(text).not.toMatch(CONTROL_BUT_NEWLINE);
  }
}

describe('a hostile, huge in-progress notification in Slack', () => {
  it('stays within every Block Kit limit and relays no chat markup', () => {
    // Act
    const message = renderSlack(hostileProgress);

    // Assert
    expectSafeSlack(message);
    expect(hostileProgress.paths.total).toBe(3000);
    expect(hostileProgress.facts.length).toBeGreaterThan(5);
  });

  it.each(
    hostileDeploymentStates()
      .filter((state) => !('outcome' in state))
      .map((state) => [state.request!.work === 'deployment' ? state.request!.change.call : '', state] as const),
  )('stays within every Block Kit limit and relays no chat markup for a deploying %s', (_call, state) => {
    // Act
    const message = renderSlack(buildProgressNotification(state));

    // Assert
    expectSafeSlack(message);
  });
});

describe.each([
  ['live', 1000, 'invalidation'],
  ['digest', 1000, 'invalidation'],
  ['digest', 5, 'invalidation'],
  ['live', 1000, 'deployment'],
  ['digest', 1000, 'deployment'],
  ['digest', 5, 'deployment'],
] as const)('a %s burst of %i members with hostile, huge text (%s)', (kind, count, work) => {
  const members = work === 'deployment' ? hostileDeploymentBurstMembers(count) : hostileBurstMembers(count);
  const burst = buildBurstNotification({
    kind,
    members,
    total: count,
    by: `${'<!channel> '.repeat(20)}\nforged`,
    separately: 2,
    digestNumber: 3,
  });

  it('is itself bounded, with a one-line summary', () => {
    // Assert
    expect(codePointLength(burst.summary)).toBeLessThanOrEqual(NOTIFICATION_LIMITS.summaryChars);
    expect(burst.summary).not.toMatch(CONTROL);
    expect(burst.work).toBe(work);
  });

  it('in Slack (live message, digest and failure reply): within every limit, no chat markup from caller text', () => {
    // Act
    const message = renderSlackBurst(burst);
    const reply = renderSlackFailureReply(members)!;

    // Assert
    expectSafeSlack(message);
    expectSafeSlack(reply);
  });

  it('in Teams: a valid Adaptive Card within 28 KB', () => {
    // Act
    const message = renderTeamsBurst(burst);

    // Assert
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_LIMITS.budgetBytes);
    expect(adaptiveCardProblems(message.attachments[0].content)).toEqual([]);
    expect(JSON.stringify(message)).not.toMatch(/\{\{(DATE|TIME)/);
  });

  it('in Google Chat: within its budget, no HTML or Chat markup from caller text', () => {
    // Act
    const message = renderGoogleChatBurst(burst);

    // Assert
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.budgetBytes);
    expect(message.text.length).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.textChars);
    expect(message.text).not.toMatch(CHAT_MARKUP);
    const card = message.cardsV2[0].card;
    for (const section of card.sections)
      for (const widget of section.widgets) {
        const html = (widget.textParagraph?.text ?? widget.decoratedText?.text ?? '').replace(/<br>/g, '\n');
        expect(html).not.toMatch(/[<>]/);
        expect(html).not.toMatch(DANGLING_AMPERSAND);
        expect(html).not.toMatch(LONE_SURROGATE);
      }
  });

  it('in SNS: under 262,144 bytes, an ASCII subject, Amazon Q with no chat markup from caller text', () => {
    // Act
    const message = renderSnsBurstMessage(burst);

    // Assert
    expect(Buffer.byteLength(message, 'utf8')).toBeLessThan(SNS_LIMITS.messageBytes);
    const parsed = JSON.parse(message) as { default: string; email: string; sms: string };
    const amazonQ = JSON.parse(parsed.default) as AmazonQNotification;
    expect(amazonQ.content.description.length).toBeLessThanOrEqual(SNS_LIMITS.chatDescriptionChars);
    for (const text of [amazonQ.content.title, amazonQ.content.description, amazonQ.metadata.summary]) {
      expect(text).not.toMatch(CHAT_MARKUP);
      expect(text).not.toMatch(DANGLING_AMPERSAND);
      expect(text).not.toMatch(PLAIN_MENTION);
      expect(text).not.toContain('](');
      expect(text).not.toMatch(CONTROL_BUT_NEWLINE);
    }
    expect(parsed.email).not.toMatch(CONTROL_BUT_NEWLINE);
    expect(parsed.email.split('\n').filter((line) => line.startsWith('Console: '))).toEqual([]);
    const subject = renderBurstSubject(burst);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.length).toBeLessThanOrEqual(SNS_LIMITS.subjectChars);
    expect(parsed.sms).toMatch(/^[\x20-\x7e]+$/);
    expect(parsed.sms.length).toBeLessThanOrEqual(SNS_LIMITS.smsChars);
  });
});
