import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { ResolvedFleet, ResolvedVantage } from '../functions/shared/fleet.js';
import { RUN_METRICS, TARGET_METRICS } from '../functions/shared/metrics.js';
import { RUN_EVENT_SOURCE } from '../functions/shared/run-event.js';
import { CanaryMetrics } from './canary-metrics.js';
import { ALARM_STATE_CHANGE } from './fleet-forwarding.js';
import { fleetBusName, sinkReaderRoleName } from './fleet-names.js';
import { acknowledgeWildcardResource } from './nag.js';
import { scheduleIntervalSeconds } from './schedule-period.js';
import { allowRuleToPublish } from './topic-publishers.js';

export interface FleetMonitoringStackProps extends StackProps {
  readonly fleet: ResolvedFleet;
  readonly monitoring: { readonly account: string; readonly region: string };
}

const FULL_WIDTH = 24;
/**
 * CloudWatch draws at most 2,500 metrics on one dashboard (CloudWatch User Guide, "CloudWatch service quotas"). A search
 * counts as each series it returns, so a vantage row counts as its targets plus its RestrictionInEffect.
 */
export const MAX_METRICS_PER_DASHBOARD = 2_500;

/** A vantage row's share of its dashboard's metrics. */
export function vantageRowMetrics(vantage: ResolvedVantage): number {
  return vantage.config.targets.length + 1;
}

/** Vantage rows in config order, a new dashboard whenever the next row would take one over the quota. */
export function vantagesByDashboard(vantages: readonly ResolvedVantage[]): ResolvedVantage[][] {
  const dashboards: ResolvedVantage[][] = [];
  let current: ResolvedVantage[] = [];
  let metrics = 0;
  for (const vantage of vantages) {
    const row = vantageRowMetrics(vantage);
    if (current.length > 0 && metrics + row > MAX_METRICS_PER_DASHBOARD) {
      dashboards.push(current);
      current = [];
      metrics = 0;
    }
    current.push(vantage);
    metrics += row;
  }
  if (current.length > 0 || dashboards.length === 0) dashboards.push(current);
  return dashboards;
}

/**
 * The fleet in one place: a dashboard of every vantage's targets and restriction state (read through CloudWatch
 * cross-account observability), and a bus that receives every vantage's run events and alarm changes, sent on to
 * one SNS topic.
 */
export class FleetMonitoringStack extends Stack {
  readonly bus: events.EventBus;
  readonly topic: sns.Topic;
  /** The first of `dashboards`. */
  readonly dashboard: cloudwatch.Dashboard;
  /** As many as keep each within MAX_METRICS_PER_DASHBOARD. */
  readonly dashboards: readonly cloudwatch.Dashboard[];

