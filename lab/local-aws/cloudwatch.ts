import { AwsServiceError, InputReader, type JsonObject, type JsonService } from './protocol.js';

/**
 * CloudWatch metrics (AWS JSON 1.0, `GraniteServiceVersion20100801`, awsQuery-compatible errors): PutMetricData
 * validated like the real service and kept in a store the lab's alarm evaluation reads.
 */

export interface MetricSeriesKey {
  readonly namespace: string;
  readonly metricName: string;
  /** Name → value; a series is identified by its exact set of dimensions, as in CloudWatch. */
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface MetricDatapoint extends MetricSeriesKey {
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly unit: string | undefined;
  /** Each observed value with how often it was observed (Value is one observation of weight 1). */
  readonly observations: readonly { readonly value: number; readonly count: number }[];
  /** Pre-aggregated StatisticValues, when the publisher sent those instead of values. */
  readonly statisticValues?: {
    readonly sampleCount: number;
    readonly sum: number;
    readonly minimum: number;
    readonly maximum: number;
  };
}

const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

const MAX_DATA_PER_CALL = 1000;
const MAX_DIMENSIONS = 30;
const TWO_WEEKS_MS = 14 * 24 * 3600_000;
const TWO_HOURS_MS = 2 * 3600_000;

const invalid = (message: string) =>
  new AwsServiceError('InvalidParameterValueException', message, { queryCode: 'InvalidParameterValue' });
const missing = (message: string) =>
  new AwsServiceError('MissingRequiredParameterException', message, { queryCode: 'MissingParameter' });

export function seriesId(key: MetricSeriesKey): string {
  const dimensions = Object.entries(key.dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
  return `${key.namespace}|${key.metricName}|${dimensions}`;
}

export class MetricStore {
  private readonly datapoints: MetricDatapoint[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  all(): readonly MetricDatapoint[] {
    return this.datapoints;
  }

  /** The datapoints of exactly this series (same namespace, name and dimension set). */
  series(key: MetricSeriesKey): MetricDatapoint[] {
    const id = seriesId(key);
    return this.datapoints.filter((point) => seriesId(point) === id);
  }

  /** Every distinct series, as ListMetrics would show them. */
  seriesKeys(): MetricSeriesKey[] {
    const keys = new Map<string, MetricSeriesKey>();
    for (const point of this.datapoints) {
      keys.set(seriesId(point), {
        namespace: point.namespace,
        metricName: point.metricName,
        dimensions: point.dimensions,
      });
    }
    return [...keys.values()];
  }

  putMetricData(input: JsonObject): JsonObject {
    const reader = new InputReader(input, 'InvalidParameterValueException');
    const namespace = reader.optionalString('Namespace');
    if (!namespace) throw missing('The parameter Namespace is required.');
    if (namespace.startsWith('AWS/')) throw invalid('The value AWS/ for parameter Namespace is invalid.');
    const data = reader.optionalArray('MetricData');
    if (!data || data.length === 0) throw missing('The parameter MetricData is required.');
    if (data.length > MAX_DATA_PER_CALL) {
      throw invalid(`The collection MetricData must not have a size greater than ${MAX_DATA_PER_CALL}.`);
    }
    // Validate every datum before storing any: a rejected call stores nothing.
    const parsed = data.map((raw, index) => this.parseDatum(namespace, raw, index + 1));
    this.datapoints.push(...parsed);
    return {};
  }

  private parseDatum(namespace: string, raw: unknown, member: number): MetricDatapoint {
    const at = (field: string) => `MetricData.member.${member}.${field}`;
    if (typeof raw !== 'object' || raw === null) throw invalid(`${at('')} must be a structure.`);
    const datum = new InputReader(raw as JsonObject, 'InvalidParameterValueException');
    const metricName = datum.optionalString('MetricName');
    if (!metricName) throw missing(`The parameter ${at('MetricName')} is required.`);
    const rawDimensions = datum.optionalArray('Dimensions') ?? [];
    if (rawDimensions.length > MAX_DIMENSIONS) {
      throw invalid(`The collection ${at('Dimensions')} must not have a size greater than ${MAX_DIMENSIONS}.`);
    }
    const dimensions: Record<string, string> = {};
    for (const [index, dimension] of rawDimensions.entries()) {
      const { Name: name, Value: value } = (dimension ?? {}) as { Name?: unknown; Value?: unknown };
      if (typeof name !== 'string' || name === '' || typeof value !== 'string' || value === '') {
        throw invalid(`${at(`Dimensions.member.${index + 1}`)} must have a non-empty Name and Value.`);
      }
      if (name in dimensions) throw invalid(`${at('Dimensions')} has the dimension ${name} twice.`);
      dimensions[name] = value;
    }
    const unit = datum.optionalString('Unit');
    if (unit !== undefined && !UNITS.has(unit))
      throw invalid(`The value ${unit} for parameter ${at('Unit')} is invalid.`);
    const timestampSeconds = datum.optionalNumber('Timestamp');
    const timestamp = timestampSeconds === undefined ? this.now() : Math.round(timestampSeconds * 1000);
    if (timestamp < this.now() - TWO_WEEKS_MS || timestamp > this.now() + TWO_HOURS_MS) {
      throw invalid(
        `The parameter ${at('Timestamp')} must specify a time no more than two weeks in the past or two hours in the future.`,
      );
    }

    const value = datum.optionalNumber('Value');
    const values = datum.optionalArray('Values');
    const counts = datum.optionalArray('Counts');
    const statistics = datum.optionalObject('StatisticValues');
    const given = [value !== undefined, values !== undefined, statistics !== undefined].filter(Boolean).length;
    if (given !== 1) throw invalid(`${at('')} must specify exactly one of Value, Values or StatisticValues.`);

    const key = { namespace, metricName, dimensions, timestamp, unit };
    if (value !== undefined) return { ...key, observations: [{ value, count: 1 }] };
    if (values !== undefined) {
      if (!values.every((item) => typeof item === 'number' && Number.isFinite(item))) {
        throw invalid(`${at('Values')} must be numbers.`);
      }
      if (counts !== undefined && counts.length !== values.length) {
        throw invalid(`${at('Counts')} must have as many members as ${at('Values')}.`);
      }
      return {
        ...key,
        observations: (values as number[]).map((item, index) => ({ value: item, count: Number(counts?.[index] ?? 1) })),
      };
    }
    const stats = new InputReader(statistics as JsonObject, 'InvalidParameterValueException');
    const field = (name: string) => {
      const number = stats.optionalNumber(name);
      if (number === undefined) throw missing(`The parameter ${at(`StatisticValues.${name}`)} is required.`);
      return number;
    };
    return {
      ...key,
      observations: [],
      statisticValues: {
        sampleCount: field('SampleCount'),
        sum: field('Sum'),
        minimum: field('Minimum'),
        maximum: field('Maximum'),
      },
    };
  }
}

export function cloudWatchService(store: MetricStore): JsonService {
  return {
    targetPrefix: 'GraniteServiceVersion20100801',
    jsonVersion: '1.0',
    operations: {
      PutMetricData: (input) => store.putMetricData(input),
    },
  };
}
