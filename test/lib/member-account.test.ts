import { App, Stack, type Environment } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { ConfigError } from '../../lib/config';
import {
  anyReaderRoleArn,
  centralRoleArnPattern,
  MemberAccount,
  MemberAccountStack,
  READER_ACTIONS,
  READER_ROLE_NAME,
  readerRoleArn,
  type MemberAccountProps,
} from '../../lib/member-account';
import { US_EAST_1_ONLY_RULE_ID } from '../../lib/region-guard';
import { ORG, REACH_STACKS } from '../support/reach-stacks';
import { actionsOf, statementsOfFunction } from '../support/function-policies';
import type { CfnTemplate } from '../../local/template';
import { errorOf } from '../support/failure-of';
import { SYNTHESIZED_INVALIDATION_PATTERN } from '../support/invalidation-pattern';

const props: MemberAccountProps = { centralEventBusArn: ORG.busArn, organizationId: ORG.id };

describe('MemberAccountStack as a StackSet template (environment-agnostic)', () => {
  const app = new App();
  const stack = new MemberAccountStack(app, 'Member', props);
  const template = Template.fromStack(stack);
  const json = template.toJSON() as { Parameters?: object; Rules?: Record<string, unknown>; Resources: Record<string, { Type: string }> };

  it('needs no CDK bootstrap: no parameters (no BootstrapVersion, no asset parameters), no bootstrap version rule', () => {
    expect(json.Parameters).toBeUndefined();
    expect(Object.keys(json.Rules ?? {})).toEqual([US_EAST_1_ONLY_RULE_ID]);
    const artifact = app.synth().getStackByName(stack.stackName);
    expect(artifact.assets).toEqual([]);
  });

  it('has no CDK metadata resource or conditions, even where the CLI turns version reporting on', () => {
    const reporting = new App({ context: { 'aws:cdk:version-reporting': true } });
    const member = new MemberAccountStack(reporting, 'Member', props);
    // The same app setting does add it to an ordinary stack: the check can fail.
    const other = new Stack(reporting, 'Ordinary');
    const reported = Template.fromStack(member).toJSON();
    const ordinary = Template.fromStack(other).toJSON();

    expect(ordinary.Resources?.CDKMetadata).toBeDefined();
    expect(reported.Resources.CDKMetadata).toBeUndefined();
    expect(reported.Conditions).toBeUndefined();
  });

  it('has no code, custom resources or look-ups: only the rule, its role, queue and alarm, and the reader role', () => {
    expect(
      Object.values(json.Resources)
        .map((r) => r.Type)
        .sort(),
    ).toEqual([
      'AWS::CloudWatch::Alarm',
      'AWS::Events::Rule',
      'AWS::IAM::Policy',
      'AWS::IAM::Role',
      'AWS::IAM::Role',
      'AWS::SQS::Queue',
      'AWS::SQS::QueuePolicy',
    ]);
  });

  it('refuses to be deployed outside us-east-1 (the template checks the region itself)', () => {
    expect(json.Rules?.[US_EAST_1_ONLY_RULE_ID]).toEqual({
      Assertions: [
        { Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }, AssertDescription: expect.stringMatching(/us-east-1 only/) },
      ],
    });
  });

  it('forwards successful CreateInvalidation calls from the default bus to the central bus, with a role and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: SYNTHESIZED_INVALIDATION_PATTERN,
      Targets: [
        {
          Arn: ORG.busArn,
          Id: Match.anyValue(),
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ForwardingRole'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ForwardingDeadLetterQueue'), 'Arn'] } },
        },
      ],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: ORG.busArn }] },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
  });

  it('names the reader role so the central notifier can build its ARN in any account', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'CloudFrontInvalidationNotifierReader', MaxSessionDuration: 3600 });
    expect(readerRoleArn('222222222222')).toBe('arn:aws:iam::222222222222:role/CloudFrontInvalidationNotifierReader');
    expect(anyReaderRoleArn()).toBe('arn:aws:iam::*:role/CloudFrontInvalidationNotifierReader');
  });

  it('trusts only the central account, and there only roles under the notifier path, of the organization', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: READER_ROLE_NAME,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ORG.central}:root`]] } },
            Condition: {
              ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ORG.central}:role/cloudfront-invalidation-notifier/*` },
              StringEquals: { 'aws:PrincipalOrgID': ORG.id },
            },
          },
        ],
      },
    });
  });

  it("allows the read-only CloudFront calls on this account's distributions and tenants, the account alias, and nothing else", () => {
    const cloudfront = (resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, `:${resource}/*`]],
    });
    const [reader] = Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: READER_ROLE_NAME } }));
    expect(reader!.Properties.ManagedPolicyArns).toBeUndefined();
    expect(reader!.Properties.Policies).toEqual([
      {
        PolicyName: 'ReadInvalidations',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'Distributions',
              Effect: 'Allow',
              Action: [
                'cloudfront:GetInvalidation',
                'cloudfront:GetDistribution',
                'cloudfront:ListTagsForResource',
                'cloudfront:ListInvalidations',
              ],
              Resource: cloudfront('distribution'),
            },
            {
              Sid: 'DistributionTenants',
              Effect: 'Allow',
              Action: [
                'cloudfront:GetInvalidationForDistributionTenant',
                'cloudfront:GetDistributionTenant',
                'cloudfront:ListTagsForResource',
                'cloudfront:ListInvalidationsForDistributionTenant',
              ],
              Resource: cloudfront('distribution-tenant'),
            },
            {
              Sid: 'AccountWide',
              Effect: 'Allow',
              Action: ['iam:ListAccountAliases', 'cloudfront:ListDistributions', 'cloudfront:ListDistributionTenants'],
              Resource: '*',
            },
          ],
        },
      },
    ]);
    // No other policy is attached to the reader role.
    const attached = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.Roles as { Ref: string }[]);
    const readerId = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: READER_ROLE_NAME } }))[0];
    expect(attached).not.toContainEqual({ Ref: readerId });
  });

  it('exports exactly the ten read-only actions the policy allows', () => {
    expect(new Set(Object.values(READER_ACTIONS).flat())).toEqual(
      new Set([
        'cloudfront:GetInvalidation',
        'cloudfront:GetInvalidationForDistributionTenant',
        'cloudfront:GetDistribution',
        'cloudfront:GetDistributionTenant',
        'cloudfront:ListTagsForResource',
        'iam:ListAccountAliases',
        'cloudfront:ListInvalidations',
        'cloudfront:ListInvalidationsForDistributionTenant',
        'cloudfront:ListDistributions',
        'cloudfront:ListDistributionTenants',
      ]),
    );
  });

  it('allows every CloudFront action the central functions make in a member account', () => {
    // Prepare: the central notifier of organization mode, as the app builds it.
    const app = new App();
    const central = Template.fromStack(REACH_STACKS['app in organization mode: central notifier']!(app)).toJSON() as CfnTemplate;

    // Act
    const centralActions = ['start-watch', 'checker'].flatMap((dir) =>
      actionsOf(statementsOfFunction(central, dir)).filter((action) => action.startsWith('cloudfront:')),
    );

    // Assert
    expect(centralActions.length).toBeGreaterThan(0);
    expect(
      centralActions.filter(
        (action) =>
          !Object.values(READER_ACTIONS)
            .flat()
            .includes(action as never),
      ),
    ).toEqual([]);
  });

  it('cannot take assets (no bootstrap bucket in a StackSet): adding Lambda code fails at synth', () => {
    const other = new MemberAccountStack(new App(), 'WithCode', props);
    expect(
      () => new LambdaFunction(other, 'Fn', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromAsset(__dirname) }),
    ).toThrow(/Cannot add assets/);
  });
});

