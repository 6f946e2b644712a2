import { DescribeTasksCommand, ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeTasks,
  POLL_POLICY,
  pollDelayMs,
  STOP_TASK_CONCURRENCY,
  stopTasks,
  typicalTaskLifeMs,
} from '../../functions/orchestrator/task-waiting.js';
import { fakeClock, recordingPacing, throttlingError } from './fakes.js';

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

  it('says "unknown reason" for a task ECS fails to describe without a reason', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: 'arn:aws:ecs:eu-west-1:1:task/c/0' }] });

    const described = await describeTasks(new ECSClient({}), 'c', arns(1), fakeClock(), LATER);

    expect(described.failures.get('arn:aws:ecs:eu-west-1:1:task/c/0')).toBe('unknown reason');
  });

  it('waits for its turn in the pacing before each DescribeTasks call', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [] });
    const { pacing, events } = recordingPacing();

    await describeTasks(new ECSClient({}), 'c', arns(150), fakeClock(), LATER, pacing);

    expect(events).toEqual(['take', 'answered', 'take', 'answered']);
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

  it('cuts the reason to the 255 characters StopTask accepts', async () => {
    ecsMock.on(StopTaskCommand).resolves({});

    await stopTasks(new ECSClient({}), 'c', arns(1), 'x'.repeat(300), fakeClock(), LATER);

    expect(ecsMock.commandCalls(StopTaskCommand)[0]?.args[0].input.reason).toBe('x'.repeat(255));
  });

  it('waits for its turn in the pacing before each StopTask call', async () => {
    ecsMock.on(StopTaskCommand).resolves({});
    const { pacing, events } = recordingPacing();

    await stopTasks(new ECSClient({}), 'c', arns(1), 'reason', fakeClock(), LATER, pacing);

    expect(events).toEqual(['take', 'answered']);
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

describe('pollDelayMs', () => {
  it("waits a tenth of the tasks' age before any task has stopped", () => {
    expect(pollDelayMs([30_000, 30_000], undefined)).toBe(3_000);
  });

  it('paces by the youngest task, so each one is noticed within a tenth of its own life', () => {
    expect(pollDelayMs([60_000, 20_000], undefined)).toBe(2_000);
  });

  it('does not wait when no task is in flight', () => {
    expect(pollDelayMs([], undefined)).toBe(0);
  });

  it('waits at least 250 ms for young tasks', () => {
    expect(pollDelayMs([0], undefined)).toBe(POLL_POLICY.minDelayPerCallMs);
  });

  it('waits 250 ms per DescribeTasks call of the round, so no more than 4 calls go out a second', () => {
    const youngTasks = new Array<number>(250).fill(0);

    expect(pollDelayMs(youngTasks, undefined)).toBe(750);
  });

  it('expects a young task to live as long as the tasks seen so far', () => {
    expect(pollDelayMs([0, 5_000], 40_000)).toBe(4_000);
  });

  it('expects a task older than the lives seen so far to live at least its age', () => {
    expect(pollDelayMs([90_000], 40_000)).toBe(9_000);
  });

  it('never waits longer than 15 s', () => {
    expect(pollDelayMs([600_000], undefined)).toBe(POLL_POLICY.maxDelayMs);
  });
});

describe('typicalTaskLifeMs', () => {
  it('knows nothing before a task has stopped', () => {
    expect(typicalTaskLifeMs([])).toBeUndefined();
  });

  it('takes the median, so a few tasks that failed fast do not set the pace', () => {
    expect(typicalTaskLifeMs([45_000, 3_000, 47_000])).toBe(45_000);
  });

  it('averages the two middle lives of an even count', () => {
    expect(typicalTaskLifeMs([44_000, 3_000, 47_000, 46_000])).toBe(45_000);
  });
});
