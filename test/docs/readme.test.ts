/**
 * What the code points at in the README: every section an error message sends a user to exists.
 * (The security section's account of wildcard actions is checked on every recipe's templates in
 * test/lib/reach-cdk-nag.test.ts, which synthesizes them.)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

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
