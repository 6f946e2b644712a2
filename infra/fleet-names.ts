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
 * One per monitoring account: the account has one sink per region, so there is one fleet to serve.
 */
export const SINK_READER_ROLE_NAME = 'port25-canary-fleet-sink-reader';

export function sinkReaderRoleArn(monitoringAccount: string): string {
  return `arn:${Aws.PARTITION}:iam::${monitoringAccount}:role/${SINK_READER_ROLE_NAME}`;
}

export function fleetStackName(canaryName: string): string {
  return `port25-canary-${canaryName.replace(/[^A-Za-z0-9-]/g, '-')}-fleet`;
}

export function fleetSinkStackName(canaryName: string, region: string): string {
  return `${fleetStackName(canaryName)}-sink-${region}`;
}
