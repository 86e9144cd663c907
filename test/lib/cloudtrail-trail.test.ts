import { App, Duration, RemovalPolicy, Stack, type Environment } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CloudTrailTrail, type CloudTrailTrailProps } from '../../lib/cloudtrail-trail';
import { ConfigError } from '../../lib/config';
import { US_EAST_1_ONLY_RULE_ID } from '../../lib/region-guard';

const ACCOUNT = '123456789012';

function withTrail(props: CloudTrailTrailProps = {}, env: Environment = { region: 'us-east-1', account: ACCOUNT }, app = new App()) {
  const stack = new Stack(app, 'Audit', { env });
  const trail = new CloudTrailTrail(stack, 'Trail', props);
  return { stack, trail, template: Template.fromStack(stack) };
}

const bucketId = (template: Template, idPart: string): string => {
  const ids = Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) => id.includes(idPart));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

describe('CloudTrailTrail (defaults)', () => {
  const { trail, template } = withTrail();
  const logs = bucketId(template, 'TrailBucket');
  const accessLogs = bucketId(template, 'AccessLogsBucket');

  it('records write management events of this region, global service events (CloudFront) included, with file validation', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: trail.trailName,
      IsLogging: true,
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: false,
      EnableLogFileValidation: true,
      EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }],
      S3BucketName: { Ref: logs },
    });
  });

  it('is created after the bucket policy that lets CloudTrail write (CloudTrail checks it on creation)', () => {
    const [trailResource] = Object.values(template.findResources('AWS::CloudTrail::Trail'));
    const [policyId] = Object.entries(template.findResources('AWS::S3::BucketPolicy')).find(([, p]) => p.Properties.Bucket.Ref === logs)!;
    expect(trailResource!.DependsOn).toContain(policyId);
  });

  it('keeps log files in an encrypted, private, versioned, access-logged bucket that expires them after 90 days', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: accessLogs } },
        LifecycleConfiguration: {
          Rules: [{ Id: 'ExpireLogFiles', Status: 'Enabled', ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 90 } }],
        },
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('lets only this trail read the ACL and write files, only under AWSLogs/<account>/, only with bucket-owner-full-control, only over TLS', () => {
    const trailArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:us-east-1:${ACCOUNT}:trail/${trail.trailName}`]] };
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logs },
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Sid: 'AWSCloudTrailAclCheck',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:GetBucketAcl',
            Resource: { 'Fn::GetAtt': [logs, 'Arn'] },
            Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
          },
          {
            Sid: 'AWSCloudTrailWrite',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logs, 'Arn'] }, `/AWSLogs/${ACCOUNT}/*`]] },
            Condition: { StringEquals: { 'aws:SourceArn': trailArn, 's3:x-amz-acl': 'bucket-owner-full-control' } },
          },
        ],
      },
    });
  });

  it('sends the bucket access logs to a second encrypted, private, TLS-only bucket, written by S3 logging for that bucket only', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: { Rules: [{ Id: 'ExpireAccessLogs', Status: 'Enabled', ExpirationInDays: 90 }] },
        LoggingConfiguration: Match.absent(),
        AccessControl: Match.absent(),
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: accessLogs },
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logs, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          }),
        ],
      },
    });
  });

  it('exposes the trail ARN built from its fixed name', () => {
    expect(trail.trailName).toMatch(/^Audit-Trail-[0-9A-F]{8}$/);
    expect(Stack.of(trail).resolve(trail.trailArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:us-east-1:${ACCOUNT}:trail/${trail.trailName}`]],
    });
  });
});

describe('CloudTrailTrail props', () => {
  it('takes a trail name, retentions and a removal policy', () => {
    const { template } = withTrail({
      trailName: 'my.trail-1',
      retention: Duration.days(30),
      accessLogsRetention: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });

    template.hasResourceProperties('AWS::CloudTrail::Trail', { TrailName: 'my.trail-1' });
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })],
        },
      },
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7 })] } });
  });

  it('may be multi-region, then in any region', () => {
    const { template } = withTrail({ multiRegion: true }, { region: 'eu-west-1' });
    template.hasResourceProperties('AWS::CloudTrail::Trail', { IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true });
  });

  it('delivers access logs through a bucket policy even in an app whose feature flag says ACLs', () => {
    const app = new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': false } });
    const { template } = withTrail({}, { region: 'us-east-1', account: ACCOUNT }, app);

    // With the flag off CDK would give the log bucket a LogDeliveryWrite ACL, which a bucket
    // with ACLs disabled (BucketOwnerEnforced) cannot take: synth fails.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' } })]) },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('LogDeliveryWrite');
  });

  it('refuses to deploy outside us-east-1 when the stack region is unknown (a template rule)', () => {
    const { template } = withTrail({}, {});
    expect(template.toJSON().Rules?.[US_EAST_1_ONLY_RULE_ID]).toBeDefined();
  });

  it.each<[string, CloudTrailTrailProps, Environment, RegExp]>([
    [
      'a single-region trail outside us-east-1',
      {},
      { region: 'eu-west-1' },
      /CloudTrailTrail "Audit\/Trail" \(a single-region trail\) must be in us-east-1, but stack "Audit" is in eu-west-1/,
    ],
    [
      'a retention under a day',
      { retention: Duration.hours(12) },
      { region: 'us-east-1' },
      /retention must be a whole number of days, at least 1.*12 hours/,
    ],
    [
      'a retention in part days',
      { accessLogsRetention: Duration.hours(36) },
      { region: 'us-east-1' },
      /accessLogsRetention must be a whole number of days/,
    ],
    ['a trail name with spaces', { trailName: 'my trail' }, { region: 'us-east-1' }, /trailName "my trail" is not a trail name/],
    ['a trail name with two separators in a row', { trailName: 'my--trail' }, { region: 'us-east-1' }, /not a trail name/],
    ['a trail name too short', { trailName: 'ab' }, { region: 'us-east-1' }, /not a trail name/],
  ])('refuses %s, saying what to change', (_, props, env, message) => {
    expect(() => withTrail(props, env)).toThrow(ConfigError);
    expect(() => withTrail(props, env)).toThrow(message);
  });
});
