import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmDefinitions, evaluateAlarm } from '../../lab/alarms.js';
import { executeAlarmActions } from '../../lab/deliveries.js';
import { FLEET_MONITORING, type PreparedFleet, prepareFleet } from '../../lab/fleet.js';
import { deployAssembly, routeEvent, vantageAssetProblems } from '../../lab/fleet-assembly.js';
import { LocalIam } from '../../lab/local-aws/iam.js';
import { startLocalAws } from '../../lab/local-aws/server.js';
import { LocalSns } from '../../lab/local-aws/sns.js';
import { deployLocalCloud } from '../../lab/local-cloud.js';
import {
  type CloudFormationTemplate,
  localDeployment,
  type SynthesizedStack,
  synthesizeAssembly,
  synthesizeStack,
} from '../../lab/local-deployment.js';
import { cleanEnvironment } from '../../lab/process.js';
import { labVpcSpec } from '../../lab/topology.js';
import { probeResult } from '../orchestrator/fakes.js';

/**
 * The breaks the lab must catch, each made by editing the synthesized template before the local deploy, and each
 * failing with the denial or the missing delivery named. Only what each break needs runs: the deploy, the function
 * on the local Lambda (probe containers print a canned result, so no root), or the alarm actions.
 */

const PROJECT_DIRECTORY = resolve(import.meta.dirname, '../..');
const REGION = 'us-east-1';
const ACCOUNT_ID = '000000000000';
let work: string;
let synthesized: SynthesizedStack;
let fleet: PreparedFleet;

type Statement = { Sid?: string; Action?: unknown; Principal?: unknown };
type Json = Record<string, unknown>;

function edited(edit: (template: CloudFormationTemplate) => void): SynthesizedStack {
  const template = structuredClone(synthesized.template);
  edit(template);
  return { ...synthesized, template };
}

function resourcesOf(template: CloudFormationTemplate, type: string): Json[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === type)
    .map((resource) => resource.Properties as Json);
}

function orchestratorStatements(template: CloudFormationTemplate): Statement[] {
  const policy = resourcesOf(template, 'AWS::IAM::Policy').find((properties) =>
    String(properties.PolicyName).startsWith('OrchestratorRole'),
  );
  if (policy === undefined) throw new Error('the template has no orchestrator policy');
  return (policy.PolicyDocument as { Statement: Statement[] }).Statement;
}

function withoutAction(statements: Statement[], action: string): Statement[] {
  return statements.filter((statement) => ![statement.Action].flat().includes(action));
}

function cannedProbe(command: readonly string[]) {
  const host = (command.at(-1) ?? '').replace(/:\d+$/, '');
  const line = `${JSON.stringify(probeResult(host, 'timeout'))}\n`;
  return spawn(process.execPath, ['-e', `process.stdout.write(${JSON.stringify(line)}, () => process.exit(10))`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnvironment(),
  });
}

/** Deploys the stack locally and runs its orchestrator once for one target, with the function's own credentials. */
async function runOrchestrator(stack: SynthesizedStack) {
  const deployment = localDeployment(stack, { region: REGION, accountId: ACCOUNT_ID });
  const cloud = await deployLocalCloud(deployment, PROJECT_DIRECTORY);
  const { probeTask, orchestrator } = deployment;
  const endpoint = await startLocalAws({
    region: REGION,
    accountId: ACCOUNT_ID,
    ...cloud.endpointOptions,
    clusterName: probeTask.clusterName,
    taskDefinition: {
      family: probeTask.family,
      revision: probeTask.revision,
      containerName: probeTask.containerName,
      defaultCommand: [],
    },
    logGroup: probeTask.logGroup,
    logStreamPrefix: probeTask.logStreamPrefix,
    launchContainer: ({ command }) => cannedProbe(command),
    taskStartDelayMs: () => 20,
    taskStopDelayMs: 10,
    ecsLatencyMs: { RunTask: 0, DescribeTasks: 0, StopTask: 0 },
    vpcs:
      deployment.vpc === undefined
        ? []
        : [labVpcSpec(deployment.vpc.vpcId, deployment.vpc.subnets, deployment.vpc.primaryCidr)],
  });
  try {
    const credentials = cloud.functionCredentials.get(orchestrator.functionName);
    endpoint.lambda.register({
      name: orchestrator.functionName,
      taskRoot: orchestrator.codeDirectory,
      handler: orchestrator.handler,
      environment: orchestrator.environment,
      timeoutSeconds: orchestrator.timeoutSeconds,
      ...(credentials === undefined ? {} : { credentials }),
    });
    const answer = await endpoint.lambda.handleInvoke(
      orchestrator.functionName,
      undefined,
      {},
      Buffer.from(JSON.stringify({ targets: ['server-b'] })),
    );
    return { body: answer.body, denials: cloud.iam.denials(), decisions: cloud.iam.decisions.length };
  } finally {
    await endpoint.close();
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'p25breaks-'));
  synthesized = await synthesizeStack({
    projectDirectory: PROJECT_DIRECTORY,
    configFile: resolve(PROJECT_DIRECTORY, 'lab/lab.config.json'),
    outputDirectory: join(work, 'cdk.out'),
  });
  // The fleet config the lab's fleet phase writes, and its assembly.
  fleet = await prepareFleet({
    configFile: resolve(PROJECT_DIRECTORY, 'lab/lab.config.json'),
    deployment: localDeployment(synthesized, { region: REGION, accountId: ACCOUNT_ID }),
    workDirectory: work,
    synthesize: synthesizeAssembly,
    projectDirectory: PROJECT_DIRECTORY,
  });
}, 240_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the local deploy, unbroken', () => {
  it('runs the orchestrator with every call allowed', async () => {
    const run = await runOrchestrator(synthesized);

    expect(run.denials).toEqual([]);
    expect(run.decisions).toBeGreaterThan(5);
    expect(JSON.parse(run.body)).toMatchObject({ results: [{ target: 'server-b', outcome: 'timeout' }] });
  }, 60_000);
});

