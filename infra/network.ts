import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { acknowledgeControl, CONTROL_TOWER_RULES } from './control-tower.js';
import type { EgressPort } from './probe-egress.js';
import type { CreatedNetwork, ImportedNetwork } from './stack-settings.js';

export interface CanaryNetworkProps {
  readonly network: CreatedNetwork | ImportedNetwork;
  readonly egress: readonly EgressPort[];
  /** Security groups from the config, attached to the probe task beside the probe security group. */
  readonly extraSecurityGroupIds: readonly string[];
}

/** The construct ID of CDK's stack-level provider behind `restrictDefaultSecurityGroup`. */
const RESTRICT_DEFAULT_SG_PROVIDER_ID = 'Custom::VpcRestrictDefaultSGCustomResourceProvider';

/** Where probe tasks run: the VPC, its subnets and the security groups, created or imported without lookups. */
export class CanaryNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: readonly ec2.ISubnet[];
  readonly probeSecurityGroup: ec2.SecurityGroup;
  readonly securityGroups: readonly ec2.ISecurityGroup[];

  constructor(scope: Construct, id: string, props: CanaryNetworkProps) {
    super(scope, id);
    if (props.network.kind === 'create') {
      const vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr(props.network.cidr),
        // Named AZs where Fargate runs (it is not offered in every AZ of some regions), else the region's first.
        ...(props.network.availabilityZones === undefined
          ? { maxAzs: props.network.maxAzs }
          : { availabilityZones: [...props.network.availabilityZones] }),
        // Probes get a public IP instead: a NAT gateway would cost more than the whole canary.
        natGateways: 0,
        subnetConfiguration: [{ name: 'probe', subnetType: ec2.SubnetType.PUBLIC }],
        // Nothing uses the default security group; strip its rules (a deploy-time custom resource), as CIS EC2.2 asks.
        restrictDefaultSecurityGroup: true,
      });
      Validations.of(vpc).acknowledge({
        id: 'AwsSolutions-VPC7',
        reason:
          'The VPC carries only short probe connections whose outcomes the canary reports itself; flow logs would add cost without a reader.',
      });
      acknowledgeControl(
        vpc,
        CONTROL_TOWER_RULES.subnetPublicIp,
        'Probe tasks need a public IP to reach the internet without a NAT gateway, which would cost more than the whole canary; the probe security group admits no ingress.',
      );
      const provider = Stack.of(this).node.tryFindChild(RESTRICT_DEFAULT_SG_PROVIDER_ID);
      if (provider !== undefined) {
        acknowledgeControl(
          provider,
          CONTROL_TOWER_RULES.lambdaInVpc,
          "CDK's provider that strips the default security group's rules calls EC2 at deploy time only and reaches no VPC resource.",
        );
      }
      this.vpc = vpc;
      this.subnets = vpc.publicSubnets;
    } else {
      // Subnets are imported by ID below; the VPC itself is needed only for its ID.
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: props.network.vpcId,
        availabilityZones: Stack.of(this).availabilityZones,
      });
      this.subnets = props.network.subnetIds.map((subnetId) => {
        const subnet = ec2.Subnet.fromSubnetId(this, subnetId, subnetId);
        Validations.of(subnet).acknowledge({
          id: '@aws-cdk/aws-ec2:noSubnetRouteTableId',
          reason: 'Probe tasks are only placed in these subnets; the stack never touches their route tables.',
        });
        return subnet;
      });
    }

    this.probeSecurityGroup = new ec2.SecurityGroup(this, 'ProbeSecurityGroup', {
      vpc: this.vpc,
      description: 'port25-canary probe: no ingress; egress only to target and control ports, DNS and HTTPS',
      allowAllOutbound: false,
      allowAllIpv6Outbound: false,
    });
    for (const rule of props.egress) {
      const port = rule.protocol === 'tcp' ? ec2.Port.tcp(rule.port) : ec2.Port.udp(rule.port);
      const description = `${rule.purposes.join(', ')} (${rule.protocol} ${rule.port})`;
      this.probeSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), port, description);
      if (rule.ipv6) this.probeSecurityGroup.addEgressRule(ec2.Peer.anyIpv6(), port, description);
    }

    const extras = props.extraSecurityGroupIds.map((securityGroupId) =>
      ec2.SecurityGroup.fromSecurityGroupId(this, securityGroupId, securityGroupId, { mutable: false }),
    );
    this.securityGroups = [this.probeSecurityGroup, ...extras];
  }
}
