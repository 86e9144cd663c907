/**
 * What to do when a piece of work cannot be followed: the refusal's code (CloudFront's, or the
 * SDK's for missing credentials) said in words, with the next step. Read by the command line
 * only; the notifier's messages say the same through their own "could not track" text.
 */
import type { CheckedWork } from '../lambda/shared/invalidation-status';
import { safe } from './progress';

/**
 * `call`: what was refused, a status check (`wait`) or the creation of an invalidation
 * (`invalidate`). A creation refused for another reason than access (too many in progress, a bad
 * path) has no advice: CloudFront's own message says what to change.
 */
export function adviceFor(
  code: string | undefined,
  work: CheckedWork,
  profile?: string,
  call: 'check' | 'create' = 'check',
): string | undefined {
  const target = `${work.target.kind === 'tenant' ? 'distribution tenant' : 'distribution'} ${safe(work.target.id, 200)}`;
  const credentials = profile ? `the profile ${safe(profile, 100)}` : 'these credentials (AWS_PROFILE, the environment, --profile)';
  const action =
    call === 'create'
      ? work.target.kind === 'tenant'
        ? 'cloudfront:CreateInvalidationForDistributionTenant'
        : 'cloudfront:CreateInvalidation'
      : work.work === 'deployment'
        ? work.target.kind === 'tenant'
          ? 'cloudfront:GetDistributionTenant'
          : 'cloudfront:GetDistribution'
        : work.target.kind === 'tenant'
          ? 'cloudfront:GetInvalidationForDistributionTenant'
          : 'cloudfront:GetInvalidation';
  switch (code) {
    case 'NoSuchInvalidation':
      return `No such invalidation on the ${target}: check the invalidation ID (aws cloudfront list-invalidations${
        work.target.kind === 'tenant' ? '-for-distribution-tenant --id' : ' --distribution-id'
      } ${safe(work.target.id, 200)}) and that it was made on this ${work.target.kind === 'tenant' ? 'tenant' : 'distribution'}.`;
    case 'NoSuchDistribution':
    case 'EntityNotFound':
    case 'NoSuchResource':
      return `No ${target} in the account of ${credentials}: check the ID, and that the credentials are the owning account's.`;
    case 'AccessDenied':
    case 'AccessDeniedException':
      return `${credentials[0]!.toUpperCase()}${credentials.slice(1)} may not call ${action} on the ${target}: use a role that may, or grant it.`;
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
    case 'UnrecognizedClientException':
      return `AWS refused ${credentials}: refresh them (aws sso login${profile ? ` --profile ${safe(profile, 100)}` : ''}, or new keys) and run the command again.`;
    case 'CredentialsProviderError':
    case 'TokenProviderError':
      return profile
        ? `No AWS credentials were found for the profile ${safe(profile, 100)}: check its name (aws configure list-profiles), and run aws sso login --profile ${safe(profile, 100)} if it signs in with SSO.`
        : 'No AWS credentials were found: set AWS_PROFILE or pass --profile, run aws sso login, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.';
    default:
      return call === 'create' ? undefined : `CloudFront refused to tell: check the ${target} and ${credentials} (they need ${action}).`;
  }
}
