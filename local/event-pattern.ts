/**
 * EventBridge event patterns, evaluated locally, so that the end-to-end tests take an event
 * through the synthesized rules (the us-east-1 forwarder's, the notifier's) as EventBridge would.
 * The forms the notifier's rules use: lists of exact values, `{"exists": bool}`, `{"prefix": s}`,
 * `{"anything-but": [...]}`, nested objects. Anything else is refused rather than guessed.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new Error(`An event pattern is an object, not ${JSON.stringify(pattern)}`);
  return Object.entries(pattern).every(([key, rule]) => {
    const value = isObject(event) ? event[key] : undefined;
    if (Array.isArray(rule)) return rule.some((candidate) => matchesOne(candidate, value));
    if (isObject(rule)) return matchesPattern(rule, value);
    throw new Error(`Unsupported pattern for "${key}": ${JSON.stringify(rule)}`);
  });
}

function matchesOne(candidate: unknown, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  if (!isObject(candidate)) return values.some((item) => item === candidate && item !== undefined);
  if ('exists' in candidate) return (value !== undefined) === candidate.exists;
  if ('prefix' in candidate) return values.some((item) => typeof item === 'string' && item.startsWith(String(candidate.prefix)));
  if ('anything-but' in candidate) {
    const excluded = Array.isArray(candidate['anything-but']) ? candidate['anything-but'] : [candidate['anything-but']];
    return value !== undefined && values.every((item) => !excluded.includes(item));
  }
  throw new Error(`Unsupported pattern operator: ${JSON.stringify(candidate)}`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
