/**
 * Microsoft Teams: an Adaptive Card for a Teams Workflows webhook ("Post to a channel when a
 * webhook request is received"). Workflows take Adaptive Cards only, in the `message` envelope
 * below; a bare `{"text": ...}` fails inside the flow. Office 365 connector webhooks are retired.
 *
 * Caller text (summary, reason, paths) goes into RichTextBlock TextRuns, which the Adaptive Card
 * format renders without markdown. Facts go into TextRuns too (a FactSet's values are markdown in
 * Teams, and backslash escapes show literally in some clients). `fallbackText` may be read as
 * markdown (the schema says so) and shows as plain text elsewhere, so there and in every one-line
 * TextRun caller text is made inert rather than escaped ({@link inertMarkup}): nothing shows a
 * backslash, nothing becomes a link or emphasis whichever way a host reads it.
 */
import {
  WORK_NOUNS,
  memberLabel,
  memberStatus,
  phaseOf,
  worstPhase,
  type BurstMember,
  type BurstNotification,
} from '../shared/burst-notification';
import { IN_PROGRESS, type MessagePhase, type Notification } from '../shared/notification';
import { clipEscaped, inertMarkup, jsonUtf8Bytes, oneLine, utf8Bytes } from '../shared/text';
import { countsLine, fitMembers } from './burst-list';
import { fitPaths } from './path-list';

export const TEAMS_LIMITS = {
  /** Teams refuses a message over 28 KB. */
  messageBytes: 28_000,
  /** Our budget for the JSON we post: the flow wraps the card in a message of its own. */
  budgetBytes: 25_000,
} as const;

/**
 * Shares of {@link TEAMS_LIMITS.budgetBytes}, in JSON bytes (what the request carries), so that
 * whatever callers write the rest stays under about 16,000 bytes: summary 2,000 + reason 1,600
 * + 12 facts of 720 + fallback 600 + title, structure and console link about 2,500. The paths
 * get everything left, at least about 9,000 bytes.
 */
const BUDGETS = {
  summaryBytes: 2_000,
  reasonBytes: 1_600,
  factLabelBytes: 120,
  factValueBytes: 600,
  facts: 12,
  fallbackBytes: 600,
} as const;

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/**
 * A card declares the lowest version it needs, and a host shows only `fallbackText` for a
 * version above its own. Nothing here is newer than 1.2 (RichTextBlock, TextRun, Container
 * styles); 1.4 is the floor that Teams Workflows documents, and 1.5 would add nothing we use
 * while shutting out hosts that lag behind it.
 */
export const ADAPTIVE_CARD_VERSION = '1.4';

export type CardElement = Readonly<Record<string, unknown>> & { readonly type: string };

export interface AdaptiveCard {
  readonly type: 'AdaptiveCard';
  readonly $schema: string;
  readonly version: string;
  readonly fallbackText: string;
  readonly body: readonly CardElement[];
  readonly actions?: readonly CardElement[];
  /** Teams' own extension: use the channel's full width, which long paths need. */
  readonly msteams: { readonly width: 'Full' };
}

export interface TeamsMessage {
  readonly type: 'message';
  readonly attachments: readonly [
    { readonly contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; readonly contentUrl: null; readonly content: AdaptiveCard },
  ];
}

const STYLE: Record<MessagePhase, string> = {
  completed: 'good',
  'still-in-progress': 'warning',
  'could-not-track': 'attention',
  [IN_PROGRESS]: 'accent',
};
const ICON: Record<MessagePhase, string> = { completed: '✅', 'still-in-progress': '⏳', 'could-not-track': '⚠️', [IN_PROGRESS]: '🔄' };

