import type { MetricDatapoint, MetricSeriesKey } from './local-aws/cloudwatch.js';
import type { CloudFormationTemplate } from './local-deployment.js';

/**
 * CloudWatch alarm evaluation over the lab's stored metrics, as the CloudWatch User Guide documents it ("Configuring
 * how CloudWatch alarms treat missing data"): each AWS::CloudWatch::Alarm of the synthesized template is evaluated at
 * one moment over its *evaluation range*, more periods than EvaluationPeriods. When the range holds at least
 * EvaluationPeriods real datapoints, the most recent of them decide and missing periods are skipped (TreatMissingData
 * is never applied); only with fewer are missing periods filled in, as few times as possible. Metric math `FILL(m, v)`
 * gives every period of the range a value once the range holds any datapoint of `m`. Alarm periods slide with the
 * evaluation minute (a state reason's startDate is not period-aligned), unlike a dashboard's clock-aligned ones.
 */

/**
 * Periods retrieved beyond EvaluationPeriods. CloudWatch says only that it retrieves "a higher number" depending on
 * the period and resolution; its worked examples retrieve 5 for 3 evaluation periods.
 */
export const EVALUATION_RANGE_EXTRA_PERIODS = 2;

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
  /** The alarm's metric math is `FILL(m, fill)` over `metric`; undefined when it watches the metric itself. */
  readonly fill?: number | undefined;
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
  /** The value of each period of the evaluation range (after FILL), oldest first; null for a period without data. */
  readonly rangeValues: readonly (number | null)[];
  /** The EvaluationPeriods datapoints that decided, oldest first; null for a missing one filled in by TreatMissingData. */
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

interface WatchedMetric {
  readonly metric: MetricSeriesKey;
  readonly statistic: string;
  readonly period: number;
  readonly fill?: number;
}

function metricStatOf(logicalId: string, stat: Json): WatchedMetric {
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

/** `FILL(id, number)`, the one metric-math function the lab evaluates; anything else is refused, not guessed at. */
const FILL_EXPRESSION = /^\s*FILL\(\s*([a-z][A-Za-z0-9_]*)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)\s*$/;

/**
 * The metric an alarm watches: the classic single-metric form, or a Metrics array whose one returned query is a
 * MetricStat, or an expression `FILL(m, v)` over one MetricStat query `m`.
 */
function watchedMetric(logicalId: string, properties: Json): WatchedMetric {
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
  if (returned.length !== 1 || query === undefined) {
    throw new AlarmDefinitionError(logicalId, 'returns more or less than one query; an alarm returns exactly one');
  }
  if (query.MetricStat) return metricStatOf(logicalId, query.MetricStat as Json);
  const expression = literal(logicalId, query.Expression, 'Expression');
  const fill = FILL_EXPRESSION.exec(expression);
  const input = queries.find((candidate) => candidate.Id === fill?.[1]);
  if (!fill || !input?.MetricStat) {
    throw new AlarmDefinitionError(
      logicalId,
      `uses metric math ${JSON.stringify(expression)}; the lab evaluates FILL(m, value) over one metric only`,
    );
  }
  return { ...metricStatOf(logicalId, input.MetricStat as Json), fill: Number(fill[2]) };
}

/** Every AWS::CloudWatch::Alarm of the template, parsed. */
export function alarmDefinitions(template: CloudFormationTemplate): AlarmDefinition[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const { metric, statistic, period, fill } = watchedMetric(logicalId, properties);
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
        ...(fill === undefined ? {} : { fill }),
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

/** The periods of the evaluation range ending at `now`, oldest first: the statistic, FILL applied, null without data. */
function evaluationRange(alarm: AlarmDefinition, series: readonly MetricDatapoint[], now: number): (number | null)[] {
  const periodMs = alarm.periodSeconds * 1000;
  const rangePeriods = alarm.evaluationPeriods + EVALUATION_RANGE_EXTRA_PERIODS;
  const values: (number | null)[] = [];
  for (let index = rangePeriods - 1; index >= 0; index -= 1) {
    const end = now - index * periodMs;
    const start = end - periodMs;
    values.push(
      statisticOf(
        alarm.statistic,
        series.filter((point) => point.timestamp > start && point.timestamp <= end),
      ),
    );
  }
  // FILL fills the timestamps of the query; with no datapoint in the whole range there are none, so nothing is filled
  // and TreatMissingData decides (the alarms set it to agree with the fill value).
  const { fill } = alarm;
  if (fill === undefined || values.every((value) => value === null)) return values;
  return values.map((value) => value ?? fill);
}

/**
 * Evaluates one alarm at `now` by the documented rule. `previousState` is what `ignore` keeps when it cannot decide.
 * - At least EvaluationPeriods real datapoints in the range: the most recent EvaluationPeriods of them decide; missing
 *   periods are skipped and TreatMissingData is not applied.
 * - Fewer: every real datapoint of the range, plus missing ones filled in by TreatMissingData up to EvaluationPeriods.
 *   `breaching`/`notBreaching` fill them as breaching/good. `missing` (and `ignore`) fill nothing: ALARM when the real
 *   points reach DatapointsToAlarm, OK when one of them is good, else INSUFFICIENT_DATA (`ignore`: the current state).
 *   This reproduces the User Guide's example tables except one `missing` row (3 of 3, only the oldest point present and
 *   breaching, said to be ALARM) which contradicts the row with only the newest point present and breaching.
 * Then ALARM when at least DatapointsToAlarm of the evaluated datapoints breach, else OK.
 */
export function evaluateAlarm(
  alarm: AlarmDefinition,
  series: readonly MetricDatapoint[],
  now: number,
  previousState: AlarmState = 'INSUFFICIENT_DATA',
): AlarmEvaluation {
  const rangeValues = evaluationRange(alarm, series, now);
  const compare = COMPARISONS[alarm.comparisonOperator];
  const present = rangeValues.filter((value): value is number => value !== null);
  const breaches = (values: readonly number[]) => values.filter((value) => compare(value, alarm.threshold)).length;
  const decide = (breaching: number): AlarmState => (breaching >= alarm.datapointsToAlarm ? 'ALARM' : 'OK');

  let periodValues: (number | null)[];
  let state: AlarmState;
  if (present.length >= alarm.evaluationPeriods) {
    periodValues = present.slice(-alarm.evaluationPeriods);
    state = decide(breaches(present.slice(-alarm.evaluationPeriods)));
  } else {
    const filledIn = alarm.evaluationPeriods - present.length;
    periodValues = [...Array.from({ length: filledIn }, () => null), ...present];
    switch (alarm.treatMissingData) {
      case 'breaching':
        state = decide(breaches(present) + filledIn);
        break;
      case 'notBreaching':
        state = decide(breaches(present));
        break;
      default: {
        const breaching = breaches(present);
        const undecided = alarm.treatMissingData === 'ignore' ? previousState : 'INSUFFICIENT_DATA';
        state = breaching >= alarm.datapointsToAlarm ? 'ALARM' : present.length > breaching ? 'OK' : undecided;
      }
    }
  }
  const seriesExists = series.length > 0;
  const expression = alarm.fill === undefined ? alarm.statistic : `FILL(${alarm.statistic}, ${alarm.fill})`;
  const described = `${expression} over the range ${rangeValues.map((value) => value ?? 'missing').join(', ')}; evaluated ${periodValues.map((value) => value ?? `missing (${alarm.treatMissingData})`).join(', ')} vs ${alarm.comparisonOperator} ${alarm.threshold}`;
  return {
    alarm,
    state,
    rangeValues,
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
