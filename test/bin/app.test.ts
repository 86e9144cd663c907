import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** Runs bin/app.ts as `cdk synth` does: the CLI hands the context over in CDK_CONTEXT_JSON. */
function runApp(context: Record<string, unknown>) {
  // Without CDK_OUTDIR the app does not write a cloud assembly, whatever happens.
  const { CDK_OUTDIR: _outdir, ...env } = process.env;
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'bin', 'app.ts')], {
    cwd: ROOT,
    env: { ...env, CDK_CONTEXT_JSON: JSON.stringify(context) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('bin/app.ts', () => {
  it('prints every configuration problem and exits 1 instead of synthesizing without them', () => {
    // Act
    const { status, stderr } = runApp({
      '@aws-cdk/core:checkSecretUsage': true,
      'aws:cdk:enable-path-metadata': true,
      slackWebhookSecretNme: 'team/slack-webhook',
      notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:deploys.fifo',
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
    });

    // Assert
    expect(status).toBe(1);
    expect(stderr).toContain('unknown context key "slackWebhookSecretNme": did you mean "slackWebhookSecretName"?');
    expect(stderr).toContain('notificationTopicArn "arn:aws:sns:us-east-1:123456789012:deploys.fifo" is a FIFO topic');
    expect(stderr).toMatch(/alarmTopicArn "[^"]+" is in eu-west-1/);
    expect(stderr).toContain('See README.md, "Configure"');
    expect(stderr).not.toContain('@aws-cdk/core:checkSecretUsage');
  });
});
