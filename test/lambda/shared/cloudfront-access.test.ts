// The STS client fromTemporaryCredentials makes for itself.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CloudFrontAccess } from '../../../lambda/shared/cloudfront-access';
import { failureOf } from '../../support/failure-of';

const stsMock = mockClient(STSClient);
afterEach(() => stsMock.reset());

const MEMBER = '222222222222';
const access = (now = () => 0) =>
  new CloudFrontAccess({
    clientConfig: {},
    organization: { ownAccount: '111111111111' },
    now,
  });
const refused = () =>
  Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });

describe('CloudFrontAccess in organization mode', () => {
  it("reads the notifier's own account with its own credentials, a member's through its reader role", async () => {
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) },
    });
    const subject = access();

    await subject.cloudFront('111111111111');
    await subject.cloudFront(MEMBER);
    await subject.cloudFront(MEMBER);

    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/CloudFrontInvalidationNotifierReader`,
    });
  });

  it('assumes the role again only when its credentials are about to expire', async () => {
    stsMock
      .on(AssumeRoleCommand)
      .resolvesOnce({
        Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 60_000) },
      })
      .resolves({
        Credentials: { AccessKeyId: 'ASIA2', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 900_000) },
      });
    const subject = access();

    await subject.cloudFront(MEMBER);
    await subject.cloudFront(MEMBER);
    await subject.cloudFront(MEMBER);

    // The first credentials expire within the SDK's 5-minute window: renewed once, then kept.
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it("asks a refusing member's role once for a burst of its events, and names the account and the role", async () => {
    stsMock.on(AssumeRoleCommand).rejects(refused());
    const subject = access();

    const errors = await Promise.all(Array.from({ length: 20 }, () => failureOf(() => subject.cloudFront(MEMBER))));

    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    for (const error of errors) {
      expect(error.name).toBe('InvalidationNotTrackable');
      expect(error.message).toContain(`arn:aws:iam::${MEMBER}:role/CloudFrontInvalidationNotifierReader`);
    }
  });

  it('asks again after a minute (the member may have deployed the role), and after a transient failure at once', async () => {
    let time = 0;
    stsMock
      .on(AssumeRoleCommand)
      .rejectsOnce(refused())
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    const subject = access(() => time);

    await failureOf(() => subject.cloudFront(MEMBER));
    time = 61_000;
    const throttled = await failureOf(() => subject.cloudFront(MEMBER));
    await failureOf(() => subject.cloudFront(MEMBER));

    expect(throttled.name).toBe('CloudFrontUnavailable');
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 3);
  });
});
