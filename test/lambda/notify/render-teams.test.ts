import MarkdownIt from 'markdown-it';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  ADAPTIVE_CARD_VERSION,
  TEAMS_LIMITS,
  escapeCardMarkdown,
  renderTeams,
  type AdaptiveCard,
  type CardElement,
  type TeamsMessage,
} from '../../../lambda/notify/render-teams';
import { buildNotification, type Notification } from '../../../lambda/shared/notification';
import { samplePaths } from '../../../lambda/shared/status-result';
import { REPLACEMENT, inertMarkup, oneLine, withoutControls } from '../../../lambda/shared/text';
import { previewSamples } from '../../../local/preview';
import { adaptiveCardProblems } from './adaptive-card-check';
import {
  HOSTILE_TEXT,
  awkwardPaths,
  completedStatus,
  completedWith,
  completedWithPaths,
  deploymentNotifications,
  distributionRequest,
  hostileDeploymentNotifications,
  hostileNotifications,
  tenantRequest,
} from './fixtures';

/** Caller text that is markup in one host or another: links, mentions, HTML, emphasis, lists, a date function, a newline. */
const HOSTILE =
  '[click](http://evil.example) <users/all> <a href=x>y</a> *bold* _it_ **strong** ~~gone~~ `code` &amp; {{DATE(2017-02-14T06:00:00Z, SHORT)}}\n- forged line';
/** Line-start markup, which needs a value of its own to be at the start. */
const LINE_STARTS = ['- item', '+ item', '* item', '1. one', '2) two', '# heading', '> quote', '```fence'];

const cardOf = (message: TeamsMessage): AdaptiveCard => message.attachments[0].content;
const bytesOf = (message: unknown) => Buffer.byteLength(JSON.stringify(message), 'utf8');

/** Every element of the card, depth first (containers' items and rich text inlines included). */
function elements(card: AdaptiveCard): CardElement[] {
  const out: CardElement[] = [];
  const visit = (element: CardElement) => {
    out.push(element);
    for (const child of [
      ...((element.items as CardElement[] | undefined) ?? []),
      ...((element.inlines as CardElement[] | undefined) ?? []),
    ])
      visit(child);
  };
  card.body.forEach(visit);
  return out;
}

/** The strings a host runs through markdown: TextBlock text, and FactSet titles and values (there should be none). */
function markdownFields(card: AdaptiveCard): string[] {
  return elements(card).flatMap((element) => {
    if (element.type === 'TextBlock') return [element.text as string];
    if (element.type === 'FactSet')
      return (element.facts as { title: string; value: string }[]).flatMap((fact) => [fact.title, fact.value]);
    return [];
  });
}

/** TextRun texts: plain text by the Adaptive Card format. */
const textRuns = (card: AdaptiveCard) =>
  elements(card)
    .filter((element) => element.type === 'TextRun')
    .map((element) => element.text as string);

/** The facts, from their RichTextBlock: a bold "Label: " run, then the value's run. */
function factsOf(card: AdaptiveCard): { title: string; value: string }[] {
  const block = elements(card).find(
    (element) =>
      element.type === 'RichTextBlock' && (element.inlines as { weight?: string }[]).some((inline) => inline.weight === 'Bolder'),
  );
  const inlines = (block?.inlines ?? []) as { text: string }[];
  const facts: { title: string; value: string }[] = [];
  for (let i = 0; i + 1 < inlines.length; i += 2)
    facts.push({ title: inlines[i]!.text.replace(/^\n/, '').replace(/: $/, ''), value: inlines[i + 1]!.text });
  return facts;
}

/** The path lines of the card's monospace run, and the "… and N more" count if any. */
function pathsOf(card: AdaptiveCard): { lines: string[]; more?: number } {
  const run = elements(card).find((element) => element.type === 'TextRun' && element.fontType === 'Monospace');
  const lines = run ? (run.text as string).split('\n') : [];
  const more = /^… and (\d+) more$/.exec(lines.at(-1) ?? '');
  return more ? { lines: lines.slice(0, -1), more: Number(more[1]) } : { lines };
}

/**
 * A CommonMark renderer with HTML and bare-URL linking on: stricter than any Teams client. What
 * it shows for a field must be exactly the caller's text, with no tag other than the paragraph
 * and links whose visible text is their own address (bare URLs, linked by chat clients anyway).
 */
