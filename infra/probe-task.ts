import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { canaryAwsNames } from '../functions/shared/aws-names.js';
import type { CanaryConfig } from '../functions/shared/config.js';
import { acknowledgeCanaryLogGroup, acknowledgeControl, CONTROL_TOWER_RULES } from './control-tower.js';
import { probeContainerImage } from './probe-image.js';
import type { StackSettings } from './stack-settings.js';

export interface ProbeTaskProps {
  readonly config: CanaryConfig;
  readonly settings: StackSettings;
  readonly vpc: ec2.IVpc;
  /** Holds `probe/index.cjs` from `npm run build`. */
  readonly buildDirectory: string;
}

/** Fargate with the smallest task size: the probe is one Node.js process holding a few sockets. */
export const PROBE_CPU_UNITS = 256;
export const PROBE_MEMORY_MIB = 512;
/** The probe bundle's path inside the image (infra/probe-image/Dockerfile). */
export const PROBE_ENTRY_POINT = ['node', '/app/index.cjs'];
/** The `node` user of the official Node.js images. */
export const PROBE_USER = '1000:1000';

/** The ECS cluster, the probe's task definition and the log group its container writes to. */
export class ProbeTask extends Construct {
  readonly cluster: ecs.ICluster;
  readonly clusterArn: string;
  /** `task/<cluster>/*`: the tasks of the probe's cluster, nothing else. */
  readonly clusterTasksArn: string;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** `task-definition/<family>:*`: every revision of the probe's family, nothing else. */
  readonly taskDefinitionFamilyArn: string;
  readonly executionRole: iam.IRole;
  readonly containerName: string;
  readonly logGroup: logs.LogGroup;
  readonly logStreamPrefix: string;

  constructor(scope: Construct, id: string, props: ProbeTaskProps) {
    super(scope, id);
    const { config, settings } = props;
    const stack = Stack.of(this);

    if (settings.cluster.kind === 'create') {
      const cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, enableFargateCapacityProviders: true });
      Validations.of(cluster).acknowledge({
        id: 'AwsSolutions-ECS4',
        reason:
          'Probe tasks live for seconds and the canary publishes its own metrics; Container Insights would bill per-task metrics nobody reads.',
      });
      acknowledgeControl(
        cluster,
        CONTROL_TOWER_RULES.containerInsights,
        'Probe tasks live for seconds and the canary publishes its own metrics; Container Insights would bill per-task metrics nobody reads.',
      );
      this.cluster = cluster;
      this.clusterArn = cluster.clusterArn;
      this.clusterTasksArn = stack.formatArn({
        service: 'ecs',
        resource: 'task',
        resourceName: `${cluster.clusterName}/*`,
      });
    } else {
      const { clusterName, clusterArn } = settings.cluster;
      this.clusterArn =
        clusterArn ?? stack.formatArn({ service: 'ecs', resource: 'cluster', resourceName: clusterName });
      this.clusterTasksArn =
        clusterArn?.replace(/:cluster\/[^/]+$/, `:task/${clusterName}/*`) ??
        stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${clusterName}/*` });
      this.cluster = ecs.Cluster.fromClusterAttributes(this, 'Cluster', {
        clusterName,
        clusterArn: this.clusterArn,
        vpc: props.vpc,
      });
    }

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: config.deployment.logRetentionDays as logs.RetentionDays,
      // The probe's log streams are run records; `npm run destroy` removes them with the canary.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeCanaryLogGroup(this.logGroup, config.deployment.logRetentionDays);
    this.logStreamPrefix = config.network.logStreamPrefix;

    const family = canaryAwsNames(config.canaryName).taskDefinitionFamily;
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family,
      cpu: PROBE_CPU_UNITS,
      memoryLimitMiB: PROBE_MEMORY_MIB,
      runtimePlatform: {
        cpuArchitecture:
          config.deployment.cpuArchitecture === 'ARM64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.taskDefinitionFamilyArn = stack.formatArn({
      service: 'ecs',
      resource: 'task-definition',
      resourceName: `${family}:*`,
    });
    this.containerName = config.network.containerName;
    this.taskDefinition.addContainer(this.containerName, {
      containerName: this.containerName,
      image: probeContainerImage(this, settings.probeImage, props.buildDirectory, config.deployment.cpuArchitecture),
      // Set here as well as in the Dockerfile so a prebuilt probeImageUri honours the same contract.
      entryPoint: PROBE_ENTRY_POINT,
      user: PROBE_USER,
      readonlyRootFilesystem: true,
      essential: true,
      // A hard limit, the task's whole memory (Control Tower CT.ECS.PR.7): the probe needs a fraction of it.
      memoryLimitMiB: PROBE_MEMORY_MIB,
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: this.logStreamPrefix,
        // Stated, not left to ECS: its default became non-blocking in 2025, which buffers output and can drop the
        // probe's one result line when the process exits. Blocking waits for the write, and the probe writes little.
        mode: ecs.AwsLogDriverMode.BLOCKING,
      }),
    });
    this.executionRole = this.taskDefinition.obtainExecutionRole();
    acknowledgeImagePullToken(this.executionRole, settings);
  }
}

function acknowledgeImagePullToken(executionRole: iam.IRole, settings: StackSettings): void {
  if (settings.probeImage.kind === 'registry') return;
  Validations.of(executionRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'ecr:GetAuthorizationToken has no resource-level permissions; the image pull itself is limited to one repository.',
  });
}
