/**
 * Context values the tester found read as something else or refused with the wrong words: numbers
 * coerced from lists, hex and exponents; maxWaitMinutes that is no whole number of seconds; the
 * simple case's secret refusing the ARN destinations take; a too long secret name called "bad characters".
 */
import { ConfigError, loadConfig } from '../../../lib/config';
import { synthTemplate } from '../../../local/pipeline';
import { errorOf } from '../../support/failure-of';

const refusal = (context: Record<string, unknown>): string => {
  const error = errorOf(() => loadConfig(context));
  expect(error).toBeInstanceOf(ConfigError);
  return error.message;
};

describe('numeric context keys: a JSON number or a plain decimal string only', () => {
  it.each([
    [{ maxWaitMinutes: [60] }, 'maxWaitMinutes', '[60]'],
    [{ maxWaitMinutes: '0x10' }, 'maxWaitMinutes', '"0x10"'],
    [{ maxWaitMinutes: '1e1' }, 'maxWaitMinutes', '"1e1"'],
    [{ maxWaitMinutes: true }, 'maxWaitMinutes', 'true'],
    [{ firstIntervalSeconds: [2], maxIntervalSeconds: 4 }, 'firstIntervalSeconds', '[2]'],
    [{ backoffRate: '1,5' }, 'backoffRate', '"1,5"'],
    [{ maxIntervalSeconds: 'Infinity' }, 'maxIntervalSeconds', '"Infinity"'],
  ])('refuses %j, naming the key', (context, key, shown) => {
    expect(refusal(context)).toContain(`${key} must be a number written in decimal, e.g. 60 or 1.5 (got ${shown})`);
  });

  it.each([
    [{ maxWaitMinutes: 90 }, 5400],
    [{ maxWaitMinutes: '90' }, 5400],
    [{ maxWaitMinutes: ' 1.5 ' }, 90],
    [{ maxWaitMinutes: '+2.' }, 120],
  ])('reads %j', (context, maxWaitSeconds) => {
    expect(loadConfig(context).schedule.maxWaitSeconds).toBe(maxWaitSeconds);
  });
});

describe('maxWaitMinutes', () => {
  it('that is no whole number of seconds says so (not "not between 1 minute and 7 days")', () => {
    const message = refusal({ maxWaitMinutes: 1.0001 });
    expect(message).toContain('maxWaitMinutes must come to a whole number of seconds (got 1.0001 minutes, which is 60.006 s)');
    expect(message).not.toMatch(/between 1 minute and 7 days/);
  });

  it('out of range is named in minutes', () => {
    expect(refusal({ maxWaitMinutes: '0.5' })).toContain(
      'maxWaitMinutes must be between 1 minute and 7 days (1 to 10080) (got 0.5 minutes)',
    );
  });
});

describe('slackWebhookSecretName takes the one secret shape destinations take', () => {
  it('accepts a secret ARN in the notifier region', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:team/slack-AbCdEf';
    expect(loadConfig({ slackWebhookSecretName: arn }).slackWebhookSecretName).toBe(arn);
  });

  it('refuses a secret ARN of another region, saying why', () => {
    expect(refusal({ slackWebhookSecretName: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/slack-AbCdEf' })).toContain(
      'slackWebhookSecretName is in eu-west-1, but Notify runs in us-east-1',
    );
  });

  it('calls a 513-character name too long, not badly written', () => {
    const message = refusal({ slackWebhookSecretName: 's'.repeat(513) });
    expect(message).toContain('slackWebhookSecretName is 513 characters long, but a secret name has at most 512');
    expect(message).not.toMatch(/letters, digits/);
  });

  it('accepts a 512-character name', () => {
    expect(loadConfig({ slackWebhookSecretName: 's'.repeat(512) }).slackWebhookSecretName).toHaveLength(512);
  });
});

describe('the simple case with a secret ARN, synthesized', () => {
  it('grants Notify that secret, imported by its complete ARN (not read as a name)', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:team/slack-AbCdEf';
    const json = synthTemplate({ slackWebhookSecretName: arn }, false);
    const statements = Object.values(json.Resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .flatMap(
        (policy) =>
          (policy.Properties as { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } }).PolicyDocument.Statement,
      );
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: expect.arrayContaining(['secretsmanager:GetSecretValue']), Resource: arn }),
    );
  });
});
