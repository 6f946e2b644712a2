import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryReport } from '../../functions/shared/report.js';
import { type LocalAws, startLocalAws } from '../../lab/local-aws/server.js';
import { type LabDeployment, localDeployment, synthesizeStack } from '../../lab/local-deployment.js';
import { cleanEnvironment, type ProcessResult, runProcess } from '../../lab/process.js';
import { labVpcSpec } from '../../lab/topology.js';
import { CLI_PATH } from '../helpers/exec.js';
import { probeResult } from '../orchestrator/fakes.js';

/**
 * `port25-canary run --stack` against the lab's local AWS endpoint serving the synthesized stack: the CLI, as a process
 * with only the endpoint's AWS_ENDPOINT_URL_* and no network settings in its config, reads the stack's outputs with
 * CloudFormation DescribeStacks and launches into the cluster, task definition and log group the stack created. The
 * probe containers print a canned result (no traffic at all), so this runs without root; test/lab/run-command.test.ts
 * runs the real probe behind the throttle.
 */

const PROJECT_DIRECTORY = resolve(import.meta.dirname, '../..');
const REGION = 'eu-west-1';
const ACCOUNT_ID = '111122223333';
const TARGETS = [
  { name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' },
  { name: 'internet-mx-2', host: '198.51.100.26', expect: 'blocked' },
];

let work: string;
let deployment: LabDeployment;
let endpoint: LocalAws;
let cli: ProcessResult;

/** A probe container that prints the probe's --json line for a silent drop of its target and exits as the probe does. */
function cannedProbe(command: readonly string[]) {
  const target = command.at(-1) ?? '';
  const host = target.replace(/:\d+$/, '');
  const line = `${JSON.stringify(probeResult(host, 'timeout'))}\n`;
  return spawn(process.execPath, ['-e', `process.stdout.write(${JSON.stringify(line)}, () => process.exit(10))`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnvironment(),
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'p25stack-'));
  const configFile = join(work, 'canary.config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      canaryName: 'p25stack',
      metricNamespace: 'Port25Canary/RunStackTest',
      vpcPrimaryCidr: '10.42.0.0/16',
      probe: { timeoutMs: 1500, attempts: 1 },
      targets: TARGETS,
      deployment: { createVpc: { cidr: '10.42.0.0/16', maxAzs: 1 }, notifyEmails: [], logRetentionDays: 1 },
    }),
  );
  const stack = await synthesizeStack({
    projectDirectory: PROJECT_DIRECTORY,
    configFile,
    outputDirectory: join(work, 'cdk.out'),
  });
  deployment = localDeployment(stack, { region: REGION, accountId: ACCOUNT_ID });
  const { probeTask } = deployment;
  endpoint = await startLocalAws({
    region: REGION,
    accountId: ACCOUNT_ID,
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
    taskStartDelayMs: () => 50,
    taskStopDelayMs: 20,
    stacks: [{ stackName: stack.stackName, outputs: deployment.stackOutputs }],
    // The run reads the VPC of the subnets the stack outputs from EC2, as the deployed function does.
    vpcs:
      deployment.vpc === undefined
        ? []
        : [labVpcSpec(deployment.vpc.vpcId, deployment.vpc.subnets, deployment.vpc.primaryCidr)],
  });
  cli = await runProcess(
    process.execPath,
    [CLI_PATH, 'run', '--stack', stack.stackName, '--config', configFile, '--json'],
    {
      env: cleanEnvironment(endpoint.environment()),
    },
  );
}, 240_000);

afterAll(async () => {
  await endpoint?.close();
  await rm(work, { recursive: true, force: true });
});

describe('port25-canary run --stack against the lab endpoint', () => {
  it('judges every target from the tasks it launched and exits 0', () => {
    const report = JSON.parse(cli.stdout) as CanaryReport;

    expect({ exitCode: cli.exitCode, summary: report.summary }).toEqual({
      exitCode: 0,
      summary: { pass: 2, fail: 0, inconclusive: 0 },
    });
    expect(report.results.map(({ target, outcome }) => [target, outcome])).toEqual([
      ['internet-mx', 'timeout'],
      ['internet-mx-2', 'timeout'],
    ]);
  });

  it('reads the stack once and launches into the cluster the stack outputs, with progress on stderr', () => {
    const outputs = Object.fromEntries(deployment.stackOutputs.map((output) => [output.key, output.value]));

    expect(endpoint.callCounts().DescribeStacks).toBe(1);
    expect(outputs.ProbeCluster).toBe(
      `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${deployment.probeTask.clusterName}`,
    );
    expect(endpoint.ecs.taskSummaries().map((task) => task.taskArn.split('/')[1])).toEqual(
      TARGETS.map(() => deployment.probeTask.clusterName),
    );
    expect(cli.stderr).toMatch(/internet-mx: probe task \S+ launched/);
    expect(cli.stderr).toMatch(/internet-mx-2: result read: timeout/);
  });
});
