import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunCommand } from '../../functions/cli/commands/run.js';
import { REPORT_TABLE_HEADERS } from '../../functions/cli/report-output.js';
import type { AwsClientOptions } from '../../functions/orchestrator/aws-clients.js';
import { UsageError } from '../../functions/shared/command-line/usage-error.js';
import { ConfigError, InputError } from '../../functions/shared/errors.js';
import { VERDICT_EXIT_CODES } from '../../functions/shared/outcomes.js';
import { capture, FakeAws, fakeClock, probeResult, type TaskScript, TEST_CONFIG_JSON, TEST_VPC } from './fakes.js';

let directory: string;
let aws: FakeAws | undefined;
let clientsCreated: number;
let clientOptions: AwsClientOptions[];
const cloudFormationMock = mockClient(CloudFormationClient);

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'port25-cli-run-'));
  await writeFile(join(directory, 'canary.config.json'), JSON.stringify(TEST_CONFIG_JSON));
  clientsCreated = 0;
  clientOptions = [];
  cloudFormationMock.reset();
});

afterEach(async () => {
  aws?.restore();
  aws = undefined;
  await rm(directory, { recursive: true, force: true });
});

function command(scriptFor: (target: string) => TaskScript = () => ({})) {
  const fake = new FakeAws(scriptFor);
  aws = fake;
  const clock = fakeClock();
  return createRunCommand({
    createClients: (options) => {
      clientsCreated += 1;
      clientOptions.push(options);
      return fake.clients;
    },
    createCloudFormationClient: (options) => {
      clientOptions.push(options);
      return new CloudFormationClient({});
    },
    now: clock.now,
    sleep: clock.sleep,
    cwd: () => directory,
  });
}

const healthy = (target: string): TaskScript =>
  target === 'relay-in-vpc'
    ? { result: probeResult('10.0.12.25', 'open') }
    : { result: probeResult('198.51.100.25', 'timeout') };

