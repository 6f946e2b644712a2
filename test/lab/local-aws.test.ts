import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, type LocalAws, startLocalAws } from '../../lab/local-aws/server.js';

/**
 * The local AWS endpoint's wire handling, tested with the real SDK v3 clients. The "containers" here are plain local
 * processes that print their arguments and exit; they open no sockets.
 */

// Prints each argument on stdout (or stderr for `err:...`), then exits with the code given by `exit:N`, or sleeps on `sleep`.
const CONTAINER_SCRIPT = `
for (const arg of process.argv.slice(1)) {
  if (arg.startsWith('err:')) process.stderr.write(arg.slice(4) + '\\n');
  else if (arg.startsWith('exit:')) process.exit(Number(arg.slice(5)));
  else if (arg === 'sleep') setInterval(() => {}, 1000);
  else process.stdout.write(arg + '\\n');
}
`;

const CLUSTER = 'p25lab-test-cluster';
const CONTAINER = 'probe';
const LOG_GROUP = '/p25lab/test/probe';
const LOG_PREFIX = 'probe';

let endpoint: LocalAws;
let clients: { ecs: ECSClient; logs: CloudWatchLogsClient; cloudwatch: CloudWatchClient; lambda: LambdaClient };
let functionDirectory: string;

function clientConfig() {
  return {
    region: endpoint.region,
    endpoint: endpoint.url,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  };
}

async function runTask(command: string[], extra: Partial<ConstructorParameters<typeof RunTaskCommand>[0]> = {}) {
  return clients.ecs.send(
    new RunTaskCommand({
      cluster: CLUSTER,
      taskDefinition: 'p25lab-probe',
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
      },
      overrides: { containerOverrides: [{ name: CONTAINER, command }] },
      ...extra,
    }),
  );
}

async function waitForStopped(taskArn: string): Promise<Task> {
  for (;;) {
    const { tasks } = await clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }));
    const task = tasks?.[0];
    if (task?.lastStatus === 'STOPPED') return task;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const taskIdOf = (taskArn: string) => taskArn.split('/').at(-1) as string;

beforeAll(async () => {
  endpoint = await startLocalAws({
    clusterName: CLUSTER,
    taskDefinition: { family: 'p25lab-probe', revision: 3, containerName: CONTAINER, defaultCommand: ['exit:2'] },
    logGroup: LOG_GROUP,
    logStreamPrefix: LOG_PREFIX,
    launchContainer: ({ command }) =>
      spawn(process.execPath, ['-e', CONTAINER_SCRIPT, ...command], { stdio: ['ignore', 'pipe', 'pipe'] }),
    taskStartDelayMs: () => 10,
    taskStopDelayMs: 10,
    taskStopTimeoutMs: 1000,
  });
  clients = {
    ecs: new ECSClient(clientConfig()),
    logs: new CloudWatchLogsClient(clientConfig()),
    cloudwatch: new CloudWatchClient(clientConfig()),
    lambda: new LambdaClient(clientConfig()),
  };
  functionDirectory = await mkdtemp(join(tmpdir(), 'p25lab-work-function-'));
  await writeFile(
    join(functionDirectory, 'index.mjs'),
    `export const handler = async (event, context) => {
       if (event.fail) throw new TypeError('asked to fail');
       console.log('handling', JSON.stringify(event));
       return { echo: event, remaining: context.getRemainingTimeInMillis(), name: context.functionName, env: process.env.LAB_VALUE };
     };`,
  );
  endpoint.lambda.register({
    name: 'p25lab-echo',
    taskRoot: functionDirectory,
    handler: 'index.handler',
    environment: { LAB_VALUE: 'from the function configuration' },
    timeoutSeconds: 30,
  });
});

afterAll(async () => {
  for (const client of Object.values(clients ?? {})) client.destroy();
  await endpoint?.close();
  if (functionDirectory) await rm(functionDirectory, { recursive: true, force: true });
});

