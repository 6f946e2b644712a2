import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { canaryAwsNames } from '../functions/shared/aws-names.js';
import { chunk } from '../functions/shared/chunk.js';
import type { CanaryConfig } from '../functions/shared/config.js';
import { isPublished, RUN_METRICS, TARGET_METRICS } from '../functions/shared/metrics.js';
import type { CanaryMetrics } from './canary-metrics.js';
import { ruleSummaryMarkdown } from './rule-summary.js';

export interface CanaryDashboardProps {
  readonly config: CanaryConfig;
  readonly metrics: CanaryMetrics;
  readonly vpcPrimaryCidr: string | undefined;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/** The dashboard body allows at most 100 alarms in one alarm-status widget (CloudWatch Dashboard Body Structure). */
export const MAX_ALARMS_PER_WIDGET = 100;
const FULL_WIDTH = 24;
const RULE_WIDTH = 16;
/** Four per-target graphs to a row. */
const TARGET_GRAPH_WIDTH = FULL_WIDTH / 4;

/** The per-target graphs of one row, one series per target (found by a search expression). */
const TARGET_GRAPHS = [
  {
    metric: TARGET_METRICS.expectationMet,
    statistic: 'Minimum',
    title: 'ExpectationMet: 1 as expected, 0 not',
    max: 1,
  },
  {
    metric: TARGET_METRICS.port25Reachable,
    statistic: 'Minimum',
    title: 'Port25Reachable: 1 a TCP connection was made',
    max: 1,
  },
  { metric: TARGET_METRICS.connectTime, statistic: 'Average', title: 'ConnectTime (ms)', max: undefined },
  {
    metric: TARGET_METRICS.inconclusive,
    statistic: 'Maximum',
    title: 'Inconclusive: 1 the run could not judge',
    max: 1,
  },
] as const;

/** The canary at a glance: the rule and expectations, alarm states, run summary, and per-target graphs. */
export class CanaryDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: CanaryDashboardProps) {
    super(scope, id);
    const { config, metrics } = props;
    const targetNames = config.targets.map((target) => target.name);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: canaryAwsNames(config.canaryName).dashboardName,
    });
    const ruleHeight = Math.min(40, 7 + Math.ceil(targetNames.length * 0.7));
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: ruleSummaryMarkdown(config, props.vpcPrimaryCidr),
        width: RULE_WIDTH,
        height: ruleHeight,
      }),
      // The restriction's state per run, beside the rule that sets each target's expectation.
      new cloudwatch.GraphWidget({
        title: `Restriction per run: 1 in effect, 0 lifted (configured: ${config.port25Released ? 'released' : 'not released'})`,
        left: [metrics.forRun(RUN_METRICS.restrictionInEffect, 'Maximum').with({ label: 'RestrictionInEffect' })],
        leftYAxis: { min: 0, max: 1, showUnits: false },
        width: FULL_WIDTH - RULE_WIDTH,
        height: ruleHeight,
      }),
    );
    const alarmGroups = chunk(props.alarms, MAX_ALARMS_PER_WIDGET);
    for (const [index, alarms] of alarmGroups.entries()) {
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: alarmGroups.length > 1 ? `Alarms (${index + 1} of ${alarmGroups.length})` : 'Alarms',
          alarms: [...alarms],
          width: FULL_WIDTH,
          height: Math.min(20, 2 + Math.ceil(alarms.length / 4)),
        }),
      );
    }
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Runs: targets passed, failed, inconclusive; run duration (right)',
        left: [
          metrics.forRun(RUN_METRICS.targetsPassed, 'Sum'),
          metrics.forRun(RUN_METRICS.targetsFailed, 'Sum'),
          metrics.forRun(RUN_METRICS.targetsInconclusive, 'Sum'),
        ],
        right: [metrics.forRun(RUN_METRICS.runDuration, 'Maximum')],
        leftYAxis: { min: 0, showUnits: false },
        width: FULL_WIDTH,
        height: 6,
      }),
    );
    // One search per graph instead of one entry per target: the template stays within CloudFormation's size quota at
    // the most targets a stack accepts (docs/metrics-and-alarms.md, "Template size").
    this.dashboard.addWidgets(
      ...TARGET_GRAPHS.filter(({ metric }) => isPublished(metric, config.deployment)).map(
        ({ metric, statistic, title, max }) =>
          new cloudwatch.GraphWidget({
            title,
            left: [metrics.searchTargets(metric, statistic)],
            leftYAxis: { min: 0, ...(max === undefined ? {} : { max }), showUnits: false },
            width: TARGET_GRAPH_WIDTH,
            height: 6,
          }),
      ),
    );
  }
}
