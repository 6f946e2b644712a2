import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CanaryConfig } from '../functions/shared/config.js';
import { DEFAULT_EVENT_BUS_NAME } from '../functions/shared/run-event.js';
import { BUNDLED_CONFIG_FILE_NAME, RUNTIME_ENVIRONMENT } from '../functions/shared/runtime-environment.js';
import { requireBuildOutput } from './build-output.js';
import { acknowledgeCanaryLogGroup, acknowledgeControl, CONTROL_TOWER_RULES } from './control-tower.js';
import { acknowledgeWildcardResource } from './nag.js';
import type { CanaryNetwork } from './network.js';
import type { ProbeTask } from './probe-task.js';
import type { StackSettings } from './stack-settings.js';

export interface OrchestratorFunctionProps {
  readonly config: CanaryConfig;
  /** The config file as written; bundled beside the handler as BUNDLED_CONFIG_FILE_NAME. */
  readonly configFile: string;
  readonly settings: StackSettings;
  readonly network: CanaryNetwork;
  readonly probe: ProbeTask;
  /** Holds `orchestrator/index.mjs` from `npm run build`. */
  readonly buildDirectory: string;
  /**
   * Reserved concurrent executions, or 'unreserved' to run from the account's unreserved pool.
   * @default ORCHESTRATOR_RESERVED_CONCURRENCY
   */
  readonly reservedConcurrency?: ReservedConcurrency | undefined;
  /** @default a name CloudFormation generates */
  readonly functionName?: string | undefined;
}

export const ORCHESTRATOR_ENTRY_FILE = 'index.mjs';
/** The orchestrator mostly waits on ECS; 256 MB is ample for the SDK clients and a report. */
export const ORCHESTRATOR_MEMORY_MB = 256;
/**
 * One scheduled run plus one on-demand `port25-canary invoke`. A third concurrent run is throttled, which does not
 * refuse it when it was invoked asynchronously (the schedule's runs): Lambda returns a throttled asynchronous event to
 * its queue and retries it, backing off up to 5 minutes between attempts, until the event is older than maxEventAge
 * (AWS Lambda Developer Guide, "How Lambda handles errors and retries with asynchronous invocation",
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html). maxEventAge is at most one
 * schedule interval, so a run that waited that long is dropped rather than started late beside the next one; only a
 * synchronous `invoke` is refused outright (429). Reserving needs that much unreserved account concurrency (see
 * docs/deploy.md).
 */
export const ORCHESTRATOR_RESERVED_CONCURRENCY = 2;
export type ReservedConcurrency = number | 'unreserved';

function reservedConcurrentExecutions(setting: ReservedConcurrency | undefined): number | undefined {
  if (setting === 'unreserved') return undefined;
  return setting ?? ORCHESTRATOR_RESERVED_CONCURRENCY;
}

/** The Lambda that runs one canary round: RunTask per target, read results, judge, publish metrics. */
export class OrchestratorFunction extends Construct {
  readonly function: lambda.Function;
  /**
   * What only exists after deploy, by runtime variable (RUNTIME_ENVIRONMENT): the function's environment, and the
   * stack's outputs for `port25-canary run --stack` (STACK_OUTPUTS).
   */
  readonly runSettings: Readonly<Record<string, string>>;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: OrchestratorFunctionProps) {
    super(scope, id);
    const { config, settings, network, probe } = props;

    this.runSettings = {
      [RUNTIME_ENVIRONMENT.cluster]: probe.clusterArn,
      [RUNTIME_ENVIRONMENT.taskDefinition]: probe.taskDefinition.taskDefinitionArn,
      [RUNTIME_ENVIRONMENT.containerName]: probe.containerName,
      [RUNTIME_ENVIRONMENT.subnets]: network.subnets.map((subnet) => subnet.subnetId).join(','),
      [RUNTIME_ENVIRONMENT.securityGroups]: network.securityGroups.map((group) => group.securityGroupId).join(','),
      [RUNTIME_ENVIRONMENT.assignPublicIp]: String(settings.assignPublicIp),
      [RUNTIME_ENVIRONMENT.logGroup]: probe.logGroup.logGroupName,
      [RUNTIME_ENVIRONMENT.logStreamPrefix]: probe.logStreamPrefix,
      ...(settings.vpcPrimaryCidr === undefined
        ? {}
        : { [RUNTIME_ENVIRONMENT.vpcPrimaryCidr]: settings.vpcPrimaryCidr }),
    };
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: config.deployment.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeCanaryLogGroup(this.logGroup, config.deployment.logRetentionDays);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `port25-canary ${config.canaryName} orchestrator`,
    });
    this.function = new lambda.Function(this, 'Function', {
      description: `port25-canary ${config.canaryName}: runs the port-25 probes on Fargate and publishes the verdicts`,
      functionName: props.functionName,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture:
        config.deployment.cpuArchitecture === 'ARM64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: orchestratorCode(props.buildDirectory, props.configFile),
      timeout: Duration.seconds(settings.orchestratorTimeoutSeconds),
      memorySize: ORCHESTRATOR_MEMORY_MB,
      role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: reservedConcurrentExecutions(props.reservedConcurrency),
      // A failed run is not retried: the next scheduled run is the retry. A throttled one waits in Lambda's queue until
      // maxEventAge (see ORCHESTRATOR_RESERVED_CONCURRENCY), so it never starts more than one interval late.
      retryAttempts: 0,
      maxEventAge: Duration.seconds(Math.min(settings.scheduleIntervalSeconds, 6 * 3_600)),
      environment: this.runSettings,
    });
    acknowledgeControl(
      this.function,
      CONTROL_TOWER_RULES.lambdaInVpc,
      'The orchestrator calls AWS APIs only (ECS, CloudWatch, Logs, EC2 Describe*, EventBridge) and reaches no VPC resource; inside a VPC it would need a NAT gateway or five interface endpoints per canary.',
    );
    grantOrchestratorPermissions(role, this.logGroup, config, probe);
  }
}

