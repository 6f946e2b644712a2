import { Stack, type StackProps } from 'aws-cdk-lib';
import * as oam from 'aws-cdk-lib/aws-oam';
import type { Construct } from 'constructs';
import { fleetSinkName } from './fleet-names.js';

/** Only metrics are shared: the fleet dashboard needs nothing else. */
export const SHARED_RESOURCE_TYPES = ['AWS::CloudWatch::Metric'];

export interface FleetSinkStackProps extends StackProps {
  readonly canaryName: string;
  /** The vantage accounts in this region other than the monitoring account; the sink policy names exactly these. */
  readonly sourceAccounts: readonly string[];
}

/** An OAM sink in the monitoring account, in one region, that the region's vantage accounts link their metrics to. */
export class FleetSinkStack extends Stack {
  readonly sink: oam.CfnSink;

  constructor(scope: Construct, id: string, props: FleetSinkStackProps) {
    const { canaryName, sourceAccounts, ...stackProps } = props;
    super(scope, id, {
      description: `port25-canary ${canaryName} fleet: the CloudWatch cross-account observability sink of this region`,
      ...stackProps,
    });
    this.sink = new oam.CfnSink(this, 'Sink', {
      name: fleetSinkName(canaryName),
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: [...sourceAccounts] },
            Action: ['oam:CreateLink', 'oam:UpdateLink'],
            Resource: '*',
            Condition: { 'ForAllValues:StringEquals': { 'oam:ResourceTypes': SHARED_RESOURCE_TYPES } },
          },
        ],
      },
    });
  }
}
