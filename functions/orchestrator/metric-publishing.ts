import type { CloudWatchClient, MetricDatum } from '@aws-sdk/client-cloudwatch';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { chunk } from '../shared/chunk.js';
import {
  MAX_METRIC_DATA_PER_CALL,
  type MetricDefinition,
  type MetricDimension,
  RUN_METRICS,
  runDimensions,
  TARGET_METRICS,
  targetDimensions,
} from '../shared/metrics.js';
import type { TargetOutcome } from '../shared/outcomes.js';
import type { CanaryReport, TargetReport } from '../shared/report.js';
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

/** These outcomes happen only after the TCP handshake, so they prove a connection even without a connect time. */
const CONNECTED_OUTCOMES: ReadonlySet<TargetOutcome> = new Set([
  'open',
  'banner-timeout',
  'protocol-error',
  'tls-error',
]);

/** Port25Reachable: a TCP connection to the target port was established in any attempt, whatever SMTP did after it. */
function connectionEstablished(result: TargetReport): boolean {
  return result.connectMs !== null || CONNECTED_OUTCOMES.has(result.outcome);
}

/**
 * The run's data points, all stamped with the run's start so one run lands in one period.
 * Per target (Canary=canary, Target=name): ExpectationMet and Port25Reachable only when conclusive, ConnectTime only with a connect time,
 * Inconclusive always. Per run (Canary=name): the three counts and RunDuration.
 */
export function metricDataFor(report: CanaryReport): MetricDatum[] {
  const timestamp = new Date(report.startedAt);
  const data: MetricDatum[] = [];
  const run = runDimensions(report.canary);
  for (const result of report.results) {
    const target = targetDimensions(report.canary, result.target);
    const conclusive = result.verdict !== 'inconclusive';
    if (conclusive) {
      data.push(datum(TARGET_METRICS.expectationMet, target, result.verdict === 'pass' ? 1 : 0, timestamp));
      data.push(datum(TARGET_METRICS.port25Reachable, target, connectionEstablished(result) ? 1 : 0, timestamp));
    }
    if (result.connectMs !== null) data.push(datum(TARGET_METRICS.connectTime, target, result.connectMs, timestamp));
    data.push(datum(TARGET_METRICS.inconclusive, target, conclusive ? 0 : 1, timestamp));
  }
  const runDurationMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  data.push(datum(RUN_METRICS.targetsPassed, run, report.summary.pass, timestamp));
  data.push(datum(RUN_METRICS.targetsFailed, run, report.summary.fail, timestamp));
  data.push(datum(RUN_METRICS.targetsInconclusive, run, report.summary.inconclusive, timestamp));
  data.push(datum(RUN_METRICS.runDuration, run, runDurationMs, timestamp));
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