/**
 * The handler bundle and the config file, copied by a local bundler (no Docker). The asset hash is that of both files'
 * contents, given as a custom hash: CDK stages a bundled asset once per source directory and bundling options, and
 * the config file is neither, so with an output hash every fleet vantage got the first vantage's staged copy, config
 * included. A custom hash is part of that key; a change to either file alone still redeploys the function.
 */
function orchestratorCode(buildDirectory: string, configFile: string): lambda.Code {
  const bundleDirectory = join(buildDirectory, 'orchestrator');
  const entry = requireBuildOutput(join(bundleDirectory, ORCHESTRATOR_ENTRY_FILE));
  const config = requireBuildOutput(configFile);
  return lambda.Code.fromAsset(bundleDirectory, {
    assetHashType: AssetHashType.CUSTOM,
    assetHash: contentHash([entry, config]),
    bundling: {
      // Never pulled: the local bundler below always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-alpine'),
      local: {
        tryBundle(outputDirectory: string): boolean {
          copyFileSync(entry, join(outputDirectory, ORCHESTRATOR_ENTRY_FILE));
          copyFileSync(config, join(outputDirectory, BUNDLED_CONFIG_FILE_NAME));
          return true;
        },
      },
    },
  });
}

/** SHA-256 over the files' contents, each with its length, so no two file sets share a hash by concatenation. */
function contentHash(files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    const content = readFileSync(file);
    hash.update(`${content.length}:`).update(content);
  }
  return hash.digest('hex');
}

function grantOrchestratorPermissions(
  role: iam.Role,
  functionLogGroup: logs.LogGroup,
  config: CanaryConfig,
  probe: ProbeTask,
): void {
  const clusterCondition = { ArnEquals: { 'ecs:cluster': probe.clusterArn } };
  const statements = [
    new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [functionLogGroup.logGroupArn],
    }),
    new iam.PolicyStatement({
      sid: 'RunProbeTask',
      actions: ['ecs:RunTask'],
      resources: [probe.taskDefinitionFamilyArn],
      conditions: clusterCondition,
    }),
    new iam.PolicyStatement({
      // RunTask tags each task with its run and target; ECS authorizes those tags as ecs:TagResource.
      sid: 'TagProbeTasksAtLaunch',
      actions: ['ecs:TagResource'],
      resources: [probe.clusterTasksArn],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    }),
    new iam.PolicyStatement({
      sid: 'PassProbeRoles',
      actions: ['iam:PassRole'],
      resources: [probe.taskDefinition.taskRole.roleArn, probe.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'WatchProbeTasks',
      actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
      resources: [probe.clusterTasksArn],
      conditions: clusterCondition,
    }),
    new iam.PolicyStatement({
      sid: 'ReadProbeLogs',
      actions: ['logs:GetLogEvents'],
      resources: [probe.logGroup.logGroupArn],
    }),
    new iam.PolicyStatement({
      sid: 'PublishCanaryMetrics',
      actions: ['cloudwatch:PutMetricData'],
      // PutMetricData has no resource type; the namespace condition is the boundary.
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': config.metricNamespace } },
    }),
    new iam.PolicyStatement({
      sid: 'PutRunEvents',
      actions: ['events:PutEvents'],
      // The run event goes to the account's default bus only (functions/shared/run-event.ts).
      resources: [
        Stack.of(role).formatArn({
          service: 'events',
          resource: 'event-bus',
          resourceName: DEFAULT_EVENT_BUS_NAME,
        }),
      ],
    }),
    new iam.PolicyStatement({
      // Each run reads the probe subnets' VPC and its CIDR blocks: the port-25 rule exempts only the primary one.
      sid: 'ReadVpcCidrs',
      actions: ['ec2:DescribeSubnets', 'ec2:DescribeVpcs'],
      // EC2's Describe* actions support no resource-level permissions: "*" is the only resource they accept.
      resources: ['*'],
    }),
  ];
  for (const statement of statements) role.addToPolicy(statement);

  acknowledgeWildcardResource(
    role,
    probe.taskDefinitionFamilyArn,
    'RunTask on any revision of the probe task family only, and only in the probe cluster (ecs:cluster condition).',
  );
  acknowledgeWildcardResource(
    role,
    probe.clusterTasksArn,
    'Probe task IDs are known only at run time; tagging at launch, DescribeTasks and StopTask are limited to tasks of the probe cluster.',
  );
  acknowledgeWildcardResource(
    role,
    '*',
    'cloudwatch:PutMetricData has no resource type; the cloudwatch:namespace condition limits it to the canary namespace. ' +
      'ec2:DescribeSubnets and ec2:DescribeVpcs support no resource-level permissions; they are read-only and return ' +
      'network metadata only (the run reads the VPC CIDR blocks the port-25 rule depends on).',
  );
}
