/**
 * What to do when a piece of work cannot be followed: the refusal's code (CloudFront's, or the
 * SDK's for missing credentials) said in words, with the next step. Read by the command line
 * only; the notifier's messages say the same through their own "could not track" text.
 */
import type { CheckedWork } from '../lambda/shared/invalidation-status';
import { safe } from './progress';

export function adviceFor(code: string | undefined, work: CheckedWork, profile?: string): string {
  const target = `${work.target.kind === 'tenant' ? 'distribution tenant' : 'distribution'} ${safe(work.target.id, 200)}`;
  const credentials = profile ? `the profile ${safe(profile, 100)}` : 'these credentials (AWS_PROFILE, the environment, --profile)';
  const action =
    work.work === 'deployment'
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
      return 'No AWS credentials were found: set AWS_PROFILE or pass --profile, run aws sso login, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.';
    default:
      return `CloudFront refused to tell: check the ${target} and ${credentials} (they need ${action}).`;
  }
}