describe('local ECS', () => {
  it('runs the overridden command and reports its exit code once the task has stopped', async () => {
    const { tasks, failures } = await runTask(['hello', 'exit:11']);

    const stopped = await waitForStopped(tasks?.[0]?.taskArn as string);

    expect(failures).toEqual([]);
    expect(stopped.containers?.[0]).toMatchObject({ name: CONTAINER, exitCode: 11, lastStatus: 'STOPPED' });
    expect(stopped).toMatchObject({ stopCode: 'EssentialContainerExited', desiredStatus: 'STOPPED' });
    expect(stopped.stoppedAt).toBeInstanceOf(Date);
  });

  it('ships stdout and stderr lines to the awslogs stream prefix/container/taskId', async () => {
    const { tasks } = await runTask(['{"line":1}', 'err:warning on stderr', 'exit:0']);
    const taskArn = tasks?.[0]?.taskArn as string;
    await waitForStopped(taskArn);

    const { events } = await clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: LOG_GROUP,
        logStreamName: `${LOG_PREFIX}/${CONTAINER}/${taskIdOf(taskArn)}`,
        startFromHead: true,
      }),
    );

    expect(events?.map((event) => event.message).sort()).toEqual(['warning on stderr', '{"line":1}'].sort());
  });

  it('pages log events forward and keeps the token when nothing is new', async () => {
    const { tasks } = await runTask(['one', 'two', 'three', 'exit:0']);
    const taskArn = tasks?.[0]?.taskArn as string;
    await waitForStopped(taskArn);
    const stream = { logGroupName: LOG_GROUP, logStreamName: `${LOG_PREFIX}/${CONTAINER}/${taskIdOf(taskArn)}` };

    const first = await clients.logs.send(new GetLogEventsCommand({ ...stream, startFromHead: true, limit: 2 }));
    const second = await clients.logs.send(new GetLogEventsCommand({ ...stream, nextToken: first.nextForwardToken }));
    const third = await clients.logs.send(new GetLogEventsCommand({ ...stream, nextToken: second.nextForwardToken }));

    expect(first.events?.map((event) => event.message)).toEqual(['one', 'two']);
    expect(second.events?.map((event) => event.message)).toEqual(['three']);
    expect(third.events).toEqual([]);
    expect(third.nextForwardToken).toBe(second.nextForwardToken);
  });

  it('answers GetLogEvents for a stream that does not exist yet with ResourceNotFoundException', async () => {
    const request = clients.logs.send(
      new GetLogEventsCommand({ logGroupName: LOG_GROUP, logStreamName: `${LOG_PREFIX}/${CONTAINER}/0123` }),
    );

    await expect(request).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('returns the same task for a repeated clientToken', async () => {
    const first = await runTask(['exit:0'], { clientToken: 'p25lab-token-1' });
    const second = await runTask(['exit:0'], { clientToken: 'p25lab-token-1' });

    expect(second.tasks?.[0]?.taskArn).toBe(first.tasks?.[0]?.taskArn);
  });

  it('stops a running task on StopTask with stopCode UserInitiated', async () => {
    const { tasks } = await runTask(['sleep']);
    const taskArn = tasks?.[0]?.taskArn as string;
    for (;;) {
      const described = await clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }));
      if (described.tasks?.[0]?.lastStatus === 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    await clients.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn, reason: 'deadline' }));
    const stopped = await waitForStopped(taskArn);

    expect(stopped).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'deadline' });
    expect(stopped.containers?.[0]?.exitCode).toBe(128 + 15);
  });

  it('rejects an override for a container the task definition does not have', async () => {
    const request = runTask(['exit:0'], { overrides: { containerOverrides: [{ name: 'other', command: [] }] } });

    await expect(request).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  const ids = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, index) => `${prefix}-${index.toString(16).padStart(17, '0')}`);

  it('rejects more than 16 subnets as ECS does, starting nothing', async () => {
    const before = endpoint.ecs.taskSummaries().length;
    const request = runTask(['exit:0'], {
      networkConfiguration: { awsvpcConfiguration: { subnets: ids('subnet', 17), assignPublicIp: 'DISABLED' } },
    });

    await expect(request).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'subnets can have at most 16 items.',
    });
    expect(endpoint.ecs.taskSummaries()).toHaveLength(before);
  });

  it('rejects more than 5 security groups as ECS does', async () => {
    const request = runTask(['exit:0'], {
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ids('subnet', 1), securityGroups: ids('sg', 6), assignPublicIp: 'DISABLED' },
      },
    });

    await expect(request).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'securityGroups can have at most 5 items.',
    });
  });

  it('accepts 16 subnets and 5 security groups, the limits themselves', async () => {
    const { tasks } = await runTask(['exit:0'], {
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ids('subnet', 16), securityGroups: ids('sg', 5), assignPublicIp: 'DISABLED' },
      },
    });

    expect(tasks).toHaveLength(1);
    await waitForStopped(tasks?.[0]?.taskArn as string);
  });

  it('rejects an unknown cluster with ClusterNotFoundException', async () => {
    const request = runTask(['exit:0'], { cluster: 'somewhere-else' });

    await expect(request).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
  });

  it('returns injected RunTask failures in failures[] without starting a task', async () => {
    endpoint.ecs.injectRunTaskFailures(1, 'RESOURCE:ENI');

    const { tasks, failures } = await runTask(['exit:0']);

    expect(tasks).toEqual([]);
    expect(failures?.[0]?.reason).toBe('RESOURCE:ENI');
  });

  it('reports unknown tasks in DescribeTasks as MISSING failures', async () => {
    const { failures } = await clients.ecs.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: ['0123456789abcdef0123456789abcdef'] }),
    );

    expect(failures?.[0]?.reason).toBe('MISSING');
  });

  it('returns an injected fault as the AWS error the SDK recognises', async () => {
    endpoint.injectFault('DescribeTasks', 'ThrottlingException', 'Rate exceeded');

    const request = clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: ['x'] }));

    await expect(request).rejects.toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
  });
});

