import { ECSClient, RunTaskCommand, type RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AWS_RETRY_POLICY } from '../../functions/orchestrator/aws-retry.js';
import { AwsCallError } from '../../functions/orchestrator/errors.js';
import { probeTaskSettings } from '../../functions/orchestrator/runtime-config.js';
import {
  clientTokenFor,
  launchProbeTask,
  relaunchTokenFor,
  retryableLaunchFailure,
  runTaskInputFor,
  startedByFor,
} from '../../functions/orchestrator/task-launch.js';
import { probeCommandArguments, probeRequestFor } from '../../functions/shared/probe-command.js';
import { fakeClock, TEST_NETWORK, testConfig, throttlingError } from './fakes.js';

const RUN_ID = '0b7e6f1c-2d3a-4e5f-8a9b-0c1d2e3f4a5b';
const TASK_ARN = 'arn:aws:ecs:eu-west-1:111122223333:task/port25-canary/0123456789abcdef';
const ecsMock = mockClient(ECSClient);

afterEach(() => {
  ecsMock.reset();
});

function launchInput(configOverrides: Record<string, unknown> = {}): RunTaskCommandInput {
  const config = testConfig(configOverrides);
  const target = config.targets[1];
  if (target === undefined) throw new Error('test config lost its second target');
  return runTaskInputFor(probeTaskSettings(config), target, probeRequestFor(target, config.probe, 2), RUN_ID);
}

function launch(input: RunTaskCommandInput, clock = fakeClock()) {
  return launchProbeTask(new ECSClient({}), input, clock, { notAfter: clock.now() + 10 * 60_000 });
}

function capacityFailure() {
  return {
    tasks: [],
    failures: [
      { reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' },
    ],
  };
}

describe('runTaskInputFor', () => {
  it('launches on FARGATE in the configured subnets and security groups without a public IP', () => {
    const input = launchInput();

    expect(input).toMatchObject({
      cluster: TEST_NETWORK.cluster,
      taskDefinition: TEST_NETWORK.taskDefinition,
      count: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [...TEST_NETWORK.subnets],
          securityGroups: [...TEST_NETWORK.securityGroups],
          assignPublicIp: 'DISABLED',
        },
      },
    });
    expect(input.capacityProviderStrategy).toBeUndefined();
  });

  it('uses the capacity provider strategy instead of a launch type when the config sets one', () => {
    const input = launchInput({
      network: {
        ...TEST_NETWORK,
        assignPublicIp: true,
        capacityProviderStrategy: [
          { capacityProvider: 'FARGATE_SPOT', weight: 1 },
          { capacityProvider: 'FARGATE', base: 1 },
        ],
      },
      // Fargate Spot runs X86_64 tasks only (the config refuses it with ARM64).
      deployment: { cpuArchitecture: 'X86_64' },
    });

    expect(input.launchType).toBeUndefined();
    expect(input.capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 1 },
      { capacityProvider: 'FARGATE', base: 1 },
    ]);
    expect(input.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('ENABLED');
  });

  it('sends only the weight and base each capacity provider item sets', () => {
    const input = launchInput({
      network: {
        ...TEST_NETWORK,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 2 }, { capacityProvider: 'FARGATE' }],
      },
      deployment: { cpuArchitecture: 'X86_64' },
    });

    expect(input.capacityProviderStrategy).toStrictEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 2 },
      { capacityProvider: 'FARGATE' },
    ]);
  });

  it('sends no security groups when the config lists none, so ECS applies the VPC default', () => {
    const input = launchInput({ network: { ...TEST_NETWORK, securityGroups: [] } });

    expect(input.networkConfiguration?.awsvpcConfiguration).toStrictEqual({
      subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
      assignPublicIp: 'DISABLED',
    });
  });

  it('overrides the probe container command with the probe arguments for the target', () => {
    const config = testConfig();
    const target = config.targets[1];
    if (target === undefined) throw new Error('test config lost its second target');

    const input = launchInput();

    expect(input.overrides?.containerOverrides).toEqual([
      { name: 'probe', command: probeCommandArguments(probeRequestFor(target, config.probe, 2)) },
    ]);
    expect(input.overrides?.containerOverrides?.[0]?.command?.at(-1)).toBe('198.51.100.25:25');
  });

  it('tags the task with the run ID and target name and sets a short startedBy', () => {
    const input = launchInput();

    expect(input.tags).toEqual([
      { key: 'runId', value: RUN_ID },
      { key: 'target', value: 'internet-mx' },
    ]);
    expect(input.startedBy).toBe('port25-canary/0b7e6f1c');
    expect(startedByFor('x'.repeat(100)).length).toBeLessThanOrEqual(36);
  });

  it('replaces the characters startedBy does not allow with dashes', () => {
    expect(startedByFor('run 2030/01:01')).toBe('port25-canary/run-2030');
  });

  it('derives a client token of at most 64 characters that differs per run and per target', () => {
    const token = clientTokenFor(RUN_ID, 'internet-mx');

    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(clientTokenFor(RUN_ID, 'relay-in-vpc')).not.toBe(token);
    expect(clientTokenFor('another-run', 'internet-mx')).not.toBe(token);
    expect(launchInput().clientToken).toBe(token);
  });
});

