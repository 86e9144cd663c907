import { App, Stack, type Environment } from 'aws-cdk-lib';
import { CloudTrailTrail } from '../../lib/cloudtrail-trail';
import { ForwarderStack } from '../../lib/event-forwarder';
import { MemberAccountStack } from '../../lib/member-account';
import { ORGANIZATION_BUS_NAME, OrganizationBus } from '../../lib/organization-bus';

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
};
