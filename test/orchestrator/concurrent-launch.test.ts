import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { EcsRequestPacer } from '../../functions/orchestrator/request-pacing.js';
import { runCanary } from '../../functions/orchestrator/run-canary.js';
import { probeTaskSettings } from '../../functions/orchestrator/runtime-config.js';
import { runProbeTasks, STOP_REASONS } from '../../functions/orchestrator/task-pool.js';
import { FakeAws, fakeClock, probeResult, type TaskScript, targetsNamed, testConfig } from './fakes.js';

/** AWS answers RunTask in hundreds of milliseconds. */
const RUN_TASK_LATENCY_MS = 250;
const timeoutResult = { result: probeResult('198.51.100.25', 'timeout') };

let aws: FakeAws | undefined;
afterEach(() => {
  aws?.restore();
  aws = undefined;
});

function setUp(
  scriptFor: (target: string) => TaskScript,
  remainingMs = 14 * 60_000,
  runTaskLatencyMs: number | ((target: string) => number) = RUN_TASK_LATENCY_MS,
) {
  const clock = fakeClock();
  aws = new FakeAws(scriptFor, clock, runTaskLatencyMs);
  const dependencies = {
    ...aws.clients,
    now: clock.now,
    sleep: clock.sleep,
    remainingTimeMs: () => remainingMs,
    newRunId: () => '0b7e6f1c-2d3a-4e5f-8a9b-0c1d2e3f4a5b',
  };
  return { clock, fake: aws, dependencies };
}

describe('concurrent launches', () => {
  it('sends the first wave of RunTask calls together and reaches maxConcurrentTasks in one RunTask latency', async () => {
    const { clock, fake, dependencies } = setUp(() => ({ ...timeoutResult, lifeMs: 2_000 }));
    const startedAt = clock.now();
    const config = testConfig({ maxConcurrentTasks: 50, targets: targetsNamed(100) });

    const report = await runCanary(config, {}, dependencies);

    expect(fake.maxInFlight).toBe(50);
    expect(fake.maxRunTasksPending).toBe(50);
    const firstWave = fake.runTaskCalls.slice(0, 50).map((call) => call.at - startedAt);
    expect(new Set(firstWave)).toEqual(new Set([0]));
    expect(report.summary).toEqual({ pass: 100, fail: 0, inconclusive: 0 });
  });

  it('never has more RunTask calls waiting plus tasks in flight than the cap', async () => {
    const { fake, dependencies } = setUp(() => ({ ...timeoutResult, lifeMs: 700 }));
    const config = testConfig({ maxConcurrentTasks: 10, targets: targetsNamed(60) });

    await runCanary(config, {}, dependencies);

    expect(fake.maxRunTasksPending).toBe(10);
    expect(fake.maxInFlight).toBe(10);
    expect(fake.runTaskCalls).toHaveLength(60);
  });

  it('launches no faster than 90 at once and 18 a second after, the Fargate launch rate with headroom', async () => {
    const { clock, fake, dependencies } = setUp(() => ({ ...timeoutResult, lifeMs: 60_000 }));
    const startedAt = clock.now();
    const config = testConfig({ maxConcurrentTasks: 200, targets: targetsNamed(200) });

    await runCanary(config, {}, dependencies);

    const sentAt = fake.runTaskCalls.map((call) => call.at - startedAt);
    expect(sentAt.filter((at) => at === 0)).toHaveLength(90);
    for (const [index, at] of sentAt.entries()) {
      expect(at).toBeGreaterThanOrEqual(Math.max(0, ((index + 1 - 90) * 1000) / 18) - 0.01);
    }
    expect(fake.maxInFlight).toBe(200);
  });
});

