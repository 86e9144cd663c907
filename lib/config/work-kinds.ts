import { WORK_KINDS, type WorkKind } from '../../lambda/shared/cloudtrail-calls';
import { closestKey } from './did-you-mean';

/**
 * What the notifier watches, as configured (the `watch` context key, the `watch` prop): a
 * non-empty list of WORK_KINDS, each once. Returns the kinds and every problem, each naming
 * `key` and what to write instead.
 */
export function parseWorkKinds(key: string, value: unknown): { kinds?: readonly WorkKind[]; problems: string[] } {
  const expected = `a list of ${WORK_KINDS.map((kind) => `"${kind}"`).join(' and/or ')}, e.g. ["invalidation", "deployment"] (the default)`;
  if (!Array.isArray(value) || value.length === 0)
    return { problems: [`${key} must be ${expected}, not ${JSON.stringify(value) ?? String(value)}`] };
  const problems: string[] = [];
  const kinds: WorkKind[] = [];
  for (const item of value) {
    if (typeof item === 'string' && (WORK_KINDS as readonly string[]).includes(item)) {
      if (kinds.includes(item as WorkKind)) problems.push(`${key} names "${item}" twice`);
      else kinds.push(item as WorkKind);
      continue;
    }
    const near = typeof item === 'string' ? closestKey(item.replace(/s$/, ''), WORK_KINDS) : undefined;
    problems.push(
      `${key}: ${JSON.stringify(item) ?? String(item)} is not a kind of work${near ? ` (did you mean "${near}"?)` : ''}: write ${expected}`,
    );
  }
  return problems.length > 0 ? { problems } : { kinds, problems };
}
