import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsCallError } from '../../functions/orchestrator/errors.js';
import { runCanary } from '../../functions/orchestrator/run-canary.js';
import { checkConfiguredPrimaryCidr, readVpcCidrs, VpcCidrError } from '../../functions/orchestrator/vpc-cidrs.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { FakeAws, fakeClock, probeResult, TEST_NETWORK, TEST_VPC, testConfig, throttlingError } from './fakes.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({});
const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'];
const VPC_ID = 'vpc-0a1b2c3d4e5f60718';
let aws: FakeAws | undefined;

afterEach(() => {
  ec2Mock.reset();
  aws?.restore();
  aws = undefined;
});

function subnetsIn(...vpcIds: string[]) {
  return { Subnets: vpcIds.map((vpcId, index) => ({ SubnetId: SUBNETS[index], VpcId: vpcId })) };
}

const VPC_ANSWER = {
  Vpcs: [
    {
      VpcId: VPC_ID,
      CidrBlock: '10.42.0.0/16',
      CidrBlockAssociationSet: [
        { AssociationId: 'a-1', CidrBlock: '10.42.0.0/16', CidrBlockState: { State: 'associated' as const } },
        { AssociationId: 'a-2', CidrBlock: '198.18.25.0/24', CidrBlockState: { State: 'associated' as const } },
        { AssociationId: 'a-3', CidrBlock: '100.70.0.0/16', CidrBlockState: { State: 'associating' as const } },
        { AssociationId: 'a-4', CidrBlock: '198.18.99.0/24', CidrBlockState: { State: 'disassociated' as const } },
      ],
      Ipv6CidrBlockAssociationSet: [
        {
          AssociationId: 'a-6',
          Ipv6CidrBlock: '2001:db8:42::/56',
          Ipv6CidrBlockState: { State: 'associated' as const },
        },
        {
          AssociationId: 'a-7',
          Ipv6CidrBlock: '2001:db8:99::/56',
          Ipv6CidrBlockState: { State: 'failed' as const },
        },
      ],
    },
  ],
};

describe('readVpcCidrs', () => {
  it('asks DescribeSubnets for every subnet, then DescribeVpcs for their VPC, one call each', async () => {
    ec2Mock.on(DescribeSubnetsCommand).resolves(subnetsIn(VPC_ID, VPC_ID));
    ec2Mock.on(DescribeVpcsCommand).resolves(VPC_ANSWER);

    const cidrs = await readVpcCidrs(ec2, SUBNETS, fakeClock(), Number.POSITIVE_INFINITY);

    expect(ec2Mock.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'DescribeSubnetsCommand',
      'DescribeVpcsCommand',
    ]);
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input).toEqual({ SubnetIds: SUBNETS });
    expect(ec2Mock.commandCalls(DescribeVpcsCommand)[0]?.args[0].input).toEqual({ VpcIds: [VPC_ID] });
    expect(cidrs).toEqual({
      vpcId: VPC_ID,
      primaryCidr: '10.42.0.0/16',
      secondaryCidrs: ['198.18.25.0/24', '100.70.0.0/16', '2001:db8:42::/56'],
    });
  });

  it('refuses subnets that lie in two VPCs, naming both', async () => {
    ec2Mock.on(DescribeSubnetsCommand).resolves(subnetsIn(VPC_ID, 'vpc-0fffffffffffffff0'));

    const reading = readVpcCidrs(ec2, SUBNETS, fakeClock(), Number.POSITIVE_INFINITY);

    await expect(reading).rejects.toThrow(VpcCidrError);
    await expect(reading).rejects.toThrow(
      `must all lie in one VPC; DescribeSubnets reported ${VPC_ID}, vpc-0fffffffffffffff0`,
    );
    expect(ec2Mock.commandCalls(DescribeVpcsCommand)).toHaveLength(0);
  });

  it('refuses a VPC answer without a primary CIDR', async () => {
    ec2Mock.on(DescribeSubnetsCommand).resolves(subnetsIn(VPC_ID, VPC_ID));
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });

    await expect(readVpcCidrs(ec2, SUBNETS, fakeClock(), Number.POSITIVE_INFINITY)).rejects.toThrow(
      `DescribeVpcs(${VPC_ID}) returned no primary CIDR block`,
    );
  });

  it('reports an unknown subnet as the AwsCallError of DescribeSubnets, without retrying it', async () => {
    const notFound = new Error(`The subnet ID '${SUBNETS[1]}' does not exist`);
    notFound.name = 'InvalidSubnetID.NotFound';
    ec2Mock.on(DescribeSubnetsCommand).rejects(notFound);

    const error = await readVpcCidrs(ec2, SUBNETS, fakeClock(), Number.POSITIVE_INFINITY).catch((caught) => caught);

    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).code).toBe('InvalidSubnetID.NotFound');
    expect((error as Error).message).toMatch(
      /^DescribeSubnets\(subnet-0123456789abcdef0, subnet-0fedcba9876543210\) failed/,
    );
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)).toHaveLength(1);
  });

  it("retries EC2's throttling (RequestLimitExceeded) with the run's backoff", async () => {
    const clock = fakeClock();
    ec2Mock
      .on(DescribeSubnetsCommand)
      .rejectsOnce(throttlingError('RequestLimitExceeded', 'Request limit exceeded.'))
      .resolves(subnetsIn(VPC_ID, VPC_ID));
    ec2Mock.on(DescribeVpcsCommand).resolves(VPC_ANSWER);

    const cidrs = await readVpcCidrs(ec2, SUBNETS, clock, Number.POSITIVE_INFINITY);

    expect(cidrs.primaryCidr).toBe('10.42.0.0/16');
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)).toHaveLength(2);
    expect(clock.sleeps).toEqual([1_000]);
  });
});

