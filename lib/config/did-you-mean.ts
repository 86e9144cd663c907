/**
 * "Did you mean": the known key a misspelled one most likely stands for. Shared by the app's
 * context keys, the routing configuration's keys, the constructs' props and region names.
 */

/** Optimal string alignment distance: Levenshtein plus swapped neighbours, a common typo. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]![j]!;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      rows[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The known key that `given` most likely misspells, or undefined when none is close enough to be
 * a typo: case is ignored, and a key may differ by a third of its length or be a prefix of the
 * other (`maxWait` for `maxWaitMinutes`). Usable for any set of keys (context, a destination's fields).
 */
export function closestKey(given: string, known: readonly string[]): string | undefined {
  const word = given.trim().toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const candidate = key.toLowerCase();
    const distance = editDistance(word, candidate);
    const isPrefix = word.length >= 4 && (candidate.startsWith(word) || word.startsWith(candidate));
    const tolerated = Math.floor(Math.max(word.length, candidate.length) / 3);
    if ((distance <= tolerated || isPrefix) && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/**
 * One problem per key in `given` that is not in `known`, naming the closest known key.
 * `what` names the kind of key in the message (`context key`, `field of destination "ops"`).
 */
export function unknownKeyProblems(
  given: Iterable<string>,
  known: readonly string[],
  what = 'context key',
  retired: Readonly<Record<string, string>> = {},
): string[] {
  const problems: string[] = [];
  for (const key of given) {
    if (known.includes(key)) continue;
    const instead = Object.hasOwn(retired, key) ? retired[key] : undefined;
    if (instead !== undefined) {
      problems.push(instead);
      continue;
    }
    const closest = closestKey(key, known);
    problems.push(
      closest
        ? `unknown ${what} "${key}": did you mean "${closest}"?${closest.toLowerCase() === key.toLowerCase() ? ' (keys are case-sensitive)' : ''}`
        : `unknown ${what} "${key}": remove it, or use one of the known keys: ${known.join(', ')}`,
    );
  }
  return problems;
}
