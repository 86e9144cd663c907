import type { PathSample } from '../shared/status-result';
import { ELLIPSIS, REPLACEMENT, clipEscaped, withoutControls } from '../shared/text';

export interface PathListOptions {
  /** Budget for the whole list, "and N more" line included, counted by `measure`. */
  readonly maxChars: number;
  /**
   * Applied to each path before measuring (e.g. Slack escaping). It must map characters
   * independently, as entity escaping does, so a path can be cut between characters.
   */
  readonly escape?: (text: string) => string;
  /**
   * Applied to each whole path first, after its control characters are replaced: a rewrite that
   * looks at neighbours (e.g. `inertMarkup`), which `escape` cannot be.
   */
  readonly inert?: (text: string) => string;
  /** How the budget is counted (additive). Default: UTF-16 units; e.g. `jsonUnits` for a JSON payload. */
  readonly measure?: (text: string) => number;
}

const moreLine = (n: number) => `${ELLIPSIS} and ${n} more`;

/** A cut path shorter than this says too little to be worth a line after others. */
const MIN_CUT_CHARS = 24;

/**
 * The paths, one per line, cut to fit `maxChars`; when some are left out (by the sample or by
 * the budget) a last line says "… and N more". A path that fits is shown whole; one too long
 * for the whole budget is cut (never inside an escape sequence or a surrogate pair) rather
 * than lost behind "and 1 more". The result never exceeds the budget.
 *
 * Every line is one path: control characters and line breaks in a path become U+FFFD, so a
 * path can never start a line of its own ("Console: ..." in an e-mail).
 */
export function fitPaths(paths: PathSample, options: PathListOptions): string {
  const escape = options.escape ?? ((text: string) => text);
  const measure = options.measure ?? ((text: string) => text.length);
  const max = options.maxChars;
  const inert = options.inert ?? ((text: string) => text);
  const raw = paths.sample.map((path) => inert(withoutControls(path, REPLACEMENT)));
  const lines = raw.map(escape);
  const total = Math.max(paths.total, lines.length);
  const everything = lines.join('\n');
  if (lines.length === total && measure(everything) <= max) return everything;

  const newline = measure('\n');
  const shown: string[] = [];
  let used = 0;
  for (const [i, line] of lines.entries()) {
    const separator = shown.length > 0 ? newline : 0;
    const omittedAfter = total - (shown.length + 1);
    const reserve = omittedAfter > 0 ? newline + measure(moreLine(omittedAfter)) : 0;
    const room = max - used - separator - reserve;
    const size = measure(line);
    if (size <= room) {
      shown.push(line);
      used += separator + size;
      continue;
    }
    // A path that does not fit the remaining room but would fit an emptier list waits behind
    // "and N more" like the others; one that could never fit whole shows its beginning.
    const neverFits = size > max - reserve;
    if (shown.length === 0 || (neverFits && room >= MIN_CUT_CHARS)) {
      const cut = clipEscaped(raw[i]!, room, { escape, measure });
      if (cut !== '' && cut !== ELLIPSIS) {
        shown.push(cut);
        used += separator + measure(cut);
      }
    }
    break;
  }
  const omitted = total - shown.length;
  if (omitted > 0) {
    const more = moreLine(omitted);
    if (used + (shown.length > 0 ? newline : 0) + measure(more) <= max) shown.push(more);
  }
  return shown.join('\n');
}
