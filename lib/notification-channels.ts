import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ChannelName } from './watcher';

export interface NotificationChannelsProps {
  /**
   * An existing topic to publish to. If it is encrypted with a customer managed key, that
   * key's policy must let the Notify function use it.
   * @default a new topic, encrypted with a new customer managed key
   */
  readonly topic?: ITopic;
  /**
   * The Secrets Manager secret that holds the Slack incoming webhook URL (the bare URL, or
   * JSON `{"webhookUrl": "..."}`).
   * @default no Slack channel
   */
  readonly slackWebhookSecret?: ISecret;
}

/**
 * Where notifications go: the SNS topic (always; e-mail, Amazon Q chat, anything SNS reaches)
 * and, optionally, a Slack incoming webhook.
 */
export class NotificationChannels extends Construct {
  public readonly topic: ITopic;
  public readonly slackWebhookSecret?: ISecret;
  public readonly names: readonly ChannelName[];
  private key?: Key;

  constructor(scope: Construct, id: string, props: NotificationChannelsProps = {}) {
    super(scope, id);
    this.topic =
      props.topic ??
      new Topic(this, 'Topic', {
        displayName: 'CloudFront invalidations',
        masterKey: this.topicKey(),
        enforceSSL: true,
      });
    this.slackWebhookSecret = props.slackWebhookSecret;
    this.names = this.slackWebhookSecret ? ['sns', 'slack'] : ['sns'];
  }

  /**
   * The customer managed key that encrypts the topics the notifier creates (this one's and the
   * alarm topic). Created on first use, so a notifier whose topics are all imported has none
   * (a key costs $1 a month and has a policy to review).
   */
  public topicKey(): Key {
    this.key ??= new Key(this, 'TopicKey', {
      description: 'Encrypts the CloudFront invalidation notifier topics',
      enableKeyRotation: true,
    });
    return this.key;
  }

  /** Lets the Notify function publish to the topic and read the Slack secret, nothing more. */
  public grantDelivery(grantee: IGrantable): void {
    this.topic.grantPublish(grantee);
    this.slackWebhookSecret?.grantRead(grantee);
  }
}
