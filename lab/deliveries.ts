import type { AlarmEvaluation, AlarmState } from './alarms.js';
import { AccessDeniedError, type LocalIam } from './local-aws/iam.js';
import { type LocalSns, SnsPublishError } from './local-aws/sns.js';
import type { DeployedAlarmActions, DeployedFunction, DeployedRule } from './stack-resources.js';

/**
 * Service-to-service deliveries, authorized as AWS authorizes them: an alarm's actions publish to SNS as
 * cloudwatch.amazonaws.com with the alarm as aws:SourceArn (the topic policy decides), and a rule invokes its Lambda
 * target as events.amazonaws.com with the rule as aws:SourceArn (the function policy decides). A failed delivery is
 * recorded as AWS records it: in the alarm's history ("Failed to execute action ...", AWS knowledge center "Why didn't I
 * receive an SNS notification for my CloudWatch alarm trigger?") or as the rule's FailedInvocations metric.
 */

/** The Region names CloudWatch puts in alarm notifications (`ALARM: "name" in US East (N. Virginia)`). */
export const REGION_NAMES: Readonly<Record<string, string>> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-west-3': 'EU (Paris)',
  'eu-central-1': 'EU (Frankfurt)',
  'eu-north-1': 'EU (Stockholm)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
};

export function regionName(region: string): string {
  return REGION_NAMES[region] ?? region;
}

export interface AlarmHistoryItem {
  readonly alarmName: string;
  readonly historyItemType: 'StateUpdate' | 'Action';
  readonly historySummary: string;
  /** Set on an action that failed. */
  readonly failed: boolean;
}

export interface AlarmStateChange {
  readonly alarmName: string;
  readonly alarmArn: string;
  readonly oldState: AlarmState;
  readonly newState: AlarmState;
  readonly reason: string;
}

/** The message CloudWatch publishes for an alarm state change (the alarm's JSON, as e-mail bodies show it). */
export function alarmNotification(
  change: AlarmStateChange,
  actions: DeployedAlarmActions,
  account: { readonly accountId: string; readonly region: string },
  evaluation: AlarmEvaluation,
  at: Date,
): { subject: string; message: string } {
  const region = regionName(account.region);
  const { metric } = evaluation.alarm;
  return {
    subject: `${change.newState}: "${change.alarmName}" in ${region}`,
    message: JSON.stringify({
      AlarmName: change.alarmName,
      AWSAccountId: account.accountId,
      NewStateValue: change.newState,
      NewStateReason: change.reason,
      StateChangeTime: at.toISOString().replace('Z', '+0000'),
      Region: region,
      AlarmArn: change.alarmArn,
      OldStateValue: change.oldState,
      OKActions: actions.okActions,
      AlarmActions: actions.alarmActions,
      InsufficientDataActions: actions.insufficientDataActions,
      Trigger: {
        MetricName: metric.metricName,
        Namespace: metric.namespace,
        StatisticType: 'Statistic',
        Statistic: evaluation.alarm.statistic.toUpperCase(),
        Dimensions: Object.entries(metric.dimensions).map(([name, value]) => ({ name, value })),
        Period: evaluation.alarm.periodSeconds,
        EvaluationPeriods: evaluation.alarm.evaluationPeriods,
        DatapointsToAlarm: evaluation.alarm.datapointsToAlarm,
        ComparisonOperator: evaluation.alarm.comparisonOperator,
        Threshold: evaluation.alarm.threshold,
        TreatMissingData: evaluation.alarm.treatMissingData,
      },
    }),
  };
}

/**
 * A new alarm starts in INSUFFICIENT_DATA; its first evaluation moves it to the evaluated state and runs that state's
 * actions (AlarmActions, OKActions, InsufficientDataActions). Each SNS action publishes as CloudWatch would.
 */
export async function executeAlarmActions(
  evaluations: readonly AlarmEvaluation[],
  alarms: readonly DeployedAlarmActions[],
  sns: LocalSns,
  account: { readonly accountId: string; readonly region: string },
  at: Date,
): Promise<AlarmHistoryItem[]> {
  const history: AlarmHistoryItem[] = [];
  for (const evaluation of evaluations) {
    const name = evaluation.alarm.alarmName;
    const actions = alarms.find((alarm) => alarm.alarmName === name);
    if (actions === undefined || evaluation.state === 'INSUFFICIENT_DATA') continue;
    const change: AlarmStateChange = {
      alarmName: name,
      alarmArn: actions.arn,
      oldState: 'INSUFFICIENT_DATA',
      newState: evaluation.state,
      reason: evaluation.reason,
    };
    history.push({
      alarmName: name,
      historyItemType: 'StateUpdate',
      historySummary: `Alarm updated from INSUFFICIENT_DATA to ${evaluation.state}`,
      failed: false,
    });
    const targets = evaluation.state === 'ALARM' ? actions.alarmActions : actions.okActions;
    for (const target of targets) {
      if (!target.startsWith('arn:aws:sns:')) {
        history.push({
          alarmName: name,
          historyItemType: 'Action',
          historySummary: `Failed to execute action ${target}. Received error: "the lab models SNS actions only"`,
          failed: true,
        });
        continue;
      }
      const { subject, message } = alarmNotification(change, actions, account, evaluation, at);
      try {
        await sns.publish({
          caller: { service: 'cloudwatch.amazonaws.com' },
          topicArn: target,
          subject,
          message,
          sourceArn: actions.arn,
          sourceAccount: account.accountId,
        });
        history.push({
          alarmName: name,
          historyItemType: 'Action',
          historySummary: `Successfully executed action ${target}`,
          failed: false,
        });
      } catch (error) {
        if (!(error instanceof SnsPublishError)) throw error;
        const received =
          error.code === 'AuthorizationError'
            ? `Resource: ${actions.arn} is not authorized to perform: SNS:Publish on resource: ${target}`
            : error.message;
        history.push({
          alarmName: name,
          historyItemType: 'Action',
          historySummary: `Failed to execute action ${target}. Received error: "${received}"`,
          failed: true,
        });
      }
    }
  }
  return history;
}

export interface RuleInvocationRecord {
  readonly ruleArn: string;
  readonly targetArn: string;
  /** The rule's CloudWatch metrics for this delivery: Invocations, and FailedInvocations on failure. */
  readonly failed: boolean;
  readonly error: string | undefined;
}

/**
 * A rule's delivery to a Lambda target: events.amazonaws.com may invoke the function only if its resource policy
 * allows it for this rule (Lambda Developer Guide, "Using resource-based policies"; EventBridge User Guide, "Using
 * resource-based policies for Amazon EventBridge": Lambda targets). Returns the authorization outcome; the caller
 * invokes the function when it is allowed.
 */
export async function authorizeRuleToLambda(
  iam: LocalIam,
  rule: DeployedRule,
  fn: DeployedFunction,
  accountId: string,
  records: RuleInvocationRecord[],
): Promise<boolean> {
  try {
    await iam.authorize({
      caller: { service: 'events.amazonaws.com' },
      action: 'lambda:InvokeFunction',
      resource: fn.arn,
      resourceAccount: fn.arn.split(':')[4] ?? accountId,
      context: { 'aws:SourceArn': rule.arn, 'aws:SourceAccount': accountId },
      resourcePolicy: fn.resourcePolicy,
    });
    records.push({ ruleArn: rule.arn, targetArn: fn.arn, failed: false, error: undefined });
    return true;
  } catch (error) {
    if (!(error instanceof AccessDeniedError)) throw error;
    records.push({ ruleArn: rule.arn, targetArn: fn.arn, failed: true, error: error.message });
    return false;
  }
}
