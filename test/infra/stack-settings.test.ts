import { describe, expect, it } from 'vitest';
import { parseCanaryConfig } from '../../functions/shared/config.js';
import { probeEgressPorts } from '../../infra/probe-egress.js';
import {
  ALARM_PERIOD_SLACK_SECONDS,
  alarmPeriodSeconds,
  MAX_ORCHESTRATOR_TIMEOUT_SECONDS,
  MIN_ORCHESTRATOR_TIMEOUT_SECONDS,
  orchestratorRunSeconds,
  orchestratorTimeoutSeconds,
  resolveStackSettings,
} from '../../infra/stack-settings.js';
import { CREATED_VPC_CONFIG, EXISTING_VPC_CONFIG, withField } from './fixtures.js';
import type { RawConfig } from './synthesize.js';

function settingsFor(raw: RawConfig) {
  return resolveStackSettings(parseCanaryConfig(raw));
}

function manyTargets(count: number, extra: Record<string, unknown> = {}) {
  return Array.from({ length: count }, (_, index) => ({ name: `t${index}`, host: '198.51.100.25', ...extra }));
}

describe('resolveStackSettings: network', () => {
  it('imports the configured VPC and subnets and keeps the configured public IP choice', () => {
    const settings = settingsFor(EXISTING_VPC_CONFIG);
    expect(settings.network).toEqual({
      kind: 'import',
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
    });
    expect(settings.vpcPrimaryCidr).toBe('10.0.0.0/16');
    expect(settings.assignPublicIp).toBe(false);
  });

  it('creates a VPC with the configured CIDR and gives probes a public IP', () => {
    const settings = settingsFor(CREATED_VPC_CONFIG);
    expect(settings.network).toEqual({ kind: 'create', cidr: '10.20.0.0/24', maxAzs: 2, availabilityZones: undefined });
    expect(settings.vpcPrimaryCidr).toBe('10.20.0.0/24');
    expect(settings.assignPublicIp).toBe(true);
  });

  it('requires network.vpcId without createVpc', () => {
    expect(() => settingsFor(withField(EXISTING_VPC_CONFIG, ['network', 'vpcId'], undefined))).toThrow(
      'network.vpcId: is required unless deployment.createVpc is set',
    );
  });

  it('requires network.subnets without createVpc', () => {
    expect(() => settingsFor(withField(EXISTING_VPC_CONFIG, ['network', 'subnets'], []))).toThrow(
      'network.subnets: must list at least one subnet ID unless deployment.createVpc is set',
    );
  });

  it('leaves the primary CIDR of an existing VPC to the run when the config does not state it', () => {
    expect(settingsFor(withField(EXISTING_VPC_CONFIG, ['vpcPrimaryCidr'], undefined)).vpcPrimaryCidr).toBeUndefined();
  });

  it('refuses a vpcPrimaryCidr that contradicts the created VPC', () => {
    expect(() => settingsFor(withField(CREATED_VPC_CONFIG, ['vpcPrimaryCidr'], '10.0.0.0/16'))).toThrow(
      /^vpcPrimaryCidr: 10\.0\.0\.0\/16 differs from deployment\.createVpc\.cidr 10\.20\.0\.0\/24/,
    );
  });

  it('refuses more AZs than an environment-agnostic stack can address', () => {
    expect(() =>
      settingsFor(withField(CREATED_VPC_CONFIG, ['deployment', 'createVpc'], { cidr: '10.20.0.0/22', maxAzs: 3 })),
    ).toThrow('deployment.createVpc.maxAzs: 3 is more than the 2 AZs an environment-agnostic stack can use');
  });

  it('leaves room for the probe security group: at most 4 of the config', () => {
    const groups = ['sg-0000000000000000a', 'sg-0000000000000000b', 'sg-0000000000000000c', 'sg-0000000000000000d'];

    expect(settingsFor(withField(EXISTING_VPC_CONFIG, ['network', 'securityGroups'], groups)).network.kind).toBe(
      'import',
    );
    expect(() =>
      settingsFor(withField(EXISTING_VPC_CONFIG, ['network', 'securityGroups'], [...groups, 'sg-0000000000000000e'])),
    ).toThrow(
      "network.securityGroups: lists 5, at most 4 are allowed: the stack adds the probe's own security group and RunTask takes at most 5",
    );
  });

  it('uses the named AZs of a created VPC, however many, with a subnet in each', () => {
    const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
    const settings = settingsFor(
      withField(CREATED_VPC_CONFIG, ['deployment', 'createVpc'], { cidr: '10.20.0.0/22', availabilityZones: zones }),
    );

    expect(settings.network).toEqual({ kind: 'create', cidr: '10.20.0.0/22', maxAzs: 3, availabilityZones: zones });
  });

  it('refuses a created VPC too small for one subnet per AZ, or an IPv6 one', () => {
    expect(() =>
      settingsFor(withField(CREATED_VPC_CONFIG, ['deployment', 'createVpc'], { cidr: '10.20.0.0/28', maxAzs: 2 })),
    ).toThrow(/^deployment\.createVpc\.cidr: 10\.20\.0\.0\/28 must be an IPv4 block from \/16 to \/27/);
    expect(() =>
      settingsFor(withField(CREATED_VPC_CONFIG, ['deployment', 'createVpc'], { cidr: 'fd00:1::/56' })),
    ).toThrow(/^deployment\.createVpc\.cidr: /);
  });

  it('refuses an IPv6 literal target in the IPv4-only VPC it creates, naming the target', () => {
    const targets = [
      { name: 'relay', host: '10.20.0.9' },
      { name: 'internet-mx-v6', host: '2001:db8::25' },
    ];
    expect(() => settingsFor(withField(CREATED_VPC_CONFIG, ['targets'], targets))).toThrow(
      /^targets\[1\]\.host: 2001:db8::25 is an IPv6 address, but the VPC deployment\.createVpc creates is IPv4-only/,
    );
  });

  it('accepts IPv6 literal targets in an existing VPC, which may be dual-stack', () => {
    expect(() => settingsFor(EXISTING_VPC_CONFIG)).not.toThrow();
  });
});

