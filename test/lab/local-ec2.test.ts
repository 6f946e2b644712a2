import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsCallError } from '../../functions/orchestrator/errors.js';
import { readVpcCidrs } from '../../functions/orchestrator/vpc-cidrs.js';
import { LOCAL_CREDENTIALS, type LocalAws, startLocalAws } from '../../lab/local-aws/server.js';

/**
 * The local endpoint's EC2 query protocol (DescribeSubnets, DescribeVpcs), tested with the real SDK v3 EC2 client:
 * form-encoded requests in, EC2's XML and error documents out. Loopback only; no task is launched.
 */

const VPC = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  primaryCidr: '10.42.0.0/16',
  secondaryCidrs: ['198.18.42.0/24'],
  ipv6Cidrs: ['2001:db8:42::/56'],
  subnets: [
    { subnetId: 'subnet-0123456789abcdef0', cidrBlock: '10.42.0.0/24', availabilityZone: 'us-east-1a' },
    { subnetId: 'subnet-0fedcba9876543210', cidrBlock: '10.42.1.0/24', availabilityZone: 'us-east-1b' },
  ],
};
const OTHER_VPC = {
  vpcId: 'vpc-0ffffffffffffff00',
  primaryCidr: '10.7.0.0/16',
  secondaryCidrs: [],
  ipv6Cidrs: [],
  subnets: [{ subnetId: 'subnet-0aaaaaaaaaaaaaaa0', cidrBlock: '10.7.0.0/24', availabilityZone: 'us-east-1a' }],
};

let endpoint: LocalAws;
let ec2: EC2Client;

