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

/**
 * Each control character, line break and lone surrogate becomes `replacement`, one for one:
 * for text whose every character counts (a path), where {@link oneLine} would merge and trim.
 */
export function withoutControls(text: string, replacement: string): string {
  return text.replace(LONE_SURROGATE, REPLACEMENT).replace(CONTROL_OR_BREAK, replacement);
}

/** One line: control characters and line breaks become a single space, then bounded by {@link clip}. */
export function oneLine(text: string, max: number): string {
  return clip(text.replace(LONE_SURROGATE, REPLACEMENT).replace(CONTROL_OR_BREAK_RUN, ' ').trim(), max);
}

/** Printable ASCII, one `?` for each other code point (SNS subjects, SMS). */
export function toAscii(text: string): string {
  return Array.from(text, (point) => (/^[\x20-\x7e]$/.test(point) ? point : '?')).join('');
}
