import { type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { RunEventPublishError } from '../../functions/orchestrator/errors.js';
import { LOG_READ_POLICY } from '../../functions/orchestrator/result-collection.js';
import { DEADLINE_SAFETY_MARGIN_MS, runCanary } from '../../functions/orchestrator/run-canary.js';
import { MISSING_POLLS_LIMIT, STOP_REASONS, TASK_START_ALLOWANCE_MS } from '../../functions/orchestrator/task-pool.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { LIFTED_NEXT_STEP } from '../../functions/shared/restriction.js';
import {
  FakeAws,
  fakeClock,
  probeResult,
  type TaskScript,
  targetsNamed,
  testConfig,
  throttlingError,
} from './fakes.js';

const RUN_ID = '0b7e6f1c-2d3a-4e5f-8a9b-0c1d2e3f4a5b';

let aws: FakeAws | undefined;

function fakeAws(scriptFor: (target: string) => TaskScript, clock?: { readonly now: () => number }): FakeAws {
  aws = new FakeAws(scriptFor, clock);
  return aws;
}

afterEach(() => {
  aws?.restore();
  aws = undefined;
});

function publishedData(fake: FakeAws): MetricDatum[] {
  return fake.cloudwatchMock.commandCalls(PutMetricDataCommand).flatMap((call) => call.args[0].input.MetricData ?? []);
}

function dependencies(fake: FakeAws, clock = fakeClock(), remainingMs = 14 * 60_000) {
  return {
    ...fake.clients,
    now: clock.now,
    sleep: clock.sleep,
    remainingTimeMs: () => remainingMs,
    newRunId: () => RUN_ID,
  };
}

describe('runCanary', () => {
  it('reports every target with its verdict, expectation and the summary counts', async () => {
    const config = testConfig();
    const fake = fakeAws((target) =>
      target === 'relay-in-vpc'
        ? { result: probeResult('10.0.12.25', 'open') }
        : { result: probeResult('198.51.100.25', 'timeout') },
    );

    const report = await runCanary(config, {}, dependencies(fake));

    expect(report).toEqual({
      runId: RUN_ID,
      canary: 'mail-egress',
      startedAt: '2030-01-01T00:00:00.000Z',
      finishedAt: expect.any(String),
      released: false,
      results: [
        {
          target: 'relay-in-vpc',
          host: '10.0.12.25',
          port: 25,
          address: '10.0.12.25',
          expected: 'open',
          rule: 'auto: VPC primary CIDR 10.0.0.0/16',
          outcome: 'open',
          verdict: 'pass',
          evidence: 'port 25 connected and the server greeted',
          diagnosis: 'probe says open',
          connectMs: 12.5,
          greeting: '220 mx.example.test ESMTP',
          taskArn: expect.stringMatching(/^arn:aws:ecs:.*:task\//),
          detail: null,
        },
        {
          target: 'internet-mx',
          host: '198.51.100.25',
          port: 25,
          address: '198.51.100.25',
          expected: 'blocked',
          rule: 'configured: blocked',
          outcome: 'timeout',
          verdict: 'pass',
          evidence: 'consistent with the throttle, unproven (no control port)',
          diagnosis: 'probe says timeout',
          connectMs: null,
          greeting: null,
          taskArn: expect.stringMatching(/^arn:aws:ecs:.*:task\//),
          detail: null,
        },
      ],
      summary: { pass: 2, fail: 0, inconclusive: 0 },
      restriction: {
        state: 'unknown',
        inEffectTargets: [],
        liftedTargets: [],
        summary: expect.stringMatching(/^port-25 restriction unknown: /),
        nextStep: expect.any(String),
      },
    });
  });

  it('after --released finds the restriction lifted, tells a config not released to set it and redeploy', async () => {
    const fake = fakeAws((target) =>
      target === 'internet-mx'
        ? { result: probeResult('198.51.100.25', 'open') }
        : { result: probeResult('10.0.12.25', 'open') },
    );

    const asked = await runCanary(testConfig(), { released: true }, dependencies(fake));
    const configured = await runCanary({ ...testConfig(), port25Released: true }, {}, dependencies(fake));

    expect(asked.restriction).toMatchObject({ state: 'lifted', nextStep: LIFTED_NEXT_STEP });
    expect(asked.released).toBe(true);
    expect(configured.restriction).toMatchObject({ state: 'lifted', nextStep: null });
  });

  it('fails a target whose observation contradicts its expectation', async () => {
    const config = testConfig();
    const fake = fakeAws((target) =>
      target === 'internet-mx'
        ? { result: probeResult('198.51.100.25', 'open') }
        : { result: probeResult('10.0.12.25', 'open') },
    );

    const report = await runCanary(config, {}, dependencies(fake));

    expect(report.results.find((result) => result.target === 'internet-mx')?.verdict).toBe('fail');
    expect(report.summary).toEqual({ pass: 1, fail: 1, inconclusive: 0 });
  });

  it('probes only the targets the input names, with its attempts and released flag', async () => {
    const config = testConfig();
    const fake = fakeAws(() => ({ result: probeResult('198.51.100.25', 'open') }));

    const report = await runCanary(
      config,
      { targets: ['internet-mx'], attempts: 3, released: true },
      dependencies(fake),
    );

    const launches = fake.ecsMock.commandCalls(RunTaskCommand);
    expect(launches).toHaveLength(1);
    const command = launches[0]?.args[0].input.overrides?.containerOverrides?.[0]?.command ?? [];
    expect(command.slice(command.indexOf('--attempts'), command.indexOf('--attempts') + 2)).toEqual([
      '--attempts',
      '3',
    ]);
    expect(report.released).toBe(true);
    expect(report.results.map((result) => result.target)).toEqual(['internet-mx']);
  });

  it('judges an auto target on a public address as open when the payload says released', async () => {
    const config = testConfig({ targets: [{ name: 'public-relay', host: '198.51.100.25', expect: 'auto' }] });
    const fake = fakeAws(() => ({ result: probeResult('198.51.100.25', 'open') }));

    const report = await runCanary(config, { released: true }, dependencies(fake));

    expect(report.results[0]).toMatchObject({ expected: 'open', rule: 'auto: restriction released', verdict: 'pass' });
  });

  it('rejects an unknown target name before launching anything', async () => {
    const config = testConfig();
    const fake = fakeAws(() => ({}));

    const run = runCanary(config, { targets: ['internet-mx', 'no-such-target'] }, dependencies(fake));

    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/targets\[1\]: unknown target "no-such-target"/);
    expect(fake.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('refuses to run without a cluster, naming the field and the environment variable, and launches nothing', async () => {
    const config = testConfig({
      network: { subnets: ['subnet-0123456789abcdef0'], logGroup: '/p', taskDefinition: 'td:1' },
    });
    const fake = fakeAws(() => ({}));

    const run = runCanary(config, {}, dependencies(fake));

    await expect(run).rejects.toThrow(/network\.cluster: is required .*PORT25_CLUSTER/);
    expect(fake.ecsMock.calls()).toHaveLength(0);
  });

  it('reports a task that never started as task-failed and inconclusive, never a pass', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({
      exitCode: null,
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
    }));

    const report = await runCanary(config, {}, dependencies(fake));

    expect(report.results[0]).toMatchObject({
      outcome: 'task-failed',
      verdict: 'inconclusive',
      address: null,
      detail: expect.stringContaining('CannotPullContainerError'),
    });
    expect(report.summary).toEqual({ pass: 0, fail: 0, inconclusive: 1 });
  });

  it('stops tasks still running at the deadline and marks their targets task-failed', async () => {
    const config = testConfig();
    const fake = fakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }));
    const clock = fakeClock();
    const budgetMs = DEADLINE_SAFETY_MARGIN_MS + 5 * 60_000;

    const report = await runCanary(config, {}, dependencies(fake, clock, budgetMs));

    const stops = fake.ecsMock.commandCalls(StopTaskCommand).map((call) => call.args[0].input);
    expect(stops.map((input) => input.task).sort()).toEqual([...fake.tasks.keys()].sort());
    expect(stops.every((input) => input.reason === STOP_REASONS.deadline && input.cluster === 'port25-canary')).toBe(
      true,
    );
    expect(report.results.map((result) => [result.outcome, result.verdict])).toEqual([
      ['task-failed', 'inconclusive'],
      ['task-failed', 'inconclusive'],
    ]);
    expect(report.results[0]?.detail).toMatch(/deadline reached while the probe task was RUNNING; StopTask sent/);
    expect(clock.now() - Date.parse(report.startedAt)).toBeLessThanOrEqual(budgetMs - DEADLINE_SAFETY_MARGIN_MS);
  });

  it('marks targets it had no time to launch as task-failed without launching them', async () => {
    const config = testConfig({ maxConcurrentTasks: 1 });
    const fake = fakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }));

    const report = await runCanary(config, {}, dependencies(fake, fakeClock(), DEADLINE_SAFETY_MARGIN_MS + 80_000));

    expect(fake.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect(report.results[1]).toMatchObject({
      outcome: 'task-failed',
      taskArn: null,
      detail: 'run deadline reached before the probe task was launched',
    });
  });

  it('never has more than maxConcurrentTasks probe tasks in flight and describes at most 100 tasks per call', async () => {
    const config = testConfig({ maxConcurrentTasks: 120, targets: targetsNamed(150) });
    let launched = 0;
    const fake = fakeAws(() => {
      launched += 1;
      // Long enough for the paced launches (a burst of 90, then 18 a second) to fill the cap before any stops.
      return { result: probeResult('198.51.100.25', 'timeout'), pollsUntilStopped: 20 + (launched % 4) };
    });

    const report = await runCanary(config, {}, dependencies(fake));

    expect(fake.maxInFlight).toBe(120);
    expect(fake.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(150);
    const batchSizes = fake.ecsMock
      .commandCalls(DescribeTasksCommand)
      .map((call) => call.args[0].input.tasks?.length ?? 0);
    expect(Math.max(...batchSizes)).toBe(100);
    expect(batchSizes).toContain(20);
    expect(report.summary).toEqual({ pass: 150, fail: 0, inconclusive: 0 });
  });

  it('launches the next target only when one finishes with a cap of one', async () => {
    const config = testConfig({ maxConcurrentTasks: 1, targets: targetsNamed(3) });
    const fake = fakeAws(() => ({ result: probeResult('198.51.100.25', 'timeout') }));

    await runCanary(config, {}, dependencies(fake));

    expect(fake.maxInFlight).toBe(1);
    expect(fake.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(3);
  });

  it('publishes the run metrics in the configured namespace', async () => {
    const config = testConfig({ metricNamespace: 'Team/Port25' });
    const fake = fakeAws((target) =>
      target === 'relay-in-vpc'
        ? { result: probeResult('10.0.12.25', 'open') }
        : { result: probeResult('198.51.100.25', 'timeout') },
    );

    await runCanary(config, {}, dependencies(fake));

    const puts = fake.cloudwatchMock.commandCalls(PutMetricDataCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input.Namespace).toBe('Team/Port25');
  });

  it('aborts the run and stops what it started when RunTask is denied', async () => {
    const config = testConfig({ maxConcurrentTasks: 5, targets: targetsNamed(3) });
    const fake = fakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }));
    const denied = new Error('User is not authorized to perform: ecs:RunTask');
    denied.name = 'AccessDeniedException';
    fake.ecsMock
      .on(RunTaskCommand)
      .callsFakeOnce((input) => ({
        tasks: [{ taskArn: `arn:aws:ecs:eu-west-1:111122223333:task/${input.cluster}/first` }],
      }))
      .rejects(denied);

    const run = runCanary(config, {}, dependencies(fake));

    await expect(run).rejects.toThrow(
      'aborted: ECS RunTask (cluster port25-canary, task definition port25-canary-probe:3) failed: AccessDeniedException',
    );
    await expect(run).rejects.toThrow(/stopped 1 probe task/);
    expect(fake.ecsMock.commandCalls(StopTaskCommand).map((call) => call.args[0].input.task)).toEqual([
      'arn:aws:ecs:eu-west-1:111122223333:task/port25-canary/first',
    ]);
    expect(fake.cloudwatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('finishes and reports before the Lambda ends when 100 tasks stop in one poll without a result line', async () => {
    const config = testConfig({ maxConcurrentTasks: 100, targets: targetsNamed(100) });
    const fake = fakeAws(() => ({ pollsUntilStopped: 0, exitCode: 10, logLines: [] }));
    const clock = fakeClock();
    const remainingMs = DEADLINE_SAFETY_MARGIN_MS + 90_000;

    const report = await runCanary(config, {}, dependencies(fake, clock, remainingMs));

    expect(clock.now() - Date.parse(report.startedAt)).toBeLessThan(remainingMs);
    expect(report.results).toHaveLength(100);
    expect(fake.cloudwatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(1);
  });

  it('reads the logs of 100 tasks that stop together a few at a time, all before the deadline', async () => {
    const config = testConfig({ maxConcurrentTasks: 100, targets: targetsNamed(100) });
    const fake = fakeAws(() => ({ pollsUntilStopped: 0, exitCode: 10, logLines: [] }));

    const report = await runCanary(config, {}, dependencies(fake, fakeClock(), DEADLINE_SAFETY_MARGIN_MS + 90_000));

    const cutShort = report.results.filter((result) => /not read|gave up/.test(result.detail ?? ''));
    expect(cutShort).toEqual([]);
    // Each look reads an empty page, then gets its token back: only that marks the end of a stream.
    expect(fake.logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(100 * LOG_READ_POLICY.attempts * 2);
  });

  it('reports a would-be pass taken only from the exit code as inconclusive and publishes no ExpectationMet', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ exitCode: 10, logLines: [] }));

    const report = await runCanary(config, {}, dependencies(fake));

    expect(report.results[0]).toMatchObject({
      outcome: 'timeout',
      verdict: 'inconclusive',
      detail: expect.stringContaining('the result line was missing and the exit code alone cannot prove a pass'),
    });
    expect(publishedData(fake).map((datum) => datum.MetricName)).not.toContain('ExpectationMet');
    expect(publishedData(fake).find((datum) => datum.MetricName === 'TargetsInconclusive')?.Value).toBe(1);
  });

  it('puts one run event on the default bus with the verdicts and the restriction', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ result: probeResult('198.51.100.25', 'timeout') }));

    await runCanary(config, {}, dependencies(fake));

    const sent = fake.eventsMock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[0]).toMatchObject({
      Source: 'port25-canary',
      DetailType: 'Port25 Canary Run',
      EventBusName: 'default',
    });
    expect(JSON.parse(sent[0]?.[0]?.Detail ?? '{}')).toMatchObject({
      runId: RUN_ID,
      targets: [{ target: 'internet-mx', verdict: 'pass', outcome: 'timeout' }],
      restriction: { state: 'unknown' },
    });
  });

  it('keeps the report when the run event is refused, and still publishes the metrics', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ result: probeResult('198.51.100.25', 'timeout') }));
    fake.eventsMock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not allowed' }],
    });

    const error = await runCanary(config, {}, dependencies(fake)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RunEventPublishError);
    expect((error as RunEventPublishError).message).toMatch(
      /run event was not put on EventBridge: .*AccessDeniedException/,
    );
    expect((error as RunEventPublishError).report.results[0]?.verdict).toBe('pass');
    expect(publishedData(fake).length).toBeGreaterThan(0);
  });

  it('still fails a target on the exit code alone', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ exitCode: 0, logLines: [] }));

    const report = await runCanary(config, {}, dependencies(fake));

    expect(report.results[0]).toMatchObject({ outcome: 'open', verdict: 'fail' });
  });

  it('fails a target whose task DescribeTasks keeps answering MISSING for, naming the cluster', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }));
    fake.ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: [],
      failures: input.tasks.map((arn) => ({ arn, reason: 'MISSING' })),
    }));

    const report = await runCanary(config, {}, dependencies(fake));

    expect(report.results[0]).toMatchObject({
      outcome: 'task-failed',
      verdict: 'inconclusive',
      detail: expect.stringMatching(
        /MISSING .*polls in a row, \d+ s after RunTask, in cluster port25-canary.*StopTask sent/,
      ),
    });
    // ECS is eventually consistent: no give-up before the grace, and the task is stopped in case it runs after all.
    const polls = fake.ecsMock.commandCalls(DescribeTasksCommand).length;
    expect(polls).toBeGreaterThanOrEqual(MISSING_POLLS_LIMIT);
    expect(fake.ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
  });

  it('says so when it could not stop a task DescribeTasks keeps answering MISSING for', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }));
    fake.ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: [],
      failures: input.tasks.map((arn) => ({ arn, reason: 'MISSING' })),
    }));
    fake.ecsMock
      .on(StopTaskCommand)
      .rejects(Object.assign(new Error('not authorized to perform: ecs:StopTask'), { name: 'AccessDeniedException' }));

    const report = await runCanary(config, {}, dependencies(fake));

    expect(report.results[0]?.detail).toMatch(
      /in cluster port25-canary: ECS does not know it there; StopTask failed: ECS StopTask \(cluster port25-canary\) failed: AccessDeniedException/,
    );
  });

  it('gives up on a task once DescribeTasks answers MISSING 3 polls in a row after the grace, saying how long after RunTask', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const clock = fakeClock();
    const startedAt = clock.now();
    const fake = fakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }), clock);
    // Known and running for 40 s, then ECS forgets it.
    fake.ecsMock
      .on(DescribeTasksCommand)
      .callsFake((input: { tasks: string[] }) =>
        clock.now() - startedAt < 40_000
          ? { tasks: input.tasks.map((arn) => ({ taskArn: arn, lastStatus: 'RUNNING' })), failures: [] }
          : { tasks: [], failures: input.tasks.map((arn) => ({ arn, reason: 'MISSING' })) },
      );

    const report = await runCanary(config, {}, dependencies(fake, clock));

    expect(report.results[0]?.detail).toBe(
      'DescribeTasks answered MISSING for the task 3 polls in a row, 53 s after RunTask, in cluster port25-canary: ECS does not know it there; StopTask sent',
    );
  });

  it('does not count a DescribeTasks failure other than MISSING towards giving up on a task', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }));
    fake.ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: [],
      failures: input.tasks.map((arn) => ({ arn, reason: 'INTERNAL_ERROR' })),
    }));

    const report = await runCanary(config, {}, dependencies(fake, fakeClock(), DEADLINE_SAFETY_MARGIN_MS + 90_000));

    expect(report.results[0]?.detail).toBe(
      'run deadline reached while the probe task was not yet described; StopTask sent',
    );
    expect(fake.ecsMock.commandCalls(StopTaskCommand).map((call) => call.args[0].input.reason)).toEqual([
      'port25-canary: run deadline reached',
    ]);
  });

  it('tells the progress of each step of a task once: launched, running, stopped, result', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ pollsUntilStopped: 3, result: probeResult('198.51.100.25', 'timeout') }));
    const progress: unknown[] = [];

    await runCanary(config, {}, { ...dependencies(fake), onProgress: (event) => progress.push(event) });

    const taskArn = [...fake.tasks.keys()][0];
    expect(progress).toEqual([
      { kind: 'launched', target: 'internet-mx', taskArn },
      { kind: 'running', target: 'internet-mx', taskArn },
      { kind: 'stopped', target: 'internet-mx', taskArn },
      { kind: 'result', target: 'internet-mx', outcome: 'timeout' },
    ]);
  });

  it('tells no running step for a task first seen already stopped', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ pollsUntilStopped: 0, result: probeResult('198.51.100.25', 'timeout') }));
    const progress: { kind: string }[] = [];

    await runCanary(config, {}, { ...dependencies(fake), onProgress: (event) => progress.push(event) });

    expect(progress.map((event) => event.kind)).toEqual(['launched', 'stopped', 'result']);
  });

  it('aborts the run when DescribeTasks is denied, and names the task it could not stop', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }));
    fake.ecsMock
      .on(DescribeTasksCommand)
      .rejects(
        Object.assign(new Error('not authorized to perform: ecs:DescribeTasks'), { name: 'AccessDeniedException' }),
      );
    fake.ecsMock
      .on(StopTaskCommand)
      .rejects(Object.assign(new Error('not authorized to perform: ecs:StopTask'), { name: 'AccessDeniedException' }));

    const error = await runCanary(config, {}, dependencies(fake)).catch((caught: unknown) => caught);

    expect((error as Error).message).toBe(
      'the canary run was aborted: ECS DescribeTasks (cluster port25-canary) failed: AccessDeniedException: not authorized to perform: ecs:DescribeTasks; could not stop: arn:aws:ecs:eu-west-1:111122223333:task/port25-canary/00000001aa: ECS StopTask (cluster port25-canary) failed: AccessDeniedException: not authorized to perform: ecs:StopTask',
    );
    expect(fake.cloudwatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('says so when it could not stop a task still running at the deadline', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }));
    fake.ecsMock
      .on(StopTaskCommand)
      .rejects(Object.assign(new Error('not authorized to perform: ecs:StopTask'), { name: 'AccessDeniedException' }));

    const report = await runCanary(config, {}, dependencies(fake, fakeClock(), DEADLINE_SAFETY_MARGIN_MS + 90_000));

    expect(report.results[0]?.detail).toBe(
      'run deadline reached while the probe task was RUNNING; and it was not stopped: ECS StopTask (cluster port25-canary) failed: AccessDeniedException: not authorized to perform: ecs:StopTask',
    );
  });

  it('reports a target whose RunTask failed for good as task-failed with the reason, and tells the progress', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({}));
    fake.ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [{ arn: 'arn:cluster', reason: 'MISSING' }] });
    const progress: unknown[] = [];

    const report = await runCanary(config, {}, { ...dependencies(fake), onProgress: (event) => progress.push(event) });

    expect(report.results[0]).toMatchObject({
      outcome: 'task-failed',
      verdict: 'inconclusive',
      taskArn: null,
      detail: 'RunTask failed: MISSING',
    });
    expect(progress).toEqual([{ kind: 'not-launched', target: 'internet-mx', reason: 'RunTask failed: MISSING' }]);
  });

  it('ends on the deadline path with a report when DescribeTasks stays throttled', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ pollsUntilStopped: Number.POSITIVE_INFINITY }));
    fake.ecsMock.on(DescribeTasksCommand).rejects(throttlingError());

    const report = await runCanary(config, {}, dependencies(fake));

    expect(report.results[0]).toMatchObject({
      outcome: 'task-failed',
      verdict: 'inconclusive',
      detail: expect.stringContaining('run deadline reached'),
    });
    expect(fake.ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(fake.cloudwatchMock.commandCalls(PutMetricDataCommand).length).toBeGreaterThan(0);
  });

  it('keeps polling a task that DescribeTasks does not know yet right after RunTask', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const clock = fakeClock();
    const fake = fakeAws(
      () => ({ missingForMs: 5_000, lifeMs: 20_000, result: probeResult('198.51.100.25', 'timeout') }),
      clock,
    );

    const report = await runCanary(config, {}, dependencies(fake, clock));

    expect(report.results[0]).toMatchObject({ outcome: 'timeout', verdict: 'pass' });
    expect(fake.ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
  });

  it('launches a target only when the time left covers the start allowance and the timeout of every attempt', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ result: probeResult('198.51.100.25', 'timeout') }));
    // timeoutMs is 10 s: two attempts need the allowance + 20 s.
    const remainingMs = DEADLINE_SAFETY_MARGIN_MS + TASK_START_ALLOWANCE_MS + 15_000;

    const report = await runCanary(config, { attempts: 2 }, dependencies(fake, fakeClock(), remainingMs));

    expect(fake.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(0);
    expect(report.results[0]).toMatchObject({
      outcome: 'task-failed',
      taskArn: null,
      detail: expect.stringMatching(
        /^not launched: not enough time left before the deadline \(needs 80 s, 75 s left\)/,
      ),
    });
  });

  it('launches a target when the time left is exactly the start allowance and the timeout of every attempt', async () => {
    const config = testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
    const fake = fakeAws(() => ({ result: probeResult('198.51.100.25', 'timeout') }));
    // timeoutMs is 10 s: one attempt needs 60 s + 10 s.
    const remainingMs = DEADLINE_SAFETY_MARGIN_MS + 70_000;

    const report = await runCanary(config, {}, dependencies(fake, fakeClock(), remainingMs));

    expect(fake.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ outcome: 'timeout', verdict: 'pass' });
  });

  it('needs no extra time for a control port, whose connect runs beside the attempt', async () => {
    const config = testConfig({
      targets: [{ name: 'with-control', host: '198.51.100.25', expect: 'blocked', controlPort: 587 }],
    });
    const fake = fakeAws(() => ({ result: probeResult('198.51.100.25', 'timeout') }));
    const remainingMs = DEADLINE_SAFETY_MARGIN_MS + TASK_START_ALLOWANCE_MS + 15_000;

    const report = await runCanary(config, {}, dependencies(fake, fakeClock(), remainingMs));

    expect(fake.ecsMock.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ target: 'with-control', verdict: 'pass' });
  });
});

