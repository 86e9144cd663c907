import { unknownKeyProblems } from './did-you-mean';

type MissingKeys<T, K extends readonly string[]> = Exclude<keyof T & string, K[number]>;

/**
 * Every key of a props interface, as a list the construct checks its props against at run time.
 * The list must name every key: one added to the interface and not here fails to compile.
 */
export function propKeys<T extends object>() {
  return <const K extends readonly (keyof T & string)[]>(
    ...keys: K & ([MissingKeys<T, K>] extends [never] ? unknown : { readonly missing: MissingKeys<T, K> })
  ): readonly string[] => keys;
}

/**
 * The problems of props as JavaScript may pass them: not an object, or keys the construct does
 * not have (a typo would otherwise be ignored, and its default silently kept), each with
 * "did you mean", or what to do instead for a key that was `retired`. `null` and `undefined` are
 * no props at all.
 */
export function propsProblems(
  props: unknown,
  known: readonly string[],
  what: string,
  retired: Readonly<Record<string, string>> = {},
): string[] {
  if (props === undefined || props === null) return [];
  if (typeof props !== 'object' || Array.isArray(props)) return [`${what} must be an object of props`];
  return unknownKeyProblems(Object.keys(props), known, `key in ${what}`, retired);
}
