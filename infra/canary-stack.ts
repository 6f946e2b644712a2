import { Annotations, Aws, CfnOutput, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import type { CanaryConfig } from '../functions/shared/config.js';
import { STACK_OUTPUTS } from '../functions/shared/runtime-environment.js';
import { CanaryAlarms } from './alarms.js';
import { CanaryMetrics } from './canary-metrics.js';
import { CanaryDashboard } from './dashboard.js';
import { CanaryNetwork } from './network.js';
import { OrchestratorFunction, type ReservedConcurrency } from './orchestrator-function.js';
import { ProbeTask } from './probe-task.js';
import { MAX_ORCHESTRATOR_TIMEOUT_SECONDS, orchestratorRunSeconds, resolveStackSettings } from './stack-settings.js';

export interface CanaryStackProps extends StackProps {
  /** The parsed canary config; the stack throws ConfigError (naming the field) for what it cannot deploy. */
  readonly config: CanaryConfig;
  /** The file `config` was read from; shipped beside the orchestrator handler. */
  readonly configFile: string;
  /** `npm run build` output: `orchestrator/index.mjs` and `probe/index.cjs`. */
  readonly buildDirectory: string;
  /**
   * The orchestrator's reserved concurrency, or 'unreserved' for accounts without spare concurrency.
   * @default ORCHESTRATOR_RESERVED_CONCURRENCY (2)
   */
  readonly orchestratorReservedConcurrency?: ReservedConcurrency | undefined;
  /**
   * A fixed name for the orchestrator, so `invoke --fleet` finds it from the config alone.
   * @default a name CloudFormation generates
   */
  readonly orchestratorFunctionName?: string | undefined;
}

/** One canary: probe task, orchestrator, schedule, alarms, dashboard. Environment-agnostic, no lookups. */
export class CanaryStack extends Stack {
  readonly network: CanaryNetwork;
  readonly probe: ProbeTask;
  readonly orchestrator: OrchestratorFunction;
  readonly alarms: CanaryAlarms;
  readonly dashboard: CanaryDashboard;

  /**
   * What an environment-agnostic stack gets: two AZs by Fn::GetAZs. A fleet vantage's stack has an account and region,
   * and CDK would otherwise look its AZs up at synth, which needs credentials for every account.
   */
  override get availabilityZones(): string[] {
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }

  constructor(scope: Construct, id: string, props: CanaryStackProps) {
    const {
      config,
      configFile,
      buildDirectory,
      orchestratorReservedConcurrency,
      orchestratorFunctionName,
      ...stackProps
    } = props;
    super(scope, id, {
      description: `port25-canary ${config.canaryName}: proves from Fargate whether TCP port 25 gets through and alarms when that differs from AWS's port-25 rule`,
      ...stackProps,
    });
    const settings = resolveStackSettings(config);

    const network = new CanaryNetwork(this, 'Network', {
      network: settings.network,
      egress: settings.egress,
      extraSecurityGroupIds: config.network.securityGroups,
    });
    this.network = network;
    this.probe = new ProbeTask(this, 'Probe', {
      config,
      settings,
      vpc: network.vpc,
      buildDirectory,
    });
    this.orchestrator = new OrchestratorFunction(this, 'Orchestrator', {
      config,
      configFile,
      settings,
      network,
      probe: this.probe,
      buildDirectory,
      reservedConcurrency: orchestratorReservedConcurrency,
      functionName: orchestratorFunctionName,
    });
    if (orchestratorRunSeconds(config) > MAX_ORCHESTRATOR_TIMEOUT_SECONDS) {
      Annotations.of(this.orchestrator).addWarningV2(
        'port25-canary:orchestratorTimeout',
        `A run needs about ${Math.ceil(orchestratorRunSeconds(config) / 60)} minutes (targets / maxConcurrentTasks waves of Fargate starts and probes), more than Lambda's 15; raise maxConcurrentTasks or split the targets.`,
      );
    }

    new events.Rule(this, 'Schedule', {
      description: `port25-canary ${config.canaryName}: scheduled run`,
      schedule: events.Schedule.expression(config.deployment.schedule),
      targets: [
        // The orchestrator reads EventBridge's own "Scheduled Event" as a run of every configured target.
        new targets.LambdaFunction(this.orchestrator.function, {
          retryAttempts: 2,
          maxEventAge: Duration.seconds(Math.min(settings.scheduleIntervalSeconds, 86_400)),
        }),
      ],
    });

    const metricsPer = (periodSeconds: number) =>
      new CanaryMetrics(config.metricNamespace, config.canaryName, Duration.seconds(periodSeconds));
    this.alarms = new CanaryAlarms(this, 'Alarms', { config, metrics: metricsPer(settings.alarmPeriodSeconds) });
    this.dashboard = new CanaryDashboard(this, 'Dashboard', {
      config,
      // One point per run on the graphs; the alarms need the longer period.
      metrics: metricsPer(settings.scheduleIntervalSeconds),
      vpcPrimaryCidr: settings.vpcPrimaryCidr,
      alarms: this.alarms.all(),
    });

    const functionName = this.orchestrator.function.functionName;
    new CfnOutput(this, 'FunctionName', { description: 'The orchestrator Lambda', value: functionName });
    new CfnOutput(this, 'InvokeCommand', {
      description: 'Run the canary now and print its report',
      value: `port25-canary invoke --function ${functionName} --region ${Aws.REGION}`,
    });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'CloudWatch dashboard',
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.dashboard.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic that receives every alarm and OK notification',
      value: this.alarms.topic.topicArn,
    });
    // What a run launches, for `port25-canary run --stack`: the same values the function gets in its environment.
    for (const [key, variable] of Object.entries(STACK_OUTPUTS)) {
      const value = this.orchestrator.runSettings[variable];
      if (value === undefined || value === '') continue;
      new CfnOutput(this, key, { description: `port25-canary run --stack: ${variable}`, value });
    }
  }
}
