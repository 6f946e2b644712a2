import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRuntimeConfig, probeTaskSettings } from '../../functions/orchestrator/runtime-config.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { testConfig } from './fakes.js';

const FILE_CONFIG = {
  canaryName: 'mail-egress',
  network: { subnets: ['subnet-0123456789abcdef0'], containerName: 'probe' },
  targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }],
};

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'port25-orchestrator-config-'));
  await writeFile(join(directory, 'canary.config.json'), JSON.stringify(FILE_CONFIG));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('loadRuntimeConfig', () => {
  it('reads canary.config.json from the default directory', async () => {
    const config = await loadRuntimeConfig({}, { defaultDirectory: directory });

    expect(config.canaryName).toBe('mail-egress');
    expect(config.network.cluster).toBeUndefined();
  });

  it('applies every PORT25_* override to the config', async () => {
    const config = await loadRuntimeConfig(
      {
        PORT25_CLUSTER: 'arn:aws:ecs:eu-west-1:111122223333:cluster/port25',
        PORT25_TASK_DEFINITION: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/probe:7',
        PORT25_CONTAINER_NAME: 'smtp-probe',
        PORT25_SUBNETS: 'subnet-0123456789abcdef0, subnet-0fedcba9876543210',
        PORT25_SECURITY_GROUPS: 'sg-0123456789abcdef0',
        PORT25_ASSIGN_PUBLIC_IP: 'true',
        PORT25_LOG_GROUP: '/port25/probe',
        PORT25_LOG_STREAM_PREFIX: 'canary',
        PORT25_VPC_PRIMARY_CIDR: '10.40.0.0/16',
      },
      { defaultDirectory: directory },
    );

    expect(config.vpcPrimaryCidr).toBe('10.40.0.0/16');
    expect(config.network).toMatchObject({
      cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/port25',
      taskDefinition: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/probe:7',
      containerName: 'smtp-probe',
      subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
      securityGroups: ['sg-0123456789abcdef0'],
      assignPublicIp: true,
      logGroup: '/port25/probe',
      logStreamPrefix: 'canary',
    });
  });

  it('reads the file PORT25_CONFIG_FILE names', async () => {
    const other = join(directory, 'other.json');
    await writeFile(other, JSON.stringify({ ...FILE_CONFIG, canaryName: 'other-canary' }));

    const config = await loadRuntimeConfig({ PORT25_CONFIG_FILE: other }, { defaultDirectory: directory });

    expect(config.canaryName).toBe('other-canary');
  });

  it('prefers an explicit path to PORT25_CONFIG_FILE', async () => {
    const explicit = join(directory, 'explicit.json');
    await writeFile(explicit, JSON.stringify({ ...FILE_CONFIG, canaryName: 'explicit' }));

    const config = await loadRuntimeConfig(
      { PORT25_CONFIG_FILE: join(directory, 'absent.json') },
      { configFile: explicit, defaultDirectory: directory },
    );

    expect(config.canaryName).toBe('explicit');
  });

  it('ignores empty override variables', async () => {
    const config = await loadRuntimeConfig(
      { PORT25_SUBNETS: '', PORT25_CLUSTER: ' ' },
      { defaultDirectory: directory },
    );

    expect(config.network.subnets).toEqual(['subnet-0123456789abcdef0']);
    expect(config.network.cluster).toBeUndefined();
  });

  const groups = (count: number) =>
    Array.from({ length: count }, (_, index) => `sg-${index.toString(16).padStart(17, '0')}`).join(',');

  it("accepts the stack's five security groups, its own and four of the config", async () => {
    const config = await loadRuntimeConfig({ PORT25_SECURITY_GROUPS: groups(5) }, { defaultDirectory: directory });

    expect(config.network.securityGroups).toHaveLength(5);
  });

  it('refuses more security groups than RunTask takes before anything is launched, naming the variable', async () => {
    const load = loadRuntimeConfig({ PORT25_SECURITY_GROUPS: groups(6) }, { defaultDirectory: directory });

    await expect(load).rejects.toThrow(
      'PORT25_SECURITY_GROUPS (network.securityGroups): lists 6, at most 5 are allowed: RunTask takes at most 5 security groups',
    );
  });

  it('names the environment variable a bad value came from', async () => {
    const load = loadRuntimeConfig(
      { PORT25_SUBNETS: 'subnet-0123456789abcdef0,vpc-12345678' },
      { defaultDirectory: directory },
    );

    await expect(load).rejects.toThrow(ConfigError);
    await expect(load).rejects.toThrow(/^PORT25_SUBNETS \(network\.subnets\[1\]\): "vpc-12345678" is not a subnet ID/);
  });

  it('rejects an assignPublicIp override that is not true or false', async () => {
    await expect(
      loadRuntimeConfig({ PORT25_ASSIGN_PUBLIC_IP: 'yes' }, { defaultDirectory: directory }),
    ).rejects.toThrow('PORT25_ASSIGN_PUBLIC_IP: must be "true" or "false", got "yes"');
  });

  it('names the file and field for a bad value in the file', async () => {
    await writeFile(join(directory, 'canary.config.json'), JSON.stringify({ ...FILE_CONFIG, maxConcurrentTasks: 0 }));

    await expect(loadRuntimeConfig({}, { defaultDirectory: directory })).rejects.toThrow(
      `${join(directory, 'canary.config.json')}: maxConcurrentTasks: must be an integer`,
    );
  });

  it('names a missing config file', async () => {
    await expect(loadRuntimeConfig({}, { defaultDirectory: join(directory, 'nowhere') })).rejects.toThrow(
      /canary\.config\.json: cannot read the config file \(ENOENT\)/,
    );
  });
});

describe('probeTaskSettings', () => {
  it.each([
    ['cluster', 'PORT25_CLUSTER'],
    ['taskDefinition', 'PORT25_TASK_DEFINITION'],
    ['logGroup', 'PORT25_LOG_GROUP'],
  ])('requires network.%s, naming %s', (field, env) => {
    const config = testConfig();
    const incomplete = { ...config, network: { ...config.network, [field]: undefined } };

    expect(() => probeTaskSettings(incomplete)).toThrow(new RegExp(`^network\\.${field}: is required .*${env}`));
  });

  it('requires at least one subnet, naming PORT25_SUBNETS', () => {
    const config = testConfig();

    expect(() => probeTaskSettings({ ...config, network: { ...config.network, subnets: [] } })).toThrow(
      /^network\.subnets: is required .*PORT25_SUBNETS/,
    );
  });
});
