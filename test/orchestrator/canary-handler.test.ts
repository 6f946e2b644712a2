import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCanaryHandler } from '../../functions/orchestrator/canary-handler.js';
import { MetricPublishError } from '../../functions/orchestrator/errors.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { FakeAws, fakeClock, probeResult } from './fakes.js';

const BUNDLED_CONFIG = {
  canaryName: 'mail-egress',
  vpcPrimaryCidr: '10.0.0.0/16',
  network: { containerName: 'probe' },
  targets: [
    { name: 'relay-in-vpc', host: '10.0.12.25', expect: 'auto' },
    { name: 'internet-mx', host: '198.51.100.25', expect: 'auto' },
  ],
};

const STACK_ENVIRONMENT = {
  PORT25_CLUSTER: 'arn:aws:ecs:eu-west-1:111122223333:cluster/port25-canary',
  PORT25_TASK_DEFINITION: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/port25-canary-probe:4',
  PORT25_SUBNETS: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
  PORT25_SECURITY_GROUPS: 'sg-0123456789abcdef0',
  PORT25_ASSIGN_PUBLIC_IP: 'true',
  PORT25_LOG_GROUP: '/port25-canary/probe',
};

const SCHEDULED_EVENT = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
const LAMBDA_CONTEXT = { getRemainingTimeInMillis: () => 10 * 60_000 };

let directory: string;
let aws: FakeAws;
let logged: string[];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'port25-orchestrator-handler-'));
  await writeFile(join(directory, 'canary.config.json'), JSON.stringify(BUNDLED_CONFIG));
  aws = new FakeAws((target) =>
    target === 'relay-in-vpc'
      ? { result: probeResult('10.0.12.25', 'open') }
      : { result: probeResult('198.51.100.25', 'timeout') },
  );
  logged = [];
});

afterEach(async () => {
  aws.restore();
  await rm(directory, { recursive: true, force: true });
});

function handlerWith(env: NodeJS.ProcessEnv) {
  const clock = fakeClock();
  return createCanaryHandler({
    clients: aws.clients,
    env,
    configDirectory: directory,
    now: clock.now,
    sleep: clock.sleep,
    log: (line) => logged.push(line),
    newRunId: () => 'c0ffee00-0000-4000-8000-000000000001',
  });
}

describe('the canary handler', () => {
  it('runs the bundled config with the stack environment overrides on a scheduled event', async () => {
    const handler = handlerWith(STACK_ENVIRONMENT);

    const report = await handler(SCHEDULED_EVENT, LAMBDA_CONTEXT);

    const launches = aws.ecsMock.commandCalls(RunTaskCommand).map((call) => call.args[0].input);
    expect(launches).toHaveLength(2);
    expect(launches[0]).toMatchObject({
      cluster: STACK_ENVIRONMENT.PORT25_CLUSTER,
      taskDefinition: STACK_ENVIRONMENT.PORT25_TASK_DEFINITION,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
          securityGroups: ['sg-0123456789abcdef0'],
          assignPublicIp: 'ENABLED',
        },
      },
    });
    expect(report.summary).toEqual({ pass: 2, fail: 0, inconclusive: 0 });
  });

  it('logs the report as a run line and one line per target, from which the report can be rebuilt, and returns it', async () => {
    const handler = handlerWith(STACK_ENVIRONMENT);

    const report = await handler({}, LAMBDA_CONTEXT);

    expect(logged).toHaveLength(3);
    for (const line of logged) expect(line).not.toContain('\n');
    const [run, ...targets] = logged.map((line) => JSON.parse(line));
    const { results, ...runFields } = report;
    expect(run).toEqual({ record: 'run', ...runFields, targets: 2 });
    expect(targets).toEqual(
      results.map((result, index) => ({
        record: 'target',
        runId: report.runId,
        canary: report.canary,
        index,
        ...result,
      })),
    );
  });

  it('checks the VPC CIDR from the environment against EC2 and launches nothing when it differs', async () => {
    const handler = handlerWith({ ...STACK_ENVIRONMENT, PORT25_VPC_PRIMARY_CIDR: '10.0.12.0/24' });

    await expect(handler({ targets: ['relay-in-vpc'] }, LAMBDA_CONTEXT)).rejects.toThrow(
      /^vpcPrimaryCidr: 10\.0\.12\.0\/24 .* differs from 10\.0\.0\.0\/16, the primary CIDR EC2 reports for vpc-0123456789abcdef0/,
    );
    expect(aws.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('judges auto targets against the primary CIDR EC2 reports when none is configured', async () => {
    const { vpcPrimaryCidr: _omitted, ...withoutCidr } = BUNDLED_CONFIG;
    await writeFile(join(directory, 'canary.config.json'), JSON.stringify(withoutCidr));
    const handler = handlerWith(STACK_ENVIRONMENT);

    const report = await handler({ targets: ['relay-in-vpc'] }, LAMBDA_CONTEXT);

    expect(report.results[0]?.rule).toBe('auto: VPC primary CIDR 10.0.0.0/16');
  });

  it('rejects a bad payload naming the field and launches nothing', async () => {
    const handler = handlerWith(STACK_ENVIRONMENT);

    const invocation = handler({ targets: ['internet-mx'], attempts: 'many' }, LAMBDA_CONTEXT);

    await expect(invocation).rejects.toThrow(ConfigError);
    await expect(invocation).rejects.toThrow(/^attempts: must be an integer/);
    expect(aws.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('rejects an unknown target name and launches nothing', async () => {
    const handler = handlerWith(STACK_ENVIRONMENT);

    await expect(handler({ targets: ['nope'] }, LAMBDA_CONTEXT)).rejects.toThrow(/targets\[0\]: unknown target "nope"/);
    expect(aws.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('fails with a ConfigError naming the variable when the stack did not hand over the cluster', async () => {
    const { PORT25_CLUSTER: _omitted, ...withoutCluster } = STACK_ENVIRONMENT;
    const handler = handlerWith(withoutCluster);

    await expect(handler(SCHEDULED_EVENT, LAMBDA_CONTEXT)).rejects.toThrow(/network\.cluster: .*PORT25_CLUSTER/);
    expect(aws.ecsMock.calls()).toHaveLength(0);
  });

  it('logs the report before failing when the metrics cannot be published', async () => {
    aws.cloudwatchMock.on(PutMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const handler = handlerWith(STACK_ENVIRONMENT);

    await expect(handler(SCHEDULED_EVENT, LAMBDA_CONTEXT)).rejects.toThrow(MetricPublishError);
    expect(JSON.parse(logged[0] ?? '{}')).toMatchObject({ record: 'run', canary: 'mail-egress', summary: { pass: 2 } });
    expect(logged).toHaveLength(3);
  });

  it('gives the run the Lambda time left minus the safety margin', async () => {
    aws.restore();
    aws = new FakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }));
    const handler = handlerWith(STACK_ENVIRONMENT);

    const report = await handler(SCHEDULED_EVENT, { getRemainingTimeInMillis: () => 3 * 60_000 });

    expect(Date.parse(report.finishedAt) - Date.parse(report.startedAt)).toBe(2 * 60_000);
  });
});

describe('the Lambda entry', () => {
  it('exports the handler', async () => {
    const entry = await import('../../functions/orchestrator/index.js');

    expect(entry.handler).toBeTypeOf('function');
  });
});
