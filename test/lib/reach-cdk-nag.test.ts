import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REACH_STACKS } from '../support/reach-stacks';

type Report = { pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[] };

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/**
 * Synthesizes what `build` adds with the AWS Solutions rule pack; returns the unacknowledged
 * findings and the stack's template (one synth serves every check of this file).
 */
function synthWithNag(build: (app: App) => Stack): { findings: string[]; template: Template } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'nag-reach-'));
  try {
    const app = new App({ outdir });
    const stack = build(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    try {
      app.synth();
    } catch {
      // A finding fails the synth; the report says which.
    }
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as Report;
    const template = JSON.parse(readFileSync(path.join(outdir, stack.templateFile), 'utf8')) as Template;
    const findings = report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} on ${c.constructPath}`)),
    );
    return { findings, template };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const nagFindings = (build: (app: App) => Stack): string[] => synthWithNag(build).findings;

const recipes = Object.entries(REACH_STACKS).map(([name, build]) => ({ name, ...synthWithNag(build) }));

describe('cdk-nag AwsSolutionsChecks on the forwarder, trail, member and central bus stacks', () => {
  it.each(recipes)('$name: zero unacknowledged findings', ({ findings }) => {
    expect(findings).toEqual([]);
  });

  it('reports a finding when there is one (the check can fail)', () => {
    const findings = nagFindings((app) => {
      const stack = new Stack(app, 'Bad', { env: { region: 'us-east-1' } });
      new Bucket(stack, 'Plain');
      return stack;
    });

    expect(findings).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-S10 on Bad\/Plain/)]));
  });

  it('acknowledges findings only with a reason', () => {
    const acknowledgments = Object.values(REACH_STACKS)
      .map((build) => build(new App()))
      .flatMap((stack) => stack.node.findAll())
      .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

    expect(acknowledgments.length).toBeGreaterThanOrEqual(7);
    for (const [id, reason] of acknowledgments) expect(`${id}: ${reason}`).toMatch(/: .{40,}/);
  });
});

type Statement = { Effect: string; Action?: string | string[]; Principal?: unknown };

/** Every policy statement in a template: role and managed policies, key policies, resource policies. */
function statementsOf(template: Template): { resource: string; type: string; statement: Statement }[] {
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

describe('README, "Security": wildcard actions, on every recipe', () => {
  const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

  it.each(recipes)('$name: only TLS-only denies, the key policy for the account, and kms:GenerateDataKey*', ({ template }) => {
    const unexplained = statementsOf(template).flatMap(({ resource, type, statement }) =>
      [statement.Action ?? []]
        .flat()
        .filter((action) => {
          if (!action.includes('*')) return false;
          if (statement.Effect === 'Deny') return false;
          if (type === 'AWS::KMS::Key' && action === 'kms:*' && accountRoot(statement.Principal)) return false;
          return action !== 'kms:GenerateDataKey*';
        })
        .map((action) => `${resource}: ${action}`),
    );
    expect(unexplained).toEqual([]);
  });

  it('names every wildcard action the templates deny', () => {
    const denied = new Set(
      recipes.flatMap(({ template }) =>
        statementsOf(template)
          .filter(({ statement }) => statement.Effect === 'Deny')
          .flatMap(({ statement }) => [statement.Action ?? []].flat()),
      ),
    );
    for (const action of [...denied].filter((a) => a.includes('*'))) expect(readme).toContain(`\`${action}\``);
  });
});
