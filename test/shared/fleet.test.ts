import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCanaryConfig } from '../../functions/shared/config.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { loadFleetConfig, resolveFleet } from '../../functions/shared/fleet.js';

const network = (vpc: string) => ({ vpcId: `vpc-0000000000000000${vpc}`, subnets: [`subnet-0000000000000000${vpc}`] });

const fleet = () => ({
  canaryName: 'mail',
  vpcPrimaryCidr: '10.9.0.0/16',
  network: network('9'),
  targets: [
    { name: 'relay', host: '172.16.0.4', expect: 'open' },
    { name: 'mx', host: '198.51.100.25', expect: 'blocked' },
  ],
  monitoring: { account: '111122223333', region: 'eu-west-1' },
  vantages: [
    {
      name: 'prod',
      account: '444455556666',
      region: 'eu-west-1',
      vpcPrimaryCidr: '10.0.0.0/16',
      network: network('1'),
    },
    {
      name: 'dr',
      account: '444455556666',
      region: 'us-east-1',
      network: network('2'),
      port25Released: true,
      targets: ['mx'],
      credentials: { profile: 'dr', roleArn: 'arn:aws:iam::444455556666:role/invoke' },
    },
  ],
});

function withVantage(index: number, override: Record<string, unknown>) {
  const raw = fleet();
  raw.vantages[index] = { ...raw.vantages[index], ...override } as (typeof raw.vantages)[0];
  return raw;
}

describe('parseCanaryConfig with vantages', () => {
  it('treats a config without vantages as a single canary', () => {
    const { vantages: _, monitoring: __, ...single } = fleet();

    expect(parseCanaryConfig(single).fleet).toBeUndefined();
  });

  it('reads each vantage and the monitoring account', () => {
    const config = parseCanaryConfig(fleet());

    expect(config.fleet?.monitoring).toEqual({ account: '111122223333', region: 'eu-west-1', existingSinks: {} });
    expect(config.fleet?.vantages.map((vantage) => [vantage.name, vantage.account, vantage.region])).toEqual([
      ['prod', '444455556666', 'eu-west-1'],
      ['dr', '444455556666', 'us-east-1'],
    ]);
    expect(config.fleet?.vantages[1]?.credentials).toEqual({
      profile: 'dr',
      roleArn: 'arn:aws:iam::444455556666:role/invoke',
    });
  });

  it.each([
    [withVantage(1, { name: 'prod' }), 'vantages[1].name: duplicate vantage name "prod"'],
    [withVantage(0, { account: '4444-5555-6666' }), 'vantages[0].account: "4444-5555-6666" must be a 12-digit'],
    [withVantage(0, { account: '44445555666' }), 'vantages[0].account: "44445555666" must be a 12-digit'],
    [withVantage(1, { region: 'US East' }), 'vantages[1].region: "US East" is not an AWS region name'],
    [withVantage(1, { region: 'useast1' }), 'vantages[1].region: "useast1" is not an AWS region name'],
    [
      withVantage(1, { targets: ['mx', 'smtp'] }),
      'vantages[1].targets[1]: "smtp" is not a target name (targets: relay, mx)',
    ],
    [withVantage(1, { targets: [] }), 'vantages[1].targets: must name at least one target'],
    [withVantage(0, { network: undefined }), 'vantages[0].network: is required'],
    [
      withVantage(0, { network: { subnets: ['subnet-1'] } }),
      'vantages[0].network.subnets[0]: "subnet-1" is not a subnet ID',
    ],
    [
      withVantage(0, { vpcPrimaryCidr: '10.0.0.1/16' }),
      'vantages[0].vpcPrimaryCidr: "10.0.0.1/16" is not a network CIDR',
    ],
    [withVantage(0, { credentials: {} }), 'vantages[0].credentials: must name a profile, a roleArn or both'],
    [
      withVantage(0, { credentials: { roleArn: 'role/invoke' } }),
      'vantages[0].credentials.roleArn: "role/invoke" is not an IAM role ARN',
    ],
    [withVantage(0, { zone: 'a' }), 'vantages[0].zone: unknown field'],
    [
      withVantage(0, { name: 'a'.repeat(33) }),
      `vantages[0].name: "${'a'.repeat(33)}" must be 1-32 letters, digits or dashes`,
    ],
    [
      withVantage(0, { credentials: { profile: 'dr [prod]' } }),
      'vantages[0].credentials.profile: "dr [prod]" is not a profile name',
    ],
    [{ ...fleet(), vantages: [] }, 'vantages: must list at least one vantage'],
    [{ ...fleet(), monitoring: { account: '111122223333', region: 'eu-west' } }, 'monitoring.region: "eu-west" is not'],
    [{ ...fleet(), monitoring: { account: '1', region: 'eu-west-1' } }, 'monitoring.account: "1" must be a 12-digit'],
  ])('rejects %j naming the field', (raw, message) => {
    const act = () => parseCanaryConfig(raw);

    expect(act).toThrow(ConfigError);
    expect(act).toThrow(message);
  });

  it('refuses a vantage name that makes the function name longer than Lambda allows', () => {
    const raw = { ...withVantage(0, { name: 'a'.repeat(32) }), canaryName: 'c'.repeat(20) };

    expect(() => parseCanaryConfig(raw)).toThrow('vantages[0].name: makes the function name port25-canary-');
  });

  it('accepts a function name of exactly the 64 characters Lambda allows', () => {
    // port25-canary- (14) + 17 + - (1) + 32 = 64
    const raw = { ...withVantage(0, { name: 'a'.repeat(32) }), canaryName: 'c'.repeat(17) };

    expect(parseCanaryConfig(raw).fleet?.vantages[0]?.name).toBe('a'.repeat(32));
  });

  it('checks the rest of the fleet when two vantage names are bad, without calling them duplicates', () => {
    const raw = {
      ...withVantage(1, { name: 'bad name' }),
      monitoring: { account: '1', region: 'eu-west-1' },
    };
    raw.vantages[0] = { ...raw.vantages[0], name: 'bad name' } as (typeof raw.vantages)[0];

    const fields = (() => {
      try {
        parseCanaryConfig(raw);
        return undefined;
      } catch (error) {
        return (error as ConfigError).problems.map(({ field }) => field);
      }
    })();

    expect(fields).toEqual(['vantages[0].name', 'vantages[1].name', 'monitoring.account']);
  });

  it('refuses monitoring without vantages', () => {
    const { vantages: _, ...raw } = fleet();

    expect(() => parseCanaryConfig(raw)).toThrow('monitoring: applies only to a fleet');
  });
});

