import type { CloudWatchClient, MetricDatum } from '@aws-sdk/client-cloudwatch';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { chunk } from '../shared/chunk.js';
import {
  isPublished,
  MAX_METRIC_DATA_PER_CALL,
  type MetricDefinition,
  type MetricDimension,
  type MetricSelection,
  RUN_METRICS,
  runDimensions,
  TARGET_METRICS,
  targetDimensions,
} from '../shared/metrics.js';
import type { CanaryReport, TargetReport } from '../shared/report.js';
import { CONNECTED_OUTCOMES, type RestrictionState } from '../shared/restriction.js';
import { type Clock, callWithRetry } from './aws-retry.js';

function datum(
  metric: MetricDefinition,
  dimensions: readonly MetricDimension[],
  value: number,
  timestamp: Date,
): MetricDatum {
  return {
    MetricName: metric.name,
    Dimensions: [...dimensions],
    Unit: metric.unit,
    Value: value,
    Timestamp: timestamp,
  };
}

/** Port25Reachable: a TCP connection to the target port was established in any attempt, whatever SMTP did after it. */
function connectionEstablished(result: TargetReport): boolean {
  return result.connectMs !== null || CONNECTED_OUTCOMES.has(result.outcome);
}

/** RestrictionInEffect's value for a state; undefined (not published) when the run could not tell one way. */
const RESTRICTION_VALUES: Readonly<Record<RestrictionState, number | undefined>> = {
  'in-effect': 1,
  lifted: 0,
  contradictory: undefined,
  unknown: undefined,
};

/**
 * The run's data points, all stamped with the run's start so one run lands in one period.
 * Per target (Canary=canary, Target=name): ExpectationMet only when conclusive; with `detailedTargetMetrics` also
 * Port25Reachable when conclusive, ConnectTime with a connect time, Inconclusive always. Per run (Canary=name): the
 * three counts, RunDuration, and RestrictionInEffect when the state is in-effect or lifted.
 */
export function metricDataFor(report: CanaryReport, selection: MetricSelection): MetricDatum[] {
  const timestamp = new Date(report.startedAt);
  const data: MetricDatum[] = [];
  const run = runDimensions(report.canary);
  const add = (metric: MetricDefinition, dimensions: readonly MetricDimension[], value: number) => {
    if (isPublished(metric, selection)) data.push(datum(metric, dimensions, value, timestamp));
  };
  for (const result of report.results) {
    const target = targetDimensions(report.canary, result.target);
    const conclusive = result.verdict !== 'inconclusive';
    if (conclusive) {
      add(TARGET_METRICS.expectationMet, target, result.verdict === 'pass' ? 1 : 0);
      add(TARGET_METRICS.port25Reachable, target, connectionEstablished(result) ? 1 : 0);
    }
    if (result.connectMs !== null) add(TARGET_METRICS.connectTime, target, result.connectMs);
    add(TARGET_METRICS.inconclusive, target, conclusive ? 0 : 1);
  }
  const runDurationMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  add(RUN_METRICS.targetsPassed, run, report.summary.pass);
  add(RUN_METRICS.targetsFailed, run, report.summary.fail);
  add(RUN_METRICS.targetsInconclusive, run, report.summary.inconclusive);
  add(RUN_METRICS.runDuration, run, runDurationMs);
  const restriction = RESTRICTION_VALUES[report.restriction.state];
  if (restriction !== undefined) add(RUN_METRICS.restrictionInEffect, run, restriction);
  return data;
}

/**
 * One PutMetricData call per MAX_METRIC_DATA_PER_CALL data points; no retry sleeps past `notAfter`.
 * Throws AwsCallError when a call fails for good.
 */
export async function publishMetrics(
  cloudwatch: CloudWatchClient,
  namespace: string,
  data: readonly MetricDatum[],
  clock: Clock,
  notAfter: number,
): Promise<number> {
  const batches = chunk(data, MAX_METRIC_DATA_PER_CALL);
  for (const batch of batches) {
    await callWithRetry(
      `CloudWatch PutMetricData (namespace ${namespace})`,
      () => cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: batch })),
      clock,
      { notAfter },
    );
  }
  return batches.length;
}
