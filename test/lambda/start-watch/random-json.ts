/**
 * Seeded generators for property-style tests: the same seed gives the same cases, so a
 * failure can be replayed from the seed printed in the test name.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

/** mulberry32: small, fast and good enough to spread test cases. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number) => Math.floor(next() * maxExclusive);
  return { next, int, pick: (items) => items[int(items.length)]!, chance: (probability) => next() < probability };
}

/** Characters that trip sanitisers, decoders and renderers. */
const AWKWARD = [
  'a',
  'Z',
  '0',
  '9',
  '_',
  '-',
  '.',
  ' ',
  '/',
  ':',
  '%',
  '%E0%A4%A',
  '%2F',
  '%',
  '#',
  '?',
  '|',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0000',
  'é',
  '😀',
  '\ud800',
  '\u2028',
  'dt_',
  'rejected',
  'unknown-event',
  '0123456789abcdef',
];

/** A string of awkward pieces, sometimes very long (up to `maxLength` UTF-16 units). */
export function randomString(random: Random, maxLength = 300): string {
  if (random.chance(0.05)) return random.pick(AWKWARD).repeat(1 + random.int(maxLength));
  let text = '';
  const pieces = random.int(12);
  for (let i = 0; i < pieces && text.length < maxLength; i++) text += random.pick(AWKWARD);
  return text;
}

/** Any JSON value: primitives of every type, arrays and objects (keys included `__proto__`). */
export function randomJson(random: Random, depth = 3): Json {
  const kind = random.int(depth > 0 ? 9 : 7);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, 42]);
    case 3:
    case 4:
      return randomString(random);
    case 5:
      return '';
    case 6:
      return random.pick(['CreateInvalidation', 'cloudfront.amazonaws.com', 'E2QWRUHAPOMQZL', 'https://cloudfront.amazonaws.com/']);
    case 7:
      return Array.from({ length: random.int(4) }, () => randomJson(random, depth - 1));
    default: {
      const object: { [key: string]: Json } = {};
      const keys = ['detail', 'id', 'eventName', 'type', 'arn', '__proto__', 'constructor', 'toString', 'location', 'items'];
      for (let i = random.int(5); i > 0; i--) object[random.pick(keys)] = randomJson(random, depth - 1);
      return object;
    }
  }
}

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/**
 * A copy of `event` with a few of its values replaced by random JSON of any type, or deleted:
 * the shape a real event could take after a CloudTrail format change, or a hand-made test event.
 */
export function mutate(event: unknown, random: Random): unknown {
  const copy = structuredClone(event) as Record<string | number, unknown>;
  const paths = pathsOf(copy);
  for (let i = 1 + random.int(4); i > 0; i--) {
    const path = random.pick(paths);
    let parent: Record<string | number, unknown> | undefined = copy;
    for (const key of path.slice(0, -1)) {
      const child: unknown = parent?.[key];
      parent = typeof child === 'object' && child !== null ? (child as Record<string | number, unknown>) : undefined;
    }
    if (!parent) continue;
    const last = path[path.length - 1]!;
    if (random.chance(0.2)) delete parent[last];
    else parent[last] = randomJson(random);
  }
  return copy;
}

/** As Lambda would hand it over: the value after a trip through JSON. */
export const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');
