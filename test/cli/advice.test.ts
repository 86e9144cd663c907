/** What the command line says to do when CloudFront or the SDK refuses: the right permission for the call made, the profile named. */
import { adviceFor } from '../../cli/advice';
import type { CheckedWork } from '../../lambda/shared/invalidation-status';

const check: CheckedWork = {
  work: 'invalidation',
  target: { kind: 'distribution', id: 'E2QWRUHAPOMQZL' },
  invalidationId: 'I2J0I21PCUYOIK',
};
const tenantCheck: CheckedWork = { ...check, target: { kind: 'tenant', id: 'dt_2abc' } };

describe('adviceFor', () => {
  it('names the permission of the call that was refused: the Get of a check, the Create of `invalidate`', () => {
    expect(adviceFor('AccessDenied', check)).toContain('may not call cloudfront:GetInvalidation on the distribution E2QWRUHAPOMQZL');
    expect(adviceFor('AccessDenied', check, undefined, 'create')).toContain(
      'may not call cloudfront:CreateInvalidation on the distribution E2QWRUHAPOMQZL',
    );
    expect(adviceFor('AccessDenied', tenantCheck, undefined, 'create')).toContain(
      'may not call cloudfront:CreateInvalidationForDistributionTenant on the distribution tenant dt_2abc',
    );
  });

  it('leaves a refused creation that is not about access to CloudFront\'s own message (no "refused to tell", no Get permission)', () => {
    expect(adviceFor('TooManyInvalidationsInProgress', check, undefined, 'create')).toBeUndefined();
    expect(adviceFor('InvalidArgument', check, undefined, 'create')).toBeUndefined();
    expect(adviceFor('SomethingNew', check)).toContain('they need cloudfront:GetInvalidation');
  });

  it('names the profile given when it has no credentials, and says how to list the profiles', () => {
    const advice = adviceFor('CredentialsProviderError', check, 'deploy\x1b[31m');
    expect(advice).toContain('No AWS credentials were found for the profile deploy [31m');
    expect(advice).toContain('aws configure list-profiles');
    expect(advice).not.toContain('\x1b');
    expect(adviceFor('CredentialsProviderError', check)).toContain('set AWS_PROFILE or pass --profile');
  });
});
