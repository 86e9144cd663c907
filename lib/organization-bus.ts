import { Stack, Token } from 'aws-cdk-lib';
import type { WorkKind } from '../lambda/shared/cloudtrail-calls';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ConfigError, presentProps, propCheck, propChecks, propsProblems } from './config';
import { BUS_NAME, ORGANIZATION_ID } from './config/shapes';
import { CLOUDFRONT_EVENTBRIDGE_SOURCE, CLOUDTRAIL_API_CALL_DETAIL_TYPE, invalidationEventPattern } from './invalidation-event-pattern';

/** The organization bus's default name: fixed, so that a member's template can name its ARN before the bus exists. */
export const ORGANIZATION_BUS_NAME = 'cloudfront-invalidation-notifier';

export interface OrganizationBusProps {
  /** The AWS Organizations ID (`o-...`): only its accounts may put events on the bus. */
  readonly organizationId: string;
  /**
   * The bus's name, which the members' templates name in its ARN.
   * @default ORGANIZATION_BUS_NAME
   */
  readonly eventBusName?: string;
  /**
   * The work watched, whose calls {@link OrganizationBus.rule} matches.
   * @default both invalidations and deployments
   */
  readonly watch?: readonly WorkKind[];
}

const ORGANIZATION_BUS_PROPS = propChecks<OrganizationBusProps>()({
  organizationId: propCheck.text,
  eventBusName: propCheck.text,
  watch: propCheck.workKinds,
});

/**
 * The central account's event bus for organization mode: member accounts' forwarding rules
 * (see `MemberAccount`) put their CloudFront invalidation events on it, and its policy accepts
 * `events:PutEvents` from principals of the organization only. {@link rule} matches the same
 * events as the trigger on the default bus; the central notifier adds its Start watch target to it.
 * Checks its props first: every problem in one {@link ConfigError}.
 */
export class OrganizationBus extends Construct {
  public readonly eventBus: EventBus;
  /** The invalidation events on {@link eventBus}; no target until the notifier adds one. */
  public readonly rule: Rule;
  /** What a member's `centralEventBusArn` is: this bus's ARN (literal where the stack's account and region are known). */
  public readonly eventBusArn: string;

  constructor(scope: Construct, id: string, givenProps: OrganizationBusProps) {
    super(scope, id);
    const shapeProblems = propsProblems(givenProps ?? undefined, ORGANIZATION_BUS_PROPS, 'OrganizationBus props');
    if (shapeProblems.length > 0) throw new ConfigError(shapeProblems);
    const props = presentProps(givenProps);
    const eventBusName = props.eventBusName ?? ORGANIZATION_BUS_NAME;
    const problems: string[] = [];
    if (
      typeof props.organizationId !== 'string' ||
      Token.isUnresolved(props.organizationId) ||
      !ORGANIZATION_ID.test(props.organizationId)
    ) {
      problems.push(
        `organizationId must be an AWS Organizations ID such as o-a1b2c3d4e5 (aws organizations describe-organization), not ${typeof props.organizationId === 'string' && Token.isUnresolved(props.organizationId) ? 'a token' : `"${String(props.organizationId)}"`}.`,
      );
    }
    if (
      Token.isUnresolved(eventBusName) ||
      !BUS_NAME.test(eventBusName) ||
      eventBusName.includes('/') ||
      eventBusName === 'default' ||
      eventBusName.startsWith('aws.')
    ) {
      problems.push(
        `eventBusName "${eventBusName}" must be a literal custom bus name (letters, digits, . - _, up to 256; not "default", not starting with "aws."), ` +
          'so that member templates can name it.',
      );
    }
    if (problems.length > 0) throw new ConfigError(problems);

    this.eventBus = new EventBus(this, 'Bus', {
      eventBusName,
      description: 'CloudFront invalidation events forwarded by the organization member accounts (cloudfront-invalidation-notifier)',
    });
    this.eventBus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OrganizationMembersPutInvalidationEvents',
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: {
          StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
          // Only what the members' rules forward. AWS reserves "aws." sources for its own
          // events, so no member can put a forged CloudFront event here by itself.
          'ForAllValues:StringEquals': {
            'events:source': [CLOUDFRONT_EVENTBRIDGE_SOURCE],
            'events:detail-type': [CLOUDTRAIL_API_CALL_DETAIL_TYPE],
          },
        },
      }),
    );
    this.eventBusArn = Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: eventBusName });
    this.rule = new Rule(this, 'Rule', {
      eventBus: this.eventBus,
      description: 'Successful CloudFront calls that start watched work (distributions and tenants) of the member accounts, via CloudTrail',
      eventPattern: invalidationEventPattern(props.watch),
    });
  }
}
