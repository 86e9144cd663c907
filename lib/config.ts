import { DEFAULT_POLL_SCHEDULE, validatePollSchedule, type PollSchedule } from '../lambda/shared/schedule';

/**
 * The app's configuration, from CDK context (`cdk deploy -c key=value` or `cdk.json`).
 * Every key is documented in the README; every problem is reported at synth with what to change.
 */
export interface NotifierConfig {
  readonly region: string;
  readonly slackWebhookSecretName?: string;
  readonly notificationTopicArn?: string;
  readonly alarmTopicArn?: string;
  readonly schedule: PollSchedule;
}

/** CloudFront records its CloudTrail events in us-east-1 only. */
export const CLOUDFRONT_EVENTS_REGION = 'us-east-1';

export const CONTEXT_KEYS = [
  'region',
  'slackWebhookSecretName',
  'notificationTopicArn',
  'alarmTopicArn',
  'maxWaitMinutes',
  'firstIntervalSeconds',
  'backoffRate',
  'maxIntervalSeconds',
  'checkStyle',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

export class ConfigError extends Error {
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

const TOPIC_ARN = /^arn:(aws|aws-cn|aws-us-gov):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$/;

/** Parses and validates context values; throws a {@link ConfigError} listing every problem. */
export function loadConfig(context: (key: ContextKey) => unknown): NotifierConfig {
  const problems: string[] = [];
  const text = (key: ContextKey): string | undefined => {
    const value = context(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`${key} must be a non-empty string (remove it to use the default)`);
      return undefined;
    }
    return value.trim();
  };
  const number = (key: ContextKey, fallback: number): number => {
    const value = context(key);
    if (value === undefined || value === null) return fallback;
    const parsed = typeof value === 'number' ? value : Number(String(value).trim());
    if (String(value).trim() === '' || !Number.isFinite(parsed)) {
      problems.push(`${key} must be a number (got "${String(value)}")`);
      return fallback;
    }
    return parsed;
  };

  const region = text('region') ?? CLOUDFRONT_EVENTS_REGION;
  if (region !== CLOUDFRONT_EVENTS_REGION) {
    problems.push(
      `region is "${region}", but CloudFront sends its CloudTrail events to EventBridge in ${CLOUDFRONT_EVENTS_REGION} only: ` +
        `a rule anywhere else never fires. Deploy with -c region=${CLOUDFRONT_EVENTS_REGION} (the default).`,
    );
  }
  const topicArn = (key: 'notificationTopicArn' | 'alarmTopicArn') => {
    const arn = text(key);
    if (arn === undefined) return undefined;
    const match = TOPIC_ARN.exec(arn);
    if (!match) {
      problems.push(`${key} "${arn}" is not an SNS topic ARN (arn:aws:sns:us-east-1:123456789012:name)`);
    } else if (match[1] !== 'aws') {
      problems.push(`${key} is in partition "${match[1]}", but CloudFront and this stack are in "aws": use a topic in the aws partition`);
    }
    return arn;
  };
  const slackWebhookSecretName = text('slackWebhookSecretName');
  if (slackWebhookSecretName !== undefined && !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(slackWebhookSecretName)) {
    problems.push(`slackWebhookSecretName "${slackWebhookSecretName}" is not a valid secret name (letters, digits and /_+=.@- only)`);
  }
  const notificationTopicArn = topicArn('notificationTopicArn');
  const alarmTopicArn = topicArn('alarmTopicArn');

  const d = DEFAULT_POLL_SCHEDULE;
  const schedule: PollSchedule = {
    firstIntervalSeconds: number('firstIntervalSeconds', d.firstIntervalSeconds),
    backoffRate: number('backoffRate', d.backoffRate),
    maxIntervalSeconds: number('maxIntervalSeconds', d.maxIntervalSeconds),
    maxWaitSeconds: number('maxWaitMinutes', d.maxWaitSeconds / 60) * 60,
    checkStyle: (text('checkStyle') ?? d.checkStyle) as PollSchedule['checkStyle'],
  };
  problems.push(...validatePollSchedule(schedule));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    region,
    schedule,
    ...(slackWebhookSecretName ? { slackWebhookSecretName } : {}),
    ...(notificationTopicArn ? { notificationTopicArn } : {}),
    ...(alarmTopicArn ? { alarmTopicArn } : {}),
  };
}
