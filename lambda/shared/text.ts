/**
 * Text that callers control (paths, caller references, principal names) passes through here
 * before any rendering: cut on code points (never half an emoji), bounded, and, for fields
 * shown on one line, free of control characters and line breaks (a newline in a caller
 * reference must not forge a second line in an e-mail).
 */

export const ELLIPSIS = '…';

/** Code points, not UTF-16 units: `'😀'.length` is 2, `codePointLength('😀')` is 1. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/**
 * At most `max` code points; when cut, the last one is an ellipsis. Never splits a surrogate
 * pair. `max` < 1 gives the empty string.
 */
export function clip(text: string, max: number): string {
  if (max < 1) return '';
  if (text.length <= max) return text;
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, max - 1).join('')}${ELLIPSIS}`;
}

/** At most `maxBytes` of UTF-8, cut on code points, with an ellipsis when cut. */
export function clipUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(ELLIPSIS, 'utf8');
  let used = 0;
  let out = '';
  for (const point of text) {
    const size = Buffer.byteLength(point, 'utf8');
    if (used + size > budget) break;
    out += point;
    used += size;
  }
  return budget >= 0 ? `${out}${ELLIPSIS}` : '';
}

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One line: control characters and line breaks become a single space, then bounded by {@link clip}. */
export function oneLine(text: string, max: number): string {
  return clip(text.replace(CONTROL_OR_BREAK, ' ').trim(), max);
}
