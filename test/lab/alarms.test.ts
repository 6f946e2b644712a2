import { describe, expect, it } from 'vitest';
import { type AlarmDefinition, AlarmDefinitionError, alarmDefinitions, evaluateAlarm } from '../../lab/alarms.js';
import type { MetricDatapoint } from '../../lab/local-aws/cloudwatch.js';
import type { CloudFormationTemplate } from '../../lab/local-deployment.js';

/** The lab's CloudWatch alarm evaluation: template parsing and state computation over stored datapoints. */

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const PERIOD_SECONDS = 300;
const SERIES = { namespace: 'Lab', metricName: 'ExpectationMet', dimensions: { Target: 'a' } };

function alarm(overrides: Partial<AlarmDefinition> = {}): AlarmDefinition {
  return {
    logicalId: 'Alarm',
    alarmName: 'alarm',
    metric: SERIES,
    statistic: 'Minimum',
    periodSeconds: PERIOD_SECONDS,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparisonOperator: 'LessThanThreshold',
    treatMissingData: 'missing',
    ...overrides,
  };
}

/** One datapoint `periodsAgo` periods (plus a little) before NOW. */
function point(value: number, periodsAgo = 0): MetricDatapoint {
  return {
    ...SERIES,
    timestamp: NOW - periodsAgo * PERIOD_SECONDS * 1000 - 1000,
    unit: 'None',
    observations: [{ value, count: 1 }],
  };
}

describe('evaluateAlarm', () => {
  it('alarms when the statistic of the period breaches the threshold', () => {
    const evaluation = evaluateAlarm(alarm(), [point(1), point(0)], NOW);

    expect(evaluation.state).toBe('ALARM');
    expect(evaluation.periodValues).toEqual([0]);
  });

  it('is OK when the statistic does not breach', () => {
    expect(evaluateAlarm(alarm(), [point(1)], NOW).state).toBe('OK');
  });

  it('ignores datapoints older than the evaluation periods', () => {
    expect(evaluateAlarm(alarm(), [point(0, 2), point(1)], NOW).state).toBe('OK');
  });

  it('counts a missing period as breaching with treatMissingData breaching', () => {
    expect(evaluateAlarm(alarm({ treatMissingData: 'breaching' }), [point(1, 3)], NOW).state).toBe('ALARM');
  });

  it('counts a missing period as good with treatMissingData notBreaching', () => {
    expect(evaluateAlarm(alarm({ treatMissingData: 'notBreaching' }), [], NOW).state).toBe('OK');
  });

  it('has insufficient data without any datapoint when missing data is missing', () => {
    expect(evaluateAlarm(alarm(), [], NOW).state).toBe('INSUFFICIENT_DATA');
  });

  it('needs DatapointsToAlarm breaching periods out of EvaluationPeriods', () => {
    const twoOfThree = alarm({ evaluationPeriods: 3, datapointsToAlarm: 2 });

    expect(evaluateAlarm(twoOfThree, [point(0, 2), point(1, 1), point(1)], NOW).state).toBe('OK');
    expect(evaluateAlarm(twoOfThree, [point(0, 2), point(1, 1), point(0)], NOW).state).toBe('ALARM');
  });

  it('computes SampleCount, Sum, Average and Maximum over the period', () => {
    const points = [point(2), point(4), point(9)];

    const values = ['SampleCount', 'Sum', 'Average', 'Maximum'].map(
      (statistic) => evaluateAlarm(alarm({ statistic }), points, NOW).periodValues[0],
    );

    expect(values).toEqual([3, 15, 5, 9]);
  });

  it('reports that the series does not exist when no datapoint of it was ever published', () => {
    const evaluation = evaluateAlarm(alarm({ treatMissingData: 'notBreaching' }), [], NOW);

    expect(evaluation.seriesExists).toBe(false);
  });
});

describe('alarmDefinitions', () => {
  const metricStat = {
    Metrics: [
      {
        Id: 'm1',
        MetricStat: {
          Metric: { Namespace: 'Lab', MetricName: 'ExpectationMet', Dimensions: [{ Name: 'Target', Value: 'a' }] },
          Period: 900,
          Stat: 'Minimum',
        },
        ReturnData: true,
      },
    ],
  };
  const common = { ComparisonOperator: 'LessThanThreshold', Threshold: 1, EvaluationPeriods: 2 };

  it('reads an alarm whose metric is a MetricStat query, as CDK renders a labelled metric', () => {
    const template: CloudFormationTemplate = {
      Resources: {
        A: { Type: 'AWS::CloudWatch::Alarm', Properties: { ...common, ...metricStat, TreatMissingData: 'breaching' } },
      },
    };

    const [definition] = alarmDefinitions(template);

    expect(definition).toMatchObject({
      metric: SERIES,
      statistic: 'Minimum',
      periodSeconds: 900,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: 'breaching',
    });
  });

  it('reads a classic single-metric alarm', () => {
    const template: CloudFormationTemplate = {
      Resources: {
        A: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            ...common,
            Namespace: 'Lab',
            MetricName: 'ExpectationMet',
            Dimensions: [{ Name: 'Target', Value: 'a' }],
            Statistic: 'Minimum',
            Period: 60,
          },
        },
      },
    };

    expect(alarmDefinitions(template)[0]).toMatchObject({
      metric: SERIES,
      periodSeconds: 60,
      treatMissingData: 'missing',
    });
  });

  it('refuses metric math it cannot evaluate, naming the alarm', () => {
    const template: CloudFormationTemplate = {
      Resources: {
        Math: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            ...common,
            Metrics: [
              { Id: 'e1', Expression: 'FILL(m1, 0)' },
              { ...metricStat.Metrics[0], ReturnData: false },
            ],
          },
        },
      },
    };

    expect(() => alarmDefinitions(template)).toThrow(AlarmDefinitionError);
    expect(() => alarmDefinitions(template)).toThrow(/Math/);
  });
});
