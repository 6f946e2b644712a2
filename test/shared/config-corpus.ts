/**
 * Configs the validator (functions/shared/config.ts) and the JSON Schema (schema/canary.config.schema.json) must
 * judge alike; test/shared/config-schema.test.ts runs both over every case. Adding a config field? Add it to the
 * schema and to FULL below, and at least one invalid case naming it: the test fails until you do.
 */

export interface CorpusCase {
  readonly name: string;
  readonly config: unknown;
  /** The field the validator must name (`targets[0].port`); absent for a valid config. */
  readonly invalidAt?: string;
  /** Why JSON Schema cannot reject this one (a rule across fields, or beyond a pattern): the validator still must. */
  readonly beyondSchema?: string;
}

/** The smallest valid config. */
export const MINIMAL = {
  canaryName: 'mail-egress',
  targets: [{ name: 'relay', host: '172.16.0.4' }],
};

/** A valid config that sets every field at least once, so each of its objects can be probed for unknown keys. */
export const FULL = {
  $schema: '../schema/canary.config.schema.json',
  canaryName: 'mail.egress-v2',
  metricNamespace: 'Port25Canary/Test',
  vpcPrimaryCidr: '10.0.0.0/16',
  port25Released: false,
  probe: { timeoutMs: 5000, ehloName: 'canary.example.com', attempts: 2, controlPort: 443 },
  network: {
    cluster: 'probes',
    taskDefinition: 'probe:3',
    containerName: 'probe',
    vpcId: 'vpc-0123456789abcdef0',
    subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
    securityGroups: ['sg-0123456789abcdef0'],
    assignPublicIp: true,
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
    logGroup: '/port25-canary/probe',
    logStreamPrefix: 'probe',
  },
  maxConcurrentTasks: 20,
  targets: [
    { name: 'relay', host: '172.16.0.4', port: 587, expect: 'open', controlPort: 443, starttls: true },
    { name: 'mx', host: 'mx.example.com' },
    { name: 'mx-v6', host: '2001:db8::25', expect: 'blocked' },
  ],
  deployment: {
    createVpc: { cidr: '10.1.0.0/16', maxAzs: 2 },
    schedule: 'rate(5 minutes)',
    alarmEvaluationPeriods: 3,
    alarmDatapointsToAlarm: 2,
    notifyEmails: ['ops@example.com'],
    logRetentionDays: 14,
    cpuArchitecture: 'X86_64',
    probeImageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/port25-probe:1',
    detailedTargetMetrics: true,
  },
  vantages: [
    {
      name: 'prod-eu',
      account: '123456789012',
      region: 'eu-west-1',
      network: {
        subnets: ['subnet-0123456789abcdef1'],
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
      },
      vpcPrimaryCidr: '10.2.0.0/16',
      port25Released: true,
      targets: ['relay'],
      credentials: { profile: 'prod', roleArn: 'arn:aws:iam::123456789012:role/port25-canary-invoke' },
    },
    { name: 'dr-us', account: '210987654321', region: 'us-east-1', network: {} },
  ],
  monitoring: { account: '123456789012', region: 'eu-west-1' },
};

type Segment = string | number;

function segments(path: string): Segment[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) =>
    match[2] === undefined ? (match[1] as string) : Number(match[2]),
  );
}

/** A deep copy of `base` with the field at `path` set (undefined deletes it). */
export function withField(base: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(base) as Record<Segment, unknown>;
  const keys = segments(path);
  let parent = copy;
  for (const key of keys.slice(0, -1)) parent = parent[key] as Record<Segment, unknown>;
  const last = keys[keys.length - 1] as Segment;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

const valid = (name: string, config: unknown): CorpusCase => ({ name, config });

/**
 * A value as a case's name shows it: its JSON, or what it is where the JSON would run to pages. `npm run mutate` joins
 * the names of the tests covering a mutant into one regular expression, and 1001 targets written out made it too
 * large for one.
 */
function shown(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) return 'absent';
  if (json.length <= 80) return json;
  return Array.isArray(value) ? `a list of ${value.length} items` : `${json.slice(0, 40)}… (${json.length} characters)`;
}

/** One invalid case per value: FULL with `path` set to it; the validator must name `path` (or `at`). */
function invalid(path: string, values: readonly unknown[], at = path): CorpusCase[] {
  return values.map((value) => ({
    name: `${path} = ${shown(value)}`,
    config: withField(FULL, path, value),
    invalidAt: at,
  }));
}

function beyondSchema(name: string, config: unknown, invalidAt: string, reason: string): CorpusCase {
  return { name, config, invalidAt, beyondSchema: reason };
}

/** A created VPC with the given availabilityZones (and no maxAzs, which excludes them). */
const createdVpcZones = (values: readonly unknown[], at: string): CorpusCase[] =>
  values.map((zones) => ({
    name: `deployment.createVpc.availabilityZones = ${shown(zones)}`,
    config: withField(FULL, 'deployment.createVpc', { cidr: '10.1.0.0/16', availabilityZones: zones }),
    invalidAt: at,
  }));

const manyTargets = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ name: `t${index}`, host: '198.51.100.25' }));
const A_64 = 'a'.repeat(64);

