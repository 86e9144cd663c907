/**
 * `npm run demo`: the whole notifier, offline. Synthesizes the app (with bundling, as
 * `cdk synth` does), delivers sample CloudTrail events to Start watch, runs the synthesized
 * state machine with the real handlers against a loopback CloudFront (InProgress a few times,
 * then Completed), and prints what Slack and SNS received.
 */
import { SAMPLE_DISTRIBUTION, SAMPLE_TENANT, cloudTrailEvent, emulatedInvalidation } from './events';
import { startLocalPipeline } from './pipeline';

async function main() {
  const pipeline = await startLocalPipeline({ bundle: true });
  for (const sample of [SAMPLE_DISTRIBUTION, SAMPLE_TENANT]) {
    pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 3 }));
    console.log(
      `→ CloudTrail: ${sample.kind === 'tenant' ? 'CreateInvalidationForDistributionTenant' : 'CreateInvalidation'} ${sample.invalidationId} on ${sample.targetId}`,
    );
    await pipeline.deliver(cloudTrailEvent(sample));
  }
  await pipeline.idle();

  for (const execution of pipeline.watcher.executions.values()) {
    const checks = execution.invocations['Check invalidation status'] ?? 0;
    console.log(
      `\nExecution ${execution.name}: ${execution.status}, ${checks} checks, ${execution.transitions} state transitions, ` +
        `${Math.round(execution.virtualSeconds)} s of (virtual) waiting`,
    );
  }
  for (const message of pipeline.slack.messages) {
    console.log('\n=== Slack received ===');
    console.log(JSON.stringify(message, null, 2));
  }
  for (const published of pipeline.aws.published) {
    const structured = JSON.parse(published.message) as { default: string; email: string };
    console.log('\n=== SNS received (e-mail rendering) ===');
    console.log(`Subject: ${published.subject}\n\n${structured.email}`);
    console.log('\n=== SNS received (Amazon Q chat rendering, the default for HTTPS subscribers) ===');
    console.log(JSON.stringify(JSON.parse(structured.default), null, 2));
  }
  await pipeline.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
