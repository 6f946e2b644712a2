import type { RawConfig } from './synthesize.js';

/** A canary in an existing VPC: subnets, an extra security group, four kinds of target. Nothing here is ever dialled. */
export const EXISTING_VPC_CONFIG: RawConfig = {
  canaryName: 'mail-egress',
  metricNamespace: 'Port25Canary/Test',
  vpcPrimaryCidr: '10.0.0.0/16',
  port25Released: false,
  probe: { timeoutMs: 10_000, ehloName: 'canary.example.com', attempts: 1, controlPort: 443 },
  network: {
    vpcId: 'vpc-0123456789abcdef0',
    subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
    securityGroups: ['sg-0123456789abcdef0'],
    assignPublicIp: false,
    containerName: 'smtp-probe',
    logStreamPrefix: 'canary',
  },
  maxConcurrentTasks: 10,
  targets: [
    { name: 'relay-in-vpc', host: '10.0.12.25', expect: 'auto' },
    { name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' },
    { name: 'submission', host: 'mx.example.com', port: 587, expect: 'open', controlPort: 8443 },
    { name: 'internet-mx-v6', host: '2001:db8::25', expect: 'auto' },
  ],
  deployment: {
    schedule: 'rate(15 minutes)',
    alarmEvaluationPeriods: 3,
    alarmDatapointsToAlarm: 2,
    notifyEmails: ['oncall@example.com'],
    logRetentionDays: 14,
    cpuArchitecture: 'ARM64',
  },
};

/** A canary that brings its own small VPC, on x86, with a cron schedule. */
export const CREATED_VPC_CONFIG: RawConfig = {
  canaryName: 'lab.v2',
  targets: [
    { name: 'relay', host: '10.20.0.9', expect: 'auto' },
    { name: 'internet-mx', host: '198.51.100.25', expect: 'auto' },
  ],
  deployment: {
    createVpc: { cidr: '10.20.0.0/24', maxAzs: 2 },
    schedule: 'cron(0/30 * * * ? *)',
    cpuArchitecture: 'X86_64',
  },
};

/** Deep copy with a change at one path, e.g. `withField(config, ['network', 'subnets'], undefined)`. */
export function withField(config: RawConfig, path: readonly string[], value: unknown): RawConfig {
  const copy = structuredClone(config) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}
