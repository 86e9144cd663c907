/**
 * A Google Chat message drawn in HTML: an approximation of how Google Chat on the web draws a
 * `cardsV2` card, not Google Chat itself: the message's `text` above the card, then the card's
 * header (title, subtitle), its sections (header, decoratedText with its top label, textParagraph,
 * buttonList), divided as Chat divides them. Card text is Chat's HTML subset; this draws the tags
 * the renderer writes (`<b>`, `<i>`, `<br>`) and shows everything else as text: entities are read
 * back and every text is escaped for this page, so caller text never becomes markup.
 */
import type { GoogleChatMessage, GoogleChatWidget } from '../../lambda/notify/render-google-chat';
import { SANS, decodeEntities, escapeHtml, picturePage, type Caption } from './html';

/** The tags of Chat's card HTML drawn here, each as this page writes it (never the payload's own tag). */
const TAGS: Record<string, string> = {
  '<b>': '<b>',
  '</b>': '</b>',
  '<i>': '<i>',
  '</i>': '</i>',
  '<u>': '<u>',
  '</u>': '</u>',
  '<s>': '<s>',
  '</s>': '</s>',
  '<br>': '<br>',
};

/** Card HTML (Chat's subset) as HTML for this page: the known tags kept, the rest text. */
export function chatHtml(cardHtml: string): string {
  return cardHtml
    .split(/(<\/?[a-z]+>)/i)
    .map((part, index) => (index % 2 === 1 && TAGS[part.toLowerCase()] ? TAGS[part.toLowerCase()] : escapeHtml(decodeEntities(part))))
    .join('');
}

/** The message's `text` (Chat's text format: the renderer's caller text inert, entities escaped). */
const messageText = (text: string) => escapeHtml(decodeEntities(text)).replace(/\n/g, '<br>');

function widgetHtml(widget: GoogleChatWidget): string {
  if (widget.decoratedText)
    return `<div class="decorated"><div class="top-label">${chatHtml(widget.decoratedText.topLabel)}</div><div>${chatHtml(widget.decoratedText.text)}</div></div>`;
  if (widget.textParagraph) return `<div class="paragraph">${chatHtml(widget.textParagraph.text)}</div>`;
  if (widget.buttonList)
    return `<div class="buttons">${widget.buttonList.buttons.map((button) => `<span class="button">${escapeHtml(button.text)}</span>`).join('')}</div>`;
  return `<div class="unknown">(a widget this approximation does not draw: ${escapeHtml(Object.keys(widget).join(', '))})</div>`;
}

const CSS = `
.frame { padding: 16px 20px 20px; display: flex; gap: 12px; color: #1f1f1f; font: 14px/20px ${SANS}; }
.avatar { flex: none; width: 32px; height: 32px; border-radius: 50%; background: #0b57d0; color: #fff; font: 700 12px/32px ${SANS}; text-align: center; }
.message { min-width: 0; flex: 1; }
.sender { font-weight: 700; font-size: 14px; }
.badge { margin-left: 6px; padding: 0 4px; border: 1px solid #c4c7c5; border-radius: 4px; color: #444746; font-size: 11px; line-height: 16px; }
.text { margin: 2px 0 8px; overflow-wrap: anywhere; }
.card { max-width: 600px; border: 1px solid #dadce0; border-radius: 8px; overflow: hidden; background: #fff; }
.card-header { padding: 16px; }
.title { font-size: 16px; line-height: 24px; font-weight: 700; overflow-wrap: anywhere; }
.subtitle { color: #444746; font-size: 14px; overflow-wrap: anywhere; }
.section { padding: 8px 16px 12px; border-top: 1px solid #e1e3e1; }
.section-header { margin: 4px 0 4px; color: #444746; font-size: 14px; font-weight: 700; }
.decorated { padding: 6px 0; overflow-wrap: anywhere; }
.top-label { color: #444746; font-size: 12px; line-height: 16px; }
.paragraph { padding: 6px 0; overflow-wrap: anywhere; }
.buttons { padding: 6px 0; }
.button { display: inline-block; padding: 0 24px; border-radius: 20px; background: #0b57d0; color: #fff; font: 700 14px/40px ${SANS}; }
.unknown { color: #444746; font-style: italic; }
`;

/** The page for one Google Chat message, posted by a webhook named `sender`. */
export function googleChatPage(message: GoogleChatMessage, caption: Caption, sender: string): string {
  const cards = message.cardsV2
    .map(({ card }) => {
      const header = `<div class="card-header"><div class="title">${chatHtml(card.header.title)}</div>${
        card.header.subtitle ? `<div class="subtitle">${chatHtml(card.header.subtitle)}</div>` : ''
      }</div>`;
      const sections = card.sections
        .map(
          (section) =>
            `<div class="section">${section.header ? `<div class="section-header">${chatHtml(section.header)}</div>` : ''}${section.widgets.map(widgetHtml).join('')}</div>`,
        )
        .join('');
      return `<div class="card">${header}${sections}</div>`;
    })
    .join('');
  const body = `<div class="frame"><div class="avatar">CF</div><div class="message"><div><span class="sender">${escapeHtml(sender)}</span><span class="badge">App</span></div><div class="text">${messageText(message.text)}</div>${cards}</div></div>`;
  return picturePage({ caption, css: CSS, body });
}
