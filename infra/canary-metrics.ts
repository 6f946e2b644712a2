import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  dimensionsMap,
  type MetricDefinition,
  type RUN_METRICS,
  runDimensions,
  type TARGET_METRICS,
  targetDimensions,
} from '../functions/shared/metrics.js';

type TargetMetric = (typeof TARGET_METRICS)[keyof typeof TARGET_METRICS];
type RunMetric = (typeof RUN_METRICS)[keyof typeof RUN_METRICS];

/**
 * CloudWatch metrics as the orchestrator publishes them (shared/metrics.ts): per-target metrics carry the Canary and
 * Target dimensions, per-run metrics the Canary dimension. No unit is set, so an alarm matches whatever unit was published;
 * no label either, which would turn an alarm's metric into a metric-math query.
 */
export class CanaryMetrics {
  constructor(
    private readonly namespace: string,
    private readonly canaryName: string,
    private readonly period: Duration,
    /** Another account and region (a fleet vantage): the metrics then name both, as cross-account dashboards need. */
    private readonly source?: { readonly account: string; readonly region: string },
  ) {}

  forTarget(definition: TargetMetric, targetName: string, statistic: string): cloudwatch.Metric {
    return this.metric(definition, dimensionsMap(targetDimensions(this.canaryName, targetName)), statistic);
  }

  forRun(definition: RunMetric, statistic: string): cloudwatch.Metric {
    return this.metric(definition, dimensionsMap(runDimensions(this.canaryName)), statistic);
  }

  private metric(
    definition: MetricDefinition,
    dimensionsMap: Record<string, string>,
    statistic: string,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: definition.name,
      dimensionsMap,
      statistic,
      period: this.period,
      ...(this.source === undefined ? {} : { account: this.source.account, region: this.source.region }),
    });
  }
}