const markdown = new MarkdownIt({ html: true, linkify: true });
const ENTITY: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
function rendered(field: string): { markup: string[]; shown: string } {
  const html = markdown.render(field).trim();
  const body = html.replace(/^<p>([\s\S]*)<\/p>$/, '$1');
  // A bare URL that the renderer linked shows its own address (percent-encoded in the href).
  const withoutBareLinks = body.replace(/<a href="(?:mailto:)?([^"]*)">([^<]*)<\/a>/g, (tag: string, href: string, text: string) =>
    decodeURI(href.replace(/&amp;/g, '&')) === text.replace(/&amp;/g, '&') ? text : tag,
  );
  const markup = withoutBareLinks.match(/<[^>]*>/g) ?? [];
  const shown = withoutBareLinks.replace(/&(amp|lt|gt|quot|#39);/g, (entity: string) => ENTITY[entity] ?? entity);
  return { markup, shown };
}

const keepLiteral = (text: string) => text.replace('{{', '{\u2060{');

function hostileNotification(reference: string, paths = [reference]): Notification {
  return buildNotification({
    outcome: 'completed',
    request: { ...distributionRequest, callerReference: reference, createdBy: reference },
    status: completedStatus(samplePaths(paths, paths.length)),
  });
}

describe('renderTeams: structure', () => {
  it('wraps one Adaptive Card in the message envelope Teams Workflows expects', () => {
    // Act
    const message = renderTeams(completedWith(['/index.html']));

    // Assert
    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(message.attachments[0].contentUrl).toBeNull();
    expect(cardOf(message)).toMatchObject({ type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' } });
    expect(ADAPTIVE_CARD_CONTENT_TYPE).toBe(message.attachments[0].contentType);
  });

  it('shows the title, the summary, every fact in order, every path and an "Open in console" action', () => {
    // Prepare
    const notification = completedWith(['/index.html', '/images/hero <new>.png', '#product-123']);

    // Act
    const card = cardOf(renderTeams(notification));

    // Assert
    const header = card.body[0]!;
    expect(header).toMatchObject({ type: 'Container', style: 'good' });
    expect(markdownFields(card)).toContain('✅ CloudFront invalidation completed');
    expect(textRuns(card)[0]).toBe(notification.summary);
    expect(factsOf(card)).toEqual(notification.facts.map((fact) => ({ title: fact.label, value: fact.value })));
    // Plain text where the card cannot be shown: no markdown escapes.
    expect(card.fallbackText).toBe(notification.summary);
    expect(markdownFields(card)).toContain('Paths (3)');
    expect(pathsOf(card)).toEqual({ lines: ['/index.html', '/images/hero <new>.png', '#product-123'] });
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open in console', url: notification.consoleUrl }]);
  });

  it.each([
    ['completed', 'good', '✅'],
    ['still-in-progress', 'warning', '⏳'],
    ['could-not-track', 'attention', '⚠️'],
  ])('marks a %s notification with the %s style and %s', (outcome, style, icon) => {
    // Prepare
    const sample = previewSamples().find((candidate) => candidate.notification.outcome === outcome)!;

    // Act
    const card = cardOf(renderTeams(sample.notification));

    // Assert
    expect(card.body[0]).toMatchObject({ type: 'Container', style });
    expect(markdownFields(card)).toContain(`${icon} ${sample.notification.title}`);
  });

  it('shows the reason of a notification still in progress, and not again the one already in a could-not-track summary', () => {
    // Prepare
    const samples = previewSamples();
    const stillInProgress = samples.find((sample) => sample.notification.outcome === 'still-in-progress')!.notification;
    const couldNotTrack = samples.find((sample) => sample.notification.outcome === 'could-not-track')!.notification;

    // Act
    const stillRuns = textRuns(cardOf(renderTeams(stillInProgress)));
    const failedRuns = textRuns(cardOf(renderTeams(couldNotTrack)));

    // Assert
    expect(stillRuns).toContain(stillInProgress.reason);
    expect(failedRuns.filter((text) => text.includes(couldNotTrack.reason!))).toEqual([couldNotTrack.summary]);
  });

  it('has no action when there is no console link (a rejected event names no invalidation page)', () => {
    // Prepare
    const notification = buildNotification({
      outcome: 'could-not-track',
      rejected: { reason: 'detail.eventName is missing', eventId: 'evt-1' },
    });

    // Act
    const card = cardOf(renderTeams(notification));

    // Assert
    expect(notification.consoleUrl).toBeUndefined();
    expect(card.actions).toBeUndefined();
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('declares a card version Teams Workflows renders (1.4 or later, at most 1.5)', () => {
    // Assert
    expect(Number(ADAPTIVE_CARD_VERSION)).toBeGreaterThanOrEqual(1.4);
    expect(Number(ADAPTIVE_CARD_VERSION)).toBeLessThanOrEqual(1.5);
  });
});

describe('renderTeams: Adaptive Card schema (Microsoft adaptivecards object model)', () => {
  const cases: [string, Notification][] = [
    ...previewSamples().map((sample): [string, Notification] => [sample.name, sample.notification]),
    ['3,000 awkward paths', completedWithPaths(3_000)],
    ['hostile caller text', hostileNotification(HOSTILE)],
    ['huge hostile caller text', hostileNotification(HOSTILE.repeat(2_000), awkwardPaths(3_000))],
    ...hostileNotifications().map((notification, i): [string, Notification] => [
      `shared hostile fixture ${i} (${notification.outcome})`,
      notification,
    ]),
    ...(['completed', 'withLater', 'stillInProgress', 'couldNotTrack'] as const).map((phase): [string, Notification] => [
      `a deployment ${phase}`,
      deploymentNotifications()[phase],
    ]),
    ...hostileDeploymentNotifications().map((notification, i): [string, Notification] => [
      `hostile deployment ${i} (${notification.change?.call}, ${notification.outcome})`,
      notification,
    ]),
  ];

  it.each(cases)('is valid for %s', (_name, notification) => {
    // Act
    const problems = adaptiveCardProblems(cardOf(renderTeams(notification)));

    // Assert
    expect(problems).toEqual([]);
  });

  // The check must be able to fail: each of these breaks a valid card in one way.
  const breakages: [string, (card: Record<string, any>) => void][] = [
    ['an element type misspelled', (card) => (card.body[0].type = 'Containr')],
    ['an action type misspelled', (card) => (card.actions[0].type = 'Action.OpenURL')],
    ['an OpenUrl action without url', (card) => delete card.actions[0].url],
    ['an invalid style value', (card) => (card.body[0].style = 'success')],
    ['a misspelled property', (card) => (card.body[0].items[0].weigth = card.body[0].items[0].weight)],
    ['an inline that is not a TextRun', (card) => (card.body[0].items[1].inlines[0].type = 'TextBlock')],
    ['a version with elements newer than it (RichTextBlock is 1.2)', (card) => (card.version = '1.1')],
    ['no version', (card) => delete card.version],
    ['a type other than AdaptiveCard', (card) => (card.type = 'MessageCard')],
  ];

  it.each(breakages)('reports a card with %s', (_name, breakIt) => {
    // Prepare
    const card = structuredClone(cardOf(renderTeams(completedWith(['/index.html'])))) as unknown as Record<string, any>;
    expect(adaptiveCardProblems(card)).toEqual([]);
    breakIt(card);

    // Act
    const problems = adaptiveCardProblems(card);

    // Assert
    expect(problems).not.toEqual([]);
  });
});

describe('renderTeams: limits', () => {
  it('keeps 3,000 long awkward paths within the budget, listing the first paths in order and "… and N more"', () => {
    // Prepare
    const notification = completedWithPaths(3_000);

    // Act
    const message = renderTeams(notification);

    // Assert
    expect(bytesOf(message)).toBeLessThanOrEqual(TEAMS_LIMITS.budgetBytes);
    expect(bytesOf(message)).toBeLessThan(28_000);
    const { lines, more } = pathsOf(cardOf(message));
    expect(lines.length).toBeGreaterThan(10);
    expect(lines).toEqual(notification.paths.sample.slice(0, lines.length));
    expect(more).toBe(3_000 - lines.length);
  });

  it('fills the budget: one more path would not have fitted', () => {
    // Prepare
    const notification = completedWithPaths(3_000);
    const shown = pathsOf(cardOf(renderTeams(notification))).lines.length;
    const oneMore: Notification = {
      ...notification,
      paths: { total: notification.paths.total, sample: notification.paths.sample.slice(0, shown + 1) },
    };

    // Act
    const withOneMore = pathsOf(cardOf(renderTeams(oneMore))).lines.length;

    // Assert: the budget, not the sample, was what stopped the list.
    expect(withOneMore).toBe(shown);
  });

  it.each(
    [...hostileNotifications(), ...hostileDeploymentNotifications()].map((notification) => [notification.outcome, notification] as const),
  )('keeps a huge hostile %s notification within the budget, with facts and a path count', (_outcome, notification) => {
    // Act
    const message = renderTeams(notification);

    // Assert
    expect(bytesOf(message)).toBeLessThanOrEqual(TEAMS_LIMITS.budgetBytes);
    expect(factsOf(cardOf(message))).toHaveLength(notification.facts.length);
    if (notification.paths.total > 0) expect(pathsOf(cardOf(message)).more).toBeGreaterThan(0);
  });

  it('shows every path and no "more" line when they all fit', () => {
    // Act
    const card = cardOf(renderTeams(completedWith(['/a', '/b'])));

    // Assert
    expect(pathsOf(card)).toEqual({ lines: ['/a', '/b'] });
  });

  // Each worst case is the most bytes per character somewhere: a backslash in a fact value is four
  // (markdown escape, then JSON escape), a lone surrogate six (a JSON \u escape).
  it.each([
    ['backslashes and quotes', '\\"'.repeat(100_000)],
    ['lone surrogates', '\ud800'.repeat(150_000)],
    ['emoji and markup', '😀*_[<&'.repeat(30_000)],
  ])('stays within the budget when every caller field is huge: %s', (_name, worst) => {
    // Prepare
    const notification: Notification = {
      ...buildNotification({
        outcome: 'still-in-progress',
        request: { ...distributionRequest, callerReference: worst, createdBy: worst },
        status: { ...completedStatus(samplePaths(Array(3_000).fill(worst), 3_000)), status: 'InProgress', lastError: worst },
      }),
      summary: worst,
      reason: worst,
      facts: Array.from({ length: 20 }, (_, i) => ({ label: `Fact ${i}`, value: worst })),
    };

    // Act
    const message = renderTeams(notification);

    // Assert
    expect(bytesOf(message)).toBeLessThanOrEqual(TEAMS_LIMITS.budgetBytes);
    expect(factsOf(cardOf(message)).length).toBeGreaterThan(0);
    expect(pathsOf(cardOf(message)).more).toBeDefined();
    expect(adaptiveCardProblems(cardOf(message))).toEqual([]);
  });
});

describe('renderTeams: caller text never becomes markup', () => {
  it.each([HOSTILE, ...LINE_STARTS])('shows %j inert, only in plain TextRuns, never in a markdown field', (reference) => {
    // Act
    const card = cardOf(renderTeams(hostileNotification(reference)));

    // Assert
    const line = inertMarkup(keepLiteral(oneLine(reference, 1_000)));
    expect(textRuns(card).filter((text) => text === line).length).toBeGreaterThanOrEqual(2); // "Created by" and "Caller reference"
    for (const field of markdownFields(card)) expect(rendered(field).markup).toEqual([]);
  });

  it('renders a hostile caller reference through markdown without any link, emphasis, list or HTML', () => {
    // Act
    const card = cardOf(renderTeams(hostileNotification(HOSTILE)));

    // Assert
    const html = markdownFields(card)
      .map((field) => markdown.render(field))
      .join('');
    expect(html).not.toMatch(/<a href="http:\/\/evil\.example">click<\/a>/);
    expect(html).not.toMatch(/<(em|strong|s|code|ul|ol|li|h\d|blockquote)>/);
    expect(html).not.toMatch(/<a href=x>/);
  });

  it('keeps caller text on one line: a newline cannot forge a line or a list item', () => {
    // Act
    const card = cardOf(renderTeams(hostileNotification(HOSTILE)));

    // Assert
    for (const field of markdownFields(card)) expect(field).not.toMatch(/[\r\n]/);
    expect(pathsOf(card).lines).toEqual([withoutControls(HOSTILE, REPLACEMENT).replace(/\{/g, '{\u2060')]);
  });

  it('puts caller text in TextRuns inert (emphasis as look-alikes, no link), and no date function expands', () => {
    // Prepare
    const notification = hostileNotification(HOSTILE);
    const failed = buildNotification({
      outcome: 'could-not-track',
      request: distributionRequest,
      error: { Error: 'Boom', Cause: HOSTILE },
    });

    // Act
    const runs = [...textRuns(cardOf(renderTeams(notification))), ...textRuns(cardOf(renderTeams(failed)))];

    // Assert
    expect(runs).toContain(inertMarkup(keepLiteral(oneLine(HOSTILE, 1_000))));
    expect(runs).toContain(inertMarkup(keepLiteral(failed.summary)));
    for (const run of runs) expect(run).not.toMatch(/\{\{DATE\(/);
  });

  it.each([
    ['an HTML link', 'Shop <a href="https://phish.example">Open the console</a>'],
    ['a Markdown link', 'Shop [Open the console](https://phish.example/t)'],
    ['an autolink', 'Shop <https://phish.example/t>'],
    ['a block quote', '> Shop'],
  ])('keeps %s in a tenant name inert in fallbackText, read as markdown with HTML', (_, name) => {
    // Prepare: a name read from CloudFront, which the summary carries.
    const notification = buildNotification({
      outcome: 'completed',
      request: { ...distributionRequest, target: { kind: 'tenant', id: 'dt_abc' } },
      status: completedStatus(samplePaths(['/a'], 1)),
      audience: { destinations: ['a'], routes: [], targetName: name },
    } as never);

    // Act
    const { fallbackText } = cardOf(renderTeams(notification));

    // Assert
    expect(fallbackText).not.toMatch(/<a href/);
    expect(rendered(fallbackText).markup).toEqual([]);
  });

  it("shows the shared hostile text (Slack's markup, entities, controls, a lone surrogate) without markup in every field", () => {
    // Act
    const card = cardOf(renderTeams(hostileNotification(HOSTILE_TEXT)));

    // Assert
    for (const field of markdownFields(card)) {
      const { markup, shown } = rendered(field);
      expect(markup).toEqual([]);
      // eslint-disable-next-line no-control-regex -- a NUL in the caller's text is what must not get through
      expect(shown).not.toMatch(/[\r\n\u0000]/);
    }
  });
});

describe('escapeCardMarkdown', () => {
  it.each([
    ['[click](http://x)', '\\[click\\](http://x)'],
    ['*a* _b_ ~c~ `d`', '\\*a\\* \\_b\\_ \\~c\\~ \\`d\\`'],
    ['<at>x</at> & y', '\\<at\\>x\\</at\\> \\& y'],
    ['back\\slash', 'back\\\\slash'],
    ['- item', '\\- item'],
    ['12. twelve', '12\\. twelve'],
    ['# h', '\\# h'],
    ['a-b 1. c # d', 'a-b 1. c # d'],
  ])('escapes %j as %j', (text, escaped) => {
    // Act / Assert
    expect(escapeCardMarkdown(text)).toBe(escaped);
  });
});

describe('renderTeams: deployments', () => {
  const deployments = deploymentNotifications();

  it.each([
    [
      'completed',
      '✅ CloudFront distribution deployed',
      /^UpdateDistribution of CloudFront distribution www\.example\.com \(EDFDVBD6EXAMPLE\) deployed in about 4 min\.$/,
    ],
    ['withLater', '✅ CloudFront distribution deployed', /deployed in about 4 min, together with 1 later change\.$/],
    [
      'stillInProgress',
      '⏳ CloudFront distribution still deploying',
      /is still deploying after 1 h 0 min; the notifier stopped watching\.$/,
    ],
    [
      'couldNotTrack',
      '⚠️ Could not track CloudFront distribution deployment',
      /^Could not track UpdateDistribution of .*The specified distribution does not exist\.$/,
    ],
  ] as const)("tells a deployment %s: title, summary, what changed, no paths block, the distribution's page", (phase, title, summary) => {
    // Act
    const card = cardOf(renderTeams(deployments[phase]));

    // Assert
    expect(markdownFields(card)[0]).toBe(title);
    expect(textRuns(card)[0]).toMatch(summary);
    expect(factsOf(card)).toContainEqual({
      title: 'What changed',
      value: 'configuration updated; now: enabled; aliases: www.example.com; 2 origins',
    });
    expect(markdownFields(card).some((field) => field.startsWith('Paths'))).toBe(false);
    expect(pathsOf(card).lines).toEqual([]);
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Open in console',
        url: 'https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/EDFDVBD6EXAMPLE',
      },
    ]);
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('names a tenant deployment and shows its name and domain as plain text', () => {
    // Act
    const card = cardOf(renderTeams(deploymentNotifications(tenantRequest).withLater));

    // Assert
    expect(markdownFields(card)[0]).toBe('✅ CloudFront distribution tenant deployed');
    expect(factsOf(card)).toContainEqual({ title: 'Deployed', value: 'together with 1 later change' });
    expect(factsOf(card)).toContainEqual({
      title: 'What changed',
      value: 'tenant created: customer-7; domains: customer-7.example.com; on distribution EDFDVBD6EXAMPLE',
    });
  });

  it('shows hostile aliases, tenant names and web ACL ARNs only in plain TextRuns, inert', () => {
    for (const notification of hostileDeploymentNotifications()) {
      // Act
      const card = cardOf(renderTeams(notification));

      // Assert
      const changed = factsOf(card).find((fact) => fact.title === 'What changed')!;
      // A cut may end the text with "<…", which opens nothing.
      expect(changed.value).not.toMatch(/[*~`\n]|\]\(|<(?![\u2060…])/);
      for (const field of markdownFields(card)) expect(rendered(field).markup).toEqual([]);
    }
  });
});
