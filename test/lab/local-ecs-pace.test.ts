import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCanaryClients } from '../../functions/orchestrator/aws-clients.js';
import { type CanaryClients, runCanary } from '../../functions/orchestrator/run-canary.js';
import { LOCAL_CREDENTIALS, type LocalAws, startLocalAws } from '../../lab/local-aws/server.js';
import { probeResult, targetsNamed, testConfig } from '../orchestrator/fakes.js';

/**
 * The lab's ECS at AWS's pace: answers after a RunTask latency, ECS's documented token buckets enforced with
 * ThrottlingException, and the orchestrator's concurrent, paced launches against it. The "probe tasks" are shells that
 * wait half a second and print a timeout result line; nothing opens a socket but the endpoint on 127.0.0.1.
 */

const CLUSTER = 'p25lab-pace-cluster';
const CONTAINER = 'probe';
const TARGET_HOST = '198.51.100.25';
const RESULT_LINE = JSON.stringify(probeResult(TARGET_HOST, 'timeout'));
const SUBNET = 'subnet-0123456789abcdef0';
// Each run reads its VPC from EC2 first; this one's primary CIDR is the test config's vpcPrimaryCidr.
const VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  primaryCidr: '10.0.0.0/16',
  secondaryCidrs: [],
  ipv6Cidrs: [],
  subnets: [{ subnetId: SUBNET, cidrBlock: '10.0.0.0/24', availabilityZone: 'us-east-1a' }],
};

let endpoint: LocalAws | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await endpoint?.close();
  endpoint = undefined;
});

async function start(runTaskLatencyMs: number, logEmptyPagesBeforeEvents = 0): Promise<LocalAws> {
  endpoint = await startLocalAws({
    clusterName: CLUSTER,
    taskDefinition: { family: 'p25lab-pace-probe', revision: 1, containerName: CONTAINER, defaultCommand: [] },
    logGroup: '/p25lab/pace/probe',
    logStreamPrefix: 'probe',
    // A probe task that lives half a second and exits as a timed-out probe does (10).
    launchContainer: () =>
      spawn('/bin/sh', ['-c', `sleep 0.5; printf '%s\\n' "$RESULT"; exit 10`], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: '/usr/bin:/bin', RESULT: RESULT_LINE },
      }),
    taskStartDelayMs: () => 100,
    taskStopDelayMs: 100,
    ecsLatencyMs: { RunTask: runTaskLatencyMs, DescribeTasks: 50, StopTask: 100 },
    logEmptyPagesBeforeEvents,
    vpcs: [VPC],
  });
  return endpoint;
}

/** The orchestrator's own clients, pointed at the endpoint as the lab's Lambda is: through its environment. */
function clientsFor(local: LocalAws): CanaryClients {
  for (const [name, value] of Object.entries(local.environment())) vi.stubEnv(name, value);
  return createCanaryClients();
}

/** One raw awsJson1_1 call, to see the bytes ECS's answer is made of. */
function rawEcsCall(url: string, operation: string, body: unknown) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const request = httpRequest(
      `${url}/`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `AmazonEC2ContainerServiceV20141113.${operation}`,
          authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/20300101/us-east-1/ecs/aws4_request`,
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

describe('the lab ECS at AWS pace', () => {
  it('answers RunTask after its configured latency', async () => {
    const local = await start(250);
    const startedAt = performance.now();

    const answer = await rawEcsCall(local.url, 'RunTask', {
      cluster: CLUSTER,
      taskDefinition: 'p25lab-pace-probe',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } },
    });

    expect(answer.status).toBe(200);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(local.ecs.taskSummaries()).toHaveLength(1);
  });

  it('answers DescribeTasks beyond its bucket with ThrottlingException, in ECS wire format', async () => {
    const local = await start(0);
    const describe = () => rawEcsCall(local.url, 'DescribeTasks', { cluster: CLUSTER, tasks: ['0123abcd'] });

    // Twice the burst at once: the bucket refills 20 a second, far too slowly to cover them.
    const answers = await Promise.all(Array.from({ length: 200 }, describe));

    const throttled = answers.filter((answer) => answer.status !== 200);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]?.status).toBe(400);
    expect(throttled[0]?.headers['x-amzn-errortype']).toBe('ThrottlingException');
    expect(throttled[0]?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(throttled[0]?.body ?? '{}')).toEqual({ __type: 'ThrottlingException', message: 'Rate exceeded' });
    expect(local.ecs.throttledAnswers()).toEqual({ DescribeTasks: throttled.length });
  });

  it('throttles as the SDK sees it: a ThrottlingException named so, with the message "Rate exceeded"', async () => {
    const local = await start(0);
    const { ecs } = clientsFor(local);

    const calls = await Promise.allSettled(
      Array.from({ length: 200 }, () => ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: ['x'] }))),
    );

    const rejections = calls.flatMap((call) => (call.status === 'rejected' ? [call.reason] : []));
    expect(rejections.length).toBeGreaterThan(0);
    expect(rejections[0]).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
    ecs.destroy();
  });

  it('runs 100 targets 50 at a time with a 250 ms RunTask: 50 in flight and not one ThrottlingException', async () => {
    const local = await start(250);

    const { report } = await runCanaryOnce(local, 100, 50);

    expect(report.summary).toEqual({ pass: 100, fail: 0, inconclusive: 0 });
    expect(local.ecs.maxTasksInFlight).toBe(50);
    expect(local.ecs.throttledAnswers()).toEqual({});
    expect(local.callCounts().RunTask).toBe(100);
  });
});

describe('the orchestrator reading the lab Logs endpoint', () => {
  it('finds every result line behind empty non-final GetLogEvents pages, so the targets pass', async () => {
    const local = await start(250, 2);

    const { report } = await runCanaryOnce(local, 5, 5);

    expect(report.summary).toEqual({ pass: 5, fail: 0, inconclusive: 0 });
    // Two empty pages, then the page with the result line, for each target.
    expect(local.callCounts().GetLogEvents).toBe(15);
  });
});

async function runCanaryOnce(local: LocalAws, targets: number, maxConcurrentTasks: number) {
  const clients = clientsFor(local);
  const config = testConfig({
    maxConcurrentTasks,
    targets: targetsNamed(targets, TARGET_HOST),
    network: {
      cluster: CLUSTER,
      taskDefinition: 'p25lab-pace-probe',
      containerName: CONTAINER,
      subnets: [SUBNET],
      securityGroups: ['sg-0123456789abcdef0'],
      logGroup: '/p25lab/pace/probe',
      logStreamPrefix: 'probe',
    },
  });
  try {
    const report = await runCanary(
      config,
      {},
      {
        ...clients,
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        remainingTimeMs: () => 5 * 60_000,
      },
    );
    return { report };
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}
