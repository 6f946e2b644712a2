import {
  AccessDeniedError,
  type AuthorizationRequest,
  type LocalIam,
  type LocalPrincipal,
  type PolicyDocument,
  type ServiceCaller,
} from './iam.js';

/**
 * A local SNS: the deployed topics with their topic policies and subscriptions. Publish is authorized against the topic
 * policy (a topic policy replaces SNS's default one: Amazon SNS Developer Guide, "Example cases for Amazon SNS access
 * control"), over HTTPS as the services publish (aws:SecureTransport true), and delivered to every subscription. E-mail
 * subscriptions deliver into a spool the lab reads and prints; the subscriptions are taken as confirmed.
 */

export interface LocalTopic {
  readonly arn: string;
  readonly displayName: string | undefined;
  /** undefined: SNS's default policy (the owner account's principals and services acting for it). */
  readonly policy: PolicyDocument | undefined;
  readonly subscriptions: readonly { readonly protocol: string; readonly endpoint: string }[];
}

export interface DeliveredNotification {
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly subject: string | undefined;
  readonly message: string;
}

export class SnsPublishError extends Error {
  constructor(
    message: string,
    readonly code: 'AuthorizationError' | 'NotFound',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SnsPublishError';
  }
}

/** SNS's default topic policy: only the owner account may use the topic (SNS Developer Guide, default policy). */
function defaultPolicy(topicArn: string): PolicyDocument {
  const owner = topicArn.split(':')[4] ?? '';
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:Publish', 'SNS:Subscribe', 'SNS:GetTopicAttributes'],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': owner } },
      },
    ],
  };
}

export class LocalSns {
  private readonly topics = new Map<string, LocalTopic>();
  /** Every message delivered to an e-mail (or other) endpoint, in order: the lab's spool. */
  readonly delivered: DeliveredNotification[] = [];

  constructor(private readonly iam: LocalIam) {}

  addTopic(topic: LocalTopic): void {
    this.topics.set(topic.arn, topic);
  }

  topic(arn: string): LocalTopic | undefined {
    return this.topics.get(arn);
  }

  /**
   * Publish from a principal or a service acting for a source (an alarm, a rule: aws:SourceArn, aws:SourceAccount).
   * Throws SnsPublishError with SNS's error code and AWS's denial message when the topic policy refuses it.
   */
  async publish(request: {
    readonly caller: LocalPrincipal | ServiceCaller;
    readonly topicArn: string;
    readonly subject?: string | undefined;
    readonly message: string;
    readonly sourceArn?: string;
    readonly sourceAccount?: string;
  }): Promise<void> {
    const topic = this.topics.get(request.topicArn);
    if (topic === undefined) throw new SnsPublishError(`Topic does not exist: ${request.topicArn}`, 'NotFound');
    const check: AuthorizationRequest = {
      caller: request.caller,
      action: 'sns:Publish',
      resource: topic.arn,
      resourceAccount: topic.arn.split(':')[4] ?? '',
      context: {
        'aws:SecureTransport': 'true',
        ...(request.sourceArn === undefined ? {} : { 'aws:SourceArn': request.sourceArn }),
        ...(request.sourceAccount === undefined
          ? {}
          : { 'aws:SourceAccount': request.sourceAccount, 'aws:SourceOwner': request.sourceAccount }),
      },
      resourcePolicy: topic.policy ?? defaultPolicy(topic.arn),
    };
    try {
      await this.iam.authorize(check);
    } catch (error) {
      if (!(error instanceof AccessDeniedError)) throw error;
      throw new SnsPublishError(error.message, 'AuthorizationError', { cause: error });
    }
    for (const subscription of topic.subscriptions) {
      this.delivered.push({
        topicArn: topic.arn,
        protocol: subscription.protocol,
        endpoint: subscription.endpoint,
        subject: request.subject,
        message: request.message,
      });
    }
  }
}
