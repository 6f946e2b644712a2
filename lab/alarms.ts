import type { MetricDatapoint, MetricSeriesKey } from './local-aws/cloudwatch.js';
import type { CloudFormationTemplate } from './local-deployment.js';

/**
 * CloudWatch alarm evaluation over the lab's stored metrics: each AWS::CloudWatch::Alarm of the synthesized template
 * is evaluated as CloudWatch would at one moment, over its EvaluationPeriods periods ending then. Alarm periods slide
 * with the evaluation minute (a state reason's startDate is not period-aligned), unlike a dashboard's clock-aligned
 * ones. Stricter than CloudWatch: its wider evaluation range, which can skip missing periods, is not modelled.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export type ComparisonOperator =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';

export interface AlarmDefinition {
  readonly logicalId: string;
  readonly alarmName: string;
  readonly metric: MetricSeriesKey;
  /** Average, Sum, Minimum, Maximum, SampleCount, or a percentile such as p99. */
  readonly statistic: string;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly treatMissingData: TreatMissingData;
}

export interface AlarmEvaluation {
  readonly alarm: AlarmDefinition;
  readonly state: AlarmState;
  /** The statistic per period, oldest first; null for a period without data. */
  readonly periodValues: readonly (number | null)[];
  /** False when no datapoint of the alarm's exact series exists at all: the alarm watches nothing. */
  readonly seriesExists: boolean;
  readonly reason: string;
}

export class AlarmDefinitionError extends Error {
  constructor(logicalId: string, problem: string) {
    super(`alarm ${logicalId}: ${problem}`);
    this.name = 'AlarmDefinitionError';
  }
}

const COMPARISONS: Readonly<Record<ComparisonOperator, (value: number, threshold: number) => boolean>> = {
  GreaterThanOrEqualToThreshold: (value, threshold) => value >= threshold,
  GreaterThanThreshold: (value, threshold) => value > threshold,
  LessThanThreshold: (value, threshold) => value < threshold,
  LessThanOrEqualToThreshold: (value, threshold) => value <= threshold,
};

type Json = Record<string, unknown>;

function literal(logicalId: string, value: unknown, field: string): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new AlarmDefinitionError(
    logicalId,
    `${field} is not a literal (${JSON.stringify(value)}); the lab cannot evaluate it`,
  );
}

function dimensionsOf(logicalId: string, raw: unknown): Record<string, string> {
  const dimensions: Record<string, string> = {};
  for (const dimension of (raw ?? []) as Json[]) {
    dimensions[literal(logicalId, dimension.Name, 'Dimensions.Name')] = literal(
      logicalId,
      dimension.Value,
      'Dimensions.Value',
    );
  }
  return dimensions;
}

/** The metric an alarm watches: the classic single-metric form, or a Metrics array whose one returned query is a MetricStat. */
function watchedMetric(
  logicalId: string,
  properties: Json,
): { metric: MetricSeriesKey; statistic: string; period: number } {
  if (properties.MetricName !== undefined) {
    return {
      metric: {
        namespace: literal(logicalId, properties.Namespace, 'Namespace'),
        metricName: literal(logicalId, properties.MetricName, 'MetricName'),
        dimensions: dimensionsOf(logicalId, properties.Dimensions),
      },
      statistic: literal(logicalId, properties.Statistic ?? properties.ExtendedStatistic, 'Statistic'),
      period: Number(properties.Period),
    };
  }
  const queries = (properties.Metrics ?? []) as Json[];
  const returned = queries.filter((query) => query.ReturnData !== false);
  const query = returned[0];
  if (returned.length !== 1 || !query?.MetricStat) {
    throw new AlarmDefinitionError(logicalId, 'uses metric math; the lab evaluates single-metric alarms only');
  }
  const stat = query.MetricStat as Json;
  const metric = stat.Metric as Json;
  return {
    metric: {
      namespace: literal(logicalId, metric.Namespace, 'Namespace'),
      metricName: literal(logicalId, metric.MetricName, 'MetricName'),
      dimensions: dimensionsOf(logicalId, metric.Dimensions),
    },
    statistic: literal(logicalId, stat.Stat, 'Stat'),
    period: Number(stat.Period),
  };
}

