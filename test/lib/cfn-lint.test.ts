import { App, Token } from 'aws-cdk-lib';
import { spawnSync } from 'node:child_process';
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

/** Lints one template for one region; every finding, as cfn-lint reports it. */
function lint(templatePath: string, region: string): Finding[] {
  const run = spawnSync(CFN_LINT, ['--format', 'json', '--regions', region, '--', templatePath], { encoding: 'utf8' });
  // Exit status is a bit mask of the levels found (2 error, 4 warning, 8 info); anything else,
  // or no JSON, means cfn-lint itself failed, which must not pass as "no findings".
  if (run.error || run.status === null || (run.status & ~(2 | 4 | 8)) !== 0) {
    throw new Error(`cfn-lint failed on ${templatePath} (status ${run.status}): ${run.error?.message ?? run.stderr}`);
  }
  return JSON.parse(run.stdout) as Finding[];
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
    afterAll(() => rmSync(outdir, { recursive: true, force: true }));

    it.each(Object.keys(REACH_STACKS))('%s: no error-level finding', (name) => {
      const app = new App({ outdir: path.join(outdir, name) });
      const stack = REACH_STACKS[name]!(app);
      const template = app.synth().getStackByName(stack.stackName).templateFullPath;
      // An environment-agnostic template (the member StackSet) is checked for us-east-1, where it must be deployed.
      const region = Token.isUnresolved(stack.region) ? 'us-east-1' : stack.region;

      expect(errorsOf(lint(template, region))).toEqual([]);
    });

    it('reports an error-level finding when there is one (the check can fail)', () => {
      const broken = path.join(outdir, 'broken.template.json');
      writeFileSync(
        broken,
        JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 'two weeks' } } } }),
      );

      expect(errorsOf(lint(broken, 'us-east-1'))).toEqual([
        expect.stringMatching(/^E3012 at Resources\.Queue\.Properties\.MessageRetentionPeriod/),
      ]);
    });
  });
});
