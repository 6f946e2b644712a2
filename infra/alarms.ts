import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { canaryAwsNames } from '../functions/shared/aws-names.js';
import type { CanaryConfig, CanaryTarget } from '../functions/shared/config.js';
import { RUN_METRICS, TARGET_METRICS } from '../functions/shared/metrics.js';
import type { CanaryMetrics } from './canary-metrics.js';
import { allowAlarmsToPublish } from './topic-publishers.js';

export interface CanaryAlarmsProps {
  readonly config: CanaryConfig;
  readonly metrics: CanaryMetrics;
}

/**
 * A missing period as a breaching value of 0. CloudWatch evaluates an alarm over an evaluation range wider than
 * EvaluationPeriods and skips missing periods while the range holds enough real datapoints, so TreatMissingData alone
 * lets an unjudged run or a stopped schedule pass unnoticed until older datapoints age out. FILL gives every period of
 * the range a value; TreatMissingData stays `breaching` for a range without any datapoint, where FILL has nothing to
 * fill.
 */
function missingAsZero(metric: cloudwatch.Metric, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'FILL(m, 0)',
    usingMetrics: { m: metric },
    period: metric.period,
    label,
  });
}

/**
 * One alarm per target (the observation did not match the expectation, or there was none) and two on the canary
 * itself (targets it could not judge; runs that stopped). Every alarm notifies one SNS topic on ALARM and on OK.
 */
export class CanaryAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly targetAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  readonly inconclusiveAlarm: cloudwatch.Alarm;
  readonly runsStoppedAlarm: cloudwatch.Alarm;
  /** Fires when the restriction's state contradicts the configured one (port25Released). */
  readonly restrictionAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CanaryAlarmsProps) {
    super(scope, id);
    const { config, metrics } = props;
    const { alarmEvaluationPeriods: evaluationPeriods, alarmDatapointsToAlarm: datapointsToAlarm } = config.deployment;
    const names = canaryAwsNames(config.canaryName);

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: names.topicDisplayName,
      enforceSSL: true,
    });
    allowAlarmsToPublish(this.topic, names.alarmNamePrefix);
    for (const email of config.deployment.notifyEmails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const targetAlarms = new Map<string, cloudwatch.Alarm>();
    for (const target of config.targets) {
      targetAlarms.set(
        target.name,
        new cloudwatch.Alarm(this, `Target-${target.name}`, {
          alarmName: names.targetAlarmName(target.name),
          alarmDescription: targetAlarmDescription(target),
          metric: missingAsZero(
            metrics.forTarget(TARGET_METRICS.expectationMet, target.name, 'Minimum'),
            'ExpectationMet, 0 for a period without a judged run',
          ),
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          threshold: 1,
          evaluationPeriods,
          datapointsToAlarm,
          // ExpectationMet is absent when a run was inconclusive or did not happen: neither proves the path, so a period
          // without it counts as a failure. The period (schedule interval + one run, stack-settings.ts) keeps a healthy
          // schedule from ever leaving one empty.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        }),
      );
    }
    this.targetAlarms = targetAlarms;

    this.inconclusiveAlarm = new cloudwatch.Alarm(this, 'TargetsInconclusive', {
      alarmName: names.canaryAlarmName('targets inconclusive'),
      alarmDescription:
        'The canary could not judge at least one target (probe task failed, DNS error, ICMP unreachable on a blocked target). Check the run report in the orchestrator log.',
      metric: metrics.forRun(RUN_METRICS.targetsInconclusive, 'Maximum'),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods,
      datapointsToAlarm,
      // Missing runs are the runs-stopped alarm's business.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.runsStoppedAlarm = new cloudwatch.Alarm(this, 'RunsStopped', {
      alarmName: names.canaryAlarmName('runs stopped'),
      alarmDescription:
        'No canary run finished in the schedule period: the schedule, the orchestrator function or its permissions are broken. Check the orchestrator log.',
      metric: missingAsZero(
        metrics.forRun(RUN_METRICS.runDuration, 'SampleCount'),
        'Runs finished, 0 for a period without one',
      ),
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods,
      datapointsToAlarm,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    this.restrictionAlarm = restrictionAlarm(this, config, metrics, names.canaryAlarmName.bind(names));

    const notify = new actions.SnsAction(this.topic);
    for (const alarm of this.all()) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
  }

  all(): cloudwatch.Alarm[] {
    return [...this.targetAlarms.values(), this.inconclusiveAlarm, this.runsStoppedAlarm, this.restrictionAlarm];
  }
}

/** The two wordings of the restriction alarm, by the configured state; the names end with the words. */
export const RESTRICTION_ALARM_WORDS = {
  notReleased: 'port-25 restriction appears lifted',
  released: 'restriction in effect although released',
} as const;

/**
 * The restriction alarm states the configured expectation: not released, a run that saw port 25 connect to an address
 * the rule throttles (RestrictionInEffect 0) means AWS lifted it; released, a run that saw the throttle's signature
 * (RestrictionInEffect 1) means the release has not taken effect in this region. A run that could not tell publishes
 * nothing, which is not a breach: stopped runs are the runs-stopped alarm's business.
 */
function restrictionAlarm(
  scope: Construct,
  config: CanaryConfig,
  metrics: CanaryMetrics,
  alarmName: (what: string) => string,
): cloudwatch.Alarm {
  const { alarmEvaluationPeriods: evaluationPeriods, alarmDatapointsToAlarm: datapointsToAlarm } = config.deployment;
  const released = config.port25Released;
  return new cloudwatch.Alarm(scope, 'Restriction', {
    alarmName: alarmName(released ? RESTRICTION_ALARM_WORDS.released : RESTRICTION_ALARM_WORDS.notReleased),
    alarmDescription: released
      ? 'A run saw port 25 dropped while the control port answered, although port25Released is true: the removal request has not taken effect in this region (AWS grants it per account and region). The run event and report name the targets.'
      : 'A run saw port 25 connect to an address the port-25 rule throttles: AWS appears to have lifted the restriction for this account and region. If so, set port25Released to true and redeploy; the run event and report name the targets.',
    metric: metrics.forRun(RUN_METRICS.restrictionInEffect, released ? 'Maximum' : 'Minimum'),
    comparisonOperator: released
      ? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
      : cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
    threshold: released ? 1 : 0,
    evaluationPeriods,
    datapointsToAlarm,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/**
 * Short on purpose: one per target, and the template must fit CloudFormation's size quota at 400 targets
 * (docs/metrics-and-alarms.md). The alarm name carries the target's name; the dashboard's rule table its host and port.
 */
function targetAlarmDescription(target: CanaryTarget): string {
  const expectation = target.expect === 'auto' ? "AWS's port-25 rule" : `configured: ${target.expect}`;
  return `Not as expected (${expectation}), or no run could tell. Run the InvokeCommand output and read the target diagnosis.`;
}
