import { Aws } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Who may publish to a topic of this app. `enforceSSL` makes CDK write a topic policy, and a topic policy replaces SNS's
 * default one: without an Allow for the publishing service, CloudWatch and EventBridge are refused with "is not
 * authorized to perform: SNS:Publish" and no notification is ever delivered (AWS Knowledge Center, "Why didn't I receive
 * an SNS notification for my CloudWatch alarm trigger?"). Each Allow names the publisher's ARN (aws:SourceArn) and
 * account (aws:SourceAccount), so the service cannot publish on behalf of anything else (SNS Developer Guide, "Amazon
 * SNS access control case examples"; the confused-deputy conditions).
 */

export const CLOUDWATCH_PRINCIPAL = 'cloudwatch.amazonaws.com';
export const EVENTBRIDGE_PRINCIPAL = 'events.amazonaws.com';

/** The ARN pattern of every alarm whose name starts with `alarmNamePrefix`, in this stack's account and region. */
export function alarmArnPattern(alarmNamePrefix: string): string {
  return `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${alarmNamePrefix}*`;
}

/**
 * Lets this canary's alarms (names starting with `alarmNamePrefix`) publish their ALARM and OK notifications
 * (CloudWatch User Guide, "Using Amazon SNS topics for alarm notifications": the access policy for
 * cloudwatch.amazonaws.com with aws:SourceArn on the alarm ARN and aws:SourceAccount).
 */
export function allowAlarmsToPublish(topic: sns.Topic, alarmNamePrefix: string): void {
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CanaryAlarmsPublish',
      principals: [new iam.ServicePrincipal(CLOUDWATCH_PRINCIPAL)],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnLike: { 'aws:SourceArn': alarmArnPattern(alarmNamePrefix) },
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      },
    }),
  );
}

/**
 * Lets one EventBridge rule publish its matched events (EventBridge User Guide, "Using resource-based policies for
 * Amazon EventBridge", Amazon SNS permissions: events.amazonaws.com with aws:SourceArn on the rule ARN). CDK's own
 * SnsTopic target would add an Allow for every rule of every account; the rule gets this one instead.
 */
export function allowRuleToPublish(topic: sns.Topic, rule: events.Rule, sid: string): void {
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid,
      principals: [new iam.ServicePrincipal(EVENTBRIDGE_PRINCIPAL)],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnEquals: { 'aws:SourceArn': rule.ruleArn },
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      },
    }),
  );
}
