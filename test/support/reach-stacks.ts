import { App, Stack, type Environment } from 'aws-cdk-lib';
import { CloudTrailTrail } from '../../lib/cloudtrail-trail';
import { ForwarderStack } from '../../lib/event-forwarder';
import { MemberAccountStack } from '../../lib/member-account';
import { ORGANIZATION_BUS_NAME, OrganizationBus } from '../../lib/organization-bus';
import { loadConfig } from '../../lib/config';
import { addNotifierStacks } from '../../lib/notifier-app';

/** IDs of a made-up organization, used by the organization-mode tests. */
export const ORG = {
  id: 'o-a1b2c3d4e5',
  central: '111111111111',
  member: '222222222222',
  region: 'eu-west-1',
  busArn: `arn:aws:events:eu-west-1:111111111111:event-bus/${ORGANIZATION_BUS_NAME}`,
} as const;

/**
 * The stacks that take the notifier beyond one account in us-east-1, as the app would build
 * them, each in a new App (so each test synthesizes only what it checks): the us-east-1
 * forwarder with a trail (as `-c region=eu-west-1 -c createTrail=true` would), a trail alone, the
 * member template for StackSets (environment-agnostic) and the central bus.
 */
export const REACH_STACKS: Record<string, (app: App) => Stack> = {
  forwarder: (app) => {
    const stack = new ForwarderStack(app, 'Forwarder', { env: { account: ORG.central }, targetRegion: ORG.region });
    new CloudTrailTrail(stack, 'Trail');
    return stack;
  },
  trail: (app) => {
    const stack = new Stack(app, 'TrailOnly', { env: { region: 'us-east-1' } });
    new CloudTrailTrail(stack, 'Trail');
    return stack;
  },
  member: (app) => new MemberAccountStack(app, 'Member', { centralEventBusArn: ORG.busArn, organizationId: ORG.id }),
  centralBus: (app) => {
    const env: Environment = { account: ORG.central, region: ORG.region };
    const stack = new Stack(app, 'CentralBus', { env });
    new OrganizationBus(stack, 'OrganizationBus', { organizationId: ORG.id });
    return stack;
  },
  // The app's three recipes, as bin/app.ts composes them (bundling off: only templates are checked).
  'app in us-east-1 with routes and a trail': (app) => appStacks(app, { createTrail: 'true', ...ROUTED }).notifier,
  'app in eu-west-1: notifier': (app) => appStacks(app, { region: 'eu-west-1' }).notifier,
  'app in eu-west-1: us-east-1 forwarder with a trail': (app) => appStacks(app, { region: 'eu-west-1', createTrail: 'true' }).forwarder!,
  'app in organization mode: central notifier': (app) =>
    appStacks(app, { region: ORG.region, organizationId: ORG.id, centralAccount: ORG.central }).notifier,
};

/** Destinations of every type and a route on tags, so that every grant is in the template. */
const ROUTED = {
  destinations: {
    chat: { type: 'slack', secretName: 'cf/slack' },
    teams: { type: 'teams', secretName: 'cf/teams' },
    gchat: { type: 'google-chat', secretName: 'cf/gchat' },
    email: { type: 'sns' },
    automation: { type: 'eventbridge' },
  },
  routes: [{ name: 'payments', match: { tags: { team: 'payments' } }, destinations: ['chat', 'teams'] }],
  defaultDestinations: ['gchat', 'email', 'automation'],
};

function appStacks(app: App, context: Record<string, unknown>) {
  app.node.setContext('aws:cdk:bundling-stacks', []);
  return addNotifierStacks(app, loadConfig(context), ORG.central);
}
