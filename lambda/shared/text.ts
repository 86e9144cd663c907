/**
 * Text that callers control (paths, caller references, principal names) passes through here
 * before any rendering: cut on code points (never half an emoji), bounded, and, for fields
 * shown on one line, free of control characters and line breaks (a newline in a caller
 * reference must not forge a second line in an e-mail).
 */

export const ELLIPSIS = '…';

/** Shown where a character could not be kept (a control character in a path, a lone surrogate). */
export const REPLACEMENT = '\ufffd';

/** Code points, not UTF-16 units: `'😀'.length` is 2, `codePointLength('😀')` is 1. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** UTF-8 bytes: what SNS and EventBridge count against their limits. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** UTF-16 units the text takes inside a JSON string literal (`"` and `\` take two). */
export function jsonUnits(text: string): number {
  return JSON.stringify(text).length - 2;
}

/** UTF-8 bytes the text takes inside a JSON string literal: a payload's size, counted field by field. */
export function jsonUtf8Bytes(text: string): number {
  return utf8Bytes(JSON.stringify(text)) - 2;
}

export interface ClipOptions {
  /**
   * Applied to each code point; it must map characters independently
   * (`escape(a + b) === escape(a) + escape(b)`), as entity escaping does.
   */
  readonly escape?: (text: string) => string;
  /** How the budget is counted; additive over concatenation. Default: UTF-16 units (`.length`). */
  readonly measure?: (text: string) => number;
}

const identity = (text: string) => text;
const utf16Units = (text: string) => text.length;

/**
 * The escaped text, at most `max` by `measure`; when cut, it ends with an ellipsis. The cut
 * falls between code points of the source, so neither a surrogate pair nor an escape sequence
 * (`&amp;`) is ever split. Too small a budget for anything gives the empty string.
 */
export function clipEscaped(text: string, max: number, options: ClipOptions = {}): string {
  const escape = options.escape ?? identity;
  const measure = options.measure ?? utf16Units;
  const whole = escape(text);
  if (measure(whole) <= max) return whole;
  const budget = max - measure(ELLIPSIS);
  if (budget < 0) return '';
  let out = '';
  let used = 0;
  for (const point of text) {
    const piece = escape(point);
    const size = measure(piece);
    if (used + size > budget) break;
    out += piece;
    used += size;
  }
  return `${out}${ELLIPSIS}`;
}

/**
 * At most `max` code points; when cut, the last one is an ellipsis. Never splits a surrogate
 * pair. `max` < 1 gives the empty string.
 */
export function clip(text: string, max: number): string {
  if (max < 1) return '';
  if (text.length <= max) return text;
  return clipEscaped(text, max, { measure: codePointLength });
}

/** At most `maxBytes` of UTF-8, cut on code points, with an ellipsis when cut. */
export function clipUtf8(text: string, maxBytes: number): string {
  return clipEscaped(text, maxBytes, { measure: utf8Bytes });
}

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// A run of them with the spaces around it: "a \r\n b" reads "a b", as it did on two lines.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_OR_BREAK_RUN = / *[\u0000-\u001f\u007f-\u009f\u2028\u2029][ \u0000-\u001f\u007f-\u009f\u2028\u2029]*/g;
// Half an emoji, from a cut made elsewhere: JSON.stringify writes it as an escape some
// platforms refuse, and it shows as garbage.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/*
 * Invisible characters that change how text reads: the bidirectional embeddings, overrides and
 * isolates (U+202A-202E, U+2066-2069, U+061C, U+200E-200F) can show "deploy-1342" as "2431-yolped",
 * and the zero-width ones (U+200B-200D, U+2060, the BOM) hide inside names that look identical.
 * They are all Unicode format characters (`\p{Cf}`), as are the other invisible ones (soft
 * hyphen, tag characters, Arabic number marks), so every `\p{Cf}` goes from one-line fields.
 * So do the invisible characters of other categories: the variation selectors (U+FE00-FE0F,
 * U+E0100-E01EF: 256 of them can carry any bytes unseen), the Hangul fillers (U+3164, U+115F,
 * U+1160, U+FFA0), the braille blank (U+2800) and the combining grapheme joiner (U+034F).
 * Kept, where an emoji needs them: one text or emoji presentation selector right after an emoji
 * (❤️), the joiner inside a sequence (👩‍💻), and the tags of a well-formed subdivision flag (🏴,
 * tags, the cancel tag: 🏴󠁧󠁢󠁳󠁣󠁴󠁿); tags without their flag or cancel tag hide ASCII and go.
 * What is kept there has nothing to reorder or hide.
 */
