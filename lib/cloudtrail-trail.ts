import { Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { CfnTrail } from 'aws-cdk-lib/aws-cloudtrail';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ConfigError, presentProps, propCheck, propChecks, propsProblems } from './config';
import { usEast1Problems } from './region-guard';

export interface CloudTrailTrailProps {
  /**
   * The trail's name: fixed, because the bucket policy names the trail's ARN (CloudTrail checks
   * that policy when the trail is created, so it cannot refer to the trail).
   * @default a name unique to this construct's path in the app
   */
  readonly trailName?: string;
  /**
   * How long log files are kept (and a deleted or overwritten file's previous version).
   * @default Duration.days(90)
   */
  readonly retention?: Duration;
  /**
   * How long the log bucket's own S3 server access logs are kept.
   * @default Duration.days(90)
   */
  readonly accessLogsRetention?: Duration;
  /**
   * Record every region's management events, not only this region's. Not needed for the
   * notifier: CloudFront is a global service whose events are recorded in us-east-1, which a
   * single-region trail there covers with global service events included.
   * @default false: a single-region trail, which must then be in us-east-1
   */
  readonly multiRegion?: boolean;
  /**
   * What happens to both buckets when the stack is deleted. Log files are evidence: by default
   * they outlive the stack (and their lifecycle rules keep deleting them after `retention`
   * only while the bucket exists; empty and delete a retained bucket by hand).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const CLOUDTRAIL_TRAIL_PROPS = propChecks<CloudTrailTrailProps>()({
  trailName: propCheck.text,
  retention: propCheck.duration,
  accessLogsRetention: propCheck.duration,
  multiRegion: propCheck.flag,
  removalPolicy: propCheck.removalPolicy,
});

/** CloudTrail's trail name rules: 3-128 characters, letters, digits, `.` `_` `-`, alphanumeric at both ends, no two separators in a row. */
const TRAIL_NAME = /^(?=.{3,128}$)[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?![._-]))*[A-Za-z0-9]$/;

/**
 * A CloudTrail trail for the account's write management events, for accounts that have none:
 * EventBridge sees `AWS API Call via CloudTrail` events (so the notifier hears of an
 * invalidation) only while a trail with logging enabled exists; an organization trail counts.
 *
 * The log bucket is encrypted with S3-managed keys (SSE-S3), TLS-only, private, versioned and
 * expires files after `retention`; its S3 server access logs go to a second bucket. Checks its
 * props first: every problem in one {@link ConfigError}.
 */
export class CloudTrailTrail extends Construct {
  public readonly trail: CfnTrail;
  public readonly trailName: string;
  public readonly trailArn: string;
  /** Where CloudTrail delivers the log files. */
  public readonly bucket: Bucket;
  /** Where S3 writes the server access logs of {@link bucket}. */
  public readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, givenProps: CloudTrailTrailProps | null = {}) {
    super(scope, id);
    const shapeProblems = propsProblems(givenProps, CLOUDTRAIL_TRAIL_PROPS, 'CloudTrailTrail props');
    if (shapeProblems.length > 0) throw new ConfigError(shapeProblems);
    const props = presentProps(givenProps);
    // Access-log delivery through a bucket policy (what AWS recommends, and what works with ACLs
    // disabled), whatever feature flags the app that uses this construct has.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const stack = Stack.of(this);
    this.trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    const retention = props.retention ?? Duration.days(90);
    const accessLogsRetention = props.accessLogsRetention ?? Duration.days(90);
    const problems = [
      ...(props.multiRegion ? [] : usEast1Problems(this, `CloudTrailTrail "${this.node.path}" (a single-region trail)`)),
      ...retentionProblems('retention', retention),
      ...retentionProblems('accessLogsRetention', accessLogsRetention),
    ];
    if (!Token.isUnresolved(this.trailName) && !TRAIL_NAME.test(this.trailName)) {
      problems.push(
        `trailName "${this.trailName}" is not a trail name: 3-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit, no two of '._-' in a row.`,
      );
    }
    if (problems.length > 0) throw new ConfigError(problems);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // SSE-S3, not a KMS key: S3 delivers server access logs only to SSE-S3 buckets, and for the
    // trail's files a customer managed key would add a monthly charge, a request charge per
    // delivered file and a key policy to keep in step with CloudTrail, to protect records of
    // management calls that the account's CloudTrail console shows to the same people anyway.
    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: accessLogsRetention }],
      removalPolicy,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: "This bucket receives the trail bucket's server access logs; logging it into itself would log its own deliveries, endlessly.",
    });

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // A deleted or overwritten log file stays recoverable until the lifecycle removes it.
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      lifecycleRules: [{ id: 'ExpireLogFiles', expiration: retention, noncurrentVersionExpiration: retention }],
      removalPolicy,
    });

    this.trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: this.trailName });
    const cloudTrail = new ServicePrincipal('cloudtrail.amazonaws.com');
    // The policy AWS documents for a trail's bucket, narrowed to this trail (aws:SourceArn):
    // no other trail, in this account or another, can write here.
    const thisTrail = { 'aws:SourceArn': this.trailArn };
    const aclCheck = this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AWSCloudTrailAclCheck',
        principals: [cloudTrail],
        actions: ['s3:GetBucketAcl'],
        resources: [this.bucket.bucketArn],
        conditions: { StringEquals: thisTrail },
      }),
    );
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AWSCloudTrailWrite',
        principals: [cloudTrail],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`AWSLogs/${stack.account}/*`)],
        conditions: { StringEquals: { ...thisTrail, 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    );

    this.trail = new CfnTrail(this, 'Trail', {
      trailName: this.trailName,
      isLogging: true,
      s3BucketName: this.bucket.bucketName,
      // CloudFront is a global service: without these its events are not recorded at all.
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: props.multiRegion ?? false,
      enableLogFileValidation: true,
      // CreateInvalidation is a write; reads would only add volume to the bucket. No copy to
      // CloudWatch Logs: EventBridge gets the events anyway, and ingestion would be charged.
      eventSelectors: [{ readWriteType: 'WriteOnly', includeManagementEvents: true }],
    });
    // CloudTrail refuses to create a trail whose bucket policy does not let it write yet.
    if (aclCheck.policyDependable) this.trail.node.addDependency(aclCheck.policyDependable);
  }
}

function retentionProblems(prop: string, retention: Duration): string[] {
  if (Token.isUnresolved(retention.toSeconds())) return [];
  const days = retention.toDays({ integral: false });
  return Number.isInteger(days) && days >= 1
    ? []
    : [`${prop} must be a whole number of days, at least 1 (S3 lifecycle rules count in days), not ${retention.toHumanString()}.`];
}
