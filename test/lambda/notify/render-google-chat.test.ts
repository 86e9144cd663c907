import {
  GOOGLE_CHAT_LIMITS,
  escapeChatHtml,
  escapeChatText,
  renderGoogleChat,
  type GoogleChatMessage,
  type GoogleChatSection,
} from '../../../lambda/notify/render-google-chat';
import { buildNotification, type Notification } from '../../../lambda/shared/notification';
import { samplePaths } from '../../../lambda/shared/status-result';
import { REPLACEMENT, inertMarkup, oneLine, withoutControls } from '../../../lambda/shared/text';
import { previewSamples } from '../../../local/preview';
import {
  HOSTILE_TEXT,
  awkwardPaths,
  completedStatus,
  completedWith,
  completedWithPaths,
  deploymentNotifications,
  deploymentStates,
  distributionRequest,
  hostileDeploymentNotifications,
  hostileNotifications,
  updateRequest,
} from './fixtures';

/** Caller text that is markup somewhere in Google Chat: mentions, Chat links, Markdown links, HTML, emphasis, a newline. */
const HOSTILE =
  '[click](http://evil.example) <users/all> <https://evil.example|docs> <a href=x>y</a> <b>*bold*</b> _it_ &amp;\n- forged line';

const cardOf = (message: GoogleChatMessage) => message.cardsV2[0].card;
const bytesOf = (message: unknown) => Buffer.byteLength(JSON.stringify(message), 'utf8');
const sectionsOf = (message: GoogleChatMessage): readonly GoogleChatSection[] => cardOf(message).sections;
const facts = (message: GoogleChatMessage) =>
  sectionsOf(message).flatMap((section) => section.widgets.flatMap((widget) => (widget.decoratedText ? [widget.decoratedText] : [])));
const pathsSection = (message: GoogleChatMessage) => sectionsOf(message).find((section) => section.header?.startsWith('Paths ('));

/** The lines of the paths paragraph and the "… and N more" count, if any. */
function pathsOf(message: GoogleChatMessage): { lines: string[]; more?: number } {
  const text = pathsSection(message)?.widgets[0]?.textParagraph?.text;
  if (text === undefined) return { lines: [] };
  const lines = text.split('<br>');
  const more = /^… and (\d+) more$/.exec(lines.at(-1) ?? '');
  return more ? { lines: lines.slice(0, -1), more: Number(more[1]) } : { lines };
}

/** Every string of the card that Chat reads as HTML, with the tags we put there removed. */
function cardHtmlFields(message: GoogleChatMessage): string[] {
  const card = cardOf(message);
  return [
    card.header.title,
    card.header.subtitle ?? '',
    ...sectionsOf(message).flatMap((section) => [
      section.header ?? '',
      ...section.widgets.flatMap((widget) => [
        widget.decoratedText?.topLabel ?? '',
        widget.decoratedText?.text ?? '',
        widget.textParagraph?.text ?? '',
      ]),
    ]),
  ].map((field) => field.replace(/<br>|<\/?i>/g, '\n'));
}

const ENTITY: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };
const decode = (text: string) => text.replace(/&(amp|lt|gt);/g, (entity) => ENTITY[entity]!);
/** An `&` that does not start one of the three entities we write. */
const DANGLING_AMPERSAND = /&(?!amp;|lt;|gt;)/;

function hostileNotification(reference: string, paths = [reference]): Notification {
  return buildNotification({
    outcome: 'completed',
    request: { ...distributionRequest, callerReference: reference, createdBy: reference },
    status: completedStatus(samplePaths(paths, paths.length)),
  });
}

