import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
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
  /** The key that encrypts the topics this construct creates. */
  public readonly key: Key;
  public readonly slackWebhookSecret?: ISecret;
  public readonly names: readonly ChannelName[];

  constructor(scope: Construct, id: string, props: NotificationChannelsProps = {}) {
    super(scope, id);
    this.key = new Key(this, 'TopicKey', {
      description: 'Encrypts the CloudFront invalidation notifier topics',
      enableKeyRotation: true,
    });
    // CloudWatch alarms publish to the operator topic, encrypted with this key.
    this.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic =
      props.topic ??
      new Topic(this, 'Topic', {
        displayName: 'CloudFront invalidations',
        masterKey: this.key,
        enforceSSL: true,
      });
    this.slackWebhookSecret = props.slackWebhookSecret;
    this.names = this.slackWebhookSecret ? ['sns', 'slack'] : ['sns'];
  }

  /** Lets the Notify function publish to the topic and read the Slack secret, nothing more. */
  public grantDelivery(grantee: IGrantable): void {
    this.topic.grantPublish(grantee);
    this.slackWebhookSecret?.grantRead(grantee);
  }
}
