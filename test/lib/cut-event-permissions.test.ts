/**
 * Start watch may list what it needs to find a cut CloudTrail event's invalidation, and no more:
 * invalidation lists on the account's distributions and tenants, and the two account-wide lists
 * that have no resource type.
 */
import { LOCAL_SLACK_SECRET_NAME, synthTemplate } from '../../local/pipeline';
import { LOCAL_ACCOUNT, resolveIntrinsics, type CfnTemplate } from '../../local/template';
import { actionsOf, statementsOfFunction } from '../support/function-policies';

const ACCOUNT = LOCAL_ACCOUNT;
const json: CfnTemplate = synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false);
const listStatements = statementsOfFunction(json, 'start-watch').filter((statement) =>
  actionsOf([statement]).some((action) => action.startsWith('cloudfront:List') && action !== 'cloudfront:ListTagsForResource'),
);
const resourcesOf = (action: string) =>
  listStatements
    .filter((statement) => actionsOf([statement]).includes(action))
    .flatMap((statement) => [statement.Resource].flat())
    .map((resource) => JSON.stringify(resolveIntrinsics(json, resource)));

describe("Start watch's permissions to find a cut event's invalidation", () => {
  it('lists invalidations of the distributions and of the tenants of its own account only', () => {
    expect(resourcesOf('cloudfront:ListInvalidations')).toEqual([JSON.stringify(`arn:aws:cloudfront::${ACCOUNT}:distribution/*`)]);
    expect(resourcesOf('cloudfront:ListInvalidationsForDistributionTenant')).toEqual([
      JSON.stringify(`arn:aws:cloudfront::${ACCOUNT}:distribution-tenant/*`),
    ]);
  });

  it('lists distributions and tenants on "*", the only resource those actions take', () => {
    expect(resourcesOf('cloudfront:ListDistributions')).toEqual(['"*"']);
    expect(resourcesOf('cloudfront:ListDistributionTenants')).toEqual(['"*"']);
  });

  it('adds no other list action', () => {
    expect(actionsOf(listStatements)).toEqual([
      'cloudfront:ListDistributionTenants',
      'cloudfront:ListDistributions',
      'cloudfront:ListInvalidations',
      'cloudfront:ListInvalidationsForDistributionTenant',
    ]);
  });
});
