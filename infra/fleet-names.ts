import { createHash } from 'node:crypto';
import { Aws } from 'aws-cdk-lib';

/**
 * Names the fleet's stacks agree on without references: CloudFormation cannot reference across accounts or regions,
 * so each side builds the other's ARN from these.
 */

/** The bus in the monitoring account that receives every vantage's run events and alarm state changes. */
export function fleetBusName(canaryName: string): string {
  return `port25-canary-${canaryName.replace(/[^A-Za-z0-9._-]/g, '-')}-fleet`;
}

export function fleetBusArn(canaryName: string, monitoring: { account: string; region: string }): string {
  return `arn:${Aws.PARTITION}:events:${monitoring.region}:${monitoring.account}:event-bus/${fleetBusName(canaryName)}`;
}

/** OAM allows one sink per account and region; the name is for people, the ARN carries a generated ID. */
export function fleetSinkName(canaryName: string): string {
  return `port25-canary-${canaryName.replace(/[^A-Za-z0-9._-]/g, '-')}`;
}

/**
 * The role in the monitoring account that vantage accounts assume to read their region's sink ARN (oam:ListSinks).
 * One per fleet: two fleets watched from one monitoring account each have their own (IAM role names are unique per
 * account). IAM allows 64 characters, so the canary name is cut and a hash of the whole name keeps it unique.
 */
export function sinkReaderRoleName(canaryName: string): string {
  const hash = createHash('sha256').update(canaryName).digest('hex').slice(0, 8);
  return `port25-canary-${canaryName.slice(0, 24)}-${hash}-sink-reader`;
}

export function sinkReaderRoleArn(monitoringAccount: string, canaryName: string): string {
  return `arn:${Aws.PARTITION}:iam::${monitoringAccount}:role/${sinkReaderRoleName(canaryName)}`;
}

export function fleetStackName(canaryName: string): string {
  return `port25-canary-${canaryName.replace(/[^A-Za-z0-9-]/g, '-')}-fleet`;
}

export function fleetSinkStackName(canaryName: string, region: string): string {
  return `${fleetStackName(canaryName)}-sink-${region}`;
}
