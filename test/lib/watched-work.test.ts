/**
 * The `watch` setting: what is watched decides which CloudTrail calls the trigger (and the
 * organization bus) listens for and which CloudFront Get calls the checker may make.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../lib/config';
import { InvalidationNotifier, type InvalidationNotifierProps } from '../../lib/invalidation-notifier';
import { errorOf } from '../support/failure-of';
import { actionsOf, statementsOfFunction } from '../support/function-policies';
import { SYNTHESIZED_INVALIDATIONS_ONLY_PATTERN, SYNTHESIZED_INVALIDATION_PATTERN } from '../support/invalidation-pattern';

function synth(props: InvalidationNotifierProps): Template {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Watched', {
    env: { account: '123456789012', region: 'us-east-1' },
  });
  new InvalidationNotifier(stack, 'Notifier', props);
  return Template.fromStack(stack);
}
const patterns = (template: Template) =>
  Object.values(template.findResources('AWS::Events::Rule'))
    .map((rule) => rule.Properties.EventPattern as unknown)
    .filter((pattern) => pattern !== undefined);
const checkerCloudFrontActions = (template: Template) =>
  actionsOf(statementsOfFunction(template.toJSON() as never, 'checker'))
    .filter((action) => action.startsWith('cloudfront:'))
    .sort();

describe('what is watched', () => {
  it('invalidations only: the rules hear only the invalidation calls, and the checker may read only invalidations', () => {
    const template = synth({ watch: ['invalidation'], organizationId: 'o-a1b2c3d4e5' });

    expect(patterns(template)).toEqual([SYNTHESIZED_INVALIDATIONS_ONLY_PATTERN, SYNTHESIZED_INVALIDATIONS_ONLY_PATTERN]);
    expect(checkerCloudFrontActions(template)).toEqual(['cloudfront:GetInvalidation', 'cloudfront:GetInvalidationForDistributionTenant']);
  });

  it('deployments only: the rules hear only the calls that start a deployment, and the checker may read only distributions and tenants', () => {
    const template = synth({ watch: ['deployment'] });

    const [pattern] = patterns(template) as (typeof SYNTHESIZED_INVALIDATION_PATTERN)[];
    expect(pattern!.detail.eventName).toEqual(
      SYNTHESIZED_INVALIDATION_PATTERN.detail.eventName.filter((name) => !name.includes('Invalidation')),
    );
    expect(checkerCloudFrontActions(template)).toEqual(['cloudfront:GetDistribution', 'cloudfront:GetDistributionTenant']);
  });

  it('both by default', () => {
    const template = synth({});

    expect(patterns(template)).toEqual([SYNTHESIZED_INVALIDATION_PATTERN]);
    expect(checkerCloudFrontActions(template)).toEqual([
      'cloudfront:GetDistribution',
      'cloudfront:GetDistributionTenant',
      'cloudfront:GetInvalidation',
      'cloudfront:GetInvalidationForDistributionTenant',
    ]);
  });

  it('refuses a route that matches only kinds of work that are not watched: it could never be used', () => {
    const error = errorOf(() =>
      synth({
        watch: ['invalidation'],
        destinations: { ops: { type: 'sns' }, deploys: { type: 'sns' } },
        routes: [
          { match: { kinds: ['deployment'] }, destinations: ['deploys'] },
          { match: { kinds: ['invalidation', 'deployment'] }, destinations: ['ops'] },
        ],
        defaultDestinations: [],
      }),
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      'Invalid configuration:\n- routes[0].match.kinds names only "deployment", which is not watched (watch is ["invalidation"]), so the route never matches: add "deployment" to watch, or remove the route',
    );
  });

  it('refuses a kind it does not know, naming the prop and the kinds', () => {
    const error = errorOf(() => synth({ watch: ['deployments' as never] }));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('watch');
    expect(error.message).toContain('"deployments" is not a kind of work (did you mean "deployment"?)');
  });
});