describe('renderGoogleChat: structure', () => {
  it('sends the summary as text and one card: header, a decoratedText per fact, the paths and an "Open in console" button', () => {
    // Prepare
    const notification = completedWith(['/index.html', '/images/hero <new>.png', '#product-123']);

    // Act
    const message = renderGoogleChat(notification);

    // Assert
    expect(message.text).toBe(`✅ ${notification.summary}`);
    expect(message.cardsV2).toHaveLength(1);
    expect(message.cardsV2[0].cardId).toBe('cloudfront-invalidation-I2J0I21PCUYOIK');
    expect(cardOf(message).header).toEqual({
      title: 'CloudFront invalidation completed',
      subtitle: 'Distribution E2QWRUHAPOMQZL · invalidation I2J0I21PCUYOIK',
    });
    expect(facts(message)).toEqual(notification.facts.map((fact) => ({ topLabel: fact.label, text: fact.value, wrapText: true })));
    expect(pathsSection(message)?.header).toBe('Paths (3)');
    expect(pathsOf(message)).toEqual({ lines: ['/index.html', '/images/hero &lt;\u2060new&gt;.png', '#product-123'] });
    expect(sectionsOf(message).at(-1)).toEqual({
      widgets: [{ buttonList: { buttons: [{ text: 'Open in console', onClick: { openLink: { url: notification.consoleUrl } } }] } }],
    });
  });

  it.each(previewSamples().map((sample) => [sample.name, sample.notification] as const))(
    'renders the %s sample with its reason, if any, in the card',
    (_name, notification) => {
      // Act
      const message = renderGoogleChat(notification);

      // Assert
      const paragraphs = sectionsOf(message).flatMap((section) => section.widgets.map((widget) => widget.textParagraph?.text));
      if (notification.reason) expect(paragraphs).toContain(`<i>${escapeChatHtml(notification.reason)}</i>`);
      expect(message.text.length).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.textChars);
    },
  );

  it('has no button when there is no console link (a rejected event names no invalidation page)', () => {
    // Prepare
    const notification = buildNotification({
      outcome: 'could-not-track',
      rejected: { reason: 'detail.eventName is missing', eventId: 'evt-1' },
    });

    // Act
    const message = renderGoogleChat(notification);

    // Assert
    expect(JSON.stringify(message)).not.toContain('buttonList');
    expect(message.cardsV2[0].cardId).toBe('cloudfront-invalidation-unknown');
  });

  it('keeps the card ID a plain token whatever the invalidation ID', () => {
    // Prepare
    const notification: Notification = { ...completedWith(['/a']), invalidationId: '<users/all> "x"' };

    // Act
    const message = renderGoogleChat(notification);

    // Assert
    expect(message.cardsV2[0].cardId).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('renderGoogleChat: limits', () => {
  it('keeps 3,000 long awkward paths within the budget, listing the first paths in order and "… and N more"', () => {
    // Prepare
    const notification = completedWithPaths(3_000);

    // Act
    const message = renderGoogleChat(notification);

    // Assert
    expect(bytesOf(message)).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.budgetBytes);
    expect(bytesOf(message)).toBeLessThan(32_000);
    const { lines, more } = pathsOf(message);
    expect(lines.length).toBeGreaterThan(10);
    expect(lines).toEqual(notification.paths.sample.slice(0, lines.length).map((path) => escapeChatHtml(inertMarkup(path))));
    expect(more).toBe(3_000 - lines.length);
  });

  it('fills the budget: one more path would not have fitted', () => {
    // Prepare
    const notification = completedWithPaths(3_000);
    const shown = pathsOf(renderGoogleChat(notification)).lines.length;
    const oneMore: Notification = {
      ...notification,
      paths: { total: notification.paths.total, sample: notification.paths.sample.slice(0, shown + 1) },
    };

    // Act
    const withOneMore = pathsOf(renderGoogleChat(oneMore)).lines.length;

    // Assert: the budget, not the sample, was what stopped the list.
    expect(withOneMore).toBe(shown);
  });

  // Each worst case binds a different limit: `&` grows fivefold as an entity (the text's 4,096
  // characters), a lone surrogate takes six bytes as a JSON escape (the message's bytes).
  it.each([
    ['ampersands', `${'&'.repeat(30)}<>"\\😀`.repeat(5_000)],
    ['lone surrogates', '\ud800'.repeat(150_000)],
  ])('stays within 4,096 characters of text and the byte budget when every caller field is huge %s', (_name, worst) => {
    // Prepare
    const notification: Notification = {
      ...buildNotification({
        outcome: 'could-not-track',
        request: { ...distributionRequest, callerReference: worst, createdBy: worst },
        error: { Error: 'Boom', Cause: worst },
      }),
      summary: worst,
      reason: worst,
      paths: samplePaths(Array(3_000).fill(worst), 3_000),
      facts: Array.from({ length: 20 }, (_, i) => ({ label: `Fact ${i}`, value: worst })),
    };

    // Act
    const message = renderGoogleChat(notification);

    // Assert
    expect(message.text.length).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.textChars);
    expect(bytesOf(message)).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.budgetBytes);
    expect(facts(message).length).toBeGreaterThan(0);
    for (const field of [message.text, ...cardHtmlFields(message)]) expect(field).not.toMatch(DANGLING_AMPERSAND);
  });

  it.each(hostileNotifications().map((notification) => [notification.outcome, notification] as const))(
    'keeps a huge hostile %s notification within the limits, with every fact and a path count',
    (_outcome, notification) => {
      // Act
      const message = renderGoogleChat(notification);

      // Assert
      expect(message.text.length).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.textChars);
      expect(bytesOf(message)).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.budgetBytes);
      expect(facts(message)).toHaveLength(notification.facts.length);
      if (notification.paths.total > 0) expect(pathsOf(message).more).toBeGreaterThan(0);
    },
  );

  it('cuts a long text between escapes, never inside one', () => {
    // Act
    const text = escapeChatText('&'.repeat(100), 23);

    // Assert: four whole "&amp;" and the ellipsis.
    expect(text).toBe(`${'&amp;'.repeat(4)}…`);
  });
});