describe('port25-canary run arguments', () => {
  it.each([
    [['--attempts', '0'], /--attempts must be a whole number from 1 to 10/],
    [['--attempts', 'two'], /--attempts must be a whole number/],
    [['--targets', 'a,,b'], /--targets must be a comma-separated list/],
    [['--deadline', '10'], /--deadline must be a duration from 150s to 6h \(.*a bare number is seconds\), got "10"/],
    [['--bogus'], /^unknown option --bogus$/],
    [['internet-mx'], /unexpected argument "internet-mx" \(options only; did you mean --config internet-mx\?\)/],
    [['--stack', '1-starts-with-a-digit'], /--stack must be a CloudFormation stack name/],
    [['--stack', 'has_underscore'], /--stack must be a CloudFormation stack name/],
    [['--region', 'Europe'], /--region must be an AWS Region name such as eu-west-1, got "Europe"/],
    [['--profile', 'two words'], /--profile must be a profile name/],
    [['--quiet=yes'], /--quiet/],
    [['--no-metrics', 'x'], /unexpected argument "x"/],
  ])('rejects %j as a usage error before building any client', async (argv, message) => {
    const { io } = capture();

    await expect(command().run(argv, io)).rejects.toThrow(UsageError);
    await expect(command().run(argv, io)).rejects.toThrow(message);
    expect(clientsCreated).toBe(0);
  });

  it('names a missing config file as a config error', async () => {
    const { io } = capture();

    await expect(command().run(['--config', join(directory, 'absent.json')], io)).rejects.toThrow(ConfigError);
    expect(clientsCreated).toBe(0);
  });

  it('runs auto targets without vpcPrimaryCidr: the primary CIDR comes from EC2', async () => {
    const { vpcPrimaryCidr: _omitted, ...withoutCidr } = TEST_CONFIG_JSON;
    await writeFile(join(directory, 'canary.config.json'), JSON.stringify(withoutCidr));
    const { io, output } = capture();

    const exitCode = await command(healthy).run(['--json'], io);

    expect(exitCode).toBe(VERDICT_EXIT_CODES.allPassed);
    expect(JSON.parse(output.stdout).results[0].rule).toBe(`auto: VPC primary CIDR ${TEST_VPC.primaryCidr}`);
    expect(aws?.ec2Mock.commandCalls(DescribeSubnetsCommand)).toHaveLength(1);
  });

  it('refuses a PORT25_VPC_PRIMARY_CIDR that is not the VPC primary CIDR, naming both, before launching', async () => {
    const { io } = capture({ PORT25_VPC_PRIMARY_CIDR: '10.9.0.0/16' });
    const run = command(healthy);

    const error = await run.run([], io).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('vpcPrimaryCidr');
    expect((error as ConfigError).message).toMatch(
      /10\.9\.0\.0\/16 .*PORT25_VPC_PRIMARY_CIDR.* differs from 10\.0\.0\.0\/16/,
    );
    expect(aws?.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('reports an EC2 failure on stderr as a run not carried out, launching nothing', async () => {
    const { io, output } = capture();
    const run = command(healthy);
    const denied = new Error('You are not authorized to perform: ec2:DescribeSubnets');
    denied.name = 'UnauthorizedOperation';
    aws?.ec2Mock.on(DescribeSubnetsCommand).rejects(denied);

    const exitCode = await run.run([], io);

    expect(exitCode).toBe(VERDICT_EXIT_CODES.runNotCarriedOut);
    expect(output.stdout).toBe('');
    expect(output.stderr).toMatch(
      /DescribeSubnets\(subnet-0123456789abcdef0, subnet-0fedcba9876543210\) failed: UnauthorizedOperation/,
    );
    expect(aws?.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('rejects an unknown --targets name without launching anything', async () => {
    const { io } = capture();
    const run = command(healthy);

    await expect(run.run(['--targets', 'intranet-mx'], io)).rejects.toThrow(/unknown target "intranet-mx"/);
    expect(aws?.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });
});

describe('port25-canary run', () => {
  it('prints the report table from ./canary.config.json and exits 0 when every target passed', async () => {
    const { io, output } = capture();

    const exitCode = await command(healthy).run(['--wide'], io);

    expect(exitCode).toBe(VERDICT_EXIT_CODES.allPassed);
    const [header, ...rows] = output.stdout.split('\n');
    expect(header?.split(/\s{2,}/)).toEqual([...REPORT_TABLE_HEADERS]);
    expect(rows[0]?.split(/\s{2,}/).slice(0, 7)).toEqual([
      'relay-in-vpc',
      '10.0.12.25',
      'open',
      'open',
      'pass',
      'port 25 connected and the server greeted',
      '13',
    ]);
    expect(rows[1]?.split(/\s{2,}/).slice(0, 7)).toEqual([
      'internet-mx',
      '198.51.100.25',
      'blocked',
      'timeout',
      'pass',
      'consistent with the throttle, unproven (no control port)',
      '-',
    ]);
    expect(output.stdout).toMatch(/mail-egress run .*: 2 passed, 0 failed, 0 inconclusive/);
  });

  it('ends with the restriction and the next step', async () => {
    const { io, output } = capture();

    await command(healthy).run([], io);

    expect(output.stdout.trimEnd().split('\n').at(-1)).toBe(
      'port-25 restriction unknown: no target outside the exempt ranges showed a port-25-specific drop or connected on port 25. Next: add a port-25 target outside the exempt ranges whose control port (probe.controlPort) answers, so a run can tell',
    );
  });

  it('prints one JSON report with --json', async () => {
    const { io, output } = capture();

    await command(healthy).run(['--json'], io);

    expect(JSON.parse(output.stdout)).toMatchObject({
      canary: 'mail-egress',
      summary: { pass: 2, fail: 0, inconclusive: 0 },
    });
  });

  it('exits 1 when a target failed', async () => {
    const { io } = capture();

    const exitCode = await command(() => ({ result: probeResult('198.51.100.25', 'open') })).run(
      ['--targets', 'internet-mx'],
      io,
    );

    expect(exitCode).toBe(VERDICT_EXIT_CODES.someFailed);
  });

  it('exits 3 when nothing failed but a target was inconclusive', async () => {
    const { io } = capture();

    const exitCode = await command(() => ({ exitCode: null, stoppedReason: 'CannotPullContainerError' })).run([], io);

    expect(exitCode).toBe(VERDICT_EXIT_CODES.someInconclusive);
  });

  it('passes --targets, --attempts and --released to the run', async () => {
    const { io, output } = capture();

    await command(() => ({ result: probeResult('198.51.100.25', 'open') })).run(
      ['--targets', 'internet-mx', '--attempts', '2', '--released', '--json'],
      io,
    );

    const command0 =
      aws?.ecsMock.commandCalls(RunTaskCommand)[0]?.args[0].input.overrides?.containerOverrides?.[0]?.command;
    expect(command0).toContain('2');
    expect(JSON.parse(output.stdout)).toMatchObject({ released: true, results: [{ target: 'internet-mx' }] });
  });

  it('reads the config named by --config and applies PORT25_* overrides', async () => {
    const other = join(directory, 'other.json');
    await writeFile(other, JSON.stringify({ ...TEST_CONFIG_JSON, canaryName: 'other' }));
    const { io, output } = capture({ PORT25_CLUSTER: 'override-cluster' });

    await command(healthy).run(['--config', other, '--json'], io);

    expect(aws?.ecsMock.commandCalls(RunTaskCommand)[0]?.args[0].input.cluster).toBe('override-cluster');
    expect(JSON.parse(output.stdout)).toMatchObject({ canary: 'other' });
  });

  it('still prints the report but exits 4 (run not carried out) when the metrics cannot be published', async () => {
    const { io, output } = capture();
    const run = command(healthy);
    aws?.cloudwatchMock.on(PutMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    const exitCode = await run.run([], io);

    expect(exitCode).toBe(4);
    expect(output.stdout).toContain('2 passed');
    expect(output.stderr).toMatch(
      /metrics were not published: CloudWatch PutMetricData \(namespace Port25Canary\) failed: AccessDenied/,
    );
  });

  it('exits 1, not 4, when a target failed although the metrics were not published', async () => {
    const { io, output } = capture();
    const run = command(() => ({ result: probeResult('198.51.100.25', 'open') }));
    aws?.cloudwatchMock.on(PutMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    const exitCode = await run.run(['--targets', 'internet-mx'], io);

    expect(exitCode).toBe(1);
    expect(output.stderr).toMatch(/metrics were not published/);
  });

  it('exits 4 with the AWS error when the run is aborted', async () => {
    const { io, output } = capture();
    const run = command(healthy);
    aws?.ecsMock
      .on(RunTaskCommand)
      .rejects(Object.assign(new Error('no such cluster'), { name: 'ClusterNotFoundException' }));

    const exitCode = await run.run([], io);

    expect(exitCode).toBe(4);
    expect(output.stderr).toMatch(
      /aborted: ECS RunTask \(cluster port25-canary, .*\) failed: ClusterNotFoundException/,
    );
  });
});

const STACK_OUTPUTS_ANSWER = {
  Stacks: [
    {
      StackName: 'port25-canary-mail-egress',
      CreationTime: new Date('2030-01-01T00:00:00Z'),
      StackStatus: 'CREATE_COMPLETE' as const,
      Outputs: [
        { OutputKey: 'FunctionName', OutputValue: 'port25-canary-fn' },
        { OutputKey: 'ProbeCluster', OutputValue: 'arn:aws:ecs:eu-west-1:111122223333:cluster/stack-cluster' },
        {
          OutputKey: 'ProbeTaskDefinition',
          OutputValue: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/stack-probe:7',
        },
        { OutputKey: 'ProbeContainerName', OutputValue: 'stack-container' },
        { OutputKey: 'ProbeSubnets', OutputValue: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0aaaaaaaaaaaaaaa2' },
        { OutputKey: 'ProbeSecurityGroups', OutputValue: 'sg-0bbbbbbbbbbbbbbb1' },
        { OutputKey: 'ProbeAssignPublicIp', OutputValue: 'true' },
        { OutputKey: 'ProbeLogGroup', OutputValue: '/stack/probe' },
        { OutputKey: 'ProbeLogStreamPrefix', OutputValue: 'stackprobe' },
        { OutputKey: 'VpcPrimaryCidr', OutputValue: '10.0.0.0/16' },
      ],
    },
  ],
};

describe('port25-canary run --stack', () => {
  it('launches with the cluster, task definition, container, subnets, security groups and public IP setting of the stack', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves(STACK_OUTPUTS_ANSWER);
    const { io } = capture();
    const run = command(healthy);

    await run.run(['--stack', 'port25-canary-mail-egress', '--quiet'], io);

    expect(cloudFormationMock.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({
      StackName: 'port25-canary-mail-egress',
    });
    const runTask = aws?.ecsMock.commandCalls(RunTaskCommand)[0]?.args[0].input;
    expect(runTask).toMatchObject({
      cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/stack-cluster',
      taskDefinition: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/stack-probe:7',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
          securityGroups: ['sg-0bbbbbbbbbbbbbbb1'],
          assignPublicIp: 'ENABLED',
        },
      },
    });
    expect(runTask?.overrides?.containerOverrides?.[0]?.name).toBe('stack-container');
  });

  it('exits 2 naming the missing outputs when the stack was deployed without them', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'old', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [] }],
    });
    const { io } = capture();

    await expect(command(healthy).run(['--stack', 'old'], io)).rejects.toThrow(
      /--stack old: the stack has no output ProbeCluster, ProbeTaskDefinition, .*deploy it with this version/,
    );
    expect(clientsCreated).toBe(0);
  });

  it('exits 2 when CloudFormation does not know the stack', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id nope does not exist'), { name: 'ValidationError' }));
    const { io } = capture();

    const error = await command(healthy)
      .run(['--stack', 'nope'], io)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('--stack nope: Stack with id nope does not exist');
  });

  it('exits 4 when DescribeStacks fails otherwise', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const { io, output } = capture();

    const exitCode = await command(healthy).run(['--stack', 'port25-canary-mail-egress'], io);

    expect(exitCode).toBe(4);
    expect(output.stderr).toMatch(
      /CloudFormation DescribeStacks \(stack port25-canary-mail-egress\) failed: AccessDenied/,
    );
  });

  it('hands --profile and --region to every client it builds', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves(STACK_OUTPUTS_ANSWER);
    const { io } = capture();

    await command(healthy).run(
      ['--stack', 'port25-canary-mail-egress', '--profile', 'ops', '--region', 'eu-west-1'],
      io,
    );

    expect(clientOptions).toEqual([
      { profile: 'ops', region: 'eu-west-1' },
      { profile: 'ops', region: 'eu-west-1' },
    ]);
  });
});

