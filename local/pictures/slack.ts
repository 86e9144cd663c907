/**
 * A Slack message drawn in HTML: an approximation of how Slack's desktop client (light theme)
 * draws Block Kit, not Slack itself. It draws what the renderer emits (header, section text and
 * fields, context, dividers, buttons) and the mrkdwn the renderer writes: *bold*, _italic_,
 * ~strike~, `code`, ``` blocks, links `<url|label>` and emoji shortcodes. Slack's own escaping
 * (`&amp;`, `&lt;`, `&gt;`) is read back to text, and every text is escaped for this page: caller
 * text is shown as written, never as markup.
 */
import type { SlackMessage } from '../../lambda/notify/render-slack';
import { MONO, SANS, decodeEntities, escapeHtml, picturePage, type Caption } from './html';

/** The shortcodes the renderer uses, as Slack shows them. */
const EMOJI: Record<string, string> = {
  ':white_check_mark:': '✅',
  ':warning:': '⚠️',
  ':arrows_counterclockwise:': '🔄',
  ':hourglass_flowing_sand:': '⏳',
};

// A link or mention `<...>`, `code`, *bold*, _italic_, ~strike~ (as Slack, not inside a word:
// `deploy_web_1342` stays as written), an emoji shortcode.
const INLINE =
  /<([^<>]+)>|`([^`\n]+)`|(?<![\p{L}\p{N}])\*([^*\n]+)\*(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])_([^_\n]+)_(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])~([^~\n]+)~(?![\p{L}\p{N}])|(:[a-z0-9_+-]+:)/gu;

const text = (raw: string) => escapeHtml(decodeEntities(raw)).replace(/\n/g, '<br>');

/** One line of mrkdwn (no code block in it) as HTML. */
function inline(mrkdwn: string): string {
  let html = '';
  let last = 0;
  for (const match of mrkdwn.matchAll(INLINE)) {
    html += text(mrkdwn.slice(last, match.index));
    last = match.index + match[0].length;
    const [whole, link, code, bold, italic, strike, emoji] = match;
    if (link !== undefined) {
      // `<url|label>` shows its label, `<url>` the URL; a mention (`<!here>`, `<@U...>`) would be
      // drawn as a link too, but the renderer never writes one.
      const bar = link.indexOf('|');
      html += `<span class="link">${text(bar >= 0 ? link.slice(bar + 1) : link)}</span>`;
    } else if (code !== undefined) html += `<code>${text(code)}</code>`;
    else if (bold !== undefined) html += `<b>${inline(bold)}</b>`;
    else if (italic !== undefined) html += `<i>${inline(italic)}</i>`;
    else if (strike !== undefined) html += `<s>${inline(strike)}</s>`;
    else html += emoji !== undefined && EMOJI[emoji] ? EMOJI[emoji] : text(whole);
  }
  return html + text(mrkdwn.slice(last));
}

/** A mrkdwn text: code blocks between ``` fences, the rest inline. */
export function mrkdwnHtml(mrkdwn: string): string {
  return mrkdwn
    .split('```')
    .map((part, index) => (index % 2 === 1 ? `<pre>${escapeHtml(decodeEntities(part.replace(/^\n/, '')))}</pre>` : inline(part)))
    .join('');
}

interface TextObject {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
}

const textObject = (object: TextObject | undefined) =>
  object === undefined ? '' : object.type === 'mrkdwn' ? mrkdwnHtml(object.text) : text(object.text);

function blockHtml(block: Readonly<Record<string, unknown>>): string {
  switch (block.type) {
    case 'header':
      return `<div class="header">${escapeHtml((block.text as TextObject).text)}</div>`;
    case 'section': {
      const fields = (block.fields as TextObject[] | undefined) ?? [];
      return `<div class="section">${block.text ? `<div>${textObject(block.text as TextObject)}</div>` : ''}${
        fields.length > 0 ? `<div class="fields">${fields.map((field) => `<div>${textObject(field)}</div>`).join('')}</div>` : ''
      }</div>`;
    }
    case 'context':
      return `<div class="context">${(block.elements as TextObject[]).map((element) => `<span>${textObject(element)}</span>`).join('')}</div>`;
    case 'divider':
      return '<hr>';
    case 'actions':
      return `<div class="actions">${(block.elements as { text: TextObject }[])
        .map((button) => `<span class="button">${textObject(button.text)}</span>`)
        .join('')}</div>`;
    default:
      return `<div class="unknown">(a ${escapeHtml(String(block.type))} block, which this approximation does not draw)</div>`;
  }
}

const CSS = `
.frame { padding: 16px 20px 20px; display: flex; gap: 8px; color: #1d1c1d; font: 15px/22px ${SANS}; }
.avatar { flex: none; width: 36px; height: 36px; border-radius: 6px; background: #8c4fff; color: #fff; font: 700 14px/36px ${SANS}; text-align: center; }
.message { min-width: 0; flex: 1; }
.sender { font-weight: 700; }
.badge { margin-left: 4px; padding: 1px 3px; border-radius: 2px; background: rgba(29,28,29,.13); color: rgba(29,28,29,.7); font: 700 10px/14px ${SANS}; vertical-align: 2px; }
.header { margin: 4px 0 2px; font-size: 18px; line-height: 26px; font-weight: 700; overflow-wrap: anywhere; }
.section { margin: 4px 0; overflow-wrap: anywhere; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-top: 4px; }
.context { margin: 6px 0 2px; color: #616061; font-size: 13px; line-height: 18px; }
.context span + span { margin-left: 8px; }
.link { color: #1264a3; }
code { padding: 2px 3px 1px; border: 1px solid rgba(29,28,29,.13); border-radius: 3px; background: rgba(29,28,29,.04); color: #e01e5a; font: 12px/18px ${MONO}; }
pre { margin: 4px 0; padding: 8px; border: 1px solid rgba(29,28,29,.13); border-radius: 4px; background: rgba(29,28,29,.04); font: 12px/18px ${MONO}; white-space: pre-wrap; overflow-wrap: anywhere; }
hr { margin: 8px 0; border: none; border-top: 1px solid rgba(29,28,29,.13); }
.button { display: inline-block; margin: 8px 8px 0 0; padding: 0 12px; border: 1px solid rgba(29,28,29,.3); border-radius: 4px; font: 700 15px/28px ${SANS}; }
.unknown { color: #616061; font-style: italic; }
`;

/** The page for one Slack message, in a message row of an app named `sender`. */
export function slackPage(message: SlackMessage, caption: Caption, sender: string): string {
  const body = `<div class="frame"><div class="avatar">CF</div><div class="message"><div><span class="sender">${escapeHtml(sender)}</span><span class="badge">APP</span></div>${message.blocks.map(blockHtml).join('')}</div></div>`;
  return picturePage({ caption, css: CSS, body });
}
