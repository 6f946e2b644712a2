import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetLogEventsCommand, type GetLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { RunTaskCommand, StopTaskCommand, type StopTaskCommandInput } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunCommand } from '../../functions/cli/commands/run.js';
import { runCanary } from '../../functions/orchestrator/run-canary.js';
import {
  capture,
  FakeAws,
  fakeClock,
  probeResult,
  type TaskScript,
  TEST_NETWORK,
  targetsNamed,
  testConfig,
} from '../orchestrator/fakes.js';

/**
 * The run's documented timing and pacing as literals (docs/orchestrator.md): the 30 s grace before a MISSING task is
 * given up, five log reads and five StopTask calls at a time, and what `run --deadline` launches and stops.
 */

let aws: FakeAws | undefined;
afterEach(() => {
  aws?.restore();
  aws = undefined;
});

function fakeAws(scriptFor: (target: string) => TaskScript, clock: { readonly now: () => number }): FakeAws {
  aws?.restore();
  aws = new FakeAws(scriptFor, clock);
  return aws;
}

/** Counts how many calls are in flight at once; each call takes `holdMs` on the fake clock. */
function concurrencyMeter(clock: ReturnType<typeof fakeClock>, holdMs: number) {
  const meter = { inFlight: 0, max: 0 };
  const hold = async <T>(answer: () => T): Promise<T> => {
    meter.inFlight += 1;
    meter.max = Math.max(meter.max, meter.inFlight);
    await clock.sleep(holdMs);
    meter.inFlight -= 1;
    return answer();
  };
  return { meter, hold };
}

describe('the MISSING grace', () => {
  it('keeps a task ECS answers MISSING for during its first 25 s, and judges it when it appears', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const clock = fakeClock();
    const fake = fakeAws(
      () => ({ missingForMs: 25_000, lifeMs: 40_000, result: probeResult('198.51.100.25', 'timeout') }),
      clock,
    );

    const report = await runCanary(config, {}, { ...fake.clients, now: clock.now, sleep: clock.sleep });

    expect(report.results[0]).toMatchObject({ outcome: 'timeout', verdict: 'pass' });
    expect(fake.ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
  });

  it('gives up on a task ECS never knows 30 s after RunTask, not sooner', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const clock = fakeClock();
    const startedAt = clock.now();
    const fake = fakeAws(() => ({ missingForMs: Number.POSITIVE_INFINITY }), clock);
    const stoppedAt: number[] = [];
    fake.ecsMock.on(StopTaskCommand).callsFake((input: StopTaskCommandInput) => {
      stoppedAt.push(clock.now());
      return { task: { taskArn: input.task } };
    });

    const report = await runCanary(config, {}, { ...fake.clients, now: clock.now, sleep: clock.sleep });

    expect(report.results[0]).toMatchObject({ outcome: 'task-failed', verdict: 'inconclusive' });
    expect(stoppedAt).toHaveLength(1);
    expect((stoppedAt[0] as number) - startedAt).toBeGreaterThanOrEqual(30_000);
    expect((stoppedAt[0] as number) - startedAt).toBeLessThan(35_000);
  });
});

