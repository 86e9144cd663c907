/**
 * `npm run demo`: the whole notifier, offline. Synthesizes the app, delivers a sample CloudTrail
 * event to Start watch, runs the synthesized state machine with the real handlers against a
 * loopback CloudFront (InProgress a few times, then Completed), and prints what Slack and SNS
 * received.
 */
import distributionEvent from './fixtures/create-invalidation.json';
import tenantEvent from './fixtures/create-invalidation-for-tenant.json';
import { startLocalPipeline } from './pipeline';

async function main() {
  const pipeline = await startLocalPipeline({ bundle: true });
  const demo = [
    { event: distributionEvent, kind: 'distribution' as const },
    { event: tenantEvent, kind: 'tenant' as const },
  ];
  for (const { event, kind } of demo) {
    const { requestParameters, responseElements } = event.detail as {
      requestParameters: { distributionId?: string; id?: string; invalidationBatch: { paths: { items: string[] }; callerReference: string } };
      responseElements: { invalidation: { id: string } };
    };
    pipeline.cloudFront.add({
      kind,
      targetId: requestParameters.distributionId ?? requestParameters.id!,
      invalidationId: responseElements.invalidation.id,
      paths: requestParameters.invalidationBatch.paths.items,
      callerReference: requestParameters.invalidationBatch.callerReference,
      inProgressChecks: 3,
    });
    console.log(`→ CloudTrail ${event.detail.eventName} for ${responseElements.invalidation.id}`);
    await pipeline.deliver(event);
  }
  await pipeline.idle();

  for (const execution of pipeline.watcher.executions.values()) {
    const checks = execution.invocations['Check invalidation status'] ?? 0;
    console.log(`\nExecution ${execution.name}: ${execution.status}, ${checks} checks, ${execution.transitions} state transitions, ${Math.round(execution.virtualSeconds)} s of (virtual) waiting`);
  }
  for (const message of pipeline.slack.messages) {
    console.log('\n=== Slack received ===');
    console.log(JSON.stringify(message, null, 2));
  }
  for (const published of pipeline.aws.published) {
    const structured = JSON.parse(published.message) as { default: string; email: string };
    console.log('\n=== SNS received (e-mail rendering) ===');
    console.log(`Subject: ${published.subject}\n\n${structured.email}`);
    console.log('\n=== SNS received (Amazon Q chat rendering, default) ===');
    console.log(JSON.stringify(JSON.parse(structured.default), null, 2));
  }
  await pipeline.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