  constructor(scope: Construct, id: string, props: FleetMonitoringStackProps) {
    const { fleet, monitoring, ...stackProps } = props;
    super(scope, id, {
      description: `port25-canary ${fleet.canaryName} fleet: dashboard, event bus and notifications for every vantage`,
      ...stackProps,
    });
    const foreignAccounts = vantageAccountsOutside(fleet, monitoring.account);

    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: fleetBusName(fleet.canaryName),
      description: `port25-canary ${fleet.canaryName}: run events and alarm changes of every vantage`,
    });
    if (foreignAccounts.length > 0) {
      this.bus.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'VantageAccountsPutEvents',
          principals: foreignAccounts.map((account) => new iam.AccountPrincipal(account)),
          actions: ['events:PutEvents'],
          resources: [this.bus.eventBusArn],
        }),
      );
    }
    // Only vantages of other accounts in regions without an existing sink look their sink's ARN up.
    const lookupAccounts = vantageAccountsOutside(
      { ...fleet, vantages: fleet.vantages.filter((vantage) => existingSinkArn(fleet, vantage) === undefined) },
      monitoring.account,
    );
    if (lookupAccounts.length > 0) this.sinkReaderRole(fleet.canaryName, lookupAccounts);

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `port25-canary ${fleet.canaryName} fleet`,
      enforceSSL: true,
    });
    const emails = new Set(fleet.vantages.flatMap((vantage) => vantage.config.deployment.notifyEmails));
    for (const email of emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    const notify = new events.Rule(this, 'Notify', {
      eventBus: this.bus,
      description: `port25-canary ${fleet.canaryName}: every vantage's run events and alarm changes to the fleet topic`,
      eventPattern: { source: [RUN_EVENT_SOURCE, ALARM_STATE_CHANGE.source] },
      // The topic's ARN alone: CDK's SnsTopic target would add an unconditioned Allow for every rule; the statement
      // below names this rule.
      targets: [{ bind: () => ({ arn: this.topic.topicArn }) }],
    });
    allowRuleToPublish(this.topic, notify, 'FleetNotifyRulePublish');

    const dashboardName = fleetBusName(fleet.canaryName).replace(/[^A-Za-z0-9_-]/g, '-');
    this.dashboards = vantagesByDashboard(fleet.vantages).map((vantages, index, all) => {
      const dashboard = new cloudwatch.Dashboard(this, index === 0 ? 'Dashboard' : `Dashboard${index + 1}`, {
        dashboardName: index === 0 ? dashboardName : `${dashboardName}-${index + 1}`,
      });
      dashboard.addWidgets(
        new cloudwatch.TextWidget({
          markdown: fleetSummaryMarkdown(fleet, all.length > 1 ? `${index + 1} of ${all.length}` : undefined),
          width: FULL_WIDTH,
          height: 3 + fleet.vantages.length,
        }),
      );
      for (const vantage of vantages) dashboard.addWidgets(vantageRow(vantage));
      return dashboard;
    });
    this.dashboard = this.dashboards[0] as cloudwatch.Dashboard;

    new CfnOutput(this, 'EventBusArn', { description: "Receives every vantage's events", value: this.bus.eventBusArn });
    new CfnOutput(this, 'TopicArn', {
      description: "Every vantage's run events and alarm changes",
      value: this.topic.topicArn,
    });
    for (const [index, dashboard] of this.dashboards.entries()) {
      new CfnOutput(this, index === 0 ? 'DashboardUrl' : `DashboardUrl${index + 1}`, {
        description: index === 0 ? 'The fleet dashboard' : `The fleet dashboard, part ${index + 1}`,
        value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${dashboard.dashboardName}`,
      });
    }
  }

  /** Lets the vantage accounts read their region's sink ARN, which OAM generates and no name predicts. */
  private sinkReaderRole(canaryName: string, accounts: readonly string[]): iam.Role {
    const role = new iam.Role(this, 'SinkReader', {
      roleName: sinkReaderRoleName(canaryName),
      description: 'port25-canary fleet: vantage accounts read the OAM sink ARN to link their metrics',
      assumedBy: new iam.CompositePrincipal(...accounts.map((account) => new iam.AccountPrincipal(account))),
      maxSessionDuration: Duration.hours(1),
    });
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ListSinks', actions: ['oam:ListSinks'], resources: ['*'] }));
    acknowledgeWildcardResource(role, '*', 'oam:ListSinks has no resource type; it reveals only sink ARNs and names.');
    return role;
  }
}

/** The sink the config names for the vantage's region (monitoring.existingSinks), if any. */
export function existingSinkArn(fleet: ResolvedFleet, vantage: ResolvedVantage): string | undefined {
  return fleet.fleet.monitoring?.existingSinks[vantage.settings.region];
}

/** The vantage accounts other than the monitoring account, once each, in config order. */
export function vantageAccountsOutside(fleet: ResolvedFleet, monitoringAccount: string): string[] {
  return [...new Set(fleet.vantages.map((vantage) => vantage.settings.account))].filter(
    (account) => account !== monitoringAccount,
  );
}

function fleetSummaryMarkdown(fleet: ResolvedFleet, part: string | undefined): string {
  const rows = fleet.vantages.map(
    ({ settings, config }) =>
      `| ${settings.name} | ${settings.account} | ${settings.region} | ${config.port25Released ? 'released' : 'not released'} | ${config.targets.length} |`,
  );
  return [
    `## port25-canary ${fleet.canaryName}: the fleet${part === undefined ? '' : ` (dashboard ${part})`}`,
    'Each graph below is one vantage: ExpectationMet per target (1 as expected, 0 not) and RestrictionInEffect (1 in effect, 0 lifted, empty when a run could not tell).',
    '',
    '| vantage | account | region | configured | targets |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * One row: each target's ExpectationMet, found by one search in the vantage's account and region, and the vantage's
 * restriction state. One search instead of one entry per target keeps the stack's template small at 400 targets a
 * vantage; in the monitoring account a search reaches the source accounts linked to its sink (cross-account
 * observability).
 */
function vantageRow({ settings, config }: ResolvedVantage): cloudwatch.IWidget {
  const period = Duration.seconds(scheduleIntervalSeconds(config.deployment.schedule));
  const metrics = new CanaryMetrics(config.metricNamespace, config.canaryName, period, {
    account: settings.account,
    region: settings.region,
  });
  return new cloudwatch.GraphWidget({
    title: `${settings.name} (${settings.account} ${settings.region})`,
    left: [
      metrics.searchTargets(TARGET_METRICS.expectationMet, 'Minimum'),
      metrics
        .forRun(RUN_METRICS.restrictionInEffect, 'Maximum')
        .with({ label: 'restriction in effect (1) or lifted (0)' }),
    ],
    leftYAxis: { min: 0, max: 1, showUnits: false },
    width: FULL_WIDTH,
    height: 6,
  });
}
