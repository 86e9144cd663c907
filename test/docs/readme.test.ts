/**
 * What the code points at in the README: every section an error message sends a user to exists,
 * and the burst settings' defaults and ranges are the ones synth enforces.
 * (The security section's account of wildcard actions is checked on every recipe's templates in
 * test/lib/reach-cdk-nag.test.ts, which synthesizes them.)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BURST_DEFAULTS, BURST_KEYS, BURST_LIMITS } from '../../lambda/shared/routing';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const headings = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((match) => match[1]!.trim()));

const sourceFiles = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });

describe('README sections named in messages', () => {
  const references = ['bin', 'lib', 'lambda', 'local']
    .flatMap(sourceFiles)
    .flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/README(?:\.md)?, "([^"]+)"/g)].map((match) => ({ file, section: match[1]! })),
    );

  it('finds the references it checks', () => {
    expect(references.length).toBeGreaterThan(0);
  });

  it.each(references)('$file names section "$section", which exists', ({ section }) => {
    expect(headings).toContain(section);
  });
});

describe("README's burst table", () => {
  const rows = new Map([...readme.matchAll(/^\| `(\w+)` \| `([^`]+)` \| ([^|]+) \|/gm)].map((match) => [match[1]!, match]));

  it.each(Object.entries(BURST_LIMITS))('gives %s the default and range the code enforces', (key, { min, max }) => {
    const row = rows.get(key);
    expect(row?.[2]).toBe(String(BURST_DEFAULTS[key as keyof typeof BURST_LIMITS]));
    expect(row?.[3]!.trim()).toBe(`${min}-${max}`);
  });

  it('gives by its default and every burst key', () => {
    expect(rows.get('by')?.[2]).toBe(BURST_DEFAULTS.by);
    expect(rows.get('by')?.[3]!.trim()).toBe(BURST_KEYS.map((key) => `\`${key}\``).join(', '));
  });
});
