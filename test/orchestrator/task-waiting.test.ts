import { DescribeTasksCommand, ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { describeTasks, nextPollDelayMs, POLL_POLICY, stopTasks } from '../../functions/orchestrator/task-waiting.js';
import { fakeClock, throttlingError } from './fakes.js';

const ecsMock = mockClient(ECSClient);

afterEach(() => {
  ecsMock.reset();
});

const arns = (count: number) => Array.from({ length: count }, (_, index) => `arn:aws:ecs:eu-west-1:1:task/c/${index}`);

describe('describeTasks', () => {
  it('asks for at most 100 tasks per call', async () => {
    ecsMock.on(DescribeTasksCommand).callsFake((input) => ({
      tasks: input.tasks.map((taskArn: string) => ({ taskArn, lastStatus: 'RUNNING' })),
    }));

    const described = await describeTasks(new ECSClient({}), 'c', arns(250), fakeClock());

    const batches = ecsMock.commandCalls(DescribeTasksCommand).map((call) => call.args[0].input);
    expect(batches.map((input) => input.tasks?.length)).toEqual([100, 100, 50]);
    expect(batches.every((input) => input.cluster === 'c')).toBe(true);
    expect(described.tasks.size).toBe(250);
  });

  it('reports tasks ECS does not know yet as failures instead of throwing', async () => {
    ecsMock
      .on(DescribeTasksCommand)
      .resolves({ tasks: [], failures: [{ arn: 'arn:aws:ecs:eu-west-1:1:task/c/0', reason: 'MISSING' }] });

    const described = await describeTasks(new ECSClient({}), 'c', arns(1), fakeClock());

    expect(described.failures.get('arn:aws:ecs:eu-west-1:1:task/c/0')).toBe('MISSING');
  });

  it('retries a throttled DescribeTasks', async () => {
    ecsMock.on(DescribeTasksCommand).rejectsOnce(throttlingError()).resolves({ tasks: [] });
    const clock = fakeClock();

    await describeTasks(new ECSClient({}), 'c', arns(1), clock);

    expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(2);
    expect(clock.sleeps).toEqual([1_000]);
  });
});

describe('stopTasks', () => {
  it('stops every task with the reason and returns those it could not stop', async () => {
    ecsMock
      .on(StopTaskCommand)
      .resolvesOnce({})
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    const failures = await stopTasks(
      new ECSClient({}),
      'c',
      arns(2),
      'port25-canary: run deadline reached',
      fakeClock(),
    );

    expect(ecsMock.commandCalls(StopTaskCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: 'c', task: 'arn:aws:ecs:eu-west-1:1:task/c/0', reason: 'port25-canary: run deadline reached' },
      { cluster: 'c', task: 'arn:aws:ecs:eu-west-1:1:task/c/1', reason: 'port25-canary: run deadline reached' },
    ]);
    expect([...failures.keys()]).toEqual(['arn:aws:ecs:eu-west-1:1:task/c/1']);
    expect(failures.get('arn:aws:ecs:eu-west-1:1:task/c/1')?.message).toMatch(
      /ECS StopTask failed: AccessDeniedException/,
    );
  });
});

describe('nextPollDelayMs', () => {
  it('backs off from the first poll delay up to the cap', () => {
    const delays: number[] = [POLL_POLICY.initialDelayMs];
    for (let poll = 0; poll < 10; poll += 1) delays.push(nextPollDelayMs(delays.at(-1) as number));

    expect(delays.slice(0, 4)).toEqual([2_000, 3_000, 4_500, 6_750]);
    expect(delays.at(-1)).toBe(POLL_POLICY.maxDelayMs);
  });
});
