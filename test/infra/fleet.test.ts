import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCanaryConfig } from '../../functions/shared/config.js';
import { resolveFleet } from '../../functions/shared/fleet.js';
import { addFleetStacks, type FleetStacks } from '../../infra/fleet-app.js';
import { EXISTING_VPC_CONFIG } from './fixtures.js';
import { synthesizeCanary, Workspace } from './synthesize.js';

type Json = Record<string, unknown>;

const MONITORING = { account: '111122223333', region: 'eu-west-1' };
const ACCOUNT_A = '444455556666';
const ACCOUNT_B = '777788889999';

const vantage = (name: string, account: string, region: string, vpc: string) => ({
  name,
  account,
  region,
  vpcPrimaryCidr: `10.${vpc}.0.0/16`,
  network: { vpcId: `vpc-0000000000000000${vpc}`, subnets: [`subnet-0000000000000000${vpc}`] },
});

/** Two accounts by two regions, plus one vantage in the monitoring account itself. */
const FLEET_CONFIG = {
  ...EXISTING_VPC_CONFIG,
  monitoring: MONITORING,
  vantages: [
    vantage('a-eu', ACCOUNT_A, 'eu-west-1', '1'),
    vantage('a-us', ACCOUNT_A, 'us-east-1', '2'),
    vantage('b-eu', ACCOUNT_B, 'eu-west-1', '3'),
    { ...vantage('b-us', ACCOUNT_B, 'us-east-1', '4'), targets: ['internet-mx'] },
    vantage('home', MONITORING.account, 'eu-west-1', '5'),
  ],
};

let workspace: Workspace;
let stacks: FleetStacks;
let app: App;
beforeAll(() => {
  workspace = new Workspace();
  app = new App({ outdir: mkdtempSync(join(workspace.directory, 'cdk.out-')) });
  stacks = addFleetStacks(app, {
    fleet: resolveFleet(FLEET_CONFIG, parseCanaryConfig(FLEET_CONFIG)),
    buildDirectory: workspace.buildDirectory,
    configDirectory: join(workspace.directory, 'vantages'),
  });
  app.synth();
});
afterAll(() => {
  workspace.remove();
});

const vantageStack = (name: string) => stacks.vantages.get(name) as Stack;
const resources = (stack: Stack, type: string) =>
  Object.values(Template.fromStack(stack).findResources(type)) as { Properties: Json }[];

/** A string property with its CloudFormation tokens replaced by TOKEN. */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
}

