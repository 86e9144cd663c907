/**
 * Every renderer × every caller-controlled field (paths, caller reference, creator, target name,
 * account name, routing note), with generated hostile text: no emphasis, code span or link the
 * caller wrote survives in a field a platform reads as markup, and no character that reorders or
 * hides text survives anywhere people read.
 */
import fc from 'fast-check';
import { renderGoogleChat, type GoogleChatMessage } from '../../../lambda/notify/render-google-chat';
import { renderSlack } from '../../../lambda/notify/render-slack';
import { renderAmazonQ, renderSms, renderSubject, renderText } from '../../../lambda/notify/render-sns';
import { renderTeams, type CardElement } from '../../../lambda/notify/render-teams';
import { buildInvalidationEvent } from '../../../lambda/shared/invalidation-event';
import { buildNotification, type Notification, type WatchState } from '../../../lambda/shared/notification';
import { samplePaths } from '../../../lambda/shared/status-result';
import { completedStatus, distributionRequest } from './fixtures';

const word = fc.stringMatching(/^[a-z0-9]{1,8}$/);

/** Markup a caller could write, each with the exact text that would be markup if it got through. */
const markupToken = fc.oneof(
  word.map((w) => `*${w}*`),
  word.map((w) => `**${w}**`),
  word.map((w) => `_${w}_`),
  word.map((w) => `~${w}~`),
  word.map((w) => `~~${w}~~`),
  word.map((w) => `\`${w}\``),
  word.map((w) => `[Open the console ${w}](https://phish.example/${w})`),
  word.map((w) => `<https://phish.example/${w}|${w}>`),
);

/** The characters that reorder or hide text (defect 5), and the other invisible format characters. */
const INVISIBLES = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2060', '\ufeff', '\u061c', '\u00ad'];
const invisible = fc.constantFrom(...INVISIBLES, ...ZERO_WIDTH);

/** Words, markup and invisible characters, in any order: "Shop [Open the console](https://phish.example/t)". */
const hostileText = fc
  .array(fc.oneof(word, markupToken, invisible, fc.constantFrom('Shop', '@here', '&', '<!channel>')), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join(' '));

interface HostileFields {
  readonly callerReference: string;
  readonly createdBy: string;
  readonly targetName: string;
  readonly accountName: string;
  readonly routingNote: string;
  readonly path: string;
}

const hostileFields: fc.Arbitrary<HostileFields> = fc.record({
  callerReference: hostileText,
  createdBy: hostileText,
  targetName: hostileText,
  accountName: hostileText,
  routingNote: hostileText,
  path: hostileText.map((text) => `/${text}`),
});

const OUTCOMES = ['completed', 'still-in-progress', 'could-not-track'] as const;

function watchOf(fields: HostileFields, outcome: (typeof OUTCOMES)[number]): WatchState {
  return {
    outcome,
    request: { ...distributionRequest, callerReference: fields.callerReference, createdBy: fields.createdBy },
    status: completedStatus(samplePaths([fields.path], 1)),
    ...(outcome === 'could-not-track' ? { error: { Error: 'Boom', Cause: fields.callerReference } } : {}),
    audience: {
      destinations: ['team'],
      routes: ['website'],
      targetName: fields.targetName,
      accountName: fields.accountName,
      routingNote: fields.routingNote,
    },
  };
}

const withoutCodeBlocks = (text: string) => text.replace(/```[\s\S]*?```/g, '');

