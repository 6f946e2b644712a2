import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, loadCanaryConfig, parseCanaryConfig } from '../../functions/shared/config.js';
import { ConfigError } from '../../functions/shared/errors.js';

const minimal = () => ({
  canaryName: 'mail-egress',
  targets: [{ name: 'relay', host: '172.16.0.4' }],
});

describe('parseCanaryConfig', () => {
  it.each([5, [], null])('rejects %j as a whole: (root) must be a JSON object', (raw) => {
    expect(() => parseCanaryConfig(raw)).toThrow('(root): must be a JSON object');
  });

  it('alarms on one breaching period by default, however many periods are evaluated', () => {
    const config = parseCanaryConfig({ ...minimal(), deployment: { alarmEvaluationPeriods: 3 } });

    expect(config.deployment.alarmDatapointsToAlarm).toBe(1);
  });

  it('accepts an integer at its maximum: 500 tasks at once', () => {
    expect(parseCanaryConfig({ ...minimal(), maxConcurrentTasks: 500 }).maxConcurrentTasks).toBe(500);
  });

  it('reports nothing inside a list that already has a problem: 1001 targets, one with a bad host, is one problem', () => {
    const targets = Array.from({ length: 1001 }, (_, index) => ({
      name: `t${index}`,
      host: index === 3 ? 'bad host' : '198.51.100.25',
    }));

    expect(() => parseCanaryConfig({ ...minimal(), targets })).toThrow(
      expect.objectContaining({ problems: [{ field: 'targets', problem: 'must list at most 1000 targets' }] }),
    );
  });

  it('fills every default', () => {
    const config = parseCanaryConfig(minimal());
    expect(config).toMatchObject({
      metricNamespace: 'Port25Canary',
      port25Released: false,
      maxConcurrentTasks: 10,
      probe: { timeoutMs: 10_000, attempts: 1, ehloName: CONFIG_DEFAULTS.ehloName },
      network: { containerName: 'probe', logStreamPrefix: 'probe', assignPublicIp: false, subnets: [] },
      deployment: {
        schedule: 'rate(15 minutes)',
        logRetentionDays: 30,
        cpuArchitecture: 'ARM64',
        detailedTargetMetrics: false,
      },
    });
    expect(config.targets[0]).toEqual({
      name: 'relay',
      host: '172.16.0.4',
      port: 25,
      expect: 'auto',
      controlPort: undefined,
      starttls: false,
    });
  });

  it('gives each target the default control port unless it sets its own', () => {
    const config = parseCanaryConfig({
      ...minimal(),
      probe: { controlPort: 443 },
      targets: [
        { name: 'a', host: 'a.example.com' },
        { name: 'b', host: 'b.example.com', controlPort: 587 },
      ],
    });
    expect(config.targets.map((target) => target.controlPort)).toEqual([443, 587]);
  });

  it('rejects duplicate target names, naming the second one', () => {
    const raw = { ...minimal(), targets: [minimal().targets[0], { name: 'relay', host: '10.0.0.1' }] };
    expect(() => parseCanaryConfig(raw)).toThrow('targets[1].name: duplicate target name "relay"');
  });

  it.each([
    [{ targets: [] }, 'targets: must list at least one target'],
    [{ canaryName: undefined }, 'canaryName: is required'],
    [{ canaryName: 'has space' }, 'canaryName: "has space"'],
    [{ vpcPrimaryCidr: '10.0.0.1/16' }, 'vpcPrimaryCidr: "10.0.0.1/16" is not a network CIDR block'],
    [{ maxConcurrentTasks: 0 }, 'maxConcurrentTasks: must be an integer from 1 to 500'],
    [{ probe: { timeoutMs: '5s' } }, 'probe.timeoutMs: must be an integer'],
    [{ probe: { attempt: 2 } }, 'probe.attempt: unknown field'],
    [{ targets: [{ name: 'x', host: 'h', port: 70000 }] }, 'targets[0].port: must be an integer from 1 to 65535'],
    [
      { targets: [{ name: 'x', host: 'h', expect: 'closed' }] },
      'targets[0].expect: must be one of auto, open, blocked',
    ],
    [
      { targets: [{ name: 'x', host: 'h:25' }] },
      'targets[0].host: "h:25" must be a host name or IP literal, without a port',
    ],
    [{ targets: [{ name: 'x', host: 'h', starttls: 'yes' }] }, 'targets[0].starttls: must be true or false, got "yes"'],
    [{ network: { subnets: ['subnet-1'] } }, 'network.subnets[0]: "subnet-1" is not a subnet ID'],
    [{ network: { subnets: 'subnet-0123456789abcdef0' } }, 'network.subnets: must be an array of strings'],
    [{ network: null }, 'network: must be a JSON object'],
    [{ probe: { ehloName: 'bad name!' } }, 'probe.ehloName: "bad name!" must be a host name'],
    // The ID patterns are anchored at both ends, and each says what it wanted.
    [
      { network: { vpcId: 'xvpc-0123456789abcdef0' } },
      'network.vpcId: "xvpc-0123456789abcdef0" is not a VPC ID (vpc-...)',
    ],
    [
      { network: { subnets: ['xsubnet-0123456789abcdef0'] } },
      'network.subnets[0]: "xsubnet-0123456789abcdef0" is not a subnet ID (subnet-...)',
    ],
    [
      { network: { subnets: ['subnet-0123456789abcdef0x'] } },
      'network.subnets[0]: "subnet-0123456789abcdef0x" is not a subnet ID (subnet-...)',
    ],
    [
      { network: { securityGroups: ['xsg-0123456789abcdef0'] } },
      'network.securityGroups[0]: "xsg-0123456789abcdef0" is not a security group ID (sg-...)',
    ],
    [
      { network: { securityGroups: ['sg-0123456789abcdef0x'] } },
      'network.securityGroups[0]: "sg-0123456789abcdef0x" is not a security group ID (sg-...)',
    ],
    [
      { targets: [{ name: 'has space', host: '198.51.100.25' }] },
      'targets[0].name: "has space" must be 1-63 letters, digits, dots, dashes or underscores',
    ],
    [{ network: { capacityProviderStrategy: [] } }, 'network.capacityProviderStrategy: must not be empty'],
    [
      { deployment: { logRetentionDays: 10 } },
      "deployment.logRetentionDays: must be one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
    ],
    [
      { deployment: { alarmEvaluationPeriods: 2, alarmDatapointsToAlarm: 3 } },
      'deployment.alarmDatapointsToAlarm: must not exceed alarmEvaluationPeriods (2)',
    ],
    [{ deployment: { schedule: 'every 5 minutes' } }, 'deployment.schedule: "every 5 minutes" must be an EventBridge'],
    [
      { deployment: { schedule: 'xrate(5 minutes)' } },
      'deployment.schedule: "xrate(5 minutes)" must be an EventBridge',
    ],
    [
      { deployment: { schedule: 'rate(5 minutes)x' } },
      'deployment.schedule: "rate(5 minutes)x" must be an EventBridge',
    ],
    [
      { deployment: { notifyEmails: ['ops@example.com x'] } },
      'deployment.notifyEmails[0]: "ops@example.com x" is not an email address',
    ],
    [
      { deployment: { notifyEmails: ['ops@team@example.com'] } },
      'deployment.notifyEmails[0]: "ops@team@example.com" is not an email address',
    ],
    [{ colour: 'blue' }, 'colour: unknown field'],
  ])('rejects %j with a message naming the field', (override, message) => {
    const act = () => parseCanaryConfig({ ...minimal(), ...override });
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(message);
  });

  it.each([
    ['127.0.0.1', 'loopback 127.0.0.0/8'],
    ['::1', 'loopback ::1/128'],
    ['169.254.169.254', 'link-local 169.254.0.0/16'],
    ['fe80::1', 'link-local fe80::/10'],
    ['224.0.0.25', 'multicast 224.0.0.0/4'],
    ['ff02::1', 'multicast ff00::/8'],
    ['0.0.0.0', 'unspecified 0.0.0.0/8'],
    ['::', 'unspecified ::/128'],
    ['255.255.255.255', 'broadcast 255.255.255.255/32'],
    ['::ffff:127.0.0.1', 'loopback 127.0.0.0/8'],
  ])('rejects the target literal %s, naming the target and what the address is', (host, what) => {
    const raw = { ...minimal(), targets: [minimal().targets[0], { name: 'odd', host }] };

    expect(() => parseCanaryConfig(raw)).toThrow(
      `targets[1].host: ${JSON.stringify(host)} is ${what}: not a mail destination`,
    );
  });

  it('accepts IPv6 literals and host names as target hosts', () => {
    const config = parseCanaryConfig({
      ...minimal(),
      targets: [
        { name: 'v6', host: '2001:db8::25' },
        { name: 'named', host: 'mail.example.com' },
      ],
    });
    expect(config.targets.map((target) => target.host)).toEqual(['2001:db8::25', 'mail.example.com']);
  });

  const subnetIds = (count: number) =>
    Array.from({ length: count }, (_, index) => `subnet-${index.toString(16).padStart(17, '0')}`);
  const groupIds = (count: number) =>
    Array.from({ length: count }, (_, index) => `sg-${index.toString(16).padStart(17, '0')}`);
  const zoneNames = (count: number) =>
    Array.from({ length: count }, (_, index) => `us-east-1${String.fromCharCode(97 + index)}`);

  it.each([
    [
      { network: { subnets: subnetIds(17) } },
      'network.subnets: lists 17, at most 16 are allowed: RunTask takes at most 16 subnets',
    ],
    [
      { network: { securityGroups: groupIds(6) } },
      'network.securityGroups: lists 6, at most 5 are allowed: RunTask takes at most 5 security groups',
    ],
    [
      { metricNamespace: 'AWS/Port25Canary' },
      'metricNamespace: "AWS/Port25Canary" starts with "AWS/", which CloudWatch reserves for AWS services',
    ],
    [{ metricNamespace: ':Port25' }, 'metricNamespace: ":Port25" must be 1-255 letters'],
    [{ metricNamespace: '   ' }, 'metricNamespace: must be a non-empty string'],
    [{ metricNamespace: 'Port25/Canaryé' }, 'metricNamespace: "Port25/Canaryé" must be 1-255 letters'],
    [{ metricNamespace: 'P'.repeat(256) }, 'metricNamespace: "PPP'],
    [
      { deployment: { createVpc: { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1'] } } },
      'deployment.createVpc.availabilityZones[0]: "eu-west-1" is not an availability zone name',
    ],
    [
      { deployment: { createVpc: { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1a'] } } },
      'deployment.createVpc.availabilityZones[1]: eu-west-1a is listed twice',
    ],
    [
      { deployment: { createVpc: { cidr: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'us-east-1b'] } } },
      'deployment.createVpc.availabilityZones[1]: us-east-1b is not in eu-west-1: a VPC lies in one region',
    ],
    [
      { deployment: { createVpc: { cidr: '10.0.0.0/16', availabilityZones: [] } } },
      'deployment.createVpc.availabilityZones: must name 1 to 6 availability zones',
    ],
    [
      { deployment: { createVpc: { cidr: '10.0.0.0/16', availabilityZones: zoneNames(7) } } },
      'deployment.createVpc.availabilityZones: must name 1 to 6 availability zones',
    ],
    [
      { deployment: { createVpc: { cidr: '10.0.0.0/16', maxAzs: 2, availabilityZones: ['eu-west-1a'] } } },
      'deployment.createVpc.availabilityZones: names the AZs; give it or maxAzs, not both',
    ],
  ])('rejects %j at an AWS limit, naming the field', (override, message) => {
    const act = () => parseCanaryConfig({ ...minimal(), ...override });
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(message);
  });

  it('accepts the limits themselves and a namespace CloudWatch allows', () => {
    const config = parseCanaryConfig({
      ...minimal(),
      metricNamespace: 'Mail Egress/Port25:canary#2_v-1.0',
      network: { subnets: subnetIds(16), securityGroups: groupIds(5) },
    });

    expect(config.network.subnets).toHaveLength(16);
    expect(config.network.securityGroups).toHaveLength(5);
    expect(config.metricNamespace).toBe('Mail Egress/Port25:canary#2_v-1.0');
  });

  it('accepts six availability zones for a created VPC, the most it takes', () => {
    const config = parseCanaryConfig({
      ...minimal(),
      deployment: { createVpc: { cidr: '10.0.0.0/16', availabilityZones: zoneNames(6) } },
    });

    expect(config.deployment.createVpc?.availabilityZones).toEqual([
      'us-east-1a',
      'us-east-1b',
      'us-east-1c',
      'us-east-1d',
      'us-east-1e',
      'us-east-1f',
    ]);
  });

  it('names the availability zones of a created VPC, one per listed zone', () => {
    const config = parseCanaryConfig({
      ...minimal(),
      deployment: { createVpc: { cidr: '10.0.0.0/16', availabilityZones: ['us-east-1a', 'us-east-1c'] } },
    });

    expect(config.deployment.createVpc).toEqual({
      cidr: '10.0.0.0/16',
      maxAzs: 2,
      availabilityZones: ['us-east-1a', 'us-east-1c'],
    });
  });

  it('reports every problem at once, each naming its field', () => {
    const act = () =>
      parseCanaryConfig({
        canaryName: 'has space',
        colour: 'blue',
        probe: { timeoutMs: 5, attempts: 0 },
        network: { subnets: ['subnet-1', 'subnet-0123456789abcdef0', 'sg-1'] },
        targets: [{ name: 'relay', host: 'h:25' }, { name: 'relay', host: '10.0.0.1', port: 0 }, 'not-a-target'],
        deployment: { logRetentionDays: 10, alarmEvaluationPeriods: 1, alarmDatapointsToAlarm: 2 },
      });

    expect(act).toThrow(ConfigError);
    const fields = (() => {
      try {
        act();
      } catch (error) {
        return (error as ConfigError).problems.map((problem) => problem.field);
      }
    })();
    expect(fields?.sort()).toEqual(
      [
        'canaryName',
        'colour',
        'probe.timeoutMs',
        'probe.attempts',
        'network.subnets[0]',
        'network.subnets[2]',
        'targets[0].host',
        'targets[1].name',
        'targets[1].port',
        'targets[2]',
        'deployment.logRetentionDays',
        'deployment.alarmDatapointsToAlarm',
      ].sort(),
    );
    // In the order of the document: canaryName, then colour.
    expect(act).toThrow(/^12 problems in the config:\n {2}canaryName: .*\n {2}colour: unknown field/);
  });

  it('reports nothing inside a field that is wrong as a whole', () => {
    const act = () => parseCanaryConfig({ canaryName: 'c', targets: 'relay', network: 'default' });

    expect(act).toThrow(
      /^2 problems in the config:\n {2}targets: must be an array\n {2}network: must be a JSON object$/,
    );
  });

  it('lists the first 20 problems and counts the rest', () => {
    const targets = Array.from({ length: 25 }, (_, index) => ({ name: `t${index}`, host: 'h:25' }));

    const act = () => parseCanaryConfig({ ...minimal(), targets });

    expect(act).toThrow(/^25 problems in the config:\n( {2}targets\[\d+\]\.host: .*\n){20} {2}and 5 more$/);
  });

  it('keeps one problem on one line, as before', () => {
    expect(() => parseCanaryConfig({ ...minimal(), maxConcurrentTasks: 0 })).toThrow(
      /^maxConcurrentTasks: must be an integer from 1 to 500, got 0$/,
    );
  });

  it('rejects a $schema that is not a string', () => {
    expect(() => parseCanaryConfig({ ...minimal(), $schema: 5 })).toThrow('$schema: must be a non-empty string');
  });

  it('rejects a document that is not an object', () => {
    expect(() => parseCanaryConfig([])).toThrow('(root): must be a JSON object');
  });
});

describe('loadCanaryConfig', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'p25-config-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('loads the example config', async () => {
    const config = await loadCanaryConfig('examples/canary.config.json');
    expect(config.targets.length).toBeGreaterThan(0);
  });

  it('names the file and the field when the content is invalid', async () => {
    const path = join(directory, 'bad.json');
    await writeFile(path, JSON.stringify({ ...minimal(), maxConcurrentTasks: -1 }));
    await expect(loadCanaryConfig(path)).rejects.toThrow(`${path}: maxConcurrentTasks: must be an integer`);
  });

  it('names the file when it is not JSON', async () => {
    const path = join(directory, 'broken.json');
    await writeFile(path, '{ "canaryName": ');
    await expect(loadCanaryConfig(path)).rejects.toThrow(`${path}: is not valid JSON`);
  });

  it.each([
    [
      '{\n  "canaryName": "c",\n  "targets": []\n  "probe": {}\n}',
      "expected ',' or '}' after the value of \"targets\" (line 4, column 3)",
    ],
    ["{\n  'canaryName': 'c'\n}", 'expected a field name in double quotes (line 2, column 3)'],
    ['{ "canaryName": "a\nb" }', 'a line break or control character inside a string (write \\n) (line 1, column 19)'],
    ['{ "canaryName": "c" } x', 'unexpected text after the end of the JSON value (line 1, column 23)'],
    ['', 'the file is empty (line 1, column 1)'],
    ['{ "a": tru }', 'a value cannot start with "t" (line 1, column 8)'],
    ['{\n  "a": "unclosed\n', 'a line break or control character inside a string (write \\n) (line 2, column 17)'],
  ])('names the line and column of a JSON syntax error in %j', async (text, message) => {
    const path = join(directory, 'syntax.json');
    await writeFile(path, text);

    await expect(loadCanaryConfig(path)).rejects.toThrow(`${path}: is not valid JSON: ${message}`);
  });

  it('names the line and column of each bad field, in the order of the file', async () => {
    const path = join(directory, 'located.json');
    await writeFile(
      path,
      ['{', '  "canaryName": "has space",', '  "targets": [', '    { "name": "relay", "port": 0 }', '  ]', '}'].join(
        '\n',
      ),
    );

    const error = await loadCanaryConfig(path).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      [
        '3 problems in the config:',
        `  ${path}: canaryName: "has space" must be 1-63 letters, digits, dots, dashes or underscores (line 2, column 3)`,
        `  ${path}: targets[0].host: is required (line 4, column 5)`,
        `  ${path}: targets[0].port: must be an integer from 1 to 65535, got 0 (line 4, column 24)`,
      ].join('\n'),
    );
  });

  it('names the file when it is missing', async () => {
    await expect(loadCanaryConfig('/nonexistent/canary.json')).rejects.toThrow(
      '/nonexistent/canary.json: cannot read the config file (ENOENT)',
    );
  });
});

describe('a target with implicit TLS', () => {
  const target = (fields: Record<string, unknown>) =>
    parseCanaryConfig({ canaryName: 'c', targets: [{ name: 't', host: 'mx.example.com', ...fields }] }).targets[0];

  it('defaults to port 465', () => {
    expect(target({ tls: 'implicit' })).toMatchObject({ port: 465, tls: 'implicit', starttls: false });
  });

  it('keeps a port it is given', () => {
    expect(target({ tls: 'implicit', port: 2465 })).toMatchObject({ port: 2465 });
  });

  it('has no tls field without it', () => {
    expect(target({})).not.toHaveProperty('tls');
  });

  it('is refused beside starttls', () => {
    expect(() => target({ tls: 'implicit', starttls: true })).toThrow(
      /targets\[0\]\.tls: implicit TLS and "starttls": true exclude each other/,
    );
  });
});