/** Every AWS::CloudWatch::Alarm of the template, parsed. */
export function alarmDefinitions(template: CloudFormationTemplate): AlarmDefinition[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const { metric, statistic, period } = watchedMetric(logicalId, properties);
      const comparisonOperator = literal(logicalId, properties.ComparisonOperator, 'ComparisonOperator');
      if (!(comparisonOperator in COMPARISONS)) {
        throw new AlarmDefinitionError(logicalId, `comparison ${comparisonOperator} is not supported by the lab`);
      }
      const evaluationPeriods = Number(properties.EvaluationPeriods);
      return {
        logicalId,
        alarmName: typeof properties.AlarmName === 'string' ? properties.AlarmName : logicalId,
        metric,
        statistic,
        periodSeconds: period,
        evaluationPeriods,
        datapointsToAlarm: Number(properties.DatapointsToAlarm ?? evaluationPeriods),
        threshold: Number(properties.Threshold),
        comparisonOperator: comparisonOperator as ComparisonOperator,
        treatMissingData: (properties.TreatMissingData ?? 'missing') as TreatMissingData,
      };
    });
}

/** The statistic over the datapoints of one period; null without data. */
export function statisticOf(statistic: string, points: readonly MetricDatapoint[]): number | null {
  if (points.length === 0) return null;
  let sampleCount = 0;
  let sum = 0;
  let minimum = Number.POSITIVE_INFINITY;
  let maximum = Number.NEGATIVE_INFINITY;
  const values: number[] = [];
  for (const point of points) {
    if (point.statisticValues) {
      sampleCount += point.statisticValues.sampleCount;
      sum += point.statisticValues.sum;
      minimum = Math.min(minimum, point.statisticValues.minimum);
      maximum = Math.max(maximum, point.statisticValues.maximum);
    }
    for (const { value, count } of point.observations) {
      sampleCount += count;
      sum += value * count;
      minimum = Math.min(minimum, value);
      maximum = Math.max(maximum, value);
      for (let index = 0; index < count; index += 1) values.push(value);
    }
  }
  switch (statistic) {
    case 'SampleCount':
      return sampleCount;
    case 'Sum':
      return sum;
    case 'Minimum':
      return minimum;
    case 'Maximum':
      return maximum;
    case 'Average':
      return sampleCount === 0 ? null : sum / sampleCount;
  }
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(statistic);
  if (percentile && values.length > 0) {
    const sorted = values.sort((a, b) => a - b);
    const rank = Math.ceil((Number(percentile[1]) / 100) * sorted.length) - 1;
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
  }
  throw new Error(`statistic ${statistic} is not supported by the lab`);
}

/**
 * Evaluates one alarm at `now`: the statistic of each of the EvaluationPeriods periods ending at `now`, then
 * M-out-of-N with TreatMissingData deciding what an empty period counts as.
 */
export function evaluateAlarm(
  alarm: AlarmDefinition,
  series: readonly MetricDatapoint[],
  now: number,
): AlarmEvaluation {
  const periodMs = alarm.periodSeconds * 1000;
  const periodValues: (number | null)[] = [];
  for (let index = alarm.evaluationPeriods - 1; index >= 0; index -= 1) {
    const end = now - index * periodMs;
    const start = end - periodMs;
    periodValues.push(
      statisticOf(
        alarm.statistic,
        series.filter((point) => point.timestamp > start && point.timestamp <= end),
      ),
    );
  }
  const compare = COMPARISONS[alarm.comparisonOperator];
  const present = periodValues.filter((value): value is number => value !== null);
  const missing = periodValues.length - present.length;
  const breachingPresent = present.filter((value) => compare(value, alarm.threshold)).length;
  const described = `${alarm.statistic} ${periodValues.map((value) => value ?? 'missing').join(', ')} vs ${alarm.comparisonOperator} ${alarm.threshold}`;
  const seriesExists = series.length > 0;

  let state: AlarmState;
  switch (alarm.treatMissingData) {
    case 'breaching':
      state = breachingPresent + missing >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
      break;
    case 'notBreaching':
      state = breachingPresent >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
      break;
    default:
      // missing / ignore: only the periods with data count; none at all is INSUFFICIENT_DATA.
      state =
        present.length === 0
          ? 'INSUFFICIENT_DATA'
          : breachingPresent >= Math.min(alarm.datapointsToAlarm, present.length)
            ? 'ALARM'
            : 'OK';
  }
  return {
    alarm,
    state,
    periodValues,
    seriesExists,
    reason: seriesExists
      ? described
      : `no datapoint of ${describeSeries(alarm.metric)} exists: the alarm watches nothing`,
  };
}

export function describeSeries(key: MetricSeriesKey): string {
  const dimensions = Object.entries(key.dimensions)
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
  return `${key.namespace}/${key.metricName}{${dimensions}}`;
}