describe('resolveFleet', () => {
  const resolve = () => {
    const raw = fleet();
    return resolveFleet(raw, parseCanaryConfig(raw));
  };

  it('gives each vantage its own canary name and function name', () => {
    const { vantages } = resolve();

    expect(vantages.map((vantage) => vantage.config.canaryName)).toEqual(['mail-prod', 'mail-dr']);
    expect(vantages.map((vantage) => vantage.functionName)).toEqual([
      'port25-canary-mail-prod',
      'port25-canary-mail-dr',
    ]);
  });

  it("lays the vantage's network, CIDR, release state and targets over the top level", () => {
    const [prod, dr] = resolve().vantages;

    expect(prod?.config).toMatchObject({
      vpcPrimaryCidr: '10.0.0.0/16',
      port25Released: false,
      network: { vpcId: 'vpc-00000000000000001' },
    });
    expect(prod?.config.targets.map((target) => target.name)).toEqual(['relay', 'mx']);
    expect(dr?.config).toMatchObject({ port25Released: true, network: { vpcId: 'vpc-00000000000000002' } });
    expect(dr?.config.targets.map((target) => target.name)).toEqual(['mx']);
  });

  it("never hands a vantage the top level's CIDR, which belongs to another VPC", () => {
    const [, dr] = resolve().vantages;

    expect(dr?.config.vpcPrimaryCidr).toBeUndefined();
    expect(dr?.document).not.toHaveProperty('vpcPrimaryCidr');
  });

  it("carries the top level's other settings to every vantage", () => {
    const raw = { ...fleet(), metricNamespace: 'Mail/Egress', maxConcurrentTasks: 3 };

    const { vantages } = resolveFleet(raw, parseCanaryConfig(raw));

    expect(vantages.map((vantage) => vantage.config.metricNamespace)).toEqual(['Mail/Egress', 'Mail/Egress']);
    expect(vantages.map((vantage) => vantage.config.maxConcurrentTasks)).toEqual([3, 3]);
  });

  it('refuses a config without vantages', () => {
    const { vantages: _, monitoring: __, ...single } = fleet();

    expect(() => resolveFleet(single, parseCanaryConfig(single))).toThrow(
      new ConfigError('vantages', 'is required for a fleet'),
    );
  });

  it('names the vantage whose own document does not validate', () => {
    // The config comes from a valid document, so only the vantage's own validation sees the bad network.
    const document = withVantage(1, { network: { subnets: ['subnet-1'] } });

    expect(() => resolveFleet(document, parseCanaryConfig(fleet()))).toThrow(
      'vantages[1]: network.subnets[0]: "subnet-1" is not a subnet ID',
    );
  });

  it('writes a vantage document that is a plain single-canary config', () => {
    const [prod] = resolve().vantages;

    expect(prod?.document).not.toHaveProperty('vantages');
    expect(prod?.document).not.toHaveProperty('monitoring');
    expect(parseCanaryConfig(prod?.document).fleet).toBeUndefined();
  });
});

describe('loadFleetConfig', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'p25-fleet-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('loads the example fleet config', async () => {
    const resolved = await loadFleetConfig('examples/fleet.config.json');

    expect(resolved.vantages.length).toBe(4);
  });

  it('refuses a config without vantages, naming the file', async () => {
    await expect(loadFleetConfig('examples/canary.config.json')).rejects.toThrow(
      'examples/canary.config.json: vantages: is required for a fleet (the config lists no vantages)',
    );
  });

  it('names the file and the vantage field when one is invalid', async () => {
    const path = join(directory, 'bad.json');
    await writeFile(path, JSON.stringify(withVantage(1, { region: 'nowhere' })));

    await expect(loadFleetConfig(path)).rejects.toThrow(`${path}: vantages[1].region:`);
  });
});
