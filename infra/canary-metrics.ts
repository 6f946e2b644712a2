import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  CANARY_DIMENSION,
  dimensionsMap,
  type MetricDefinition,
  type RUN_METRICS,
  runDimensions,
  TARGET_DIMENSION,
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

  /**
   * Every target's series of one metric as one search expression (CloudWatch User Guide, "CloudWatch search expression
   * syntax": a quoted value matches exactly; one expression returns up to 500 time series, more than a stack's 400
   * targets). A dashboard then costs the same template bytes for 4 targets as for 400; each series is labelled with
   * its Target dimension.
   */
  searchTargets(definition: TargetMetric, statistic: string): cloudwatch.SearchExpression {
    const schema = `{"${this.namespace}",${CANARY_DIMENSION},${TARGET_DIMENSION}}`;
    const terms = `MetricName="${definition.name}" ${CANARY_DIMENSION}="${this.canaryName}"`;
    return new cloudwatch.SearchExpression({
      expression: `SEARCH('${schema} ${terms}', '${statistic}', ${this.period.toSeconds()})`,
      label: `\${PROP('Dim.${TARGET_DIMENSION}')}`,
      period: this.period,
      ...(this.source === undefined ? {} : { searchAccount: this.source.account, searchRegion: this.source.region }),
    });
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
