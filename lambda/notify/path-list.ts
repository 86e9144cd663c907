import type { PathSample } from '../shared/status-result';

export interface PathListOptions {
  /** Budget for the whole list, "and N more" line included, in characters. */
  readonly maxChars: number;
  /** Applied to each path before measuring (e.g. Slack escaping). */
  readonly escape?: (text: string) => string;
}

const moreLine = (n: number) => `… and ${n} more`;

/**
 * The paths, one per line, cut to fit `maxChars`; when some are left out (by the sample or by
 * the budget) a last line says "… and N more". Paths are never cut mid-way, so an escape
 * sequence is never split, and the result never exceeds the budget.
 */
export function fitPaths(paths: PathSample, options: PathListOptions): string {
  const escape = options.escape ?? ((text: string) => text);
  const lines = paths.sample.map(escape);
  const everything = lines.join('\n');
  if (lines.length === paths.total && everything.length <= options.maxChars) return everything;

  const shown: string[] = [];
  let used = 0;
  for (const line of lines) {
    const separator = shown.length > 0 ? 1 : 0;
    const omittedAfter = paths.total - (shown.length + 1);
    const reserve = omittedAfter > 0 ? moreLine(omittedAfter).length + 1 : 0;
    if (used + separator + line.length + reserve > options.maxChars) break;
    shown.push(line);
    used += separator + line.length;
  }
  const omitted = paths.total - shown.length;
  if (omitted > 0) {
    const more = moreLine(omitted);
    if (used + (shown.length > 0 ? 1 : 0) + more.length <= options.maxChars) shown.push(more);
  }
  return shown.join('\n');
}
