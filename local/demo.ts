/**
 * `npm run demo`: the whole notifier, offline. Synthesizes the app (with bundling, as
 * `cdk synth` does) with two routes, delivers sample CloudTrail events to Start watch, runs
 * the synthesized state machines with the real handlers against a loopback CloudFront
 * (InProgress a few times, then Completed or Deployed), and prints what each destination
 * received: the Slack app's messages as they were posted ("in progress", "deploying") and as
 * they were edited (their outcome). Next to the invalidations, deployments: an update of the
 * website's distribution, a tenant created, and two updates in a row of another distribution,
 * the first told as deployed together with the later change.
 */
import {
  SAMPLE_DISTRIBUTION,
  SAMPLE_DISTRIBUTION_UPDATE,
  SAMPLE_TENANT,
  SAMPLE_TENANT_CREATION,
  cloudTrailEvent,
  deploymentEvent,
  emulatedDeployment,
  emulatedInvalidation,
  type DeploymentEventOptions,
  type SampleDeployment,
} from './events';
import type { DeploymentCallName } from '../lambda/shared/cloudtrail-calls';
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

/** A distribution no route names: its two updates in a row go to the default destinations. */
const CATALOG_FIRST_UPDATE: SampleDeployment = { kind: 'distribution', targetId: 'E3CATALOG7WXYZ', eTag: 'E1CATALOGV2ABC' };
const CATALOG_SECOND_UPDATE: SampleDeployment = { ...CATALOG_FIRST_UPDATE, eTag: 'E1CATALOGV3DEF' };

export interface DemoOptions {
  /** Bundle the functions during synth, as `cdk synth` does. @default true */
  readonly bundle?: boolean;
  /** Where the demo's output goes. @default console.log */
  readonly log?: (text: string) => void;
}

