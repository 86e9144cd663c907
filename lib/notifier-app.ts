import { Stage, type App } from 'aws-cdk-lib';
import { CloudTrailTrail } from './cloudtrail-trail';
import { CLOUDFRONT_EVENTS_REGION, ConfigError, type NotifierConfig } from './config';
import { eventBusArn } from './config/shapes';
import { ForwarderStack } from './event-forwarder';
import { MemberAccountStack } from './member-account';
import { NotifierStack } from './notifier-stack';
import { ORGANIZATION_BUS_NAME } from './organization-bus';

export const STACK_IDS = {
  notifier: 'CloudFrontInvalidationNotifier',
  forwarder: 'CloudFrontInvalidationNotifierForwarder',
  membersStage: 'Members',
  member: 'CloudFrontInvalidationNotifierMember',
} as const;

export interface NotifierStacks {
  readonly notifier: NotifierStack;
  /** When the notifier is not in us-east-1. */
  readonly forwarder?: ForwarderStack;
  /** Organization mode: the member template (for a StackSet), in a stage of its own. */
  readonly member?: MemberAccountStack;
}

/**
 * The app's stacks for a configuration: the notifier in the configured region; where that is
 * not us-east-1, a small forwarder stack in us-east-1 (CloudFront's events are there only); in
 * organization mode, the member template, in a stage of its own so that `cdk deploy --all`
 * (top-level stacks) leaves it to StackSets.
 */
export function addNotifierStacks(app: App, config: NotifierConfig, account?: string): NotifierStacks {
  const notifier = new NotifierStack(app, STACK_IDS.notifier, {
    env: { account, region: config.region },
    description: 'Notifies teams when CloudFront invalidations complete (cloudfront-invalidation-notifier)',
    config,
  });
  let forwarder: ForwarderStack | undefined;
  if (config.region !== CLOUDFRONT_EVENTS_REGION) {
    forwarder = new ForwarderStack(app, STACK_IDS.forwarder, {
      env: { account, region: CLOUDFRONT_EVENTS_REGION },
      targetRegion: config.region,
    });
    if (config.createTrail) new CloudTrailTrail(forwarder, 'Trail');
  }
  let member: MemberAccountStack | undefined;
  if (config.organizationId) {
    const centralAccount = config.centralAccount ?? account;
    if (!centralAccount) {
      throw new ConfigError([
        'organizationId needs the central account for the member template: pass -c centralAccount=123456789012, or run with credentials of the central account',
      ]);
    }
    member = new MemberAccountStack(new Stage(app, STACK_IDS.membersStage), STACK_IDS.member, {
      env: { region: CLOUDFRONT_EVENTS_REGION },
      centralEventBusArn: eventBusArn({ region: config.region, account: centralAccount, name: ORGANIZATION_BUS_NAME }),
      organizationId: config.organizationId,
      centralAccount,
    });
  }
  return { notifier, ...(forwarder ? { forwarder } : {}), ...(member ? { member } : {}) };
}