describe('local CloudWatch', () => {
  it('stores PutMetricData datapoints by namespace, name and dimensions', async () => {
    const timestamp = new Date();

    await clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'P25Lab/Test',
        MetricData: [
          {
            MetricName: 'ExpectationMet',
            Dimensions: [{ Name: 'Target', Value: 'a' }],
            Value: 1,
            Timestamp: timestamp,
          },
        ],
      }),
    );

    const series = endpoint.metrics.series({
      namespace: 'P25Lab/Test',
      metricName: 'ExpectationMet',
      dimensions: { Target: 'a' },
    });
    expect(series).toHaveLength(1);
    expect(series[0]?.observations).toEqual([{ value: 1, count: 1 }]);
    expect(series[0]?.timestamp).toBe(timestamp.getTime());
  });

  it('accepts a gzip-compressed PutMetricData body', async () => {
    const metricData = Array.from({ length: 1000 }, (_, index) => ({
      MetricName: 'Bulk',
      Dimensions: [{ Name: 'Target', Value: `target-with-a-long-name-${index}` }],
      Value: index,
      Unit: 'Count' as const,
    }));

    await clients.cloudwatch.send(new PutMetricDataCommand({ Namespace: 'P25Lab/Gzip', MetricData: metricData }));

    const put = endpoint.requests().filter((request) => request.operation === 'PutMetricData');
    expect(put.at(-1)?.contentEncoding).toBe('gzip');
    expect(endpoint.metrics.all().filter((point) => point.namespace === 'P25Lab/Gzip')).toHaveLength(1000);
  });

  it('refuses a namespace in the AWS/ space, reserved for AWS services, as CloudWatch does', async () => {
    const request = clients.cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'AWS/Port25Canary', MetricData: [{ MetricName: 'X', Value: 1 }] }),
    );

    await expect(request).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'The value AWS/ for parameter Namespace is invalid.',
    });
    expect(endpoint.metrics.all().filter((point) => point.namespace === 'AWS/Port25Canary')).toEqual([]);
  });

  it('rejects a datum with an unknown unit with InvalidParameterValueException and stores nothing', async () => {
    const request = clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'P25Lab/Invalid',
        MetricData: [{ MetricName: 'X', Value: 1, Unit: 'Parsecs' as never }],
      }),
    );

    await expect(request).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    expect(endpoint.metrics.all().filter((point) => point.namespace === 'P25Lab/Invalid')).toEqual([]);
  });
});

describe('local Lambda', () => {
  it('runs the handler with the event, the context and the function environment', async () => {
    const response = await clients.lambda.send(
      new InvokeCommand({ FunctionName: 'p25lab-echo', Payload: Buffer.from(JSON.stringify({ hello: 'lab' })) }),
    );

    const payload = JSON.parse(Buffer.from(response.Payload ?? []).toString('utf8'));
    expect(response.FunctionError).toBeUndefined();
    expect(payload).toMatchObject({
      echo: { hello: 'lab' },
      name: 'p25lab-echo',
      env: 'from the function configuration',
    });
    expect(payload.remaining).toBeGreaterThan(0);
  });

  it('answers a throwing handler with FunctionError Unhandled and the error payload', async () => {
    const response = await clients.lambda.send(
      new InvokeCommand({ FunctionName: 'p25lab-echo', Payload: Buffer.from(JSON.stringify({ fail: true })) }),
    );

    const payload = JSON.parse(Buffer.from(response.Payload ?? []).toString('utf8'));
    expect(response.FunctionError).toBe('Unhandled');
    expect(payload).toMatchObject({ errorType: 'TypeError', errorMessage: 'asked to fail' });
  });

  it('returns the log tail when asked for it', async () => {
    const response = await clients.lambda.send(
      new InvokeCommand({ FunctionName: 'p25lab-echo', LogType: 'Tail', Payload: Buffer.from('{"n":1}') }),
    );

    expect(Buffer.from(response.LogResult ?? '', 'base64').toString('utf8')).toContain('handling {"n":1}');
  });

  it('accepts the function ARN as the function name', async () => {
    const response = await clients.lambda.send(
      new InvokeCommand({ FunctionName: endpoint.lambda.arnOf('p25lab-echo'), Payload: Buffer.from('{}') }),
    );

    expect(response.StatusCode).toBe(200);
  });

  it('answers a published version it does not have with ResourceNotFoundException', async () => {
    const request = clients.lambda.send(new InvokeCommand({ FunctionName: 'p25lab-echo', Qualifier: '7' }));

    await expect(request).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('answers an unknown function with ResourceNotFoundException', async () => {
    const request = clients.lambda.send(new InvokeCommand({ FunctionName: 'p25lab-nothing' }));

    await expect(request).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('local endpoint', () => {
  it('refuses requests signed with other credentials', async () => {
    const stranger = new ECSClient({
      ...clientConfig(),
      credentials: { accessKeyId: 'AKIASOMEONEELSE00000', secretAccessKey: 'x' },
    });

    const request = stranger.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: ['x'] }));

    await expect(request).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    stranger.destroy();
  });

  it('counts calls per operation', () => {
    const counts = endpoint.callCounts();

    expect(counts.RunTask).toBeGreaterThan(0);
    expect(counts.DescribeTasks).toBeGreaterThan(0);
    expect(counts.StopTask).toBe(1);
    expect(counts.PutMetricData).toBeGreaterThan(0);
    expect(counts.Invoke).toBeGreaterThan(0);
  });
});
