/**
 * The page every picture is drawn on: a fixed width, fixed fonts installed on Debian (Liberation
 * Sans and Mono, Noto Color Emoji), a caption that says what the picture is, and no script.
 *
 * Every text taken from a payload goes through {@link escapeHtml}: payloads carry caller text
 * (paths, caller references, principal names), which must show as text, never become markup.
 */

export const PICTURE_WIDTH = 720;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character]!);
}

/** The entities the platforms' own escaping produces (`&amp;`, `&lt;`, `&gt;`, and quotes in Chat's HTML), back to text. */
export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name]!);
}

export const SANS = "'Liberation Sans', 'Noto Color Emoji', sans-serif";
export const MONO = "'Liberation Mono', 'Noto Color Emoji', monospace";

export interface Caption {
  /** What the picture shows, e.g. "Slack: a distribution invalidation that completed". */
  readonly title: string;
  /** How it was drawn, e.g. "an approximation of Slack's rendering, not a screenshot of Slack". */
  readonly note: string;
}

/**
 * A whole page: the caption above the message. `scripts` allows the page's own scripts (the
 * Teams picture runs Microsoft's renderer); without it the page may run none at all, so even a
 * mistake in escaping could not run a payload's script.
 */
export function picturePage({
  caption,
  css,
  body,
  scripts = false,
}: {
  caption: Caption;
  css: string;
  body: string;
  scripts?: boolean;
}): string {
  const policy = scripts ? '' : `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${policy}
<style>
*, *::before, *::after { animation: none !important; transition: none !important; caret-color: transparent; }
html, body { margin: 0; padding: 0; background: #ffffff; }
body { width: ${PICTURE_WIDTH}px; font-family: ${SANS}; -webkit-font-smoothing: antialiased; }
#picture { width: ${PICTURE_WIDTH}px; display: flow-root; }
.caption { padding: 8px 16px; background: #3b3f45; color: #ffffff; font: 13px/18px ${SANS}; }
.caption b { font-weight: 700; }
.caption .note { color: #d6d9de; font-style: italic; }
.caption .cut { color: #ffd479; }
${css}
</style></head>
<body><div id="picture"><div class="caption"><b>${escapeHtml(caption.title)}</b><br><span class="note">${escapeHtml(caption.note)}</span></div>${body}</div></body></html>`;
}
