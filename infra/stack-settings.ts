import { AWS_LIMITS, type CanaryConfig } from '../functions/shared/config.js';
import { ConfigError } from '../functions/shared/errors.js';
import { classify, isIpLiteral } from '../functions/shared/port25-rule.js';
import { type EgressPort, probeEgressPorts } from './probe-egress.js';
import { scheduleIntervalSeconds } from './schedule-period.js';

/**
 * What the stack builds, derived once from the canary config. Everything the config allows but CloudFormation or AWS
 * would reject later fails here, naming the config field.
 */
export interface StackSettings {
  readonly network: CreatedNetwork | ImportedNetwork;
  /**
   * Handed to the orchestrator, which checks it against EC2 each run; undefined for an existing VPC whose config does
   * not state it (the orchestrator reads it from EC2 then).
   */
  readonly vpcPrimaryCidr: string | undefined;
  readonly assignPublicIp: boolean;
  readonly cluster: NewCluster | ImportedCluster;
  readonly probeImage: ProbeImageSource;
  readonly egress: readonly EgressPort[];
  /** The longest gap between two scheduled runs: the dashboard's period, and how long a scheduled event stays useful. */
  readonly scheduleIntervalSeconds: number;
  /** The alarms' period: one schedule interval plus one run (alarmPeriodSeconds). */
  readonly alarmPeriodSeconds: number;
  readonly orchestratorTimeoutSeconds: number;
}

export interface CreatedNetwork {
  readonly kind: 'create';
  readonly cidr: string;
  /** One public subnet in each; the first `maxAzs` of the region unless `availabilityZones` names them. */
  readonly maxAzs: number;
  readonly availabilityZones: readonly string[] | undefined;
}

export interface ImportedNetwork {
  readonly kind: 'import';
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
}

export interface NewCluster {
  readonly kind: 'create';
  readonly capacityProviders: readonly string[];
}

export interface ImportedCluster {
  readonly kind: 'import';
  readonly clusterName: string;
  /** Undefined when the config names the cluster; the stack then builds the ARN in its own account and region. */
  readonly clusterArn: string | undefined;
}

export type ProbeImageSource =
  | { readonly kind: 'asset' }
  | {
      readonly kind: 'ecr';
      readonly repositoryArn: string;
      readonly repositoryName: string;
      readonly tagOrDigest: string;
    }
  | { readonly kind: 'registry'; readonly uri: string };

/** CloudFormation allows 500 resources per stack; each target adds an alarm to the ~50 fixed resources. */
export const MAX_TARGETS_PER_STACK = 400;
/** Lambda's ceiling. */
export const MAX_ORCHESTRATOR_TIMEOUT_SECONDS = 900;
/** A slow Fargate start (capacity, image pull) takes minutes; an unused timeout costs nothing. */
export const MIN_ORCHESTRATOR_TIMEOUT_SECONDS = 600;
/** From RunTask to a running container, image pull included, with room for a slow start. */
export const FARGATE_START_ALLOWANCE_SECONDS = 240;
/** Waiting for STOPPED, reading the log stream, publishing metrics. */
export const RUN_OVERHEAD_SECONDS = 60;
/** EventBridge fires up to a minute late; PutMetricData points take a minute or two to reach alarm evaluation. */
export const ALARM_PERIOD_SLACK_SECONDS = 300;
/** CloudWatch's longest alarm period. */
export const MAX_ALARM_PERIOD_SECONDS = 86_400;

const MAX_AZS_WITHOUT_LOOKUP = 2;
const FARGATE_CAPACITY_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/([A-Za-z0-9_-]{1,255})$/;
const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ECR_IMAGE_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([a-z0-9][a-z0-9._/-]*)(?::([\w][\w.-]{0,127})|@(sha256:[a-f0-9]{64}))?$/;

export function resolveStackSettings(config: CanaryConfig): StackSettings {
  if (config.targets.length > MAX_TARGETS_PER_STACK) {
    throw new ConfigError(
      'targets',
      `lists ${config.targets.length} targets; one stack alarms on at most ${MAX_TARGETS_PER_STACK} (CloudFormation's 500-resource limit)`,
    );
  }
  const network = resolveNetwork(config);
  const intervalSeconds = scheduleIntervalSeconds(config.deployment.schedule);
  const timeoutSeconds = orchestratorTimeoutSeconds(config);
  const periodSeconds = alarmPeriodSeconds(config.deployment.schedule, intervalSeconds, timeoutSeconds);
  checkAlarmEvaluationRange(periodSeconds, config.deployment.alarmEvaluationPeriods);
  return {
    network,
    vpcPrimaryCidr: resolveVpcPrimaryCidr(config, network),
    // Public subnets without a NAT gateway: the task needs a public IP to reach ECR and CloudWatch Logs.
    assignPublicIp: network.kind === 'create' ? true : config.network.assignPublicIp,
    cluster: resolveCluster(config),
    probeImage: resolveProbeImage(config.deployment.probeImageUri),
    egress: probeEgressPorts(config.targets),
    scheduleIntervalSeconds: intervalSeconds,
    alarmPeriodSeconds: periodSeconds,
    orchestratorTimeoutSeconds: timeoutSeconds,
  };
}

