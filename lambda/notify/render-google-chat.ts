/**
 * Google Chat: a space webhook message with a text fallback and a `cardsV2` card.
 *
 * Two markups meet caller text here. Card text (decoratedText, textParagraph) is a small HTML
 * subset (<b>, <i>, <font>, <a href>, <br>), so `&`, `<` and `>` become entities. The `text`
 * field has Chat's own syntax: `<users/...>` mentions, `<url|label>` links, `*bold*`, `_italic_`,
 * `~strike~`, code and, for apps set to Markdown, `[label](url)`: entities stop the first two,
 * {@link inertMarkup} the others, in the card too, paths included (a card may be read as Markdown). Bare URLs
 * are still linked by Chat, as in any message a person types.
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
import { IN_PROGRESS, workKeyOf, type MessagePhase, type Notification } from '../shared/notification';
import { clipEscaped, inertMarkup, jsonUtf8Bytes, oneLine, utf8Bytes } from '../shared/text';
import { countsLine, fitMembers } from './burst-list';
import { fitPaths } from './path-list';

export const GOOGLE_CHAT_LIMITS = {
  /** Chat's documented limit for message text. */
  textChars: 4_096,
  /** The whole message, about 32 KB (not documented precisely). */
  messageBytes: 32_000,
  /** Our budget for the JSON we post, below the approximate limit. */
  budgetBytes: 28_000,
} as const;

/**
 * Shares of {@link GOOGLE_CHAT_LIMITS.budgetBytes}, so that whatever callers write the rest
 * stays under about 25,000 bytes: text 4,000 UTF-16 units (at most 12,000 bytes) + 12 facts of
 * 720 + reason 1,600 + subtitle 300 + structure and console link about 2,000. The paths get
 * everything left, at least about 3,000 bytes, usually more than 20,000.
 */
const BUDGETS = {
  /** UTF-16 units: at least the characters Chat counts. */
  textUnits: 4_000,
  subtitleBytes: 300,
  reasonBytes: 1_600,
  factLabelBytes: 120,
  factValueBytes: 600,
  facts: 12,
} as const;

export interface GoogleChatWidget {
  readonly decoratedText?: { readonly topLabel: string; readonly text: string; readonly wrapText: boolean };
  readonly textParagraph?: { readonly text: string };
  readonly buttonList?: {
    readonly buttons: readonly { readonly text: string; readonly onClick: { readonly openLink: { readonly url: string } } }[];
  };
}

export interface GoogleChatSection {
  readonly header?: string;
  readonly widgets: readonly GoogleChatWidget[];
}

export interface GoogleChatMessage {
  readonly text: string;
  readonly cardsV2: readonly [
    {
      readonly cardId: string;
      readonly card: {
        readonly header: { readonly title: string; readonly subtitle?: string };
        readonly sections: readonly GoogleChatSection[];
      };
    },
  ];
}

const ICON: Record<MessagePhase, string> = { completed: '✅', 'still-in-progress': '⏳', 'could-not-track': '⚠️', [IN_PROGRESS]: '🔄' };

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Caller text for card HTML (and the header, in case it is read as HTML too). */
export function escapeChatHtml(text: string): string {
  return text.replace(/[&<>]/g, (character) => ENTITIES[character]!);
}

const unbounded = (text: string) => oneLine(text, Number.MAX_SAFE_INTEGER);

/** Caller text for the `text` field, on one line, within `maxUnits`: entities, and no emphasis or link. */
export function escapeChatText(text: string, maxUnits: number): string {
  return clipEscaped(inertMarkup(unbounded(text)), maxUnits, { escape: escapeChatHtml });
}

/** A one-line card HTML field within `maxBytes` of JSON. */
const htmlLine = (text: string, maxBytes: number) =>
  clipEscaped(inertMarkup(unbounded(text)), maxBytes, { escape: escapeChatHtml, measure: jsonUtf8Bytes });