describe('MemberAccount props', () => {
  it('deploys to one account with cdk deploy when given env us-east-1: no template region rule then', () => {
    const stack = new MemberAccountStack(new App(), 'Member', { ...props, env: { account: ORG.member, region: 'us-east-1' } });
    expect(Template.fromStack(stack).toJSON().Rules).toBeUndefined();
  });

  it('takes another central account and role pattern', () => {
    const stack = new Stack(new App(), 'M', { env: { region: 'us-east-1' } });
    const member = new MemberAccount(stack, 'Member', {
      ...props,
      centralAccount: '333333333333',
      trustedRoleArnPattern: 'arn:aws:iam::333333333333:role/notifier/CheckStatus*',
    });

    expect(member.centralAccount).toBe('333333333333');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Condition: Match.objectLike({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::333333333333:role/notifier/CheckStatus*' } }),
          }),
        ],
      },
    });
  });

  it('builds the central role pattern from the path', () => {
    expect(centralRoleArnPattern('111111111111', 'aws-cn')).toBe('arn:aws-cn:iam::111111111111:role/cloudfront-invalidation-notifier/*');
  });

  it.each<[string, Partial<MemberAccountProps>, Environment, RegExp]>([
    [
      'a bus ARN that is not one',
      { centralEventBusArn: 'cloudfront-invalidation-notifier' },
      {},
      /centralEventBusArn must be a literal event bus ARN/,
    ],
    [
      'an organization ID that is not one',
      { organizationId: 'my-org' },
      {},
      /organizationId must be an AWS Organizations ID such as o-a1b2c3d4e5.*not "my-org"/,
    ],
    ['a central account that is not one', { centralAccount: '1111' }, {}, /centralAccount must be a 12-digit AWS account ID, not "1111"/],
    [
      'a role pattern of another account',
      { trustedRoleArnPattern: 'arn:aws:iam::*:role/cloudfront-invalidation-notifier/*' },
      {},
      /trustedRoleArnPattern .* must be a role ARN pattern in the central account 111111111111/,
    ],
    ['a known region other than us-east-1', {}, { region: 'eu-west-1' }, /MemberAccount "M\/Member" must be in us-east-1/],
    [
      'the central account itself',
      {},
      { account: ORG.central, region: 'us-east-1' },
      /MemberAccount is in the central account 111111111111.*exclude the central account from the StackSet/,
    ],
  ])('refuses %s, saying what to change', (_, override, env, message) => {
    const error = errorOf(() => new MemberAccount(new Stack(new App(), 'M', { env }), 'Member', { ...props, ...override }));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
  });
});
