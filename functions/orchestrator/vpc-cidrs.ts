import { DescribeSubnetsCommand, DescribeVpcsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { ConfigError } from '../shared/errors.js';
import { canonicalCidr } from '../shared/port25-rule.js';
import { RUNTIME_ENVIRONMENT } from '../shared/runtime-environment.js';
import { type Clock, callWithRetry } from './aws-retry.js';

/** The CIDR blocks of the VPC the probe tasks run in, as EC2 reports them at run time. */
export interface VpcCidrs {
  readonly vpcId: string;
  /** The one block AWS's port-25 rule exempts. */
  readonly primaryCidr: string;
  /** Associated IPv4 secondary blocks and IPv6 blocks: never exempt as such. */
  readonly secondaryCidrs: readonly string[];
}

/** EC2 answered, but not with what a VPC of running subnets must have. */
export class VpcCidrError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VpcCidrError';
  }
}

// A block being disassociated or that failed to associate routes nothing; 'associating' will, so it counts.
const LIVE_STATES = new Set(['associated', 'associating']);

const isLive = (state: string | undefined): boolean => state === undefined || LIVE_STATES.has(state);

/**
 * Reads the VPC of the probe subnets and its CIDR blocks: one DescribeSubnets and one DescribeVpcs call, each retried
 * by the run's retry policy until `notAfter`. Failures come out as AwsCallError (naming the call and its IDs) or
 * VpcCidrError.
 */
export async function readVpcCidrs(
  ec2: EC2Client,
  subnets: readonly string[],
  clock: Clock,
  notAfter: number,
): Promise<VpcCidrs> {
  const subnetAnswer = await callWithRetry(
    `DescribeSubnets(${subnets.join(', ')})`,
    () => ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...subnets] })),
    clock,
    { notAfter },
  );
  const vpcIds = [...new Set((subnetAnswer.Subnets ?? []).map((subnet) => subnet.VpcId))];
  const [vpcId] = vpcIds;
  if (vpcIds.length !== 1 || vpcId === undefined) {
    const found = vpcIds.length === 0 ? 'no VPC' : vpcIds.map((id) => id ?? 'none').join(', ');
    throw new VpcCidrError(
      `network.subnets (${subnets.join(', ')}) must all lie in one VPC; DescribeSubnets reported ${found}`,
    );
  }
  const vpcAnswer = await callWithRetry(
    `DescribeVpcs(${vpcId})`,
    () => ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })),
    clock,
    { notAfter },
  );
  const vpc = (vpcAnswer.Vpcs ?? []).find((candidate) => candidate.VpcId === vpcId);
  const primaryCidr = vpc?.CidrBlock;
  if (vpc === undefined || primaryCidr === undefined) {
    throw new VpcCidrError(`DescribeVpcs(${vpcId}) returned no primary CIDR block for ${vpcId}`);
  }
  const ipv4 = (vpc.CidrBlockAssociationSet ?? [])
    .filter((association) => isLive(association.CidrBlockState?.State))
    .map((association) => association.CidrBlock);
  const ipv6 = (vpc.Ipv6CidrBlockAssociationSet ?? [])
    .filter((association) => isLive(association.Ipv6CidrBlockState?.State))
    .map((association) => association.Ipv6CidrBlock);
  const secondaryCidrs = [...ipv4, ...ipv6].filter(
    (cidr): cidr is string => cidr !== undefined && cidr !== primaryCidr,
  );
  return { vpcId, primaryCidr, secondaryCidrs };
}

/**
 * A configured primary CIDR must be the real one: a wrong value would silently change every `auto` expectation.
 * Throws ConfigError naming both values; nothing is launched.
 */
export function checkConfiguredPrimaryCidr(configured: string | undefined, vpc: VpcCidrs): void {
  if (configured === undefined || canonicalCidr(configured) === canonicalCidr(vpc.primaryCidr)) return;
  throw new ConfigError(
    'vpcPrimaryCidr',
    `${configured} (config file or ${RUNTIME_ENVIRONMENT.vpcPrimaryCidr}) differs from ${vpc.primaryCidr}, the primary CIDR EC2 reports for ${vpc.vpcId}, the VPC of network.subnets; correct it or remove it (the run reads the real one)`,
  );
}