describe('the pace of the final work', () => {
  it('reads the logs of at most 5 stopped tasks at once', async () => {
    const config = testConfig({ maxConcurrentTasks: 20, targets: targetsNamed(12) });
    const clock = fakeClock();
    const fake = fakeAws(() => ({ lifeMs: 5_000, result: probeResult('198.51.100.25', 'timeout') }), clock);
    const { meter, hold } = concurrencyMeter(clock, 500);
    const line = JSON.stringify(probeResult('198.51.100.25', 'timeout'));
    fake.logsMock
      .on(GetLogEventsCommand)
      .callsFake((input: GetLogEventsCommandInput) =>
        hold(() =>
          input.nextToken === 'f/end'
            ? { events: [], nextForwardToken: 'f/end' }
            : { events: [{ timestamp: 0, message: line }], nextForwardToken: 'f/end' },
        ),
      );

    const report = await runCanary(config, {}, { ...fake.clients, now: clock.now, sleep: clock.sleep });

    expect(report.summary).toEqual({ pass: 12, fail: 0, inconclusive: 0 });
    expect(meter.max).toBe(5);
  });

  it('sends at most 5 StopTask calls at once at the deadline, and stops every task', async () => {
    const config = testConfig({ maxConcurrentTasks: 20, targets: targetsNamed(12) });
    const clock = fakeClock();
    const fake = fakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }), clock);
    const { meter, hold } = concurrencyMeter(clock, 500);
    fake.ecsMock
      .on(StopTaskCommand)
      .callsFake((input: StopTaskCommandInput) => hold(() => ({ task: { taskArn: input.task } })));

    const report = await runCanary(
      config,
      {},
      { ...fake.clients, now: clock.now, sleep: clock.sleep, remainingTimeMs: () => 5 * 60_000 },
    );

    expect(report.summary.inconclusive).toBe(12);
    expect(fake.ecsMock.commandCalls(StopTaskCommand)).toHaveLength(12);
    expect(meter.max).toBe(5);
  });
});

describe('port25-canary run --deadline', () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
    directory = undefined;
  });

  async function runWith(argv: readonly string[], script: TaskScript) {
    directory = await mkdtemp(join(tmpdir(), 'port25-contracts-deadline-'));
    await writeFile(
      join(directory, 'canary.config.json'),
      JSON.stringify({
        canaryName: 'mail-egress',
        network: { ...TEST_NETWORK },
        maxConcurrentTasks: 1,
        targets: targetsNamed(3),
      }),
    );
    const clock = fakeClock();
    const startedAt = clock.now();
    const fake = fakeAws(() => script, clock);
    const stoppedAt: number[] = [];
    fake.ecsMock.on(StopTaskCommand).callsFake((input: StopTaskCommandInput) => {
      stoppedAt.push(clock.now() - startedAt);
      return { task: { taskArn: input.task } };
    });
    const cwd = directory;
    const run = createRunCommand({
      createClients: () => fake.clients,
      now: clock.now,
      sleep: clock.sleep,
      cwd: () => cwd,
    });
    const { io, output } = capture();
    const exitCode = await run.run(['--json', ...argv], io);
    return {
      exitCode,
      report: JSON.parse(output.stdout),
      launched: fake.ecsMock.commandCalls(RunTaskCommand).length,
      stoppedAt,
    };
  }

  it('stops a task still running 60 s before a 150 s deadline, at 90 s', async () => {
    const { stoppedAt, launched } = await runWith(['--deadline', '150'], {
      pollsUntilStopped: Number.POSITIVE_INFINITY,
    });

    expect(launched).toBe(1);
    expect(stoppedAt).toHaveLength(1);
    expect(stoppedAt[0]).toBeGreaterThanOrEqual(90_000);
    expect(stoppedAt[0]).toBeLessThan(95_000);
  });

  it('stops a task still running at 840 s without --deadline (900 s)', async () => {
    const { stoppedAt } = await runWith([], { pollsUntilStopped: Number.POSITIVE_INFINITY });

    expect(stoppedAt).toHaveLength(1);
    expect(stoppedAt[0]).toBeGreaterThanOrEqual(840_000);
    expect(stoppedAt[0]).toBeLessThan(845_000);
  });

  it('launches no task that could not finish before the deadline: after a 25 s task, 150 s leave no time for another', async () => {
    const script: TaskScript = { lifeMs: 25_000, result: probeResult('198.51.100.25', 'timeout') };

    const short = await runWith(['--deadline', '150'], script);
    const long = await runWith(['--deadline', '600'], script);

    expect(short.launched).toBe(1);
    expect(short.report.results.map((result: { detail: string | null }) => result.detail)).toEqual([
      null,
      expect.stringContaining('not launched: not enough time left before the deadline'),
      expect.stringContaining('not launched: not enough time left before the deadline'),
    ]);
    expect(long.launched).toBe(3);
  });
});