const TAG_SPEC = '[\\u{E0020}-\\u{E007E}]';
const FORMAT_CHARACTER = new RegExp(
  [
    // Kept (captured): the joiner inside an emoji sequence,
    '((?<=[\\p{Extended_Pictographic}\\p{Emoji_Modifier}\\uFE0F])\\u200D(?=\\p{Extended_Pictographic})',
    // one presentation selector right after an emoji,
    '(?<=\\p{Emoji})(?:\\uFE0E|\\uFE0F)',
    // a flag's tags, each with the flag before it and the cancel tag after the run,
    `(?<=\\u{1F3F4}${TAG_SPEC}{0,31})${TAG_SPEC}(?=${TAG_SPEC}{0,31}\\u{E007F})`,
    // and the cancel tag that ends them.
    `(?<=\\u{1F3F4}${TAG_SPEC}{1,32})\\u{E007F})`,
    // Gone: every other format or invisible character.
    '\\p{Cf}|[\\u3164\\u115F\\u1160\\uFFA0\\u2800]|\\u034F|[\\uFE00-\\uFE0F]|[\\u{E0100}-\\u{E01EF}]',
  ].join('|'),
  'gu',
);
/** Each invisible format character becomes `replacement` (nothing: gone); emoji sequences stay whole. */
function replaceInvisibles(text: string, replacement: string): string {
  return text.replace(FORMAT_CHARACTER, (_character, kept: string | undefined) => kept ?? replacement);
}

/** The text without invisible format characters (see above); emoji sequences stay whole. */
export function withoutInvisibles(text: string): string {
  return replaceInvisibles(text, '');
}

/**
 * Each control character, line break and lone surrogate becomes `replacement`, one for one,
 * and so does each invisible format character (outside emoji sequences): for text whose every character
 * counts (a path), where {@link oneLine} would merge and trim.
 */
export function withoutControls(text: string, replacement: string): string {
  return replaceInvisibles(text.replace(LONE_SURROGATE, REPLACEMENT).replace(CONTROL_OR_BREAK, replacement), replacement);
}

/**
 * One line: control characters and line breaks become a single space, invisible format
 * characters go ({@link withoutInvisibles}), then bounded by {@link clip}. Every one-line field
 * of every rendering is made here.
 */
export function oneLine(text: string, max: number): string {
  return clip(withoutInvisibles(text.replace(LONE_SURROGATE, REPLACEMENT)).replace(CONTROL_OR_BREAK_RUN, ' ').trim(), max);
}

/** WORD JOINER: invisible, breaks a sequence the markup parsers look for without changing what people read. */
export const WORD_JOINER = '\u2060';

/*
 * Markdown-like markups (Slack mrkdwn, Google Chat text, Adaptive Card markdown, Amazon Q's
 * client-markdown read by Slack and Teams) offer no escape that all of them honour: a backslash
 * shows as such in Slack. So caller text is made inert instead, one character at a time (a cut
 * can fall anywhere): the emphasis and code characters become their look-alikes, and `](`, the
 * heart of a Markdown link, gets a word joiner. So does every `<` (after it: no HTML tag,
 * comment or autolink `<https://x|label>` can open, and CommonMark passes raw HTML through) and
 * a `>` that starts the text (before it: no block quote, where the text starts a line). `_` inside a word (`deploy_web_1342`)
 * emphasises nothing in any of them and stays as written; `&`, `<`, `>` are each platform's own
 * escaping besides.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = { '*': '\u2217', '~': '\u223c', '`': '\u02cb', _: '\u02cd' };
const INERT_MARKUP = /[*~`]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])|\](?=\()|<|(?<=^\s*)>/gu;

/** Caller text for a markdown-like field: no emphasis, code span, Markdown link, HTML tag, autolink (`<https://...>`) or quote can form. */
export function inertMarkup(text: string): string {
  return text.replace(
    INERT_MARKUP,
    (character) => LOOK_ALIKES[character] ?? (character === '>' ? `${WORD_JOINER}${character}` : `${character}${WORD_JOINER}`),
  );
}

/** Printable ASCII, one `?` for each other code point (SNS subjects, SMS). */
export function toAscii(text: string): string {
  return Array.from(text, (point) => (/^[\x20-\x7e]$/.test(point) ? point : '?')).join('');
}
