import { DescribeTasksCommand, ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeTasks,
  nextPollDelayMs,
  POLL_POLICY,
  STOP_TASK_CONCURRENCY,
  stopTasks,
} from '../../functions/orchestrator/task-waiting.js';
import { fakeClock, throttlingError } from './fakes.js';

const ecsMock = mockClient(ECSClient);

afterEach(() => {
  ecsMock.reset();
});

const LATER = Date.parse('2030-01-01T00:10:00.000Z');
const arns = (count: number) => Array.from({ length: count }, (_, index) => `arn:aws:ecs:eu-west-1:1:task/c/${index}`);

describe('describeTasks', () => {
  it('asks for at most 100 tasks per call', async () => {
    ecsMock.on(DescribeTasksCommand).callsFake((input) => ({
      tasks: input.tasks.map((taskArn: string) => ({ taskArn, lastStatus: 'RUNNING' })),
    }));

    const described = await describeTasks(new ECSClient({}), 'c', arns(250), fakeClock(), LATER);

    const batches = ecsMock.commandCalls(DescribeTasksCommand).map((call) => call.args[0].input);
    expect(batches.map((input) => input.tasks?.length)).toEqual([100, 100, 50]);
    expect(batches.every((input) => input.cluster === 'c')).toBe(true);
    expect(described.tasks.size).toBe(250);
  });

  it('reports tasks ECS does not know yet as failures instead of throwing', async () => {
    ecsMock
      .on(DescribeTasksCommand)
      .resolves({ tasks: [], failures: [{ arn: 'arn:aws:ecs:eu-west-1:1:task/c/0', reason: 'MISSING' }] });

    const described = await describeTasks(new ECSClient({}), 'c', arns(1), fakeClock(), LATER);

    expect(described.failures.get('arn:aws:ecs:eu-west-1:1:task/c/0')).toBe('MISSING');
  });

  it('retries a throttled DescribeTasks', async () => {
    ecsMock.on(DescribeTasksCommand).rejectsOnce(throttlingError()).resolves({ tasks: [] });
    const clock = fakeClock();

    await describeTasks(new ECSClient({}), 'c', arns(1), clock, LATER);

    expect(ecsMock.commandCalls(DescribeTasksCommand)).toHaveLength(2);
    expect(clock.sleeps).toEqual([1_000]);
  });

  it('gives up on a throttled DescribeTasks rather than sleep past notAfter, naming the cluster', async () => {
    ecsMock.on(DescribeTasksCommand).rejects(throttlingError());
    const clock = fakeClock();

    const describe = describeTasks(new ECSClient({}), 'port25-canary', arns(1), clock, clock.now() + 500);

    await expect(describe).rejects.toThrow('ECS DescribeTasks (cluster port25-canary) failed: ThrottlingException');
    expect(clock.sleeps).toEqual([]);
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
      LATER,
    );

    expect(ecsMock.commandCalls(StopTaskCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: 'c', task: 'arn:aws:ecs:eu-west-1:1:task/c/0', reason: 'port25-canary: run deadline reached' },
      { cluster: 'c', task: 'arn:aws:ecs:eu-west-1:1:task/c/1', reason: 'port25-canary: run deadline reached' },
    ]);
    expect([...failures.keys()]).toEqual(['arn:aws:ecs:eu-west-1:1:task/c/1']);
    expect(failures.get('arn:aws:ecs:eu-west-1:1:task/c/1')).toMatch(
      /^ECS StopTask \(cluster c\) failed: AccessDeniedException/,
    );
  });

  it('stops several tasks at once, never more than STOP_TASK_CONCURRENCY', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    ecsMock.on(StopTaskCommand).callsFake(async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return {};
    });

    await stopTasks(new ECSClient({}), 'c', arns(20), 'reason', fakeClock(), LATER);

    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(20);
    expect(maxInFlight).toBe(STOP_TASK_CONCURRENCY);
  });

  it('sends no StopTask once notAfter has passed and says why for each task', async () => {
    ecsMock.on(StopTaskCommand).resolves({});
    const clock = fakeClock();

    const failures = await stopTasks(new ECSClient({}), 'c', arns(2), 'reason', clock, clock.now());

    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect([...failures.values()]).toEqual([
      expect.stringMatching(/^StopTask not sent: no time left/),
      expect.stringMatching(/^StopTask not sent: no time left/),
    ]);
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