export const CORPUS: readonly CorpusCase[] = [
  valid('the smallest config', MINIMAL),
  valid('a config with every field', FULL),
  valid('any $schema reference', { ...MINIMAL, $schema: 'https://example.com/any.json' }),
  valid('IPv6 and IPv4-mapped hosts, a trailing-dot host name', {
    ...MINIMAL,
    targets: [
      { name: 'v6', host: 'fd12:3456::25' },
      { name: 'mapped', host: '::ffff:198.51.100.1' },
      { name: 'full-v6', host: '2001:0db8:0000:0000:0000:0000:0000:0025' },
      { name: 'fqdn', host: 'relay.example.com.' },
      { name: 'single-label', host: 'relay' },
    ],
  }),
  valid('an IPv6 VPC CIDR', { ...MINIMAL, vpcPrimaryCidr: '2001:db8::/32' }),
  valid('a namespace with every character CloudWatch allows', {
    ...MINIMAL,
    metricNamespace: 'Mail Egress/Port25:canary#2_v-1.0',
  }),
  valid('16 subnets and 5 security groups', {
    ...MINIMAL,
    network: {
      subnets: Array.from({ length: 16 }, (_, index) => `subnet-${index.toString(16).padStart(17, '0')}`),
      securityGroups: Array.from({ length: 5 }, (_, index) => `sg-${index.toString(16).padStart(17, '0')}`),
    },
  }),
  valid('a created VPC in named availability zones', {
    ...MINIMAL,
    deployment: { createVpc: { cidr: '10.0.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1c'] } },
  }),
  valid('a cron schedule and a plus address', {
    ...MINIMAL,
    deployment: { schedule: 'cron(0/15 * * * ? *)', notifyEmails: ['ops+canary@example.co.uk'] },
  }),
  valid('1000 targets', { ...MINIMAL, targets: manyTargets(1000) }),
  valid('a vantage with a profile only', withField(FULL, 'vantages[0].credentials', { profile: 'prod' })),

  { name: 'a document that is not an object', config: [], invalidAt: '(root)' },
  ...invalid('$schema', [5]),
  ...invalid('colour', ['blue']),
  ...invalid('canaryName', [undefined, 'has space', A_64, 5, '-leading-dash']),
  ...invalid('metricNamespace', [':a', '', '   ', 'x'.repeat(256), 'AWS/Port25Canary', 'Port25é']),
  ...invalid('vpcPrimaryCidr', ['10.0.0.0/33', 'ten', '10.0.0.0', '']),
  beyondSchema(
    'a VPC CIDR with host bits',
    { ...MINIMAL, vpcPrimaryCidr: '10.0.0.1/16' },
    'vpcPrimaryCidr',
    'host bits',
  ),
  ...invalid('port25Released', ['yes', 0]),
  ...invalid('probe', ['fast', []]),
  ...invalid('probe.attempt', [2]),
  ...invalid('probe.timeoutMs', [99, 120_001, 1.5, '10s']),
  ...invalid('probe.ehloName', ['bad name', '']),
  ...invalid('probe.attempts', [0, 11]),
  ...invalid('probe.controlPort', [0, 65_536]),
  ...invalid('network', [[], 'vpc']),
  ...invalid('network.cluster', ['', ' ', 5]),
  ...invalid('network.taskDefinition', ['']),
  ...invalid('network.containerName', ['']),
  ...invalid('network.vpcId', ['vpc-1', 'vpc-0123456789ABCDEF0']),
  ...invalid('network.subnets', [
    'subnet-0123456789abcdef0',
    Array.from({ length: 17 }, (_, index) => `subnet-${index.toString(16).padStart(17, '0')}`),
  ]),
  ...invalid('network.subnets', [['subnet-1']], 'network.subnets[0]'),
  ...invalid('network.securityGroups', [
    'sg-0123456789abcdef0',
    Array.from({ length: 6 }, (_, index) => `sg-${index.toString(16).padStart(17, '0')}`),
  ]),
  ...invalid('network.securityGroups', [['sg-x']], 'network.securityGroups[0]'),
  ...invalid('network.assignPublicIp', ['true']),
  ...invalid('network.capacityProviderStrategy', [[], {}]),
  ...invalid(
    'network.capacityProviderStrategy',
    [[{ weight: 1 }]],
    'network.capacityProviderStrategy[0].capacityProvider',
  ),
  ...invalid('network.capacityProviderStrategy[0].capacityProvider', ['']),
  ...invalid('network.capacityProviderStrategy[0].weight', [1001, -1]),
  ...invalid('network.capacityProviderStrategy[0].base', [-1, 100_001]),
  ...invalid('network.logGroup', ['']),
  ...invalid('network.logStreamPrefix', ['']),
  ...invalid('maxConcurrentTasks', [0, 501, '10']),
  ...invalid('targets', [undefined, [], 'relay', manyTargets(1001)]),
  ...invalid('targets[0]', ['relay']),
  ...invalid('targets[0].name', [undefined, 'has space', '']),
  beyondSchema(
    'two targets with one name',
    withField(FULL, 'targets[1].name', 'relay'),
    'targets[1].name',
    'unique values of a field across list items',
  ),
  ...invalid('targets[0].host', [undefined, 'h:25', 'mail_relay.example.com', '2001:db8::25::1', '[2001:db8::25]']),
  beyondSchema(
    'a loopback target',
    withField(FULL, 'targets[0].host', '127.0.0.1'),
    'targets[0].host',
    'address ranges that are never mail destinations',
  ),
  ...invalid('targets[0].port', [0, 65_536]),
  ...invalid('targets[0].expect', ['closed']),
  ...invalid('targets[0].controlPort', [70_000]),
  ...invalid('targets[0].starttls', ['yes']),
  ...invalid('deployment', [5]),
  ...invalid('deployment.createVpc', ['yes']),
  ...invalid('deployment.createVpc', [{}], 'deployment.createVpc.cidr'),
  ...invalid('deployment.createVpc.cidr', ['x']),
  beyondSchema(
    'a created VPC CIDR with host bits',
    withField(FULL, 'deployment.createVpc.cidr', '10.1.0.1/16'),
    'deployment.createVpc.cidr',
    'host bits',
  ),
  ...invalid('deployment.createVpc.maxAzs', [0, 7]),
  ...createdVpcZones([[], 'eu-west-1a', Array(7).fill('eu-west-1a')], 'deployment.createVpc.availabilityZones'),
  ...createdVpcZones([['eu-west-1']], 'deployment.createVpc.availabilityZones[0]'),
  ...createdVpcZones([['eu-west-1a', 'eu-west-1a']], 'deployment.createVpc.availabilityZones[1]'),
  ...invalid('deployment.createVpc.availabilityZones', [['eu-west-1a']]),
  beyondSchema(
    'created-VPC availability zones in two regions',
    withField(FULL, 'deployment.createVpc', { cidr: '10.1.0.0/16', availabilityZones: ['eu-west-1a', 'us-east-1b'] }),
    'deployment.createVpc.availabilityZones[1]',
    'a relation between list items',
  ),
  ...invalid('deployment.schedule', ['every 5 minutes']),
  ...invalid('deployment.alarmEvaluationPeriods', [0, 101]),
  ...invalid('deployment.alarmDatapointsToAlarm', [0, 101]),
  beyondSchema(
    'more datapoints to alarm than periods evaluated',
    withField(FULL, 'deployment.alarmDatapointsToAlarm', 4),
    'deployment.alarmDatapointsToAlarm',
    'a comparison between two fields',
  ),
  ...invalid('deployment.notifyEmails', ['ops@example.com']),
  ...invalid('deployment.notifyEmails', [['ops']], 'deployment.notifyEmails[0]'),
  ...invalid('deployment.logRetentionDays', [10, 0, 4000]),
  ...invalid('deployment.cpuArchitecture', ['arm64']),
  ...invalid('deployment.probeImageUri', ['']),
  ...invalid('deployment.detailedTargetMetrics', ['true', 1]),
  ...invalid('vantages', [[], {}]),
  ...invalid('vantages[0]', ['prod']),
  ...invalid('vantages[0].name', [undefined, 'has.dot', 'x'.repeat(33)]),
  beyondSchema(
    'two vantages with one name',
    withField(FULL, 'vantages[1].name', 'prod-eu'),
    'vantages[1].name',
    'unique values of a field across list items',
  ),
  beyondSchema(
    'a vantage whose function name would pass Lambda’s 64 characters',
    withField(withField(FULL, 'canaryName', 'c'.repeat(40)), 'vantages[0].name', 'v'.repeat(20)),
    'vantages[0].name',
    'a length across two fields',
  ),
  ...invalid('vantages[0].account', [undefined, '12345']),
  ...invalid('vantages[0].region', [undefined, 'Europe']),
  ...invalid('vantages[0].network', [undefined, 'x']),
  ...invalid('vantages[0].network.subnets', [['subnet-1']], 'vantages[0].network.subnets[0]'),
  ...invalid('vantages[0].vpcPrimaryCidr', ['x']),
  ...invalid('vantages[0].port25Released', ['no']),
  ...invalid('vantages[0].targets', [[], 'relay']),
  ...invalid('vantages[0].targets', [[5]], 'vantages[0].targets[0]'),
  beyondSchema(
    'a vantage target that is not in the list',
    withField(FULL, 'vantages[0].targets', ['nope']),
    'vantages[0].targets[0]',
    'membership in another field’s values',
  ),
  ...invalid('vantages[0].credentials', [{}, 'x']),
  ...invalid('vantages[0].credentials.profile', ['has space']),
  ...invalid('vantages[0].credentials.roleArn', ['arn:aws:iam::1:role/x']),
  ...invalid('monitoring', ['x']),
  { name: 'monitoring without vantages', config: withField(FULL, 'vantages', undefined), invalidAt: 'monitoring' },
  ...invalid('monitoring.account', [undefined, 'x']),
  ...invalid('monitoring.region', [undefined, 'x']),
  ...invalid('monitoring.existingSinks', ['x']), // temporary: h24-config brings the full validation
];
