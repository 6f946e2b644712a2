import { Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as oam from 'aws-cdk-lib/aws-oam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { canaryAwsNames } from '../functions/shared/aws-names.js';
import type { ResolvedVantage } from '../functions/shared/fleet.js';
import { RUN_EVENT_DETAIL_TYPE, RUN_EVENT_SOURCE } from '../functions/shared/run-event.js';
import { acknowledgeControl, CONTROL_TOWER_RULES } from './control-tower.js';
import { fleetBusArn, sinkReaderRoleArn } from './fleet-names.js';
import { SHARED_RESOURCE_TYPES } from './fleet-sink-stack.js';

/** The construct ID CDK gives the one Lambda behind every AwsCustomResource of a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/** What CloudWatch puts on the default bus when an alarm changes state. */
export const ALARM_STATE_CHANGE = { source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change' } as const;

export interface FleetForwardingProps {
  readonly canaryName: string;
  readonly vantage: ResolvedVantage;
  readonly monitoring: { readonly account: string; readonly region: string };
  /** The sink of the vantage's region named in the config (monitoring.existingSinks); else it is looked up. */
  readonly existingSinkArn?: string | undefined;
}

/**
 * A vantage's side of the fleet: its run events and alarm changes go to the fleet bus, and (in an account other than
 * the monitoring account) its metrics are linked to the monitoring account's sink of its region.
 */
export class FleetForwarding extends Construct {
  readonly link: oam.CfnLink | undefined;

  constructor(scope: Construct, id: string, props: FleetForwardingProps) {
    super(scope, id);
    const { canaryName, vantage, monitoring } = props;
    const bus = events.EventBus.fromEventBusArn(this, 'FleetBus', fleetBusArn(canaryName, monitoring));
    // One role for both rules; the target adds events:PutEvents on the fleet bus and nothing else.
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `port25-canary ${vantage.config.canaryName}: forwards run events and alarm changes to the fleet bus`,
    });
    new events.Rule(this, 'RunEvents', {
      description: `port25-canary ${vantage.config.canaryName}: run events to the fleet bus`,
      eventPattern: {
        source: [RUN_EVENT_SOURCE],
        detailType: [RUN_EVENT_DETAIL_TYPE],
        detail: { canary: [vantage.config.canaryName] },
      },
      targets: [new targets.EventBus(bus, { role })],
    });
    new events.Rule(this, 'AlarmChanges', {
      description: `port25-canary ${vantage.config.canaryName}: alarm state changes to the fleet bus`,
      eventPattern: {
        source: [ALARM_STATE_CHANGE.source],
        detailType: [ALARM_STATE_CHANGE.detailType],
        detail: { alarmName: events.Match.prefix(canaryAwsNames(vantage.config.canaryName).alarmNamePrefix) },
      },
      targets: [new targets.EventBus(bus, { role })],
    });
    this.link = vantage.settings.account === monitoring.account ? undefined : this.metricLink(props);
  }

  private metricLink(props: FleetForwardingProps): oam.CfnLink {
    return new oam.CfnLink(this, 'MetricLink', {
      labelTemplate: '$AccountName',
      resourceTypes: SHARED_RESOURCE_TYPES,
      sinkIdentifier: props.existingSinkArn ?? this.sinkArnLookup(props),
      linkConfiguration: {
        metricConfiguration: { filter: `Namespace IN ('${props.vantage.config.metricNamespace}')` },
      },
    });
  }

  private sinkArnLookup({ vantage, monitoring, canaryName }: FleetForwardingProps): string {
    const region = vantage.settings.region;
    const readerRoleArn = sinkReaderRoleArn(monitoring.account, canaryName);
    // The sink's ARN holds an ID OAM generates; read it in the monitoring account (one sink per account and region).
    const sinkLookup = new cr.AwsCustomResource(this, 'SinkArn', {
      onUpdate: {
        service: 'OAM',
        action: 'ListSinks',
        parameters: {},
        region,
        assumedRoleArn: readerRoleArn,
        physicalResourceId: cr.PhysicalResourceId.of(
          `${vantage.config.canaryName}-${monitoring.account}-${region}-sink`,
        ),
        outputPaths: ['Items.0.Arn'],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [readerRoleArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    const provider = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    if (provider !== undefined) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's AwsCustomResource provider writes its own logs with the basic execution role; it only lists sinks.",
      });
      acknowledgeControl(
        provider,
        CONTROL_TOWER_RULES.lambdaInVpc,
        "CDK's AwsCustomResource provider calls OAM ListSinks through STS at deploy time only and reaches no VPC resource.",
      );
    }
    return sinkLookup.getResponseField('Items.0.Arn');
  }
}