describe('renderGoogleChat: caller text never becomes markup, a link or a mention', () => {
  it('writes caller text in the card as entities and inert: no tag but ours, no emphasis, paths included', () => {
    // Prepare
    const notification = hostileNotification(HOSTILE, [HOSTILE, ...awkwardPaths(3)]);

    // Act
    const message = renderGoogleChat(notification);

    // Assert
    for (const field of cardHtmlFields(message)) {
      expect(field).not.toMatch(/[<>]/);
      expect(field).not.toMatch(DANGLING_AMPERSAND);
    }
    expect(facts(message).map((fact) => decode(fact.text))).toContain(inertMarkup(oneLine(HOSTILE, 1_000)));
    expect(pathsOf(message).lines.map(decode)).toEqual([withoutControls(HOSTILE, REPLACEMENT), ...awkwardPaths(3)].map(inertMarkup));
  });

  it('makes a path inert in the card: no Markdown link, HTML tag or emphasis forms from it', () => {
    // Prepare
    const notification = hostileNotification('x', [
      '/[Open the console](https://phish.example/t)',
      '/<a href="https://phish.example">Open</a>',
      '/*a*/_b_',
    ]);

    // Act
    const message = renderGoogleChat(notification);

    // Assert
    const list = JSON.stringify(message.cardsV2);
    expect(list).not.toMatch(/\]\(https:\/\/phish/);
    expect(pathsOf(message).lines.map(decode)).toEqual([
      '/[Open the console]\u2060(https://phish.example/t)',
      '/<\u2060a href="https://phish.example">Open<\u2060/a>',
      '/\u2217a\u2217/\u02cdb\u02cd',
    ]);
  });

  it('writes no mention, Chat link or Markdown link in the text, and keeps it on one line', () => {
    // Prepare
    const notification = buildNotification({
      outcome: 'could-not-track',
      request: distributionRequest,
      error: { Error: 'Boom', Cause: HOSTILE },
    });

    // Act
    const { text } = renderGoogleChat(notification);

    // Assert
    expect(notification.summary).toContain('<users/all>');
    expect(text).not.toMatch(/[<>\r\n]/);
    expect(text).not.toMatch(DANGLING_AMPERSAND);
    expect(text).not.toContain('](');
    expect(decode(text)).toBe(`⚠️ ${inertMarkup(oneLine(notification.summary, 1_000))}`);
  });

  it("writes the shared hostile text (Slack's markup, entities, controls, a lone surrogate) as entities everywhere", () => {
    // Act
    const message = renderGoogleChat(hostileNotification(HOSTILE_TEXT));

    // Assert
    for (const field of [message.text, ...cardHtmlFields(message)]) {
      expect(field).not.toMatch(/[<>]/);
      expect(field).not.toMatch(DANGLING_AMPERSAND);
    }
    expect(message.text).not.toMatch(/[\r\n]/);
  });

  it.each([
    ['<users/all>', '&lt;users/all&gt;'],
    ['a & b', 'a &amp; b'],
    ['&lt;', '&amp;lt;'],
    ['<a href="x">', '&lt;a href="x"&gt;'],
    ['*bold* _it_', '*bold* _it_'],
  ])('escapes %j for card HTML as %j', (text, escaped) => {
    // Act / Assert
    expect(escapeChatHtml(text)).toBe(escaped);
  });
});