describe('resolveStackSettings: cluster and image', () => {
  it('creates a cluster with the Fargate capacity providers by default', () => {
    expect(settingsFor(EXISTING_VPC_CONFIG).cluster).toEqual({
      kind: 'create',
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    });
  });

  it('reuses network.cluster given as a name or an ARN', () => {
    expect(settingsFor(withField(EXISTING_VPC_CONFIG, ['network', 'cluster'], 'shared')).cluster).toEqual({
      kind: 'import',
      clusterName: 'shared',
      clusterArn: undefined,
    });
    const arn = 'arn:aws:ecs:eu-west-1:111122223333:cluster/shared';
    expect(settingsFor(withField(EXISTING_VPC_CONFIG, ['network', 'cluster'], arn)).cluster).toEqual({
      kind: 'import',
      clusterName: 'shared',
      clusterArn: arn,
    });
  });

  it('refuses a custom capacity provider on the cluster the stack creates', () => {
    const config = withField(
      EXISTING_VPC_CONFIG,
      ['network', 'capacityProviderStrategy'],
      [{ capacityProvider: 'my-ec2-provider' }],
    );
    expect(() => settingsFor(config)).toThrow(
      /^network\.capacityProviderStrategy\[0\]\.capacityProvider: my-ec2-provider is not available/,
    );
  });

  it('builds the probe image unless a prebuilt one is configured', () => {
    expect(settingsFor(EXISTING_VPC_CONFIG).probeImage).toEqual({ kind: 'asset' });
    const withDigest = withField(
      EXISTING_VPC_CONFIG,
      ['deployment', 'probeImageUri'],
      `111122223333.dkr.ecr.eu-west-1.amazonaws.com/port25/probe@sha256:${'a'.repeat(64)}`,
    );
    expect(settingsFor(withDigest).probeImage).toEqual({
      kind: 'ecr',
      repositoryArn: 'arn:aws:ecr:eu-west-1:111122223333:repository/port25/probe',
      repositoryName: 'port25/probe',
      tagOrDigest: `sha256:${'a'.repeat(64)}`,
    });
    const publicImage = withField(EXISTING_VPC_CONFIG, ['deployment', 'probeImageUri'], 'public.ecr.aws/x/probe:1');
    expect(settingsFor(publicImage).probeImage).toEqual({ kind: 'registry', uri: 'public.ecr.aws/x/probe:1' });
  });
});

