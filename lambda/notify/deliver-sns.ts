import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { ErrorNames, NamedError } from '../shared/errors';
import type { Notification } from '../shared/notification';
import { renderSnsMessage, renderSubject } from './render-sns';

/** Publishes one message; message attributes let subscribers filter by outcome or target. */
export async function publishToTopic(sns: SNSClient, topicArn: string, notification: Notification): Promise<string> {
  const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
  try {
    const output = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: renderSubject(notification),
        MessageStructure: 'json',
        Message: renderSnsMessage(notification),
        MessageAttributes: {
          outcome: attribute(notification.outcome),
          ...(notification.targetId ? { targetId: attribute(notification.targetId) } : {}),
          ...(notification.targetKind ? { targetKind: attribute(notification.targetKind) } : {}),
        },
      }),
    );
    return output.MessageId ?? '';
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = (error as Error).name;
    if (status === undefined || status >= 500 || name === 'ThrottledException' || name === 'ThrottlingException' || status === 429) {
      throw new NamedError(ErrorNames.TopicUnavailable, `SNS publish failed (${name}${status ? ` ${status}` : ''})`, { cause: error });
    }
    throw error;
  }
}
