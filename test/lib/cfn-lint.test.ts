import { App, Token } from 'aws-cdk-lib';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REACH_STACKS } from '../support/reach-stacks';

/**
 * cfn-lint (the CloudFormation linter, a Python tool) on the synthesized templates: it knows
 * every resource's schema, so it catches what synth does not (a wrong property type, a bad
 * policy document, an unsupported attribute). Not an npm package: a machine without it skips
 * these tests with a warning, unless REQUIRE_CFN_LINT=1 (set it in CI) makes its absence fail.
 * Install: `pip install cfn-lint`.
 */
const CFN_LINT = process.env.CFN_LINT ?? 'cfn-lint';
const probe = spawnSync(CFN_LINT, ['--version'], { encoding: 'utf8' });
const available = !probe.error && probe.status === 0;
const required = process.env.REQUIRE_CFN_LINT === '1';

type Finding = {
  Level: 'Error' | 'Warning' | 'Informational';
  Rule: { Id: string };
  Message: string;
  Location: { Path: (string | number)[] };
};

/**
 * Lints templates for one region in a single cfn-lint run (each run spends about two seconds
 * starting up, so templates are linted together, not one run each); every finding, as cfn-lint
 * reports it, by template path.
 */
function lint(templatePaths: readonly string[], region: string): Promise<Map<string, Finding[]>> {
  return new Promise((resolve, reject) => {
    const run = spawn(CFN_LINT, ['--format', 'json', '--regions', region, '--', ...templatePaths]);
    let stdout = '';
    let stderr = '';
    run.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    run.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    run.on('error', reject);
    run.on('close', (status) => {
      // Exit status is a bit mask of the levels found (2 error, 4 warning, 8 info); anything else,
      // or no JSON, means cfn-lint itself failed, which must not pass as "no findings".
      if (status === null || (status & ~(2 | 4 | 8)) !== 0) {
        reject(new Error(`cfn-lint failed on ${templatePaths.join(', ')} (status ${status}): ${stderr}`));
        return;
      }
      try {
        resolve(findingsByTemplate(templatePaths, JSON.parse(stdout) as (Finding & { Filename: string })[]));
      } catch (error) {
        reject(new Error(`cfn-lint on ${templatePaths.join(', ')} printed no findings list: ${String(error)}\n${stdout}${stderr}`));
      }
    });
  });
}

function findingsByTemplate(templatePaths: readonly string[], reported: readonly (Finding & { Filename: string })[]) {
  const findings = new Map(templatePaths.map((templatePath): [string, Finding[]] => [path.resolve(templatePath), []]));
  for (const finding of reported) {
    const ofTemplate = findings.get(path.resolve(finding.Filename));
    if (!ofTemplate) throw new Error(`a finding on ${finding.Filename}, which cfn-lint was not given`);
    ofTemplate.push(finding);
  }
  return findings;
}

const errorsOf = (findings: Finding[]) =>
  findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id} at ${f.Location.Path.join('.')}: ${f.Message}`);

describe('cfn-lint', () => {
  if (!available) {
    console.warn(
      `cfn-lint is not installed here ("${CFN_LINT} --version" failed: ${probe.error?.message ?? probe.stderr}): ` +
        'the synthesized templates are NOT linted. Install it with `pip install cfn-lint`, or set REQUIRE_CFN_LINT=1 to make this a failure.',
    );
  }

  (required ? it : it.skip)('is installed (REQUIRE_CFN_LINT=1)', () => {
    expect(probe.error?.message ?? (probe.status === 0 ? 'ok' : probe.stderr)).toBe('ok');
  });

  const describeLint = available ? describe : describe.skip;

  describeLint('on the forwarder, trail, member and central bus stacks', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'cfn-lint-'));
    const broken = path.join(outdir, 'broken.template.json');
    const templates = new Map<string, { templatePath: string; region: string }>();
    let findings: Map<string, Finding[]>;

    // Every template synthesized first, then one cfn-lint run per region over all of them.
    beforeAll(async () => {
      for (const [name, build] of Object.entries(REACH_STACKS)) {
        const app = new App({ outdir: path.join(outdir, name) });
        const stack = build(app);
        // An environment-agnostic template (the member StackSet) is checked for us-east-1, where it must be deployed.
        const region = Token.isUnresolved(stack.region) ? 'us-east-1' : stack.region;
        templates.set(name, { templatePath: app.synth().getStackByName(stack.stackName).templateFullPath, region });
      }
      writeFileSync(
        broken,
        JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 'two weeks' } } } }),
      );
      const byRegion = new Map<string, string[]>([['us-east-1', [broken]]]);
      for (const { templatePath, region } of templates.values()) byRegion.set(region, [...(byRegion.get(region) ?? []), templatePath]);
      const runs = await Promise.all([...byRegion].map(([region, templatePaths]) => lint(templatePaths, region)));
      findings = new Map(runs.flatMap((run) => [...run]));
    }, 240_000); // the work of nine tests, each of which had the 60 s default
    afterAll(() => rmSync(outdir, { recursive: true, force: true }));

    it.each(Object.keys(REACH_STACKS))('%s: no error-level finding', (name) => {
      const { templatePath } = templates.get(name)!;

      expect(errorsOf(findings.get(path.resolve(templatePath))!)).toEqual([]);
    });

    it('reports an error-level finding when there is one (the check can fail)', () => {
      expect(errorsOf(findings.get(path.resolve(broken))!)).toEqual([
        expect.stringMatching(/^E3012 at Resources\.Queue\.Properties\.MessageRetentionPeriod/),
      ]);
    });
  });
});
