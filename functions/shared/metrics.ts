/**
 * Every CloudWatch metric the orchestrator publishes. The CDK alarms and dashboard, the lab's alarm evaluation and
 * the tests import these names, so an alarm can never watch a metric nothing publishes.
 */
export const DEFAULT_METRIC_NAMESPACE = 'Port25Canary';

export const TARGET_DIMENSION = 'Target';
export const CANARY_DIMENSION = 'Canary';

export type MetricUnit = 'None' | 'Count' | 'Milliseconds';

/**
 * Which series a metric is split by. Per-target metrics carry the canary too: a series is identified by its exact
 * dimension set, so with `Target` alone two canaries in one namespace and region that both name a target `relay`
 * would write one series and trip each other's alarms.
 */
export type MetricScope = 'target' | 'run';

/** The dimension names of each scope, in the order they are published. */
export const SCOPE_DIMENSIONS: Readonly<Record<MetricScope, readonly string[]>> = {
  target: [CANARY_DIMENSION, TARGET_DIMENSION],
  run: [CANARY_DIMENSION],
};

export interface MetricDefinition {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly scope: MetricScope;
  readonly description: string;
}

export interface MetricDimension {
  readonly Name: string;
  readonly Value: string;
}

/** The dimensions of a per-target series: `[{Canary}, {Target}]`, in that order. */
export function targetDimensions(canaryName: string, targetName: string): MetricDimension[] {
  return [
    { Name: CANARY_DIMENSION, Value: canaryName },
    { Name: TARGET_DIMENSION, Value: targetName },
  ];
}

/** The dimensions of a per-run series: `[{Canary}]`. */
export function runDimensions(canaryName: string): MetricDimension[] {
  return [{ Name: CANARY_DIMENSION, Value: canaryName }];
}

/** The same dimensions as a name → value map (CDK's dimensionsMap, the lab's series key). */
export function dimensionsMap(dimensions: readonly MetricDimension[]): Record<string, string> {
  return Object.fromEntries(dimensions.map(({ Name, Value }) => [Name, Value]));
}

export const TARGET_METRICS = {
  expectationMet: {
    name: 'ExpectationMet',
    unit: 'None',
    scope: 'target',
    description: '1 when the observation matched the expectation, 0 when it did not; not published when inconclusive',
  },
  port25Reachable: {
    name: 'Port25Reachable',
    unit: 'None',
    scope: 'target',
    description:
      '1 when a TCP connection to the target port was established in any attempt (even if SMTP then failed), 0 when not; only for conclusive results',
  },
  connectTime: {
    name: 'ConnectTime',
    unit: 'Milliseconds',
    scope: 'target',
    description: 'TCP connect time; only when a connection was made',
  },
  inconclusive: {
    name: 'Inconclusive',
    unit: 'None',
    scope: 'target',
    description:
      '1 when the run could not tell (task failed, DNS error, ICMP unreachable for a blocked target), else 0',
  },
} as const satisfies Record<string, MetricDefinition>;

export const RUN_METRICS = {
  targetsPassed: {
    name: 'TargetsPassed',
    unit: 'Count',
    scope: 'run',
    description: 'Targets whose expectation was met',
  },
  targetsFailed: {
    name: 'TargetsFailed',
    unit: 'Count',
    scope: 'run',
    description: 'Targets whose expectation was not met',
  },
  targetsInconclusive: {
    name: 'TargetsInconclusive',
    unit: 'Count',
    scope: 'run',
    description: 'Targets the run could not judge',
  },
  runDuration: {
    name: 'RunDuration',
    unit: 'Milliseconds',
    scope: 'run',
    description: 'Wall time of one orchestrator run',
  },
  restrictionInEffect: {
    name: 'RestrictionInEffect',
    unit: 'None',
    scope: 'run',
    description:
      "1 when the run saw AWS's port-25 restriction in effect, 0 when lifted; not published when contradictory or unknown",
  },
} as const satisfies Record<string, MetricDefinition>;

export interface MetricSelection {
  /** deployment.detailedTargetMetrics: publish every per-target metric, not only those an alarm or the dashboard uses. */
  readonly detailedTargetMetrics: boolean;
}

/**
 * The per-target metrics published by default: only what an alarm or the dashboard uses, since every custom metric
 * series costs per month and per target. The others need deployment.detailedTargetMetrics.
 */
export const DEFAULT_TARGET_METRICS: readonly MetricDefinition[] = [TARGET_METRICS.expectationMet];

/** Whether a run publishes this metric under the selection. Run-level metrics are always published. */
export function isPublished(metric: MetricDefinition, selection: MetricSelection): boolean {
  return metric.scope === 'run' || selection.detailedTargetMetrics || DEFAULT_TARGET_METRICS.includes(metric);
}

export const ALL_METRICS: readonly MetricDefinition[] = [
  ...Object.values(TARGET_METRICS),
  ...Object.values(RUN_METRICS),
];

/** CloudWatch accepts at most this many MetricDatum entries in one PutMetricData call. */
export const MAX_METRIC_DATA_PER_CALL = 1000;