beforeAll(async () => {
  endpoint = await startLocalAws({
    clusterName: 'p25lab-ec2-test',
    taskDefinition: { family: 'p25lab-probe', revision: 1, containerName: 'probe', defaultCommand: [] },
    logGroup: '/p25lab/ec2-test/probe',
    logStreamPrefix: 'probe',
    launchContainer: () => {
      throw new Error('this test launches no task');
    },
    vpcs: [VPC, OTHER_VPC],
  });
  ec2 = new EC2Client({
    region: endpoint.region,
    endpoint: endpoint.url,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  ec2?.destroy();
  await endpoint?.close();
});

async function failureOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to fail');
  return error;
}

describe('local EC2 (query protocol)', () => {
  it('describes the subnets asked for by SubnetId.N, with their VPC', async () => {
    const answer = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0fedcba9876543210'] }));

    expect(answer.Subnets).toEqual([
      expect.objectContaining({
        SubnetId: 'subnet-0fedcba9876543210',
        VpcId: VPC.vpcId,
        CidrBlock: '10.42.1.0/24',
        State: 'available',
        AvailabilityZone: 'us-east-1b',
        MapPublicIpOnLaunch: true,
        AvailableIpAddressCount: 251,
      }),
    ]);
    expect(answer.$metadata.requestId).toMatch(/^p25lab-/);
  });

  it('describes a VPC with its primary, secondary and IPv6 blocks', async () => {
    const answer = await ec2.send(new DescribeVpcsCommand({ VpcIds: [VPC.vpcId] }));

    expect(answer.Vpcs).toHaveLength(1);
    expect(answer.Vpcs?.[0]).toMatchObject({
      VpcId: VPC.vpcId,
      CidrBlock: '10.42.0.0/16',
      State: 'available',
      IsDefault: false,
      CidrBlockAssociationSet: [
        { CidrBlock: '10.42.0.0/16', CidrBlockState: { State: 'associated' } },
        { CidrBlock: '198.18.42.0/24', CidrBlockState: { State: 'associated' } },
      ],
      Ipv6CidrBlockAssociationSet: [
        {
          Ipv6CidrBlock: '2001:db8:42::/56',
          Ipv6CidrBlockState: { State: 'associated' },
          NetworkBorderGroup: 'us-east-1',
        },
      ],
    });
  });

  it('filters by Filter.N.Name and Filter.N.Value.M', async () => {
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [OTHER_VPC.vpcId, 'vpc-00000000'] }] }),
    );
    const vpcs = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'cidr-block-association.cidr-block', Values: ['198.18.42.0/24'] }] }),
    );

    expect(subnets.Subnets?.map((subnet) => subnet.SubnetId)).toEqual(['subnet-0aaaaaaaaaaaaaaa0']);
    expect(vpcs.Vpcs?.map((vpc) => vpc.VpcId)).toEqual([VPC.vpcId]);
  });

  it('answers an unknown subnet with InvalidSubnetID.NotFound naming it, as EC2 does', async () => {
    const error = await failureOf(
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0bbbbbbbbbbbbbbb0'] })),
    );

    expect(error.name).toBe('InvalidSubnetID.NotFound');
    expect(error.message).toBe("The subnet ID 'subnet-0bbbbbbbbbbbbbbb0' does not exist");
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('answers a malformed or unknown VPC ID with the InvalidVpcID codes', async () => {
    const malformed = await failureOf(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-nothex'] })));
    const unknown = await failureOf(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0cccccccccccccccc'] })));

    expect([malformed.name, malformed.message]).toEqual(['InvalidVpcID.Malformed', 'Invalid id: "vpc-nothex"']);
    expect([unknown.name, unknown.message]).toEqual([
      'InvalidVpcID.NotFound',
      "The vpc ID 'vpc-0cccccccccccccccc' does not exist",
    ]);
  });

  it('answers an unknown filter name with InvalidParameterValue', async () => {
    const error = await failureOf(
      ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'colour', Values: ['blue'] }] })),
    );

    expect([error.name, error.message]).toEqual(['InvalidParameterValue', "The filter 'colour' is invalid"]);
  });

  it('answers DryRun with DryRunOperation (HTTP 412)', async () => {
    const error = await failureOf(ec2.send(new DescribeVpcsCommand({ DryRun: true })));

    expect(error.name).toBe('DryRunOperation');
    expect(error.$metadata?.httpStatusCode).toBe(412);
  });

  it('answers foreign credentials with AuthFailure', async () => {
    const stranger = new EC2Client({
      region: endpoint.region,
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'AKIAOTHERCLIENT00000', secretAccessKey: 'x' },
      maxAttempts: 1,
    });

    const error = await failureOf(stranger.send(new DescribeVpcsCommand({})));
    stranger.destroy();

    expect(error.name).toBe('AuthFailure');
    expect(error.$metadata?.httpStatusCode).toBe(401);
  });

  it("serves the orchestrator's read of the VPC CIDRs, one call each", async () => {
    const before = endpoint.callCounts();

    const cidrs = await readVpcCidrs(
      ec2,
      VPC.subnets.map((subnet) => subnet.subnetId),
      { now: Date.now, sleep: async () => {} },
      Date.now() + 60_000,
    );

    expect(cidrs).toEqual({
      vpcId: VPC.vpcId,
      primaryCidr: '10.42.0.0/16',
      secondaryCidrs: ['198.18.42.0/24', '2001:db8:42::/56'],
    });
    const after = endpoint.callCounts();
    expect((after.DescribeSubnets ?? 0) - (before.DescribeSubnets ?? 0)).toBe(1);
    expect((after.DescribeVpcs ?? 0) - (before.DescribeVpcs ?? 0)).toBe(1);
  });

  it('returns an injected throttling fault as EC2 error XML, which the retry policy retries', async () => {
    endpoint.injectFault('DescribeVpcs', 'RequestLimitExceeded', 'Request limit exceeded.', 1, 503);
    const sleeps: number[] = [];

    const cidrs = await readVpcCidrs(
      ec2,
      ['subnet-0aaaaaaaaaaaaaaa0'],
      {
        now: Date.now,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
      Date.now() + 60_000,
    );

    expect(cidrs.primaryCidr).toBe('10.7.0.0/16');
    expect(sleeps).toEqual([1_000]);
  });

  it('reports an unknown subnet to the orchestrator as the failed DescribeSubnets call', async () => {
    const error = await readVpcCidrs(
      ec2,
      ['subnet-0ddddddddddddddd0'],
      { now: Date.now, sleep: async () => {} },
      Date.now() + 60_000,
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).code).toBe('InvalidSubnetID.NotFound');
  });
});