describe('fault paths with concurrent launches', () => {
  it('relaunches a target after a capacity failure with a new clientToken while the others launch', async () => {
    const { fake, dependencies } = setUp(() => ({ ...timeoutResult, lifeMs: 3_000 }));
    fake.scriptRunTaskFaults('target-3', ['capacity']);
    const config = testConfig({ maxConcurrentTasks: 10, targets: targetsNamed(10) });

    const report = await runCanary(config, {}, dependencies);

    const tokens = fake.runTaskCalls.filter((call) => call.target === 'target-3').map((call) => call.clientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).not.toBe(tokens[0]);
    expect(fake.maxRunTasksPending).toBe(10);
    expect(report.results.find((result) => result.target === 'target-3')?.verdict).toBe('pass');
    expect(report.summary).toEqual({ pass: 10, fail: 0, inconclusive: 0 });
  });

  it('retries a throttled RunTask with the same clientToken while the others launch', async () => {
    const { fake, dependencies } = setUp(() => ({ ...timeoutResult, lifeMs: 3_000 }));
    fake.scriptRunTaskFaults('target-5', ['throttle', 'throttle']);
    const config = testConfig({ maxConcurrentTasks: 10, targets: targetsNamed(10) });

    const report = await runCanary(config, {}, dependencies);

    const tokens = fake.runTaskCalls.filter((call) => call.target === 'target-5').map((call) => call.clientToken);
    expect(tokens).toHaveLength(3);
    expect(new Set(tokens).size).toBe(1);
    expect(report.summary).toEqual({ pass: 10, fail: 0, inconclusive: 0 });
  });

  it('stops every task still running at the deadline, the whole concurrent wave, and fails their targets', async () => {
    const { fake, dependencies } = setUp(
      () => ({ ...timeoutResult, pollsUntilStopped: Number.POSITIVE_INFINITY }),
      3 * 60_000,
    );
    const config = testConfig({ maxConcurrentTasks: 20, targets: targetsNamed(25) });

    const report = await runCanary(config, {}, dependencies);

    const stops = fake.ecsMock.commandCalls(StopTaskCommand).map((call) => call.args[0].input);
    expect(stops).toHaveLength(20);
    expect(new Set(stops.map((input) => input.reason))).toEqual(new Set([STOP_REASONS.deadline]));
    const details = report.results.map((result) => result.detail);
    expect(
      details.filter((detail) => detail?.startsWith('run deadline reached while the probe task was')),
    ).toHaveLength(20);
    expect(
      details.filter((detail) => detail === 'run deadline reached before the probe task was launched'),
    ).toHaveLength(5);
  });

  it('waits for a RunTask that answers after the deadline, then stops the task it started', async () => {
    // The deadline is 2 min in; target-1's RunTask answers at 125 s, inside the final grace.
    const { fake, dependencies } = setUp(
      () => ({ ...timeoutResult, pollsUntilStopped: Number.POSITIVE_INFINITY }),
      3 * 60_000,
      (target) => (target === 'target-1' ? 125_000 : RUN_TASK_LATENCY_MS),
    );
    const config = testConfig({ maxConcurrentTasks: 2, targets: targetsNamed(2) });

    const report = await runCanary(config, {}, dependencies);

    const stopped = fake.ecsMock.commandCalls(StopTaskCommand).map((call) => call.args[0].input.task);
    expect(stopped.sort()).toEqual([...fake.tasks.keys()].sort());
    expect(stopped).toHaveLength(2);
    expect(report.results[1]).toMatchObject({
      target: 'target-1',
      outcome: 'task-failed',
      detail: 'run deadline reached while the probe task was not yet described; StopTask sent',
    });
  });

  it('launches nothing more once the deadline is reached, even when a late RunTask answers without a task', async () => {
    // The deadline is 2 min in; target-1's RunTask answers at 125 s with a capacity failure, freeing a slot.
    const { fake, dependencies } = setUp(
      () => ({ ...timeoutResult, pollsUntilStopped: Number.POSITIVE_INFINITY }),
      3 * 60_000,
      (target) => (target === 'target-1' ? 125_000 : RUN_TASK_LATENCY_MS),
    );
    fake.scriptRunTaskFaults('target-1', ['capacity']);
    const config = testConfig({ maxConcurrentTasks: 2, targets: targetsNamed(3) });

    const report = await runCanary(config, {}, dependencies);

    expect(fake.runTaskCalls.map((call) => call.target)).toEqual(['target-0', 'target-1']);
    expect(report.results[2]).toMatchObject({
      target: 'target-2',
      outcome: 'task-failed',
      detail: 'run deadline reached before the probe task was launched',
    });
  });

  it('leaves a target unlaunched, without aborting the run, when the launch rate has no turn before the deadline', async () => {
    const { clock, fake } = setUp(() => timeoutResult);
    const config = testConfig({ targets: targetsNamed(1) });

    const observations = await runProbeTasks(config.targets, {
      ecs: fake.ecs,
      logs: fake.logs,
      settings: probeTaskSettings(config),
      probe: config.probe,
      attempts: 1,
      runId: '0b7e6f1c-2d3a-4e5f-8a9b-0c1d2e3f4a5b',
      maxConcurrentTasks: 1,
      deadlineAt: clock.now() + 120_000,
      finalWorkNotAfter: clock.now() + 135_000,
      clock,
      // A millionth of ECS's rates: no burst, and the first token comes hours after the deadline.
      pacer: new EcsRequestPacer(clock, 0.000_001),
    });

    expect(fake.runTaskCalls).toHaveLength(0);
    expect(observations.get('target-0')).toMatchObject({
      outcome: 'task-failed',
      detail: 'run deadline reached before the probe task was launched',
    });
  });
});
