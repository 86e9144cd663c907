/**
 * fast-check arbitraries for property tests of Start watch: awkward text, any JSON value, and
 * CloudTrail events bent in every way. A failure prints its seed and the shrunk input.
 */
import * as fc from 'fast-check';

/** Characters and pieces that trip sanitisers, decoders and renderers. */
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

/** A string of awkward pieces, sometimes one piece repeated up to `maxLength` times. */
export function awkwardString(maxLength = 300): fc.Arbitrary<string> {
  return fc.oneof(
    {
      arbitrary: fc.array(fc.constantFrom(...AWKWARD), { maxLength: 12 }).map((pieces) => pieces.join('').slice(0, maxLength)),
      weight: 19,
    },
    {
      arbitrary: fc.tuple(fc.constantFrom(...AWKWARD), fc.integer({ min: 1, max: maxLength })).map(([piece, times]) => piece.repeat(times)),
      weight: 1,
    },
  );
}

/** Keys an event's objects hold, and the ones that trip naive object handling. */
const KEYS = ['detail', 'id', 'eventName', 'type', 'arn', '__proto__', 'constructor', 'toString', 'location', 'items', 'omitted'];

/** Any JSON value: primitives of every type, arrays and objects. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.constantFrom(0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, 42),
    awkwardString(),
    fc.constant(''),
    fc.constantFrom('CreateInvalidation', 'cloudfront.amazonaws.com', 'E2QWRUHAPOMQZL', 'https://cloudfront.amazonaws.com/'),
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('json'), { maxKeys: 4 }),
  ),
})).json;

type Json = Record<string | number, unknown>;

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/**
 * A node's own property: generated keys include `__proto__`, which read or written as
 * `node[key]` would reach Object.prototype (and pollute every object of the test run).
 */
const own = (node: unknown, key: string | number): unknown =>
  typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Json)[key] : undefined;
const setOwn = (node: Json, key: string | number, value: unknown): void => {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
};

/** A copy of `event` with `value` at `path`, creating the objects on the way. */
export function withValue(event: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(event) as Json;
  let node: Json = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof own(node, key) !== 'object' || own(node, key) === null) setOwn(node, key, {});
    node = own(node, key) as Json;
  }
  setOwn(node, path[path.length - 1]!, value);
  return copy;
}

/**
 * A copy of `event` with a few of its values replaced by any JSON, or deleted: the shape a real
 * event could take after a CloudTrail format change, or a hand-made test event.
 */
export function mutated(event: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(event);
  const edit = fc.tuple(fc.nat({ max: paths.length - 1 }), fc.option(anyJson, { freq: 5 }));
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let copy = structuredClone(event);
    for (const [index, value] of edits) {
      const path = paths[index]!;
      if (value === null) {
        const parent = path.slice(0, -1).reduce<unknown>(own, copy);
        if (typeof parent === 'object' && parent) delete (parent as Json)[path[path.length - 1]!];
      } else {
        copy = withValue(copy, path, value);
      }
    }
    return copy;
  });
}

/**
 * Events of every kind from the fixtures: any JSON, mutated fixtures, fixtures whose read fields
 * hold any value, and locations made of awkward pieces with or without the other IDs.
 */
export function cloudTrailEvents(fixtures: readonly unknown[], fields: readonly (readonly string[])[]): fc.Arbitrary<unknown> {
  const fixture = fc.constantFrom(...fixtures);
  const field = fc.constantFrom(...fields);
  const location = fc
    .tuple(fixture, fc.constantFrom('distribution', 'distribution-tenant', 'other'), awkwardString(), awkwardString(), fc.boolean())
    .map(([event, segment, target, invalidation, withoutIds]) => {
      const base = withoutIds
        ? withValue(withValue(event, ['detail', 'requestParameters'], {}), ['detail', 'responseElements', 'invalidation'], {})
        : event;
      const url = `https://cloudfront.amazonaws.com/2020-05-31/${segment}/${target}/invalidation/${invalidation}`;
      return withValue(base, ['detail', 'responseElements', 'location'], url);
    });
  return fc.oneof(
    anyJson,
    fixture.chain(mutated),
    fc.tuple(fixture, field, fc.oneof(anyJson, awkwardString(2000))).map(([event, path, value]) => withValue(event, path, value)),
    fc.tuple(fixture, field, anyJson).chain(([event, path, value]) => mutated(withValue(event, path, value))),
    location,
  );
}

/** As Lambda would hand it over: the value after a trip through JSON. */
export const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');
