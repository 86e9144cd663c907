/**
 * `npm run demo`: the whole notifier, offline. Synthesizes the app (with bundling, as
 * `cdk synth` does) with two routes, delivers sample CloudTrail events to Start watch, runs
 * the synthesized state machines with the real handlers against a loopback CloudFront
 * (InProgress a few times, then Completed), and prints what each destination received: the
 * Slack app's one message as it was posted ("in progress") and as it was edited (its outcome).
 */
import { SAMPLE_DISTRIBUTION, SAMPLE_TENANT, cloudTrailEvent, emulatedInvalidation } from './events';
import { startLocalPipeline } from './pipeline';

/** The configuration a cdk.json would hold: who hears about what. */
const CONTEXT = {
  destinations: {
    'web-teams': { type: 'teams', secretName: 'cloudfront-notifier/web-teams' },
    'payments-slack': { type: 'slack', secretName: 'cloudfront-notifier/payments-slack' },
    deploys: { type: 'slack-app', secretName: 'cloudfront-notifier/slack-bot', channel: 'C0DEPLOYS01' },
    'ops-chat': { type: 'google-chat', secretName: 'cloudfront-notifier/ops-chat' },
    email: { type: 'sns' },
    automation: { type: 'eventbridge' },
  },
  routes: [
    { name: 'website', match: { distributionIds: [SAMPLE_DISTRIBUTION.targetId] }, destinations: ['web-teams', 'deploys', 'automation'] },
    { name: 'payments', match: { tags: { team: 'payments' } }, destinations: ['payments-slack', 'automation'] },
  ],
  defaultDestinations: ['ops-chat', 'email'],
};

async function main() {
  const pipeline = await startLocalPipeline({ bundle: true, context: CONTEXT });
  pipeline.cloudFront.describe({ kind: 'distribution', id: SAMPLE_DISTRIBUTION.targetId, aliases: ['www.example.com'] });
  pipeline.cloudFront.describe({
    kind: 'tenant',
    id: SAMPLE_TENANT.targetId,
    name: 'acme',
    domains: ['acme.example.com'],
    tags: { team: 'payments' },
  });
  console.log(
    'Routes: "website" (distribution ID) -> web-teams, deploys (a Slack app), automation; "payments" (tag team=payments) -> payments-slack, automation;',
  );
  console.log('        anything else -> ops-chat, email.\n');
  for (const sample of [SAMPLE_DISTRIBUTION, SAMPLE_TENANT]) {
    pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 3 }));
    console.log(
      `→ CloudTrail: ${sample.kind === 'tenant' ? 'CreateInvalidationForDistributionTenant' : 'CreateInvalidation'} ${sample.invalidationId} on ${sample.targetId}`,
    );
    await pipeline.deliver(cloudTrailEvent(sample));
  }
  await pipeline.idle();

  for (const execution of pipeline.watcher.executions.values()) {
    const { audience } = execution.input as { audience: { destinations: string[]; routes: string[] } };
    console.log(
      `\nExecution ${execution.name}: ${execution.status}, routes [${audience.routes.join(', ')}] -> [${audience.destinations.join(', ')}], ` +
        `${execution.transitions} state transitions, ${Math.round(execution.virtualSeconds)} s of (virtual) waiting`,
    );
  }
  console.log(
    `\nChecker (one for the account): ${pipeline.queues.counters.messagesDelivered} ticks and ${pipeline.cloudFront.calls.length} CloudFront calls ` +
      `for the ${pipeline.watcher.executions.size} watches together`,
  );
  for (const [name, webhook] of Object.entries(pipeline.webhooks)) {
    for (const message of webhook.messages) {
      console.log(`\n=== ${name} received ===`);
      console.log(JSON.stringify(message, null, 2));
    }
  }
  for (const post of pipeline.slackApi.posts) {
    const edits = pipeline.slackApi.updates.filter((update) => update.ts === post.ts);
    console.log(
      `\n=== deploys (Slack app, channel ${post.channel}) posted message ${post.ts}${post.thread_ts ? ` in the thread of ${post.thread_ts}` : ''} ===`,
    );
    console.log(post.text);
    for (const edit of edits) console.log(`  then edited (chat.update) to: ${edit.text}`);
  }
  for (const published of pipeline.aws.published) {
    const structured = JSON.parse(published.message) as { email: string };
    console.log(`\n=== email (SNS) received ===\nSubject: ${published.subject}\n\n${structured.email}`);
  }
  for (const event of pipeline.aws.events) {
    console.log(`\n=== automation (EventBridge ${event.eventBusName}) received "${event.detailType}" ===`);
    console.log(
      JSON.stringify({ source: event.source, 'detail-type': event.detailType, resources: event.resources, detail: event.detail }, null, 2),
    );
  }
  const silent = ['ops-chat', 'email'].filter((name) => (pipeline.webhooks[name]?.messages.length ?? pipeline.aws.published.length) === 0);
  console.log(`\nNot notified (no route sent them anything): ${silent.join(', ') || 'none'}`);
  await pipeline.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