function nagFindings(stack: Stack): string[] {
  return new AwsSolutionsChecks()
    .validateScope(stack)
    .violations.map(
      (violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath)}`,
    );
}

describe('fleet stacks', () => {
  it('builds one canary stack per vantage in its own account and region', () => {
    const environments = [...stacks.vantages.entries()].map(([name, stack]) => [name, stack.account, stack.region]);

    expect(environments).toEqual([
      ['a-eu', ACCOUNT_A, 'eu-west-1'],
      ['a-us', ACCOUNT_A, 'us-east-1'],
      ['b-eu', ACCOUNT_B, 'eu-west-1'],
      ['b-us', ACCOUNT_B, 'us-east-1'],
      ['home', MONITORING.account, 'eu-west-1'],
    ]);
    expect(stacks.monitoring?.account).toBe(MONITORING.account);
    expect(stacks.monitoring?.region).toBe(MONITORING.region);
  });

  it("names each vantage's function so invoke --fleet can find it", () => {
    const [fn] = resources(vantageStack('b-us'), 'AWS::Lambda::Function').filter(
      (resource) => resource.Properties.FunctionName !== undefined,
    );

    expect(fn?.Properties.FunctionName).toBe('port25-canary-mail-egress-b-us');
  });

  it("alarms in each vantage stack on that vantage's targets only", () => {
    const names = resources(vantageStack('b-us'), 'AWS::CloudWatch::Alarm').map(
      (alarm) => alarm.Properties.AlarmName as string,
    );

    expect(names.filter((name) => name.includes('expectation not met'))).toEqual([
      'port25-canary mail-egress-b-us internet-mx expectation not met',
    ]);
  });

  it('puts a sink in the monitoring account in each region with a vantage of another account', () => {
    const sinkEnvironments = [...stacks.sinks.values()].map((stack) => [stack.account, stack.region]);

    expect(sinkEnvironments).toEqual([
      [MONITORING.account, 'eu-west-1'],
      [MONITORING.account, 'us-east-1'],
    ]);
  });

  it('lets exactly the vantage accounts link to each sink, for metrics only', () => {
    for (const sinkStack of stacks.sinks.values()) {
      const [sink] = resources(sinkStack, 'AWS::Oam::Sink');
      const policy = sink?.Properties.Policy as { Statement: Json[] };
      const [statement] = policy.Statement;

      expect(statement?.Principal).toEqual({ AWS: [ACCOUNT_A, ACCOUNT_B] });
      expect(statement?.Action).toEqual(['oam:CreateLink', 'oam:UpdateLink']);
      expect(statement?.Condition).toEqual({
        'ForAllValues:StringEquals': { 'oam:ResourceTypes': ['AWS::CloudWatch::Metric'] },
      });
    }
  });

  it("links each other-account vantage's metrics to the sink of its own region", () => {
    for (const name of ['a-eu', 'a-us', 'b-eu', 'b-us']) {
      const stack = vantageStack(name);
      const template = Template.fromStack(stack);
      const [lookup] = Object.values(template.findResources('Custom::AWS')) as { Properties: Json }[];
      const create = joined(lookup?.Properties.Update);
      const [link] = resources(stack, 'AWS::Oam::Link');

      expect(create).toContain(`"region":"${stack.region}"`);
      expect(create).toMatch(
        new RegExp(`:iam::${MONITORING.account}:role/port25-canary-mail-egress-[0-9a-f]{8}-sink-reader"`),
      );
      expect(create).toContain('"action":"ListSinks"');
      expect(link?.Properties.ResourceTypes).toEqual(['AWS::CloudWatch::Metric']);
      expect(JSON.stringify(link?.Properties.SinkIdentifier)).toContain('Items.0.Arn');
    }
  });

  it('needs no link for a vantage in the monitoring account', () => {
    expect(resources(vantageStack('home'), 'AWS::Oam::Link')).toEqual([]);
  });

  it('lets exactly the other vantage accounts put events on the fleet bus', () => {
    const monitoring = stacks.monitoring as Stack;
    const [policy] = resources(monitoring, 'AWS::Events::EventBusPolicy');
    const statement = policy?.Properties.Statement as Json;
    const principals = JSON.stringify(statement.Principal);

    expect(statement.Action).toBe('events:PutEvents');
    expect(principals.match(/\d{12}/g)).toEqual([ACCOUNT_A, ACCOUNT_B]);
  });

  it("forwards each vantage's run events and alarm changes to the fleet bus in the monitoring region", () => {
    const stack = vantageStack('a-us');
    const rules = resources(stack, 'AWS::Events::Rule').filter((rule) =>
      (rule.Properties.Targets as Json[] | undefined)?.some((target) => target.RoleArn !== undefined),
    );
    const targetArns = rules.map((rule) => JSON.stringify(stack.resolve((rule.Properties.Targets as Json[])[0]?.Arn)));
    const patterns = rules.map((rule) => rule.Properties.EventPattern as Json);

    expect(targetArns).toHaveLength(2);
    for (const arn of targetArns) {
      expect(arn).toContain(`:events:eu-west-1:${MONITORING.account}:event-bus/port25-canary-mail-egress-fleet`);
    }
    expect(patterns).toContainEqual({
      source: ['port25-canary'],
      'detail-type': ['Port25 Canary Run'],
      detail: { canary: ['mail-egress-a-us'] },
    });
    expect(patterns).toContainEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: [{ prefix: 'port25-canary mail-egress-a-us ' }] },
    });
  });

  it('sends every event on the fleet bus to one fleet topic', () => {
    const monitoring = stacks.monitoring as Stack;
    const rules = resources(monitoring, 'AWS::Events::Rule');

    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.EventPattern).toEqual({ source: ['port25-canary', 'aws.cloudwatch'] });
    expect(resources(monitoring, 'AWS::SNS::Topic')).toHaveLength(1);
  });

  it("draws one dashboard row per vantage, its targets' ExpectationMet by one search and its RestrictionInEffect, in its account and region", () => {
    const monitoring = stacks.monitoring as Stack;
    const [dashboard] = resources(monitoring, 'AWS::CloudWatch::Dashboard');
    const widgets = (
      JSON.parse(joined(dashboard?.Properties.DashboardBody)) as { widgets: { type: string; properties: Json }[] }
    ).widgets.filter((widget) => widget.type === 'metric');
    const bUs = widgets.find((widget) => (widget.properties.title as string).startsWith('b-us'));
    const [search, restriction] = (bUs?.properties.metrics ?? []) as unknown[][];

    expect(widgets).toHaveLength(5);
    expect(search).toEqual([
      {
        expression: `SEARCH('{"Port25Canary/Test",Canary,Target} MetricName="ExpectationMet" Canary="mail-egress-b-us"', 'Minimum', 900)`,
        label: expect.stringContaining("PROP('Dim.Target')"),
        period: 900,
        accountId: ACCOUNT_B,
        region: 'us-east-1',
      },
    ]);
    expect(restriction?.[1]).toBe('RestrictionInEffect');
    expect(restriction?.at(-1)).toMatchObject({ accountId: ACCOUNT_B, region: 'us-east-1' });
    expect(restriction).toEqual(expect.arrayContaining(['Canary', 'mail-egress-b-us']));
  });

  it("gives a vantage's orchestrator exactly the permissions of a single canary's", () => {
    const single = synthesizeCanary(workspace, { ...EXISTING_VPC_CONFIG, canaryName: 'mail-egress-a-eu' });
    const sids = (stack: Stack, roleOf: (stack: Stack) => unknown) => {
      const template = Template.fromStack(stack);
      const roleId = stack.getLogicalId((roleOf(stack) as { node: { defaultChild: never } }).node.defaultChild);
      return Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
        .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement)
        .map((statement) => [statement.Sid, statement.Action]);
    };
    const orchestratorRole = (stack: Stack) =>
      (stack as unknown as { orchestrator: { function: { role: unknown } } }).orchestrator.function.role;

    expect(sids(vantageStack('a-eu'), orchestratorRole)).toEqual(sids(single.stack, orchestratorRole));
  });

  it('synthesizes every stack offline: no lookups, no errors', () => {
    const all = [...stacks.vantages.values(), ...stacks.sinks.values(), stacks.monitoring as Stack];
    const errors = all.flatMap((stack) => Annotations.fromStack(stack).findError('*', Match.anyValue()));

    expect(errors).toEqual([]);
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  it('passes the AwsSolutions checks in every stack', () => {
    const all = [...stacks.vantages.values(), ...stacks.sinks.values(), stacks.monitoring as Stack];

    expect(all.flatMap(nagFindings)).toEqual([]);
  });
});
