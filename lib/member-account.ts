import { BootstraplessSynthesizer, Duration, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import { AccountPrincipal, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ConfigError, presentProps, propCheck, propChecks, propsProblems } from './config';
import { ACCOUNT_ID, ORGANIZATION_ID, eventBusArn, parseRoleArn } from './config/shapes';
import { alarmTopicProblems, BusForwardingRule, parseEventBusArn } from './event-forwarder';
import { usEast1Problems } from './region-guard';
import { CENTRAL_ROLE_PATH, READER_ROLE_NAME, readerRoleArn } from '../lambda/shared/organization';

export { CENTRAL_ROLE_PATH, READER_ROLE_NAME, readerRoleArn };

/** What the reader role allows, and nothing else: the Get calls of one watch and the look-ups that name things. */
export const READER_ACTIONS = {
  /** On `distribution/*` of the member account. */
  distribution: [
    'cloudfront:GetInvalidation',
    'cloudfront:GetDistribution',
    'cloudfront:ListTagsForResource',
    'cloudfront:ListInvalidations',
  ],
  /** On `distribution-tenant/*` of the member account. */
  tenant: [
    'cloudfront:GetInvalidationForDistributionTenant',
    'cloudfront:GetDistributionTenant',
    'cloudfront:ListTagsForResource',
    'cloudfront:ListInvalidationsForDistributionTenant',
  ],
  /**
   * On `*` (these actions have no resource type): the account's alias, to name the account in
   * messages, and the distributions and tenants, to find the invalidation of a CloudTrail event
   * that was cut for size.
   */
  account: ['iam:ListAccountAliases', 'cloudfront:ListDistributions', 'cloudfront:ListDistributionTenants'],
} as const;

/** The reader roles of every account, for the central function's `sts:AssumeRole` permission. */
export function anyReaderRoleArn(partition = 'aws'): string {
  return readerRoleArn('*', partition);
}

/** The central notifier's function roles allowed to assume a reader role (an `aws:PrincipalArn` pattern). */
export function centralRoleArnPattern(centralAccount: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${centralAccount}:role${CENTRAL_ROLE_PATH}*`;
}

export interface MemberAccountProps {
  /**
   * The central account's organization bus (see `OrganizationBus`), e.g.
   * `arn:aws:events:eu-west-1:111111111111:event-bus/cloudfront-invalidation-notifier`.
   */
  readonly centralEventBusArn: string;
  /** The AWS Organizations ID (`o-...`): only principals of the organization may assume the reader role. */
  readonly organizationId: string;
  /**
   * The account of the central notifier, whose function roles may assume the reader role.
   * @default the account of `centralEventBusArn`
   */
  readonly centralAccount?: string;
  /**
   * The central roles allowed to assume the reader role, as an ARN pattern in the central account.
   * @default roles under the path {@link CENTRAL_ROLE_PATH} of the central account
   */
  readonly trustedRoleArnPattern?: string;
  /**
   * Where the forwarding dead-letter alarm is published; a topic in us-east-1 of this account.
   * @default no action: the alarm is visible in this account's us-east-1 CloudWatch console only
   */
  readonly alarmTopic?: ITopic;
}

const MEMBER_ACCOUNT_PROPS = propChecks<MemberAccountProps>()({
  centralEventBusArn: propCheck.text,
  organizationId: propCheck.text,
  centralAccount: propCheck.text,
  trustedRoleArnPattern: propCheck.text,
  alarmTopic: propCheck.topic('AlarmTopic'),
});

/**
 * What a member account of an organization needs for a central notifier: a rule on its
 * us-east-1 default bus forwarding its CloudFront invalidation events to the central
 * organization bus (with a role and an alarmed dead-letter queue), and the read-only
 * {@link READER_ROLE_NAME} role the central notifier assumes to check those invalidations.
 *
 * No assets, no Lambda code, no look-ups: the stack it is in can be a CloudFormation StackSet
 * template (see {@link MemberAccountStack}). Checks its props first: every problem in one
 * {@link ConfigError}.
 */
export class MemberAccount extends Construct {
  public readonly forwarding: BusForwardingRule;
  /** The role the central notifier assumes; named {@link READER_ROLE_NAME}. */
  public readonly readerRole: Role;
  public readonly centralAccount: string;
  public readonly trustedRoleArnPattern: string;

  constructor(scope: Construct, id: string, givenProps: MemberAccountProps) {
    super(scope, id);
    const shapeProblems = propsProblems(givenProps ?? undefined, MEMBER_ACCOUNT_PROPS, 'MemberAccount props');
    if (shapeProblems.length > 0) throw new ConfigError(shapeProblems);
    const props = presentProps(givenProps);
    const stack = Stack.of(this);
    const bus =
      props.centralEventBusArn === undefined || Token.isUnresolved(props.centralEventBusArn)
        ? undefined
        : parseEventBusArn(props.centralEventBusArn);
    const problems: string[] = [];
    if (!bus) {
      problems.push(
        `centralEventBusArn must be a literal event bus ARN such as arn:aws:events:eu-west-1:111111111111:event-bus/cloudfront-invalidation-notifier ` +
          `(the central stack's OrganizationBus), not ${Token.isUnresolved(props.centralEventBusArn) ? 'a token' : `"${props.centralEventBusArn}"`}.`,
      );
    }
    if (props.organizationId === undefined || Token.isUnresolved(props.organizationId) || !ORGANIZATION_ID.test(props.organizationId)) {
      problems.push(
        `organizationId must be an AWS Organizations ID such as o-a1b2c3d4e5 (aws organizations describe-organization), not ${props.organizationId !== undefined && Token.isUnresolved(props.organizationId) ? 'a token' : `"${String(props.organizationId)}"`}.`,
      );
    }
    this.centralAccount = props.centralAccount ?? bus?.account ?? '';
    if (props.centralAccount !== undefined && (Token.isUnresolved(props.centralAccount) || !ACCOUNT_ID.test(props.centralAccount))) {
      problems.push(
        `centralAccount must be a 12-digit AWS account ID, not ${Token.isUnresolved(props.centralAccount) ? 'a token' : `"${props.centralAccount}"`}.`,
      );
    }
    if (!Token.isUnresolved(stack.account) && stack.account === this.centralAccount) {
      problems.push(
        `MemberAccount is in the central account ${stack.account}: the central notifier reads its own account directly and hears its events on its own default bus. ` +
          'Deploy MemberAccount to the other accounts only (exclude the central account from the StackSet).',
      );
    }
    this.trustedRoleArnPattern =
      props.trustedRoleArnPattern ?? centralRoleArnPattern(this.centralAccount, bus?.partition ?? stack.partition);
    if (props.trustedRoleArnPattern !== undefined) {
      const role = parseRoleArn(props.trustedRoleArnPattern);
      if (!role || role.account !== this.centralAccount) {
        problems.push(
          `trustedRoleArnPattern "${props.trustedRoleArnPattern}" must be a role ARN pattern in the central account ${this.centralAccount || '(unknown)'}, ` +
            `such as ${centralRoleArnPattern(this.centralAccount || '111111111111')}.`,
        );
      }
    }
    problems.push(...usEast1Problems(this, `MemberAccount "${this.node.path}"`), ...alarmTopicProblems(this, props.alarmTopic));
    if (problems.length > 0 || !bus) throw new ConfigError(problems);

    this.forwarding = new BusForwardingRule(this, 'Forwarding', {
      targetEventBusArn: eventBusArn(bus),
      description: `Forwards successful CloudFront CreateInvalidation calls (via CloudTrail) to the central notifier bus ${bus.name} in ${bus.account} ${bus.region}`,
      alarmTopic: props.alarmTopic,
    });

    const { account, partition } = stack;
    const distributions = `arn:${partition}:cloudfront::${account}:distribution/*`;
    const tenants = `arn:${partition}:cloudfront::${account}:distribution-tenant/*`;
    this.readerRole = new Role(this, 'ReaderRole', {
      roleName: READER_ROLE_NAME,
      description:
        "Lets the central CloudFront invalidation notifier read this account's invalidations, distributions, tenants, tags and alias",
      // The central account, narrowed by conditions to its notifier's function roles within the
      // organization. An external ID is meant for a third party that acts for many customers
      // (the confused deputy); here the trusted principals are fixed roles of our own organization,
      // and an external ID would be one more value to distribute without narrowing anything.
      assumedBy: new AccountPrincipal(this.centralAccount).withConditions({
        ArnLike: { 'aws:PrincipalArn': this.trustedRoleArnPattern },
        StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
      }),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        ReadInvalidations: new PolicyDocument({
          statements: [
            new PolicyStatement({ sid: 'Distributions', actions: [...READER_ACTIONS.distribution], resources: [distributions] }),
            new PolicyStatement({ sid: 'DistributionTenants', actions: [...READER_ACTIONS.tenant], resources: [tenants] }),
            new PolicyStatement({ sid: 'AccountWide', actions: [...READER_ACTIONS.account], resources: ['*'] }),
          ],
        }),
      },
    });
    // cdk-nag names unresolved tokens like this in its finding IDs.
    const accountInFinding = Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
    for (const resource of ['distribution/*', 'distribution-tenant/*']) {
      Validations.of(this.readerRole).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudfront::${accountInFinding}:${resource}]`,
        reason:
          'Any distribution or tenant of the account may be invalidated by anyone; their IDs are not known at deploy time. The actions are read-only Get/List calls.',
      });
    }
    Validations.of(this.readerRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'iam:ListAccountAliases, cloudfront:ListDistributions and cloudfront:ListDistributionTenants have no resource type, so they take "*"; they only read the account alias and the lists of distributions and tenants.',
    });
  }
}

export interface MemberAccountStackProps extends StackProps, MemberAccountProps {}

/**
 * A member account's stack: one {@link MemberAccount}. Synthesized without the CDK bootstrap
 * (no asset parameters, no bootstrap version rule), so its template also works as a
 * CloudFormation StackSet template. Leave `env` out for a StackSet (the template then refuses to
 * deploy outside us-east-1 by itself), or give `env: { region: 'us-east-1' }` to deploy it to
 * one account with `cdk deploy`.
 */
export class MemberAccountStack extends Stack {
  public readonly member: MemberAccount;

  constructor(scope: Construct, id: string, props: MemberAccountStackProps) {
    const { centralEventBusArn, organizationId, centralAccount, trustedRoleArnPattern, alarmTopic, ...stackProps } = props ?? {};
    super(scope, id, {
      description:
        'Member account of the CloudFront invalidation notifier: forwards invalidation events, lets the central notifier read them',
      synthesizer: new BootstraplessSynthesizer(),
      // No AWS::CDK::Metadata resource (and its region conditions) in a template meant for StackSets.
      analyticsReporting: false,
      ...stackProps,
    });
    this.member = new MemberAccount(this, 'Member', {
      centralEventBusArn,
      organizationId,
      centralAccount,
      trustedRoleArnPattern,
      alarmTopic,
    });
  }
}