describe('a break in the synthesized template', () => {
  it("names the denied iam:PassRole when the orchestrator's PassRole is removed", async () => {
    const stack = edited((template) => {
      const statements = orchestratorStatements(template);
      statements.splice(0, statements.length, ...withoutAction(statements, 'iam:PassRole'));
    });

    const run = await runOrchestrator(stack);

    expect(run.denials).toEqual([
      expect.stringMatching(
        /^User: arn:aws:sts::000000000000:assumed-role\/\S+OrchestratorRole\S+ is not authorized to perform: iam:PassRole on resource: arn:aws:iam::000000000000:role\/\S+ because no identity-based policy allows the iam:PassRole action$/,
      ),
    ]);
    expect(run.body).toContain('iam:PassRole');
  }, 60_000);

  it("names the denied ecs:RunTask when RunTask is removed from the orchestrator's policy", async () => {
    const stack = edited((template) => {
      const statements = orchestratorStatements(template);
      statements.splice(0, statements.length, ...withoutAction(statements, 'ecs:RunTask'));
    });

    const run = await runOrchestrator(stack);

    expect(run.denials).toEqual([
      expect.stringMatching(
        /is not authorized to perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:000000000000:task-definition\/p25lab-probe:1 because no identity-based policy allows the ecs:RunTask action$/,
      ),
    ]);
    expect(run.body).toContain('AccessDeniedException');
  }, 60_000);

  it("records the failed alarm action when CloudWatch's statement leaves the topic policy", async () => {
    const stack = edited((template) => {
      for (const properties of resourcesOf(template, 'AWS::SNS::TopicPolicy')) {
        const document = properties.PolicyDocument as { Statement: Statement[] };
        document.Statement = document.Statement.filter(
          (statement) => !JSON.stringify(statement.Principal ?? '').includes('cloudwatch.amazonaws.com'),
        );
      }
    });
    const deployment = localDeployment(stack, { region: REGION, accountId: ACCOUNT_ID });
    const cloud = await deployLocalCloud(deployment, PROJECT_DIRECTORY);
    // No metrics at all: every alarm on FILL(m, 0) or breaching missing data goes to ALARM.
    const evaluations = alarmDefinitions(stack.template).map((alarm) => evaluateAlarm(alarm, [], Date.now()));
    const account = { accountId: ACCOUNT_ID, region: REGION };

    const history = await executeAlarmActions(evaluations, cloud.resources.alarms, cloud.sns, account, new Date());

    const failed = history.filter((item) => item.failed);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]?.historySummary).toMatch(
      /^Failed to execute action arn:aws:sns:us-east-1:000000000000:\S+\. Received error: "Resource: arn:aws:cloudwatch:us-east-1:000000000000:alarm:port25-canary p25lab .+ is not authorized to perform: SNS:Publish on resource: arn:aws:sns:\S+"$/,
    );
    expect(cloud.sns.delivered).toEqual([]);
  });

  it('delivers the alarm notifications in SNS form when the topic policy is intact', async () => {
    const deployment = localDeployment(synthesized, { region: REGION, accountId: ACCOUNT_ID });
    const cloud = await deployLocalCloud(deployment, PROJECT_DIRECTORY);
    const evaluations = alarmDefinitions(synthesized.template).map((alarm) => evaluateAlarm(alarm, [], Date.now()));
    const account = { accountId: ACCOUNT_ID, region: REGION };

    const history = await executeAlarmActions(evaluations, cloud.resources.alarms, cloud.sns, account, new Date());

    expect(history.filter((item) => item.failed)).toEqual([]);
    // No data: the per-target alarm (FILL(m, 0)) breaches.
    const restriction = cloud.sns.delivered.find((notification) =>
      notification.subject?.includes('server-a expectation not met'),
    );
    expect(restriction?.subject).toBe(
      'ALARM: "port25-canary p25lab server-a expectation not met" in US East (N. Virginia)',
    );
    expect(restriction?.endpoint).toBe('oncall@mail.lab.invalid');
    expect(JSON.parse(restriction?.message ?? '{}')).toMatchObject({
      AlarmName: 'port25-canary p25lab server-a expectation not met',
      NewStateValue: 'ALARM',
      OldStateValue: 'INSUFFICIENT_DATA',
      Region: 'US East (N. Virginia)',
      AWSAccountId: ACCOUNT_ID,
    });
  });
});