describe('checkConfiguredPrimaryCidr', () => {
  const vpc = { vpcId: VPC_ID, primaryCidr: '2001:db8:42::/56', secondaryCidrs: [] };

  it('accepts the real primary CIDR in another spelling', () => {
    expect(() => checkConfiguredPrimaryCidr('2001:DB8:42:0::/56', vpc)).not.toThrow();
  });

  it('accepts no configured CIDR at all', () => {
    expect(() => checkConfiguredPrimaryCidr(undefined, vpc)).not.toThrow();
  });

  it('refuses a different one, naming both values and the VPC', () => {
    const check = () => checkConfiguredPrimaryCidr('2001:db8:43::/56', vpc);

    expect(check).toThrow(ConfigError);
    expect(check).toThrow(
      /^vpcPrimaryCidr: 2001:db8:43::\/56 \(config file or PORT25_VPC_PRIMARY_CIDR\) differs from 2001:db8:42::\/56, the primary CIDR EC2 reports for vpc-0a1b2c3d4e5f60718/,
    );
  });
});

describe('runCanary with the VPC read from EC2', () => {
  function dependencies(fake: FakeAws) {
    const clock = fakeClock();
    return { ...fake.clients, now: clock.now, sleep: clock.sleep, remainingTimeMs: () => 14 * 60_000 };
  }

  it('names a target in a secondary CIDR as not exempt and expects it blocked', async () => {
    const config = testConfig({
      targets: [{ name: 'relay-secondary', host: '198.18.0.25', expect: 'auto' }],
    });
    aws = new FakeAws(() => ({ result: probeResult('198.18.0.25', 'timeout') }));

    const report = await runCanary(config, {}, dependencies(aws));

    expect(report.results[0]).toMatchObject({
      expected: 'blocked',
      rule: `auto: VPC secondary CIDR ${TEST_VPC.secondaryCidrs[0]}: not exempt`,
      verdict: 'pass',
    });
    expect(aws.ec2Mock.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input).toEqual({
      SubnetIds: TEST_NETWORK.subnets,
    });
    expect(aws.ec2Mock.commandCalls(DescribeVpcsCommand)).toHaveLength(1);
  });

  it('launches nothing when the configured primary CIDR is not the real one', async () => {
    const config = testConfig({ vpcPrimaryCidr: '10.1.0.0/16' });
    aws = new FakeAws(() => ({ result: probeResult('198.51.100.25', 'timeout') }));

    await expect(runCanary(config, {}, dependencies(aws))).rejects.toThrow(
      /10\.1\.0\.0\/16 .* differs from 10\.0\.0\.0\/16/,
    );
    expect(aws.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('launches nothing when EC2 refuses the read', async () => {
    const config = testConfig();
    aws = new FakeAws(() => ({ result: probeResult('198.51.100.25', 'timeout') }));
    const denied = new Error('You are not authorized to perform this operation.');
    denied.name = 'UnauthorizedOperation';
    aws.ec2Mock.on(DescribeVpcsCommand).rejects(denied);

    await expect(runCanary(config, {}, dependencies(aws))).rejects.toThrow(
      /DescribeVpcs\(vpc-0123456789abcdef0\) failed: UnauthorizedOperation/,
    );
    expect(aws.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });
});
