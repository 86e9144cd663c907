import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { ErrorNames, NamedError } from '../shared/errors';
import type { Notification } from '../shared/notification';
import { describeAwsFault, faultLabel } from '../shared/aws-faults';
import { renderSnsMessage, renderSubject } from './render-sns';
import { DEFAULT_REMAINING_MS, timeBudget, type TimeBudget } from './time-budget';

/** What to check when SNS refuses for good, by its error (Publish's documented errors). */
const REFUSALS: Record<string, string> = {
  AuthorizationErrorException: 'the Notify function is not allowed to publish to it: check its role and the topic policy',
  NotFoundException: 'the topic does not exist: check the topic ARN in the configuration',
  InvalidParameterException: 'SNS refused the message as malformed: this is a bug, please report it with this error',
  InvalidParameterValueException: 'SNS refused the message as malformed: this is a bug, please report it with this error',
  ValidationException: 'SNS refused the message as malformed: this is a bug, please report it with this error',
  InvalidSecurityException: 'the request was not signed as SNS requires',
};
const KMS_REFUSAL =
  "the topic's KMS key cannot be used: it must exist and be enabled, and its policy must let SNS and the Notify function use it";

/** A message rendered for SNS: its subject, its per-protocol JSON, and attributes subscribers filter on. */
export interface RenderedForTopic {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** Publishes one invalidation's notification; message attributes let subscribers filter by outcome or target. */
export function publishToTopic(
  sns: SNSClient,
  topicArn: string,
  notification: Notification,
  budget: TimeBudget = timeBudget(DEFAULT_REMAINING_MS),
): Promise<string> {
  return publishRendered(
    sns,
    topicArn,
    {
      subject: renderSubject(notification),
      message: renderSnsMessage(notification),
      attributes: {
        outcome: notification.outcome,
        ...(notification.targetId ? { targetId: notification.targetId } : {}),
        ...(notification.targetKind ? { targetKind: notification.targetKind } : {}),
      },
    },
    budget,
  );
}

/**
 * Publishes one rendered message (an invalidation's, a burst's digest). A fault that may pass
 * (throttling of SNS or of the topic's KMS key, 5xx, no answer, out of time) is TopicUnavailable,
 * retried by the state machine; any other is TopicRejected.
 */
export async function publishRendered(
  sns: SNSClient,
  topicArn: string,
  rendered: RenderedForTopic,
  budget: TimeBudget = timeBudget(DEFAULT_REMAINING_MS),
): Promise<string> {
  const command = new PublishCommand({
    TopicArn: topicArn,
    Subject: rendered.subject,
    MessageStructure: 'json',
    Message: rendered.message,
    MessageAttributes: Object.fromEntries(
      Object.entries(rendered.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    ),
  });
  try {
    // The SDK's own retries included, the call ends within the budget.
    const output = await sns.send(command, { abortSignal: budget.signal });
    return output.MessageId ?? '';
  } catch (error) {
    const fault = describeAwsFault(error);
    if (fault.transient) {
      throw new NamedError(ErrorNames.TopicUnavailable, `SNS could not publish to ${topicArn} now (${faultLabel(fault)}): retried`, {
        cause: error,
      });
    }
    const what = REFUSALS[fault.name] ?? (fault.name.startsWith('KMS') ? KMS_REFUSAL : 'see the error');
    throw new NamedError(
      ErrorNames.TopicRejected,
      `SNS refused the message for ${topicArn} (${faultLabel(fault)}: ${fault.message}): ${what}`,
      {
        cause: error,
      },
    );
  }
}
