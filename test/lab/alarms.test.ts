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

/**
 * The CloudWatch User Guide's example tables ("How alarm state is evaluated when data is missing"): 5 periods of
 * evaluation range for 3 evaluation periods, oldest first; X breaching, 0 not, - missing.
 */
const THREE_OF_THREE: readonly [string, Record<'missing' | 'ignore' | 'breaching' | 'notBreaching', string>][] = [
  ['0 - X - X', { missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK' }],
  ['0 - - - -', { missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK' }],
  ['- - - - -', { missing: 'INSUFFICIENT_DATA', ignore: 'retain', breaching: 'ALARM', notBreaching: 'OK' }],
  ['0 X X - X', { missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM' }],
  ['- - - - X', { missing: 'INSUFFICIENT_DATA', ignore: 'retain', breaching: 'ALARM', notBreaching: 'OK' }],
  // The table's last row says `missing` gives ALARM here, contradicting the row above; see evaluateAlarm.
  ['X - - - -', { missing: 'INSUFFICIENT_DATA', ignore: 'retain', breaching: 'ALARM', notBreaching: 'OK' }],
];
const TWO_OF_THREE: typeof THREE_OF_THREE = [
  ['0 - X - X', { missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM' }],
  ['0 0 X 0 X', { missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM' }],
  ['0 - X - -', { missing: 'OK', ignore: 'OK', breaching: 'ALARM', notBreaching: 'OK' }],
  ['- - - - 0', { missing: 'OK', ignore: 'OK', breaching: 'ALARM', notBreaching: 'OK' }],
  ['- - - - X', { missing: 'INSUFFICIENT_DATA', ignore: 'retain', breaching: 'ALARM', notBreaching: 'OK' }],
];

function pointsOf(row: string): MetricDatapoint[] {
  const cells = row.split(' ');
  return cells.flatMap((cell, index) => (cell === '-' ? [] : [point(cell === 'X' ? 1 : 0, cells.length - 1 - index)]));
}

describe('evaluateAlarm over the evaluation range, as the User Guide tabulates it', () => {
  const breachingAboveZero = { comparisonOperator: 'GreaterThanThreshold', threshold: 0 } as const;

  for (const [name, table, datapointsToAlarm] of [
    ['3 of 3', THREE_OF_THREE, 3],
    ['2 of 3', TWO_OF_THREE, 2],
  ] as const) {
    for (const [row, expected] of table) {
      for (const [treatMissingData, state] of Object.entries(expected)) {
        it(`${name}: ${row} with ${treatMissingData} is ${state}`, () => {
          const definition = alarm({
            ...breachingAboveZero,
            evaluationPeriods: 3,
            datapointsToAlarm,
            treatMissingData: treatMissingData as AlarmDefinition['treatMissingData'],
          });

          const evaluation = evaluateAlarm(definition, pointsOf(row), NOW, 'OK');

          expect(evaluation.state).toBe(state === 'retain' ? 'OK' : state);
        });
      }
    }
  }

  it('skips a missing newest period while the range holds enough real datapoints, whatever TreatMissingData says', () => {
    const evaluation = evaluateAlarm(alarm({ treatMissingData: 'breaching' }), [point(1, 1)], NOW);

    expect(evaluation.state).toBe('OK');
    expect(evaluation.rangeValues).toEqual([null, 1, null]);
  });

  it('gives every period of the range a value with FILL, so a missing newest period breaches', () => {
    const evaluation = evaluateAlarm(alarm({ treatMissingData: 'breaching', fill: 0 }), [point(1, 1)], NOW);

    expect(evaluation.state).toBe('ALARM');
    expect(evaluation.rangeValues).toEqual([0, 1, 0]);
  });

  it('leaves a range without any datapoint to TreatMissingData, as FILL has nothing to fill', () => {
    const evaluation = evaluateAlarm(alarm({ treatMissingData: 'notBreaching', fill: 0 }), [], NOW);

    expect(evaluation.state).toBe('OK');
    expect(evaluation.rangeValues).toEqual([null, null, null]);
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

  function mathAlarm(expression: string): CloudFormationTemplate {
    return {
      Resources: {
        Math: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            ...common,
            Metrics: [
              { Id: 'e1', Expression: expression },
              { ...metricStat.Metrics[0], ReturnData: false },
            ],
          },
        },
      },
    };
  }

  it('reads an alarm on FILL(m, value) over one metric', () => {
    expect(alarmDefinitions(mathAlarm('FILL(m1, 0)'))[0]).toMatchObject({
      metric: SERIES,
      statistic: 'Minimum',
      periodSeconds: 900,
      fill: 0,
    });
  });

  it('refuses metric math it cannot evaluate, naming the alarm', () => {
    expect(() => alarmDefinitions(mathAlarm('m1 * 2'))).toThrow(AlarmDefinitionError);
    expect(() => alarmDefinitions(mathAlarm('FILL(m1, REPEAT)'))).toThrow(/alarm Math: uses metric math/);
  });
});