/** The text of each field a platform reads as markup (code blocks and monospace path lists left out: they are literal). */
const MARKUP_FIELDS: Record<string, (notification: Notification) => string[]> = {
  slack: (notification) => {
    const message = renderSlack(notification);
    const texts: string[] = [message.text];
    for (const block of message.blocks) {
      const text = block.text as { type: string; text: string } | undefined;
      if (text?.type === 'mrkdwn') texts.push(withoutCodeBlocks(text.text));
      for (const item of [
        ...((block.fields as { text: string }[] | undefined) ?? []),
        ...((block.elements as { text: string }[] | undefined) ?? []),
      ])
        texts.push(item.text);
    }
    return texts;
  },
  'amazon-q': (notification) => {
    const { content, metadata } = JSON.parse(renderAmazonQ(notification)) as {
      content: { title: string; description: string; keywords: string[] };
      metadata: { summary: string };
    };
    return [content.title, withoutCodeBlocks(content.description), metadata.summary, ...content.keywords];
  },
  'google-chat': (notification) => {
    const message: GoogleChatMessage = renderGoogleChat(notification);
    const { card } = message.cardsV2[0];
    const texts = [message.text, card.header.title, card.header.subtitle ?? ''];
    for (const section of card.sections.filter((section) => !section.header?.startsWith('Paths'))) {
      for (const widget of section.widgets) {
        if (widget.decoratedText) texts.push(widget.decoratedText.topLabel, widget.decoratedText.text);
        if (widget.textParagraph) texts.push(widget.textParagraph.text);
      }
    }
    return texts;
  },
  teams: (notification) => {
    const card = renderTeams(notification).attachments[0].content;
    const texts = [card.fallbackText];
    const visit = (element: CardElement) => {
      if (element.type === 'TextBlock') texts.push(element.text as string);
      if (element.type === 'TextRun' && element.fontType !== 'Monospace') texts.push(element.text as string);
      for (const key of ['items', 'inlines'] as const) for (const child of (element[key] as CardElement[] | undefined) ?? []) visit(child);
    };
    card.body.forEach(visit);
    return texts;
  },
};

/** Everything people read, in every rendering; the event's paths are data for programs and stay as CloudFront gave them. */
function everythingShown(watch: WatchState, notification: Notification): string[] {
  const { Detail } = buildInvalidationEvent(watch, notification);
  return [
    JSON.stringify(renderSlack(notification)),
    JSON.stringify(renderTeams(notification)),
    JSON.stringify(renderGoogleChat(notification)),
    renderAmazonQ(notification),
    renderText(notification),
    renderSms(notification),
    renderSubject(notification),
    JSON.stringify({ ...Detail, paths: [] }),
  ].map((text) => JSON.parse(JSON.stringify(text)) as string);
}

/** The markup tokens in `text`, as the generator wrote them. */
const tokensIn = (text: string) =>
  text.match(
    /\*\*?[a-z0-9]+\*\*?|(?<![a-z0-9])_[a-z0-9]+_(?![a-z0-9])|~~?[a-z0-9]+~~?|`[a-z0-9]+`|\]\(https:\/\/phish|<https:\/\/phish/g,
  ) ?? [];

describe('caller text in every rendering', () => {
  it.each(Object.keys(MARKUP_FIELDS))('never becomes emphasis, code or a link in a %s markup field', (platform) => {
    fc.assert(
      fc.property(hostileFields, fc.constantFrom(...OUTCOMES), (fields, outcome) => {
        const texts = MARKUP_FIELDS[platform]!(buildNotification(watchOf(fields, outcome)));
        for (const text of texts) expect(tokensIn(text)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('the check can fail: the same fields unprotected are full of markup', () => {
    const fields = fc.sample(hostileFields, { numRuns: 20, seed: 17 });
    expect(fields.some((field) => tokensIn(Object.values(field).join(' ')).length > 0)).toBe(true);
  });

  it('shows a tenant named "Shop [Open the console](https://phish.example/t)" as text on every platform', () => {
    const watch = watchOf(
      { ...fc.sample(hostileFields, { numRuns: 1, seed: 1 })[0]!, targetName: 'Shop [Open the console](https://phish.example/t)' },
      'completed',
    );
    const notification = buildNotification(watch);
    for (const platform of Object.keys(MARKUP_FIELDS)) {
      const texts = MARKUP_FIELDS[platform]!(notification);
      expect(texts.join('\n')).toContain('Shop [Open the console]');
      for (const text of texts) expect(text).not.toContain('](https://phish');
    }
  });

  it('never keeps a character that reorders or hides text, in any rendering (Slack, Teams, Google Chat, Amazon Q, e-mail, SMS, subject, event)', () => {
    fc.assert(
      fc.property(hostileFields, fc.constantFrom(...OUTCOMES), (fields, outcome) => {
        const watch = watchOf(fields, outcome);
        for (const shown of everythingShown(watch, buildNotification(watch))) {
          // Our own word joiners, which break markup (`]⁠(`, cut or not, `<⁠a`, `⁠>` starting a field, `@⁠here`, `{⁠`), are the only invisible characters left.
          const ours = shown.replace(/\]\u2060|(?:<|&lt;)\u2060|\u2060(?:>|&gt;)|@\u2060|\{\u2060/g, '');
          expect(ours).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff\u061c\u00ad]/);
        }
      }),
      { numRuns: 150 },
    );
  });
});
