import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REACH_STACKS } from '../support/reach-stacks';

type Report = { pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[] };

/** Synthesizes what `build` adds with the AWS Solutions rule pack; returns the unacknowledged findings. */
function nagFindings(build: (app: App) => Stack): string[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'nag-reach-'));
  try {
    const app = new App({ outdir });
    build(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    try {
      app.synth();
    } catch {
      // A finding fails the synth; the report says which.
    }
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as Report;
    return report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} on ${c.constructPath}`)),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('cdk-nag AwsSolutionsChecks on the forwarder, trail, member and central bus stacks', () => {
  it.each(Object.keys(REACH_STACKS))('%s: zero unacknowledged findings', (name) => {
    expect(nagFindings(REACH_STACKS[name]!)).toEqual([]);
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
