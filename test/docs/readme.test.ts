/**
 * What the README promises and the code points at: every section an error message sends a user
 * to exists, and the security section's account of wildcard actions is the whole truth for every
 * recipe's templates.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { REACH_STACKS } from '../support/reach-stacks';

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

type Statement = { Effect: string; Action?: string | string[]; Principal?: unknown };
type Resource = { Type: string; Properties?: Record<string, unknown> };

/** Every policy statement in a template: role and managed policies, key policies, resource policies. */
function statementsOf(template: { Resources: Record<string, Resource> }): { resource: string; type: string; statement: Statement }[] {
  return Object.entries(template.Resources).flatMap(([resource, { Type: type, Properties: props = {} }]) => {
    const documents = [
      props.PolicyDocument,
      props.KeyPolicy,
      props.AssumeRolePolicyDocument,
      ...((props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((policy) => policy.PolicyDocument),
    ].filter((doc): doc is { Statement: Statement[] } => typeof doc === 'object' && doc !== null && 'Statement' in doc);
    return documents.flatMap((doc) => doc.Statement.map((statement) => ({ resource, type, statement })));
  });
}

const accountRoot = (principal: unknown): boolean => JSON.stringify(principal).includes(':root');

describe('README, "Security": wildcard actions', () => {
  const templates = Object.entries(REACH_STACKS).map(([recipe, build]) => {
    const app = new App();
    const stack: Stack = build(app);
    return { recipe, template: app.synth().getStackArtifact(stack.artifactId).template as { Resources: Record<string, Resource> } };
  });

  it.each(templates)('$recipe: only TLS-only denies, the key policy for the account, and kms:GenerateDataKey*', ({ template }) => {
    const unexplained = statementsOf(template).flatMap(({ resource, type, statement }) =>
      [statement.Action ?? []]
        .flat()
        .filter((action) => {
          if (!action.includes('*')) return false;
          if (statement.Effect === 'Deny') return false;
          if (type === 'AWS::KMS::Key' && action === 'kms:*' && accountRoot(statement.Principal)) return false;
          if (action === 'kms:GenerateDataKey*') return false;
          return true;
        })
        .map((action) => `${resource}: ${action}`),
    );
    expect(unexplained).toEqual([]);
  });

  it('names every wildcard-action kind the templates hold', () => {
    const denied = new Set(
      templates.flatMap(({ template }) =>
        statementsOf(template)
          .filter(({ statement }) => statement.Effect === 'Deny')
          .flatMap(({ statement }) => [statement.Action ?? []].flat()),
      ),
    );
    for (const action of [...denied].filter((a) => a.includes('*'))) expect(readme).toContain(`\`${action}\``);
  });
});