// Hosts expand {{DATE(...)}} and {{TIME(...)}} in TextBlocks and TextRuns; a word joiner
// between the braces keeps a caller's text as written. Applied before any cut.
const DATE_FUNCTION = /\{\{(?=\s*(?:DATE|TIME)\s*\()/gi;
const keepLiteral = (text: string) => text.replace(DATE_FUNCTION, '{\u2060{');
/** The same, one character at a time (a path list is cut between characters): a joiner after every `{`. */
const keepBracesLiteral = (text: string) => text.replace(/\{/g, '{\u2060');

/** Every character that can open inline markup: emphasis, code, links, autolinks, entities. */
const escapeInline = (text: string) => text.replace(/[\\`*_~[\]<>&]/g, (character) => `\\${character}`);

/** A heading, list or quote marker counts only at the start of a line, and these fields are one line. */
const escapeLineStart = (text: string) => text.replace(/^(\s*)([#+-])/, '$1\\$2').replace(/^(\s*\d+)([.)])/, '$1\\$2');

/** Caller text for a markdown field (FactSet titles and values, TextBlocks, fallbackText). */
export function escapeCardMarkdown(text: string): string {
  return escapeLineStart(escapeInline(keepLiteral(text)));
}

const unbounded = (text: string) => oneLine(text, Number.MAX_SAFE_INTEGER);

/** A one-line markdown field within `maxBytes` of JSON (the line-start escape may add two). */
const markdownLine = (text: string, maxBytes: number) =>
  escapeLineStart(clipEscaped(keepLiteral(unbounded(text)), maxBytes - 2, { escape: escapeInline, measure: jsonUtf8Bytes }));

/** A one-line TextRun or the fallback text within `maxBytes` of JSON: inert, not escaped. */
const plainLine = (text: string, maxBytes: number) =>
  clipEscaped(inertMarkup(keepLiteral(unbounded(text))), maxBytes, { measure: jsonUtf8Bytes });

const richText = (text: string, extra: Record<string, unknown> = {}): CardElement => ({
  type: 'RichTextBlock',
  inlines: [{ type: 'TextRun', text, ...extra }],
});

const envelope = (content: AdaptiveCard): TeamsMessage => ({
  type: 'message',
  attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content }],
});

const jsonBytes = (value: unknown) => utf8Bytes(JSON.stringify(value));

/** The Workflows webhook body, within {@link TEAMS_LIMITS.budgetBytes}: as many paths as fit. */
export function renderTeams(notification: Notification): TeamsMessage {
  const { outcome, paths } = notification;
  const body: CardElement[] = [
    {
      type: 'Container',
      style: STYLE[outcome],
      items: [
        {
          type: 'TextBlock',
          text: markdownLine(`${ICON[outcome]} ${notification.title}`, 300),
          weight: 'Bolder',
          size: 'Medium',
          wrap: true,
        },
        richText(plainLine(notification.summary, BUDGETS.summaryBytes)),
      ],
    },
  ];
  const facts = notification.facts.slice(0, BUDGETS.facts);
  if (facts.length > 0) {
    // Not a FactSet: Teams renders its values as markdown, and its backslash escapes show as
    // such in some clients. TextRuns are never markdown: "Label: value", the label bold.
    body.push({
      type: 'RichTextBlock',
      inlines: facts.flatMap((fact, index) => [
        { type: 'TextRun', text: `${index > 0 ? '\n' : ''}${plainLine(fact.label, BUDGETS.factLabelBytes)}: `, weight: 'Bolder' },
        { type: 'TextRun', text: plainLine(fact.value, BUDGETS.factValueBytes) },
      ]),
    });
  }
  // For "could not track" the reason is already the point of the summary.
  if (notification.reason && outcome !== 'could-not-track')
    body.push(richText(plainLine(notification.reason, BUDGETS.reasonBytes), { isSubtle: true }));

  const consoleUrl = notification.consoleUrl && /^https:\/\/\S+$/.test(notification.consoleUrl) ? notification.consoleUrl : undefined;
  const card = (list: string): AdaptiveCard => ({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: ADAPTIVE_CARD_VERSION,
    // Shown where the card cannot be, as plain text or as markdown: inert, no backslashes.
    fallbackText: plainLine(notification.summary, BUDGETS.fallbackBytes),
    body:
      paths.total > 0
        ? [
            ...body,
            { type: 'TextBlock', text: `Paths (${paths.total})`, weight: 'Bolder', separator: true, wrap: true },
            ...(list ? [{ ...richText(list, { fontType: 'Monospace' }), spacing: 'Small' }] : []),
          ]
        : body,
    ...(consoleUrl ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in console', url: consoleUrl }] } : {}),
    msteams: { width: 'Full' },
  });
  if (paths.total === 0) return envelope(card(''));

  // The list sits inside one JSON string, so its JSON bytes add up exactly to the message's.
  const room = TEAMS_LIMITS.budgetBytes - jsonBytes(envelope(card('x'))) + 1;
  const list = fitPaths(paths, { maxChars: room, escape: keepBracesLiteral, measure: jsonUtf8Bytes });
  return envelope(card(list));
}

/**
 * Shares of {@link TEAMS_LIMITS.budgetBytes} for a burst, in JSON bytes: summary 2,000 + counts
 * 600 + slowest 1,000 + fallback 600 + title and structure about 1,500; the list gets the rest,
 * about 19,000 bytes, one line per member of at most 800.
 */
const BURST_BUDGETS = { summaryBytes: 2_000, countsBytes: 600, memberBytes: 800, fallbackBytes: 600 } as const;

const memberText = (member: BurstMember) =>
  plainLine(`${ICON[phaseOf(member)]} ${memberLabel(member)} · ${memberStatus(member)}`, BURST_BUDGETS.memberBytes);

/**
 * A digest of many invalidations (or deployments) as one Adaptive Card, within {@link TEAMS_LIMITS.budgetBytes}:
 * the summary, the counts, the slowest, and as many members as fit (failures first), the rest
 * counted by state. Every caller text is a TextRun, never markdown.
 */
export function renderTeamsBurst(burst: BurstNotification): TeamsMessage {
  const phase = worstPhase(burst.counts);
  const body: CardElement[] = [
    {
      type: 'Container',
      style: STYLE[phase],
      items: [
        { type: 'TextBlock', text: markdownLine(`${ICON[phase]} ${burst.title}`, 300), weight: 'Bolder', size: 'Medium', wrap: true },
        richText(plainLine(burst.summary, BURST_BUDGETS.summaryBytes)),
      ],
    },
  ];
  const counts = countsLine(burst.counts, ICON, burst.work);
  if (counts) body.push(richText(plainLine(counts, BURST_BUDGETS.countsBytes), { isSubtle: true }));
  if (burst.slowest)
    body.push({
      type: 'RichTextBlock',
      inlines: [
        { type: 'TextRun', text: 'Slowest: ', weight: 'Bolder' },
        { type: 'TextRun', text: memberText(burst.slowest) },
      ],
    });
  const card = (list: string): AdaptiveCard => ({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: ADAPTIVE_CARD_VERSION,
    fallbackText: plainLine(burst.summary, BURST_BUDGETS.fallbackBytes),
    body: list
      ? [
          ...body,
          { type: 'TextBlock', text: WORK_NOUNS[burst.work].heading, weight: 'Bolder', separator: true, wrap: true },
          { ...richText(list), spacing: 'Small' },
        ]
      : body,
    msteams: { width: 'Full' },
  });
  // The list sits inside one JSON string, so its JSON bytes add up exactly to the message's.
  const room = TEAMS_LIMITS.budgetBytes - jsonBytes(envelope(card('x'))) + 1;
  const { lines } = fitMembers(burst, { line: memberText, maxChars: room, measure: jsonUtf8Bytes });
  return envelope(card(lines.join('\n')));
}
