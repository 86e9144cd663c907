import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../lib/config';
import { ORGANIZATION_BUS_NAME, OrganizationBus, type OrganizationBusProps } from '../../lib/organization-bus';
import { ORG, REACH_STACKS } from '../support/reach-stacks';
import { errorOf } from '../support/failure-of';
import { SYNTHESIZED_INVALIDATION_PATTERN } from '../support/invalidation-pattern';

describe('OrganizationBus', () => {
  const stack = REACH_STACKS.centralBus!(new App());
  const template = Template.fromStack(stack);
  const bus = stack.node.findChild('OrganizationBus') as OrganizationBus;
  const busId = Object.keys(template.findResources('AWS::Events::EventBus'))[0]!;

  it('is a custom bus with the fixed name that member templates use', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'cloudfront-invalidation-notifier' });
    expect(ORGANIZATION_BUS_NAME).toBe('cloudfront-invalidation-notifier');
    expect(stack.resolve(bus.eventBusArn)).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, `:events:${ORG.region}:${ORG.central}:event-bus/cloudfront-invalidation-notifier`],
      ],
    });
  });

  it('accepts events:PutEvents only from principals of the organization, only CloudTrail events of CloudFront', () => {
    template.resourceCountIs('AWS::Events::EventBusPolicy', 1);
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: busId },
      Statement: {
        Sid: Match.anyValue(),
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': ORG.id },
          'ForAllValues:StringEquals': { 'events:source': ['aws.cloudfront'], 'events:detail-type': ['AWS API Call via CloudTrail'] },
        },
      },
    });
  });

  it('has a rule on the bus with the invalidation pattern, for the notifier to add its target to', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: SYNTHESIZED_INVALIDATION_PATTERN,
      Targets: Match.absent(),
    });
    expect(bus.rule.node.scope).toBe(bus);
  });

  it('takes another bus name', () => {
    const other = new Stack(new App(), 'Central');
    new OrganizationBus(other, 'Bus', { organizationId: ORG.id, eventBusName: 'platform.notifier_events-1' });
    Template.fromStack(other).hasResourceProperties('AWS::Events::EventBus', { Name: 'platform.notifier_events-1' });
  });

  it.each<[string, OrganizationBusProps, RegExp]>([
    [
      'an organization ID that is not one',
      { organizationId: '123456789012' },
      /organizationId must be an AWS Organizations ID such as o-a1b2c3d4e5/,
    ],
    ['the default bus', { organizationId: ORG.id, eventBusName: 'default' }, /eventBusName "default" must be a literal custom bus name/],
    ['an AWS-reserved name', { organizationId: ORG.id, eventBusName: 'aws.partner' }, /not starting with "aws\."/],
    ['a name with a slash', { organizationId: ORG.id, eventBusName: 'a/b' }, /eventBusName "a\/b"/],
  ])('refuses %s, saying what to change', (_, props, message) => {
    const error = errorOf(() => new OrganizationBus(new Stack(new App(), 'Central'), 'Bus', props));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
  });
});
