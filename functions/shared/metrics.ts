/**
 * Every CloudWatch metric the orchestrator publishes. The CDK alarms and dashboard, the lab's alarm evaluation and
 * the tests import these names, so an alarm can never watch a metric nothing publishes.
 */
export const DEFAULT_METRIC_NAMESPACE = 'Port25Canary';

export const TARGET_DIMENSION = 'Target';
export const CANARY_DIMENSION = 'Canary';

export type MetricUnit = 'None' | 'Count' | 'Milliseconds';

export interface MetricDefinition {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly dimension: typeof TARGET_DIMENSION | typeof CANARY_DIMENSION;
  readonly description: string;
}

export const TARGET_METRICS = {
  expectationMet: {
    name: 'ExpectationMet',
    unit: 'None',
    dimension: TARGET_DIMENSION,
    description: '1 when the observation matched the expectation, 0 when it did not; not published when inconclusive',
  },
  port25Reachable: {
    name: 'Port25Reachable',
    unit: 'None',
    dimension: TARGET_DIMENSION,
    description:
      '1 when a TCP connection to the target port was established in any attempt (even if SMTP then failed), 0 when not; only for conclusive results',
  },
  connectTime: {
    name: 'ConnectTime',
    unit: 'Milliseconds',
    dimension: TARGET_DIMENSION,
    description: 'TCP connect time; only when a connection was made',
  },
  inconclusive: {
    name: 'Inconclusive',
    unit: 'None',
    dimension: TARGET_DIMENSION,
    description:
      '1 when the run could not tell (task failed, DNS error, ICMP unreachable for a blocked target), else 0',
  },
} as const satisfies Record<string, MetricDefinition>;

export const RUN_METRICS = {
  targetsPassed: {
    name: 'TargetsPassed',
    unit: 'Count',
    dimension: CANARY_DIMENSION,
    description: 'Targets whose expectation was met',
  },
  targetsFailed: {
    name: 'TargetsFailed',
    unit: 'Count',
    dimension: CANARY_DIMENSION,
    description: 'Targets whose expectation was not met',
  },
  targetsInconclusive: {
    name: 'TargetsInconclusive',
    unit: 'Count',
    dimension: CANARY_DIMENSION,
    description: 'Targets the run could not judge',
  },
  runDuration: {
    name: 'RunDuration',
    unit: 'Milliseconds',
    dimension: CANARY_DIMENSION,
    description: 'Wall time of one orchestrator run',
  },
} as const satisfies Record<string, MetricDefinition>;

export const ALL_METRICS: readonly MetricDefinition[] = [
  ...Object.values(TARGET_METRICS),
  ...Object.values(RUN_METRICS),
];

/** CloudWatch accepts at most this many MetricDatum entries in one PutMetricData call. */
export const MAX_METRIC_DATA_PER_CALL = 1000;