describe('renderGoogleChat: deployments', () => {
  const deployments = deploymentNotifications();

  it('tells a deployed update: call-first text, the change in the subtitle, every fact, no paths section, the distribution button', () => {
    // Act
    const message = renderGoogleChat(deployments.withLater);

    // Assert
    expect(message.text).toBe(
      '✅ UpdateDistribution of CloudFront distribution www.example.com (EDFDVBD6EXAMPLE) deployed in about 4 min, together with 1 later change.',
    );
    expect(cardOf(message).header).toEqual({
      title: 'CloudFront distribution deployed',
      subtitle: 'Distribution EDFDVBD6EXAMPLE · UpdateDistribution',
    });
    expect(facts(message)).toContainEqual({
      topLabel: 'What changed',
      text: 'configuration updated; now: enabled; aliases: www.example.com; 2 origins',
      wrapText: true,
    });
    expect(pathsSection(message)).toBeUndefined();
    expect(JSON.stringify(message)).toContain('#/distributions/EDFDVBD6EXAMPLE"');
  });

  it.each(['completed', 'stillInProgress', 'couldNotTrack'] as const)(
    'gives a deployment %s a stable card ID from its target and change, apart from other changes of the target',
    (phase) => {
      // Act
      const cardId = renderGoogleChat(deployments[phase]).cardsV2[0].cardId;
      const laterChange = renderGoogleChat(
        buildNotification({
          ...deploymentStates().completed,
          request: { ...updateRequest, change: { ...updateRequest.change, eTag: 'E3LATER' } },
        }),
      ).cardsV2[0].cardId;

      // Assert
      expect(cardId).toBe('cloudfront-deployment-EDFDVBD6EXAMPLE-E2QWRUHEXAMPLE');
      expect(laterChange).toBe('cloudfront-deployment-EDFDVBD6EXAMPLE-E3LATER');
    },
  );

  it.each(hostileDeploymentNotifications().map((notification) => [notification.change?.call, notification.outcome, notification] as const))(
    'keeps a hostile %s %s within its limits, with entities and no markup from caller text',
    (_call, _outcome, notification) => {
      // Act
      const message = renderGoogleChat(notification);

      // Assert
      expect(bytesOf(message)).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.budgetBytes);
      expect(message.cardsV2[0].cardId).toMatch(/^[A-Za-z0-9_-]+$/);
      for (const field of cardHtmlFields(message)) {
        expect(field).not.toMatch(/[<>]/);
        expect(field).not.toMatch(DANGLING_AMPERSAND);
      }
    },
  );
});