const VANTAGES = [
  { name: 'released', canaryName: 'p25lab-released', port25Released: true },
  { name: 'throttled', canaryName: 'p25lab-throttled', port25Released: false },
].map((vantage) => ({
  ...vantage,
  functionName: `port25-canary-${vantage.canaryName}`,
  targets: ['server-a', 'server-b'],
}));

function fleetStack(suffix: string): SynthesizedStack {
  const stack = fleet.stacks.find((candidate) => candidate.stackName.endsWith(suffix));
  if (stack === undefined) throw new Error(`no stack ${suffix} in ${fleet.stacks.map((s) => s.stackName).join(', ')}`);
  return stack;
}

function editedFleet(suffix: string, edit: (template: CloudFormationTemplate) => void): SynthesizedStack[] {
  return fleet.stacks.map((stack) => {
    if (!stack.stackName.endsWith(suffix)) return stack;
    const template = structuredClone(stack.template);
    edit(template);
    return { ...stack, template };
  });
}

function orchestratorOf(template: CloudFormationTemplate) {
  return Object.values(template.Resources).find(
    (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.['aws:asset:is-bundled'] === true,
  );
}

/** A run event of the released vantage, routed from its default bus. */
async function routeReleasedRun(stacks: readonly SynthesizedStack[]) {
  const resources = deployAssembly(stacks);
  const iam = new LocalIam();
  const sns = new LocalSns(iam);
  for (const stack of resources) for (const topic of stack.topics) sns.addTopic(topic);
  const source = resources.find((stack) => stack.stackName.endsWith('-released'));
  if (source === undefined) throw new Error('no released stack');
  const event = {
    source: 'port25-canary',
    'detail-type': 'Port25 Canary Run',
    account: source.accountId,
    region: source.region,
    detail: { canary: 'p25lab-released' },
  };
  const route = await routeEvent(event, source, resources, iam, sns, []);
  return { route, delivered: sns.delivered };
}

describe("the fleet's assembly, deployed", () => {
  it('deploys every stack in its own account and Region, each vantage with its own config', async () => {
    const resources = deployAssembly(fleet.stacks);

    expect(resources.map((stack) => [stack.stackName.replace('port25-canary-p25lab', ''), stack.accountId])).toEqual(
      expect.arrayContaining([
        ['-released', '000000000000'],
        ['-throttled', '111111111111'],
        ['-fleet', FLEET_MONITORING.account],
      ]),
    );
    expect(await vantageAssetProblems(resources, VANTAGES)).toEqual([]);
  });

  it('routes a run event through the forwarding rule and bus policy to the fleet topic', async () => {
    const { route, delivered } = await routeReleasedRun(fleet.stacks);

    expect(route.failures).toEqual([]);
    expect(route.buses).toEqual([
      `arn:aws:events:${FLEET_MONITORING.region}:${FLEET_MONITORING.account}:event-bus/port25-canary-p25lab-fleet`,
    ]);
    expect(delivered.map((notification) => notification.endpoint)).toEqual(['oncall@mail.lab.invalid']);
  });

  it("names the wrong config when every vantage function is pointed at the first vantage's asset", async () => {
    const first = orchestratorOf(fleetStack('-released').template)?.Metadata?.['aws:asset:path'];
    const stacks = editedFleet('-throttled', (template) => {
      const fn = orchestratorOf(template) as { Metadata: Record<string, unknown> };
      fn.Metadata['aws:asset:path'] = first;
    });

    const problems = await vantageAssetProblems(deployAssembly(stacks), VANTAGES);

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^throttled: the function port25-canary-p25lab-throttled deploys the config of canary p25lab-released \(.+canary\.config\.json\), not its own p25lab-throttled$/,
        ),
        "throttled: its asset's config says port25Released true",
      ]),
    );
  });

  it("names the denied PutEvents when the fleet bus policy's principal is an account outside the fleet", async () => {
    const stacks = editedFleet('-fleet', (template) => {
      for (const properties of resourcesOf(template, 'AWS::Events::EventBusPolicy')) {
        const statement = properties.Statement as { Principal: unknown };
        statement.Principal = { AWS: 'arn:aws:iam::999999999999:root' };
      }
    });

    const { route, delivered } = await routeReleasedRun(stacks);

    expect(route.buses).toEqual([]);
    expect(delivered).toEqual([]);
    expect(route.failures).toEqual([
      expect.stringMatching(
        /is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:222222222222:event-bus\/port25-canary-p25lab-fleet because no resource-based policy allows the events:PutEvents action \(the rule's FailedInvocations counts 1\)$/,
      ),
    ]);
  });
});