describe('runCanary polling', () => {
  const oneTarget = () => testConfig({ targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }] });
  const timeoutResult = { result: probeResult('198.51.100.25', 'timeout') };

  /** Milliseconds from the run's start to each DescribeTasks round (one time per round). */
  function pollTimes(fake: FakeAws, startedAt: number): number[] {
    return [...new Set(fake.describeCalls.map((call) => call.at - startedAt))];
  }

  it('polls young tasks every 250 ms, then every tenth of their age', async () => {
    const clock = fakeClock();
    const startedAt = clock.now();
    const fake = fakeAws(() => ({ ...timeoutResult, lifeMs: 10_000 }), clock);

    await runCanary(oneTarget(), {}, dependencies(fake, clock));

    const polls = pollTimes(fake, startedAt);
    expect(polls.slice(0, 14)).toEqual([
      250, 500, 750, 1_000, 1_250, 1_500, 1_750, 2_000, 2_250, 2_500, 2_750, 3_025, 3_328, 3_661,
    ]);
    for (const [index, at] of polls.entries()) {
      const previous = index === 0 ? 0 : (polls[index - 1] as number);
      expect(at - previous).toBe(Math.max(250, Math.round(previous / 10)));
    }
  });

  it('notices a task stop within a tenth of its life', async () => {
    const clock = fakeClock();
    const startedAt = clock.now();
    const fake = fakeAws(() => ({ ...timeoutResult, lifeMs: 45_000 }), clock);

    const report = await runCanary(oneTarget(), {}, dependencies(fake, clock));

    const lastPoll = pollTimes(fake, startedAt).at(-1) as number;
    expect(lastPoll).toBeGreaterThanOrEqual(45_000);
    expect(lastPoll).toBeLessThanOrEqual(45_000 * 1.1);
    expect(report.results[0]?.outcome).toBe('timeout');
  });

  it('polls later tasks every tenth of the lives seen so far, from their launch', async () => {
    const clock = fakeClock();
    const startedAt = clock.now();
    const config = testConfig({ maxConcurrentTasks: 1, targets: targetsNamed(2) });
    const fake = fakeAws(() => ({ ...timeoutResult, lifeMs: 20_000 }), clock);

    await runCanary(config, {}, dependencies(fake, clock));

    const polls = pollTimes(fake, startedAt);
    const firstLifeMs = polls.find((at) => at >= 20_000) as number;
    const secondTaskPolls = polls.filter((at) => at > firstLifeMs);
    const gaps = secondTaskPolls.map(
      (at, index) => at - (index === 0 ? firstLifeMs : (secondTaskPolls[index - 1] as number)),
    );
    expect(new Set(gaps)).toEqual(new Set([Math.round(firstLifeMs / 10)]));
    expect(secondTaskPolls.at(-1)).toBeLessThanOrEqual(firstLifeMs + 20_000 * 1.1);
  });

  it('sends one DescribeTasks per 100 tasks in flight each round, never more than 4 a second', async () => {
    const clock = fakeClock();
    const config = testConfig({ maxConcurrentTasks: 250, targets: targetsNamed(250) });
    // Tasks outlive the paced launches (90 at once, then 18 a second), so all 250 are in flight together.
    const fake = fakeAws(() => ({ ...timeoutResult, lifeMs: 30_000 }), clock);

    await runCanary(config, {}, dependencies(fake, clock));

    const rounds = new Map<number, number>();
    for (const call of fake.describeCalls) rounds.set(call.at, (rounds.get(call.at) ?? 0) + 1);
    const times = [...rounds.keys()];
    expect(Math.max(...rounds.values())).toBe(3);
    for (const [index, at] of times.slice(1).entries()) {
      expect(at - (times[index] as number)).toBeGreaterThanOrEqual(250 * (rounds.get(at) as number));
    }
  });

  it.each([
    ['second-long tasks (the lab)', 1_300],
    ['minute-long tasks (Fargate)', 45_000],
  ])('runs 50 targets 10 at a time within 1.2 times five waves of %s', async (_, lifeMs) => {
    const clock = fakeClock();
    const startedAt = clock.now();
    const config = testConfig({ maxConcurrentTasks: 10, targets: targetsNamed(50) });
    const fake = fakeAws(() => ({ ...timeoutResult, lifeMs }), clock);

    const report = await runCanary(config, {}, dependencies(fake, clock));

    expect(report.summary).toEqual({ pass: 50, fail: 0, inconclusive: 0 });
    expect(clock.now() - startedAt).toBeLessThanOrEqual(1.2 * 5 * lifeMs);
  });
});
