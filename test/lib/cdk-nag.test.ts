import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config';
import { NotifierStack } from '../../lib/notifier-stack';

type Report = { pluginReports: { conclusion: string; violations: { ruleName: string }[] }[] };

/** Synthesizes with the AWS Solutions rule pack; returns the validation report. */
function synthWithNag(context: Record<string, string>, account?: string): { error?: Error; report: Report } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'nag-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], ...context } });
    new NotifierStack(app, 'Notifier', { env: { account, region: 'us-east-1' }, config: loadConfig((key) => app.node.tryGetContext(key)) });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let error: Error | undefined;
    try {
      app.synth();
    } catch (caught) {
      error = caught as Error;
    }
    return { error, report: JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as Report };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('cdk-nag AwsSolutionsChecks', () => {
  it.each([
    ['with Slack, environment-agnostic', { slackWebhookSecretName: 'team/slack' }, undefined],
    ['without Slack, in a known account', {}, '123456789012'],
    [
      'with Slack app channels sharing a token and burst settings',
      {
        destinations: JSON.stringify({
          deploys: { type: 'slack-app', secretName: 'team/slack-bot', channel: 'C0123ABCD' },
          payments: { type: 'slack-app', secretName: 'team/slack-bot', channel: 'C0456EFGH', burst: { windowSeconds: 30 } },
          email: { type: 'sns', burst: false },
        }),
      },
      '123456789012',
    ],
  ])('passes with zero unacknowledged findings (%s)', (_, context, account) => {
    const { error, report } = synthWithNag(context, account);

    expect(report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => v.ruleName))).toEqual([]);
    expect(error).toBeUndefined();
  });

  it('acknowledges findings only with a reason', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new NotifierStack(app, 'Notifier', { env: { region: 'us-east-1' }, config: loadConfig(() => undefined) });
    const acknowledgments = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

    expect(acknowledgments.length).toBeGreaterThanOrEqual(6);
    for (const [id, reason] of acknowledgments) expect(`${id}: ${reason}`).toMatch(/: .{40,}/);
  });
});