function subtitleOf(notification: Notification): string | undefined {
  const target = notification.targetId
    ? `${notification.targetKind === 'tenant' ? 'Tenant' : 'Distribution'} ${notification.targetId}`
    : '';
  const work = notification.invalidationId ? `invalidation ${notification.invalidationId}` : (notification.change?.call ?? '');
  const parts = [target, work].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/**
 * Card IDs identify the card within the message; keep them to a plain token. Each watch's is
 * stable (an invalidation's ID; a deployment's target and change, see {@link workKeyOf}).
 */
const cardIdOf = (notification: Notification) =>
  `cloudfront-${notification.work}-${(workKeyOf(notification) ?? 'unknown').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64)}`;

// Paths are joined with <br> in the card, and fitPaths joins with newlines: count each as <br>.
const pathBytes = (text: string) => jsonUtf8Bytes(text.replace(/\n/g, '<br>'));

const jsonBytes = (value: unknown) => utf8Bytes(JSON.stringify(value));

/**
 * The webhook body, within {@link GOOGLE_CHAT_LIMITS.budgetBytes}. `text` is what notifications
 * and clients without cards show, and Chat shows it above the card, so the card does not repeat
 * the summary.
 */
export function renderGoogleChat(notification: Notification): GoogleChatMessage {
  const { outcome, paths } = notification;
  const details: GoogleChatWidget[] = notification.facts.slice(0, BUDGETS.facts).map((fact) => ({
    decoratedText: {
      topLabel: htmlLine(fact.label, BUDGETS.factLabelBytes),
      text: htmlLine(fact.value, BUDGETS.factValueBytes),
      wrapText: true,
    },
  }));
  if (notification.reason) details.push({ textParagraph: { text: `<i>${htmlLine(notification.reason, BUDGETS.reasonBytes)}</i>` } });
  const button: GoogleChatSection[] =
    notification.consoleUrl && /^https:\/\/\S+$/.test(notification.consoleUrl)
      ? [{ widgets: [{ buttonList: { buttons: [{ text: 'Open in console', onClick: { openLink: { url: notification.consoleUrl } } }] } }] }]
      : [];
  const subtitle = subtitleOf(notification);
  const text = `${ICON[outcome]} ${escapeChatText(notification.summary, BUDGETS.textUnits - 3)}`;
  const header = { title: htmlLine(notification.title, 300), ...(subtitle ? { subtitle: htmlLine(subtitle, BUDGETS.subtitleBytes) } : {}) };

  const message = (list: string): GoogleChatMessage => {
    const pathsSection: GoogleChatSection[] = list
      ? [{ header: `Paths (${paths.total})`, widgets: [{ textParagraph: { text: list } }] }]
      : [];
    const sections = [...(details.length > 0 ? [{ widgets: details }] : []), ...pathsSection, ...button];
    return { text, cardsV2: [{ cardId: cardIdOf(notification), card: { header, sections } }] };
  };
  if (paths.total === 0) return message('');

  // The list sits inside one JSON string, so its JSON bytes add up exactly to the message's.
  const room = GOOGLE_CHAT_LIMITS.budgetBytes - jsonBytes(message('x')) + 1;
  const list = fitPaths(paths, { maxChars: room, inert: inertMarkup, escape: escapeChatHtml, measure: pathBytes });
  return message(list.replace(/\n/g, '<br>'));
}

/**
 * Shares of {@link GOOGLE_CHAT_LIMITS.budgetBytes} for a burst: text 4,000 UTF-16 units (at
 * most 12,000 bytes) + subtitle 600 + slowest 1,000 + title and structure about 1,000; the list
 * gets the rest, at least about 13,000 bytes, one line per member of at most 800.
 */
const BURST_BUDGETS = { subtitleBytes: 600, memberBytes: 800 } as const;

const memberHtml = (member: BurstMember) =>
  htmlLine(`${ICON[phaseOf(member)]} ${memberLabel(member)} · ${memberStatus(member)}`, BURST_BUDGETS.memberBytes);

/**
 * A digest of many invalidations (or deployments), within {@link GOOGLE_CHAT_LIMITS.budgetBytes}: the summary as
 * text, a card with the counts, the slowest and as many members as fit (failures first), the
 * rest counted by state.
 */
export function renderGoogleChatBurst(burst: BurstNotification): GoogleChatMessage {
  const phase = worstPhase(burst.counts);
  const text = `${ICON[phase]} ${escapeChatText(burst.summary, BUDGETS.textUnits - 3)}`;
  const counts = countsLine(burst.counts, ICON, burst.work);
  const header = { title: htmlLine(burst.title, 300), ...(counts ? { subtitle: htmlLine(counts, BURST_BUDGETS.subtitleBytes) } : {}) };
  const slowest: GoogleChatSection[] = burst.slowest
    ? [{ widgets: [{ decoratedText: { topLabel: 'Slowest', text: memberHtml(burst.slowest), wrapText: true } }] }]
    : [];
  const message = (list: string): GoogleChatMessage => ({
    text,
    cardsV2: [
      {
        cardId: `cloudfront-${burst.work}-burst`,
        card: {
          header,
          sections: [
            ...(list ? [{ header: WORK_NOUNS[burst.work].heading, widgets: [{ textParagraph: { text: list } }] }] : []),
            ...slowest,
          ],
        },
      },
    ],
  });
  // The list sits inside one JSON string, so its JSON bytes add up exactly to the message's.
  const room = GOOGLE_CHAT_LIMITS.budgetBytes - jsonBytes(message('x')) + 1;
  const { lines } = fitMembers(burst, { line: memberHtml, moreLine: escapeChatHtml, maxChars: room, measure: pathBytes });
  return message(lines.join('<br>'));
}