describe('resolveStackSettings: alarms and limits', () => {
  it('sets the alarm period to the schedule interval plus the orchestrator timeout and the slack', () => {
    const settings = settingsFor(EXISTING_VPC_CONFIG);
    expect(settings.scheduleIntervalSeconds).toBe(900);
    expect(settings.alarmPeriodSeconds).toBe(900 + MIN_ORCHESTRATOR_TIMEOUT_SECONDS + ALARM_PERIOD_SLACK_SECONDS);
  });

  it('lengthens the alarm period with a longer orchestrator timeout', () => {
    const config = parseCanaryConfig({
      ...withField(EXISTING_VPC_CONFIG, ['targets'], manyTargets(20)),
      maxConcurrentTasks: 10,
      probe: { timeoutMs: 25_000, attempts: 2, controlPort: 443 },
    });
    expect(resolveStackSettings(config).alarmPeriodSeconds).toBe(900 + 720 + ALARM_PERIOD_SLACK_SECONDS);
  });

  it("refuses a daily schedule: interval plus run exceed CloudWatch's one-day alarm period", () => {
    expect(() => settingsFor(withField(EXISTING_VPC_CONFIG, ['deployment', 'schedule'], 'rate(1 day)'))).toThrow(
      /^deployment\.schedule: rate\(1 day\) leaves up to 24 hours between runs; .* run at least every 23 h 45 min$/,
    );
  });

  it('accepts the longest interval whose alarm period still fits in one day', () => {
    expect(alarmPeriodSeconds('rate(1425 minutes)', 1_425 * 60, MIN_ORCHESTRATOR_TIMEOUT_SECONDS)).toBe(86_400);
  });

  it("refuses evaluation periods beyond CloudWatch's one-day range for short periods", () => {
    const config = withField(
      withField(EXISTING_VPC_CONFIG, ['deployment', 'alarmEvaluationPeriods'], 49),
      ['deployment', 'alarmDatapointsToAlarm'],
      1,
    );
    expect(() => settingsFor(config)).toThrow(
      /^deployment\.alarmEvaluationPeriods: 49 alarm periods of 30 minutes \(schedule interval plus one run\) exceed/,
    );
  });

  it('refuses more targets than one stack can alarm on', () => {
    const config = withField(EXISTING_VPC_CONFIG, ['targets'], manyTargets(401));
    expect(() => settingsFor(config)).toThrow(/^targets: lists 401 targets; one stack alarms on at most 400/);
  });

  it('refuses more distinct ports than a security group has egress rules', () => {
    const targets = Array.from({ length: 60 }, (_, index) => ({
      name: `t${index}`,
      host: '198.51.100.25',
      port: 2_000 + index,
    }));
    expect(() => settingsFor(withField(EXISTING_VPC_CONFIG, ['targets'], targets))).toThrow(
      /^targets: need 63 IPv4 egress rules .* a security group allows 60/,
    );
  });
});

describe('probeEgressPorts', () => {
  it('opens each target and control port once, over IPv4 and IPv6, plus DNS and HTTPS over IPv4', () => {
    const config = parseCanaryConfig(EXISTING_VPC_CONFIG);
    expect(probeEgressPorts(config.targets)).toEqual([
      { protocol: 'tcp', port: 25, ipv6: true, purposes: ['target port'] },
      { protocol: 'tcp', port: 53, ipv6: false, purposes: ['DNS'] },
      { protocol: 'tcp', port: 443, ipv6: true, purposes: ['control port', 'HTTPS for image pull and logs'] },
      { protocol: 'tcp', port: 587, ipv6: true, purposes: ['target port'] },
      { protocol: 'tcp', port: 8443, ipv6: true, purposes: ['control port'] },
      { protocol: 'udp', port: 53, ipv6: false, purposes: ['DNS'] },
    ]);
  });
});

describe('orchestratorTimeoutSeconds', () => {
  it('uses the floor when one wave of tasks needs less', () => {
    expect(orchestratorTimeoutSeconds(parseCanaryConfig(EXISTING_VPC_CONFIG))).toBe(MIN_ORCHESTRATOR_TIMEOUT_SECONDS);
  });

  it('grows with waves of tasks, attempts and the probe timeout, in whole minutes', () => {
    const config = parseCanaryConfig({
      ...withField(EXISTING_VPC_CONFIG, ['targets'], manyTargets(25)),
      maxConcurrentTasks: 10,
      probe: { timeoutMs: 30_000, attempts: 2 },
    });
    // 3 waves x (240 s start + 2 x 30 s) + 60 s = 960 s: more than Lambda allows.
    expect(orchestratorRunSeconds(config)).toBe(960);
    expect(orchestratorTimeoutSeconds(config)).toBe(MAX_ORCHESTRATOR_TIMEOUT_SECONDS);
  });

  it('rounds a need between floor and ceiling up to the minute', () => {
    const config = parseCanaryConfig({
      ...withField(EXISTING_VPC_CONFIG, ['targets'], manyTargets(20)),
      maxConcurrentTasks: 10,
      probe: { timeoutMs: 25_000, attempts: 2, controlPort: 443 },
    });
    // 2 waves x (240 s + 3 x 25 s) + 60 s = 690 s -> 720 s.
    expect(orchestratorTimeoutSeconds(config)).toBe(720);
  });
});