/** Runs the demo: sample invalidations and deployments through the whole local pipeline, and prints what each destination received. */
export async function runDemo({ bundle = true, log = console.log }: DemoOptions = {}): Promise<void> {
  const pipeline = await startLocalPipeline({ bundle, context: CONTEXT });
  try {
    // The website's distribution: an invalidation, then an update that deploys after a few checks.
    pipeline.cloudFront.describe(emulatedDeployment(SAMPLE_DISTRIBUTION_UPDATE, { inProgressChecks: 3 }, { aliases: ['www.example.com'] }));
    pipeline.cloudFront.describe({
      kind: 'tenant',
      id: SAMPLE_TENANT.targetId,
      name: 'acme',
      domains: ['acme.example.com'],
      tags: { team: 'payments' },
    });
    log(
      'Routes: "website" (distribution ID) -> web-teams, deploys (a Slack app), automation; "payments" (tag team=payments) -> payments-slack, automation;',
    );
    log('        anything else -> ops-chat, email.\n');
    for (const sample of [SAMPLE_DISTRIBUTION, SAMPLE_TENANT]) {
      pipeline.cloudFront.add(emulatedInvalidation(sample, { inProgressChecks: 3 }));
      log(
        `→ CloudTrail: ${sample.kind === 'tenant' ? 'CreateInvalidationForDistributionTenant' : 'CreateInvalidation'} ${sample.invalidationId} on ${sample.targetId}`,
      );
      await pipeline.deliver(cloudTrailEvent(sample));
    }

    // Five seconds later, deployments, watched by the same checker as the invalidations (not in
    // the same second: a Slack channel takes one new message a second, and the deployment's
    // "deploying" would wait for its outcome).
    await pipeline.sim.sleep(5);
    const deploy = async (call: DeploymentCallName, deployment: SampleDeployment, options: DeploymentEventOptions = {}) => {
      log(`→ CloudTrail: ${call} of ${deployment.targetId}, making version ${deployment.eTag}`);
      // CloudTrail delivers an event a few seconds after the call (Date reads the virtual clock).
      const eventTime = new Date(Date.now() - 5_000).toISOString();
      await pipeline.deliver(deploymentEvent(call, deployment, { ...options, eventTime }));
    };
    await deploy('UpdateDistribution', SAMPLE_DISTRIBUTION_UPDATE);
    pipeline.cloudFront.describe(
      emulatedDeployment(
        SAMPLE_TENANT_CREATION,
        { inProgressChecks: 2 },
        { name: 'globex', domains: ['globex.example.com'], tags: { team: 'payments' } },
      ),
    );
    await deploy('CreateDistributionTenant', SAMPLE_TENANT_CREATION, {
      tenant: { name: 'globex', domains: ['globex.example.com', 'www.globex.example.com'] },
    });
    // Two updates in a row: CloudFront tells one status for the whole distribution, so the first
    // is deployed when the second is, and says so.
    pipeline.cloudFront.describe(emulatedDeployment(CATALOG_FIRST_UPDATE, { deployedAtSecond: 600 }, { aliases: ['catalog.example.com'] }));
    const catalog = { aliases: ['catalog.example.com'], webACLId: '' };
    await deploy('UpdateDistribution', CATALOG_FIRST_UPDATE, { distribution: { ...catalog, origins: 1 } });
    // Ten seconds later, a second update: the distribution deploys it instead, from its own watch's 40th second.
    await pipeline.sim.sleep(10);
    pipeline.cloudFront.change(CATALOG_SECOND_UPDATE.kind, CATALOG_SECOND_UPDATE.targetId, {
      eTag: CATALOG_SECOND_UPDATE.eTag,
      deployedAtSecond: 40,
    });
    await deploy('UpdateDistribution', CATALOG_SECOND_UPDATE, {
      ifMatch: CATALOG_FIRST_UPDATE.eTag,
      distribution: { ...catalog, origins: 2 },
    });
    await pipeline.idle();

    for (const execution of pipeline.watcher.executions.values()) {
      const { audience } = execution.input as { audience: { destinations: string[]; routes: string[] } };
      log(
        `\nExecution ${execution.name}: ${execution.status}, routes [${audience.routes.join(', ')}] -> [${audience.destinations.join(', ')}], ` +
          `${execution.transitions} state transitions, ${Math.round(execution.virtualSeconds)} s of (virtual) waiting`,
      );
    }
    log(
      `\nChecker (one for the account): ${pipeline.queues.counters.messagesDelivered} ticks and ${pipeline.cloudFront.calls.length} CloudFront calls ` +
        `for the ${pipeline.watcher.executions.size} watches together`,
    );
    for (const [name, webhook] of Object.entries(pipeline.webhooks)) {
      for (const message of webhook.messages) {
        log(`\n=== ${name} received ===`);
        log(JSON.stringify(message, null, 2));
      }
    }
    for (const post of pipeline.slackApi.posts) {
      const edits = pipeline.slackApi.updates.filter((update) => update.ts === post.ts);
      log(
        `\n=== deploys (Slack app, channel ${post.channel}) posted message ${post.ts}${post.thread_ts ? ` in the thread of ${post.thread_ts}` : ''} ===`,
      );
      log(post.text ?? '');
      for (const edit of edits) log(`  then edited (chat.update) to: ${edit.text}`);
    }
    for (const published of pipeline.aws.published) {
      const structured = JSON.parse(published.message) as { email: string };
      log(`\n=== email (SNS) received ===\nSubject: ${published.subject}\n\n${structured.email}`);
    }
    for (const event of pipeline.aws.events) {
      log(`\n=== automation (EventBridge ${event.eventBusName}) received "${event.detailType}" ===`);
      log(
        JSON.stringify(
          { source: event.source, 'detail-type': event.detailType, resources: event.resources, detail: event.detail },
          null,
          2,
        ),
      );
    }
  } finally {
    await pipeline.stop();
  }
}

if (require.main === module) {
  runDemo().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
