/**
 * Construct props as JavaScript may pass them: every value checked against its prop's declared
 * check (lib/config/props.ts), refused in one ConfigError naming the prop and what to pass. Before,
 * an ARN string for alarmTopic deployed alarms without actions, and one for notificationTopic or
 * slackWebhookSecret ended in a TypeError.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { CloudTrailTrail } from '../../../lib/cloudtrail-trail';
import { ConfigError } from '../../../lib/config';
import { EventForwarder } from '../../../lib/event-forwarder';
import { InvalidationNotifier } from '../../../lib/invalidation-notifier';
import { MemberAccount } from '../../../lib/member-account';
import { OrganizationBus } from '../../../lib/organization-bus';
import { DEFAULT_POLL_SCHEDULE } from '../../../lambda/shared/schedule';
import { errorOf } from '../../support/failure-of';

const stack = () =>
  new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:ops-alarms';

function refusal(act: () => unknown): string {
  const error = errorOf(act);
  expect(error).toBeInstanceOf(ConfigError);
  return error.message;
}

describe('InvalidationNotifier props of the wrong type', () => {
  it.each([
    ['alarmTopic', TOPIC_ARN, `Topic.fromTopicArn(this, 'AlarmTopic', '${TOPIC_ARN}')`],
    [
      'notificationTopic',
      'arn:aws:sns:us-east-1:123456789012:deploys',
      "Topic.fromTopicArn(this, 'NotificationTopic', 'arn:aws:sns:us-east-1:123456789012:deploys')",
    ],
    ['slackWebhookSecret', 'team/slack-webhook', "Secret.fromSecretNameV2(this, 'SlackWebhookSecret', 'team/slack-webhook')"],
    ['slackWebhookSecret', { secretName: 'team/slack-webhook' }, 'Secret.fromSecretNameV2('],
    ['logRetention', 'forever', 'must be a RetentionDays value'],
    ['logRetention', 31, 'must be a RetentionDays value'],
    ['receivesForwardedEvents', 'yes', 'must be true or false'],
    ['organizationId', 42, 'must be a string'],
    ['schedule', 600, 'must be an object'],
  ])('refuses %s = %j, naming it and what to pass', (prop, value, advice) => {
    const message = refusal(() => new InvalidationNotifier(stack(), 'N', { [prop]: value } as never));
    expect(message).toContain(`${prop} in InvalidationNotifier props must be`);
    expect(message).toContain(advice);
  });

  it('names a schedule value of the wrong type by its prop key, not as a range problem of the context key', () => {
    const message = refusal(() => new InvalidationNotifier(stack(), 'N', { schedule: { maxWaitSeconds: '600' } } as never));
    expect(message).toContain('maxWaitSeconds in schedule must be a number, not the string "600"');
    expect(message).not.toContain('maxWaitMinutes');
    expect(message).not.toMatch(/between 1 minute and 7 days/);
  });

  it('names maxWaitSeconds, in seconds, when its range is wrong', () => {
    const message = refusal(() => new InvalidationNotifier(stack(), 'N', { schedule: { maxWaitSeconds: 30 } }));
    expect(message).toContain('maxWaitSeconds must be between 1 minute and 7 days (60 to 604800) (got 30 s)');
  });

  it('lists every wrong prop at once', () => {
    const message = refusal(() => new InvalidationNotifier(stack(), 'N', { alarmTopic: TOPIC_ARN, logRetention: 'forever' } as never));
    expect(message).toMatch(/alarmTopic[^]*logRetention/);
  });

  it('takes a real topic, secret and retention (no refusal for the right types)', () => {
    const s = stack();
    expect(
      () => new InvalidationNotifier(s, 'N', { alarmTopic: Topic.fromTopicArn(s, 'Alarms', TOPIC_ARN), logRetention: 30 }),
    ).not.toThrow();
  });

  it('reads null props as unset, as a null context key is (destinations: null is the simple case)', () => {
    const notifier = new InvalidationNotifier(stack(), 'N', {
      destinations: null,
      routes: null,
      alarmTopic: null,
      schedule: null,
    } as never);
    expect(Object.keys(notifier.destinations.topics)).toEqual(['sns']);
    expect(notifier.schedule).toEqual(DEFAULT_POLL_SCHEDULE);
  });
});

describe('the other constructs check their props the same way', () => {
  const usEast1 = () => stack();
  it.each<[string, () => unknown, string]>([
    [
      'EventForwarder alarmTopic as an ARN',
      () => new EventForwarder(usEast1(), 'F', { targetRegion: 'eu-west-1', alarmTopic: TOPIC_ARN } as never),
      `alarmTopic in EventForwarder props must be an SNS topic (an ITopic), not the string "${TOPIC_ARN}"`,
    ],
    [
      'EventForwarder targetRegion as a list',
      () => new EventForwarder(usEast1(), 'F', { targetRegion: ['eu-west-1'] } as never),
      'targetRegion in EventForwarder props must be a string, not a list',
    ],
    [
      'MemberAccount alarmTopic as an ARN',
      () =>
        new MemberAccount(usEast1(), 'M', {
          centralEventBusArn: 'arn:aws:events:eu-west-1:111111111111:event-bus/cloudfront-invalidation-notifier',
          organizationId: 'o-a1b2c3d4e5',
          alarmTopic: TOPIC_ARN,
        } as never),
      `alarmTopic in MemberAccount props must be an SNS topic (an ITopic)`,
    ],
    [
      'OrganizationBus eventBusName as a number',
      () => new OrganizationBus(usEast1(), 'B', { organizationId: 'o-a1b2c3d4e5', eventBusName: 5 } as never),
      'eventBusName in OrganizationBus props must be a string, not number 5',
    ],
    [
      'CloudTrailTrail retention as a number of days',
      () => new CloudTrailTrail(usEast1(), 'T', { retention: 90 } as never),
      'retention in CloudTrailTrail props must be a Duration (e.g. Duration.days(90)), not number 90',
    ],
    [
      'CloudTrailTrail removalPolicy as a word',
      () => new CloudTrailTrail(usEast1(), 'T', { removalPolicy: 'keep' } as never),
      'removalPolicy in CloudTrailTrail props must be a RemovalPolicy',
    ],
    [
      'CloudTrailTrail multiRegion as text',
      () => new CloudTrailTrail(usEast1(), 'T', { multiRegion: 'true' } as never),
      'multiRegion in CloudTrailTrail props must be true or false',
    ],
  ])('refuses %s', (_, act, message) => {
    expect(refusal(act)).toContain(message);
  });

  it('takes a Duration for CloudTrailTrail retention', () => {
    expect(() => new CloudTrailTrail(usEast1(), 'T', { retention: Duration.days(30) })).not.toThrow();
  });
});
