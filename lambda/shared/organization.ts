/**
 * Organization mode's names, shared by the member template (lib/member-account.ts) and the
 * central functions that assume its role (lambda/shared/cloudfront-access.ts).
 */

/**
 * The reader role's name, the same in every member account, so that the central notifier can
 * build its ARN for any account an event comes from.
 */
export const READER_ROLE_NAME = 'CloudFrontInvalidationNotifierReader';

/**
 * The IAM path of the central notifier's function roles that may assume a reader role. A path,
 * not a name: CloudFormation generates the roles' names, and a path is the part of a role ARN
 * (and of `aws:PrincipalArn`) that a stack can fix without fixing names.
 */
export const CENTRAL_ROLE_PATH = '/cloudfront-invalidation-notifier/';

/** The reader role of a member account. */
export function readerRoleArn(account: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${account}:role/${READER_ROLE_NAME}`;
}

/** An AWS account ID: used in execution names, tag look-ups and reader role ARNs, and checked at synth. */
export const ACCOUNT_ID = /^\d{12}$/;