/** Points carry a run's start but arrive at its end: interval + longest run + slack keeps an arrived run in every period. */
export function alarmPeriodSeconds(schedule: string, intervalSeconds: number, orchestratorTimeout: number): number {
  const periodSeconds = Math.ceil((intervalSeconds + orchestratorTimeout + ALARM_PERIOD_SLACK_SECONDS) / 60) * 60;
  if (periodSeconds > MAX_ALARM_PERIOD_SECONDS) {
    const longestInterval = MAX_ALARM_PERIOD_SECONDS - orchestratorTimeout - ALARM_PERIOD_SLACK_SECONDS;
    throw new ConfigError(
      'deployment.schedule',
      `${schedule} leaves up to ${describeSeconds(intervalSeconds)} between runs; an alarm period spans that plus ` +
        `the longest run and slack (${describeSeconds(orchestratorTimeout + ALARM_PERIOD_SLACK_SECONDS)}) and ` +
        `CloudWatch allows one day: run at least every ${describeSeconds(longestInterval)}`,
    );
  }
  return periodSeconds;
}

function describeSeconds(seconds: number): string {
  const hours = Math.floor(seconds / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  if (hours === 0) return `${minutes} minutes`;
  return minutes === 0 ? `${hours} hours` : `${hours} h ${minutes} min`;
}

function resolveNetwork(config: CanaryConfig): CreatedNetwork | ImportedNetwork {
  const extraGroups = config.network.securityGroups.length;
  if (extraGroups > AWS_LIMITS.stackSecurityGroups) {
    throw new ConfigError(
      'network.securityGroups',
      `lists ${extraGroups}, at most ${AWS_LIMITS.stackSecurityGroups} are allowed: the stack adds the probe's own ` +
        `security group and RunTask takes at most ${AWS_LIMITS.runTaskSecurityGroups}`,
    );
  }
  const createVpc = config.deployment.createVpc;
  if (createVpc) {
    checkTargetsReachableOverIpv4(config);
    // Without an account and region at synth (no lookups), CDK can only address two AZs: Fn::Select 0 and 1.
    // Named AZs are literals and need no lookup.
    if (createVpc.availabilityZones === undefined && createVpc.maxAzs > MAX_AZS_WITHOUT_LOOKUP) {
      throw new ConfigError(
        'deployment.createVpc.maxAzs',
        `${createVpc.maxAzs} is more than the ${MAX_AZS_WITHOUT_LOOKUP} AZs an environment-agnostic stack can use; ` +
          'name them in deployment.createVpc.availabilityZones instead',
      );
    }
    const prefixLength = Number(createVpc.cidr.split('/')[1]);
    // One /28 (the smallest subnet) per AZ must fit.
    const longestPrefix = 28 - Math.ceil(Math.log2(createVpc.maxAzs));
    if (createVpc.cidr.includes(':') || prefixLength < 16 || prefixLength > longestPrefix) {
      throw new ConfigError(
        'deployment.createVpc.cidr',
        `${createVpc.cidr} must be an IPv4 block from /16 to /${longestPrefix} (one subnet per AZ, ${createVpc.maxAzs} AZs)`,
      );
    }
    return {
      kind: 'create',
      cidr: createVpc.cidr,
      maxAzs: createVpc.maxAzs,
      availabilityZones: createVpc.availabilityZones,
    };
  }
  if (config.network.vpcId === undefined) {
    throw new ConfigError('network.vpcId', 'is required unless deployment.createVpc is set');
  }
  if (config.network.subnets.length === 0) {
    throw new ConfigError('network.subnets', 'must list at least one subnet ID unless deployment.createVpc is set');
  }
  return { kind: 'import', vpcId: config.network.vpcId, subnetIds: config.network.subnets };
}

/** The created VPC is IPv4-only: a probe there cannot dial an IPv6 literal (ENETUNREACH), so no run could judge it. */
function checkTargetsReachableOverIpv4(config: CanaryConfig): void {
  config.targets.forEach((target, index) => {
    if (isIpLiteral(target.host) && classify(target.host).family === 'IPv6') {
      throw new ConfigError(
        `targets[${index}].host`,
        `${target.host} is an IPv6 address, but the VPC deployment.createVpc creates is IPv4-only: every probe would ` +
          'fail with "network unreachable" and no run could judge the target; use a dual-stack VPC of your own ' +
          '(network.vpcId, network.subnets) or an IPv4 target',
      );
    }
  });
}

function resolveVpcPrimaryCidr(config: CanaryConfig, network: CreatedNetwork | ImportedNetwork): string | undefined {
  if (network.kind === 'create') {
    if (config.vpcPrimaryCidr !== undefined && config.vpcPrimaryCidr !== network.cidr) {
      throw new ConfigError(
        'vpcPrimaryCidr',
        `${config.vpcPrimaryCidr} differs from deployment.createVpc.cidr ${network.cidr}; drop it or make them equal`,
      );
    }
    return network.cidr;
  }
  // No look-up at synth: the orchestrator reads the real one from EC2 each run (and checks a stated one against it).
  return config.vpcPrimaryCidr;
}

function resolveCluster(config: CanaryConfig): NewCluster | ImportedCluster {
  const strategy = config.network.capacityProviderStrategy ?? [];
  const configured = config.network.cluster;
  if (configured === undefined) {
    strategy.forEach((item, index) => {
      if (!FARGATE_CAPACITY_PROVIDERS.includes(item.capacityProvider)) {
        throw new ConfigError(
          `network.capacityProviderStrategy[${index}].capacityProvider`,
          `${item.capacityProvider} is not available on the cluster the stack creates (FARGATE, FARGATE_SPOT); set network.cluster to use your own`,
        );
      }
    });
    return { kind: 'create', capacityProviders: FARGATE_CAPACITY_PROVIDERS };
  }
  const arnMatch = CLUSTER_ARN.exec(configured);
  if (arnMatch) return { kind: 'import', clusterName: arnMatch[1] as string, clusterArn: configured };
  if (CLUSTER_NAME.test(configured)) return { kind: 'import', clusterName: configured, clusterArn: undefined };
  throw new ConfigError(
    'network.cluster',
    `${JSON.stringify(configured)} is neither a cluster name nor an ECS cluster ARN`,
  );
}

function resolveProbeImage(uri: string | undefined): ProbeImageSource {
  if (uri === undefined) return { kind: 'asset' };
  const ecr = ECR_IMAGE_URI.exec(uri);
  if (!ecr) return { kind: 'registry', uri };
  const [, account, region, china, repositoryName, tag, digest] = ecr as unknown as [
    string,
    string,
    string,
    string | undefined,
    string,
    string | undefined,
    string | undefined,
  ];
  const partition = china ? 'aws-cn' : 'aws';
  return {
    kind: 'ecr',
    repositoryArn: `arn:${partition}:ecr:${region}:${account}:repository/${repositoryName}`,
    repositoryName,
    tagOrDigest: digest ?? tag ?? 'latest',
  };
}

function checkAlarmEvaluationRange(periodSeconds: number, evaluationPeriods: number): void {
  // PutMetricAlarm: period x evaluation periods <= 1 day for periods under an hour, else <= 7 days.
  const limitSeconds = periodSeconds < 3_600 ? 86_400 : 604_800;
  if (periodSeconds * evaluationPeriods > limitSeconds) {
    throw new ConfigError(
      'deployment.alarmEvaluationPeriods',
      `${evaluationPeriods} alarm periods of ${periodSeconds / 60} minutes (schedule interval plus one run) exceed ` +
        `CloudWatch's ${limitSeconds / 86_400}-day evaluation range`,
    );
  }
}

/** What one run needs: every wave of probe tasks starts, probes each attempt and the control port to its deadline. */
export function orchestratorRunSeconds(config: CanaryConfig): number {
  const waves = Math.ceil(config.targets.length / config.maxConcurrentTasks);
  const hasControlPort = config.targets.some((target) => target.controlPort !== undefined);
  const probeSeconds = (config.probe.timeoutMs / 1000) * (config.probe.attempts + (hasControlPort ? 1 : 0));
  return waves * (FARGATE_START_ALLOWANCE_SECONDS + probeSeconds) + RUN_OVERHEAD_SECONDS;
}

/** The run's needs in whole minutes, at least the floor, at most Lambda's 15 minutes. */
export function orchestratorTimeoutSeconds(config: CanaryConfig): number {
  const rounded = Math.ceil(orchestratorRunSeconds(config) / 60) * 60;
  return Math.min(MAX_ORCHESTRATOR_TIMEOUT_SECONDS, Math.max(MIN_ORCHESTRATOR_TIMEOUT_SECONDS, rounded));
}
