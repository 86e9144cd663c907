import type { PathSample } from '../shared/status-result';

export interface PathListOptions {
  /** Budget for the whole list, "and N more" line included, in characters. */
  readonly maxChars: number;
  /** Applied to each path before measuring (e.g. Slack escaping). */
  readonly escape?: (text: string) => string;
}

/**
 * The paths, one per line, cut to fit `maxChars`; when some are left out (by the sample or by
 * the budget) a last line says "… and N more". Paths are never cut mid-way, so an escape
 * sequence is never split.
 */
export function fitPaths(paths: PathSample, options: PathListOptions): string {
  const escape = options.escape ?? ((text: string) => text);
  const lines: string[] = [];
  let used = 0;
  const moreLine = (n: number) => `… and ${n} more`;
  for (const [index, path] of paths.sample.entries()) {
    const line = escape(path);
    const leftAfter = paths.total - (index + 1);
    const reserve = leftAfter > 0 ? moreLine(leftAfter).length + 1 : 0;
    if (used + line.length + 1 + reserve > options.maxChars) break;
    lines.push(line);
    used += line.length + 1;
  }
  const omitted = paths.total - lines.length;
  if (omitted > 0) lines.push(moreLine(omitted));
  return lines.join('\n');
}
