import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ConfigError, loadConfig } from '../../lib/config';
import { addNotifierStacks, STACK_IDS } from '../../lib/notifier-app';
import { READER_ROLE_NAME } from '../../lambda/shared/organization';
import { ORG } from '../support/reach-stacks';
import { actionsOf, statementsOfFunction } from '../support/function-policies';
import type { CfnTemplate } from '../../local/template';

function synthApp(context: Record<string, unknown>, account: string | null = ORG.central) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = addNotifierStacks(app, loadConfig(context), account ?? undefined);
  return { app, stacks };
}

describe('the app in us-east-1', () => {
  it('is one stack, with a trail only when createTrail is set', () => {
    const plain = synthApp({});
    expect(plain.stacks.forwarder).toBeUndefined();
    Template.fromStack(plain.stacks.notifier).resourceCountIs('AWS::CloudTrail::Trail', 0);
    const withTrail = synthApp({ createTrail: 'true' });
    Template.fromStack(withTrail.stacks.notifier).hasResourceProperties('AWS::CloudTrail::Trail', {
      IncludeGlobalServiceEvents: true,
      EventSelectors: [Match.objectLike({ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true })],
    });
  });
});

describe('the app in another region', () => {
  const { stacks } = synthApp({ region: 'eu-west-1', createTrail: 'true' });

  it('puts the notifier there and a forwarder in us-east-1 that targets its default bus, with the trail in us-east-1', () => {
    expect(stacks.notifier.region).toBe('eu-west-1');
    expect(stacks.forwarder!.region).toBe('us-east-1');
    const forwarder = Template.fromStack(stacks.forwarder!);
    const [rule] = Object.values(forwarder.findResources('AWS::Events::Rule')) as { Properties: { Targets: unknown[] } }[];
    expect(rule!.Properties.Targets).toHaveLength(1);
    expect(JSON.stringify(rule!.Properties.Targets)).toMatch(new RegExp(`:events:eu-west-1:${ORG.central}:event-bus/default"`));
    expect(rule!.Properties.Targets[0]).toMatchObject({ DeadLetterConfig: expect.anything(), RoleArn: expect.anything() });
    forwarder.resourceCountIs('AWS::CloudTrail::Trail', 1);
    Template.fromStack(stacks.notifier).resourceCountIs('AWS::CloudTrail::Trail', 0);
  });

  it("listens on its own region's default bus, where the forwarded events arrive", () => {
    Template.fromStack(stacks.notifier).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.cloudfront'] }),
      EventBusName: Match.absent(),
    });
  });
});

describe('the app in organization mode', () => {
  const { app, stacks } = synthApp({ region: ORG.region, organizationId: ORG.id });
  const central = Template.fromStack(stacks.notifier);
  const json = central.toJSON() as CfnTemplate;

  it('adds the organization bus, whose rule starts watches like the default bus rule', () => {
    central.hasResourceProperties('AWS::Events::EventBus', { Name: 'cloudfront-invalidation-notifier' });
    const rules = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern);
    const targets = rules.map((r) => JSON.stringify((r.Properties as { Targets: unknown }).Targets));
    expect(rules).toHaveLength(2);
    expect(new Set(targets).size).toBe(1);
  });

  it('lets the checker and Start watch assume only the reader role, only inside the organization', () => {
    for (const fn of ['checker', 'start-watch']) {
      const assume = statementsOfFunction(json, fn).filter((s) => actionsOf([s]).includes('sts:AssumeRole'));
      expect(assume).toEqual([
        expect.objectContaining({
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${READER_ROLE_NAME}`]] },
          Condition: { StringEquals: { 'aws:ResourceOrgID': ORG.id } },
        }),
      ]);
    }
    expect(actionsOf(statementsOfFunction(json, 'notify'))).not.toContain('sts:AssumeRole');
  });

  it('gives those roles the path the member reader roles trust', () => {
    const roles = Object.values(json.Resources).filter(
      (r) => r.Type === 'AWS::IAM::Role' && r.Properties?.Path === '/cloudfront-invalidation-notifier/',
    );
    expect(roles).toHaveLength(2);
  });

  it('synthesizes the member template in a stage of its own (not deployed by cdk deploy --all), naming the central bus', () => {
    expect(stacks.member!.node.scope!.node.id).toBe(STACK_IDS.membersStage);
    expect(app.node.findChild(STACK_IDS.notifier)).toBe(stacks.notifier);
    Template.fromStack(stacks.member!).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: `arn:aws:events:${ORG.region}:${ORG.central}:event-bus/cloudfront-invalidation-notifier` })],
    });
  });

  it('needs the central account for the member template', () => {
    expect(() => synthApp({ organizationId: ORG.id }, null)).toThrow(ConfigError);
    expect(() => synthApp({ organizationId: ORG.id }, null)).toThrow(/-c centralAccount=/);
  });
});

describe('context for reach', () => {
  it.each([
    [{ region: 'mars-1' }, /region "mars-1" is not an AWS region/],
    [{ createTrail: 'yes' }, /createTrail must be true or false/],
    [{ organizationId: 'org-1' }, /organizationId "org-1" is not an AWS Organizations ID/],
    [{ centralAccount: '111111111111' }, /centralAccount is only used in organization mode/],
  ])('refuses %j', (context, message) => {
    expect(() => loadConfig(context)).toThrow(message);
  });
});
