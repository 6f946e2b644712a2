import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCanaryConfig } from '../../functions/shared/config.js';
import { resolveFleet } from '../../functions/shared/fleet.js';
import { addFleetStacks, type FleetStacks } from '../../infra/fleet-app.js';
import { EXISTING_VPC_CONFIG } from './fixtures.js';
import { Workspace } from './synthesize.js';

type Json = Record<string, unknown>;

const MONITORING = { account: '111122223333', region: 'eu-west-1' };
const ACCOUNT_A = '444455556666';
const EU_SINK = `arn:aws:oam:eu-west-1:${MONITORING.account}:sink/aaaaaaaa-1111-2222-3333-444444444444`;
const US_SINK = `arn:aws:oam:us-east-1:${MONITORING.account}:sink/bbbbbbbb-1111-2222-3333-444444444444`;

const vantage = (name: string, account: string, region: string, vpc: string) => ({
  name,
  account,
  region,
  vpcPrimaryCidr: `10.${vpc}.0.0/16`,
  network: { vpcId: `vpc-0000000000000000${vpc}`, subnets: [`subnet-0000000000000000${vpc}`] },
});

/** A vantage of another account in each of two regions, and two vantages in the monitoring account's own region. */
function fleetConfig(canaryName: string, existingSinks?: Record<string, string>) {
  return {
    ...EXISTING_VPC_CONFIG,
    canaryName,
    monitoring: { ...MONITORING, ...(existingSinks === undefined ? {} : { existingSinks }) },
    vantages: [
      vantage('a-eu', ACCOUNT_A, 'eu-west-1', '1'),
      vantage('a-us', ACCOUNT_A, 'us-east-1', '2'),
      vantage('home-1', MONITORING.account, 'eu-west-1', '3'),
      vantage('home-2', MONITORING.account, 'eu-west-1', '4'),
    ],
  };
}

let workspace: Workspace;
function synthesizeFleets(...configs: Json[]): FleetStacks[] {
  const app = new App({ outdir: mkdtempSync(join(workspace.directory, 'cdk.out-')) });
  const fleets = configs.map((config, index) =>
    addFleetStacks(app, {
      fleet: resolveFleet(config, parseCanaryConfig(config)),
      buildDirectory: workspace.buildDirectory,
      configDirectory: join(workspace.directory, `vantages-${index}`),
    }),
  );
  app.synth();
  return fleets;
}

const allStacks = (fleet: FleetStacks): Stack[] => [
  ...fleet.vantages.values(),
  ...fleet.sinks.values(),
  ...(fleet.monitoring === undefined ? [] : [fleet.monitoring]),
];
const resources = (stack: Stack, type: string) =>
  Object.values(Template.fromStack(stack).findResources(type)) as { Properties: Json }[];

/** Properties that name a resource in its account and region, which AWS requires to be unique there. */
const NAME_PROPERTIES = [
  'RoleName',
  'FunctionName',
  'EventBusName',
  'DashboardName',
  'AlarmName',
  'Family',
  'Name',
  'TopicName',
  'LogGroupName',
  'ClusterName',
  'RepositoryName',
];

/** Every fixed physical name of a stack, as `<account> <region> <type> <name>`; the stack's own name included. */
function physicalNames(stack: Stack): string[] {
  const where = `${stack.account} ${stack.region}`;
  const template = Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties?: Json }>;
  };
  const names = [`${where} AWS::CloudFormation::Stack ${stack.stackName}`];
  for (const resource of Object.values(template.Resources)) {
    for (const key of NAME_PROPERTIES) {
      // A reference names another resource of the stack; only a literal is a fixed name.
      const value = stack.resolve(resource.Properties?.[key]);
      if (typeof value === 'string') names.push(`${where} ${resource.Type} ${value}`);
    }
  }
  return names;
}

const duplicates = (names: readonly string[]) => names.filter((name, index) => names.indexOf(name) !== index);

beforeAll(() => {
  workspace = new Workspace();
});
afterAll(() => {
  workspace.remove();
});

describe('fleet OAM sinks', () => {
  it('makes no sink where the config names one, and links that region to it', () => {
    const [fleet] = synthesizeFleets(fleetConfig('mail', { 'eu-west-1': EU_SINK })) as [FleetStacks];
    const euStack = fleet.vantages.get('a-eu') as Stack;
    const [euLink] = resources(euStack, 'AWS::Oam::Link');
    const usLink = resources(fleet.vantages.get('a-us') as Stack, 'AWS::Oam::Link')[0];

    expect([...fleet.sinks.keys()]).toEqual(['us-east-1']);
    expect(euLink?.Properties.SinkIdentifier).toBe(EU_SINK);
    expect(resources(euStack, 'Custom::AWS')).toEqual([]);
    expect(JSON.stringify(usLink?.Properties.SinkIdentifier)).toContain('Items.0.Arn');
  });

  it('needs neither sink nor sink reader when every region names its sink', () => {
    const [fleet] = synthesizeFleets(fleetConfig('mail', { 'eu-west-1': EU_SINK, 'us-east-1': US_SINK })) as [
      FleetStacks,
    ];
    const monitoring = fleet.monitoring as Stack;

    expect(fleet.sinks.size).toBe(0);
    expect(resources(monitoring, 'AWS::IAM::Role')).toEqual([]);
    expect(resources(fleet.vantages.get('a-us') as Stack, 'AWS::Oam::Link')[0]?.Properties.SinkIdentifier).toBe(
      US_SINK,
    );
  });

  it('gives two fleets watched from one monitoring account no physical name in common', () => {
    const fleets = synthesizeFleets(fleetConfig('mail'), fleetConfig('mail-2', { 'eu-west-1': EU_SINK }));
    const names = fleets.flatMap((fleet) => allStacks(fleet).flatMap(physicalNames));

    expect(names.some((name) => name.includes('sink-reader'))).toBe(true);
    expect(duplicates(names)).toEqual([]);
  });

  it('gives two vantage stacks in one account and region no physical name in common', () => {
    const [fleet] = synthesizeFleets(fleetConfig('mail')) as [FleetStacks];
    const names = ['home-1', 'home-2'].flatMap((name) => physicalNames(fleet.vantages.get(name) as Stack));

    expect(names.filter((name) => name.includes('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(4);
    expect(duplicates(names)).toEqual([]);
  });
});