describe('launchProbeTask', () => {
  it('retries a capacity failure with backoff and a new client token per launch until the task starts', async () => {
    ecsMock
      .on(RunTaskCommand)
      .resolvesOnce(capacityFailure())
      .resolvesOnce(capacityFailure())
      .resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const clock = fakeClock();

    const result = await launch(launchInput(), clock);

    expect(result).toEqual({ started: true, taskArn: TASK_ARN });
    const tokens = ecsMock.commandCalls(RunTaskCommand).map((call) => call.args[0].input.clientToken);
    const firstToken = clientTokenFor(RUN_ID, 'internet-mx');
    expect(tokens).toEqual([firstToken, relaunchTokenFor(firstToken, 2), relaunchTokenFor(firstToken, 3)]);
    expect(new Set(tokens).size).toBe(3);
    expect(tokens.every((token) => token !== undefined && token.length <= 64)).toBe(true);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
  });

  it.each([
    ['RESOURCE:ENI'],
    ['RESOURCE:MEMORY'],
    ['AGENT'],
    ["You've reached the limit on the number of tasks you can run concurrently"],
  ])('treats the RunTask failure %j as worth a retry', (reason) => {
    expect(retryableLaunchFailure(reason)).toBeDefined();
  });

  it.each([['MISSING'], ['ATTRIBUTE'], ['LOCATION']])('does not retry the RunTask failure %j', (reason) => {
    expect(retryableLaunchFailure(reason)).toBeUndefined();
  });

  it('retries a ThrottlingException with the same client token', async () => {
    ecsMock
      .on(RunTaskCommand)
      .rejectsOnce(throttlingError())
      .resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const clock = fakeClock();

    const result = await launch(launchInput(), clock);

    expect(result).toEqual({ started: true, taskArn: TASK_ARN });
    const tokens = ecsMock.commandCalls(RunTaskCommand).map((call) => call.args[0].input.clientToken);
    expect(tokens).toEqual([clientTokenFor(RUN_ID, 'internet-mx'), clientTokenFor(RUN_ID, 'internet-mx')]);
    expect(clock.sleeps).toEqual([1_000]);
  });

  it("retries ECS's Rate exceeded ClientException", async () => {
    ecsMock
      .on(RunTaskCommand)
      .rejectsOnce(throttlingError('ClientException', 'Rate exceeded'))
      .resolves({ tasks: [{ taskArn: TASK_ARN }] });

    const result = await launch(launchInput());

    expect(result).toEqual({ started: true, taskArn: TASK_ARN });
  });

  it('fails the target at once with the reason for a failure that retrying cannot fix', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [{ arn: 'arn:cluster', reason: 'MISSING' }] });

    const result = await launch(launchInput());

    expect(result).toEqual({ started: false, detail: 'RunTask failed: MISSING' });
    expect(ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1);
  });

  it('names every failure RunTask returns, with its detail when ECS gives one', async () => {
    ecsMock.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [
        { arn: 'arn:cluster', reason: 'ATTRIBUTE', detail: 'requires ecs.capability.execution-role-awslogs' },
        { arn: 'arn:cluster', reason: 'MISSING', detail: '' },
      ],
    });

    const result = await launch(launchInput());

    expect(result).toEqual({
      started: false,
      detail: 'RunTask failed: ATTRIBUTE: requires ecs.capability.execution-role-awslogs; MISSING',
    });
  });

  it('says "unknown reason" for a failure that comes without one', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [{ arn: 'arn:cluster' }] });

    const result = await launch(launchInput());

    expect(result).toEqual({ started: false, detail: 'RunTask failed: unknown reason' });
  });

  it('fails the target when RunTask returns neither a task nor a failure', async () => {
    ecsMock.on(RunTaskCommand).resolves({});

    const result = await launch(launchInput());

    expect(result).toEqual({ started: false, detail: 'RunTask failed: RunTask returned neither a task nor a failure' });
  });

  it('gives up on capacity after one attempt, without an attempt count, when no retry fits before the deadline', async () => {
    ecsMock.on(RunTaskCommand).resolves(capacityFailure());
    const clock = fakeClock();

    const result = await launchProbeTask(new ECSClient({}), launchInput(), clock, { notAfter: clock.now() + 500 });

    expect(result).toEqual({
      started: false,
      detail:
        'RunTask failed: Capacity is unavailable at this time. Please try again later or in a different availability zone (Fargate has no capacity in the subnets’ zones right now)',
    });
    expect(clock.sleeps).toEqual([]);
  });

  it('gives up on capacity after the retry budget and says how many attempts it made', async () => {
    ecsMock.on(RunTaskCommand).resolves(capacityFailure());

    const result = await launch(launchInput());

    expect(result).toEqual({
      started: false,
      detail: expect.stringMatching(
        new RegExp(
          `^RunTask failed: Capacity is unavailable.* \\(Fargate has no capacity in the subnets.* zones right now; gave up after ${AWS_RETRY_POLICY.maxRetries + 1} attempts\\)$`,
        ),
      ),
    });
  });

  it('stops retrying rather than sleep past the deadline', async () => {
    ecsMock.on(RunTaskCommand).resolves(capacityFailure());
    const clock = fakeClock();

    const result = await launchProbeTask(new ECSClient({}), launchInput(), clock, { notAfter: clock.now() + 2_500 });

    expect(result.started).toBe(false);
    expect(clock.sleeps).toEqual([1_000]);
  });

  it('retries when the backoff ends exactly at the deadline', async () => {
    ecsMock
      .on(RunTaskCommand)
      .resolvesOnce(capacityFailure())
      .resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const clock = fakeClock();

    const result = await launchProbeTask(new ECSClient({}), launchInput(), clock, { notAfter: clock.now() + 1_000 });

    expect(clock.sleeps).toEqual([1_000]);
    expect(result).toEqual({ started: true, taskArn: TASK_ARN });
  });

  it('throws a typed error keeping the cause when RunTask is denied', async () => {
    const denied = Object.assign(new Error('not authorized to perform: ecs:RunTask'), {
      name: 'AccessDeniedException',
    });
    ecsMock.on(RunTaskCommand).rejects(denied);

    const error = await launch(launchInput()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({
      operation: 'ECS RunTask (cluster port25-canary, task definition port25-canary-probe:3)',
      code: 'AccessDeniedException',
      cause: denied,
    });
  });
});