describe('port25-canary run output', () => {
  it('publishes no metrics with --no-metrics and still reports', async () => {
    const { io, output } = capture();
    const run = command(healthy);

    const exitCode = await run.run(['--no-metrics', '--json'], io);

    expect(exitCode).toBe(0);
    expect(aws?.cloudwatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(0);
    expect(JSON.parse(output.stdout)).toMatchObject({ summary: { pass: 2, fail: 0, inconclusive: 0 } });
    expect(output.stderr).toContain('run: --no-metrics: no metrics were published');
  });

  it('prints progress on stderr while it waits: each task launched, stopped and its result read', async () => {
    const { io, output } = capture();

    await command(healthy).run(['--json'], io);

    const lines = output.stderr.split('\n').map((line) => line.replace(/^run: +\d+ s {2}/, ''));
    for (const target of ['relay-in-vpc', 'internet-mx']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${target}: probe task \\S+ launched$`)));
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${target}: probe task \\S+ stopped$`)));
    }
    expect(lines).toContain('relay-in-vpc: result read: open');
    expect(lines).toContain('internet-mx: result read: timeout');
    expect(JSON.parse(output.stdout)).toMatchObject({ canary: 'mail-egress' });
  });

  it('prints nothing on stderr with --quiet', async () => {
    const { io, output } = capture();

    await command(healthy).run(['--quiet', '--no-metrics'], io);

    expect(output.stderr).toBe('');
    expect(output.stdout).toMatch(/2 passed/);
  });
});
