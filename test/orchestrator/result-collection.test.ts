import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { Task } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  collectTargetObservation,
  LOG_READ_POLICY,
  parseProbeResultLine,
  probeLogStreamName,
} from '../../functions/orchestrator/result-collection.js';
import { probeTaskSettings } from '../../functions/orchestrator/runtime-config.js';
import type { CanaryTarget } from '../../functions/shared/config.js';
import { fakeClock, probeResult, testConfig } from './fakes.js';

const TASK_ARN = 'arn:aws:ecs:eu-west-1:111122223333:task/port25-canary/4f3c2b1a0d9e8f7a';
const logsMock = mockClient(CloudWatchLogsClient);
// Built inside each test, not at import: a config parsed while the file loads makes every config mutant a static one
// for `npm run mutate`, which then reloads the test environment for each.
function fixture() {
  const config = testConfig({
    network: { cluster: 'c', taskDefinition: 'td:1', subnets: ['subnet-0123456789abcdef0'], logGroup: '/port25/probe' },
  });
  return { settings: probeTaskSettings(config), target: config.targets[1] as CanaryTarget };
}

afterEach(() => {
  logsMock.reset();
});

function stoppedTask(probeContainer: NonNullable<Task['containers']>[number], others: Task['containers'] = []): Task {
  return { taskArn: TASK_ARN, lastStatus: 'STOPPED', containers: [...others, probeContainer] };
}

/** One page of events; asked again with its token, GetLogEvents hands back no events and the same token. */
function logLines(...lines: string[]) {
  return (input: { nextToken?: string }) =>
    input.nextToken === 'f/1'
      ? { events: [], nextForwardToken: 'f/1' }
      : { events: lines.map((message, index) => ({ message, timestamp: index })), nextForwardToken: 'f/1' };
}

function collect(task: Task, clock = fakeClock(), notAfter = clock.now() + 10 * 60_000) {
  const { settings, target } = fixture();
  return collectTargetObservation(new CloudWatchLogsClient({}), settings, target, task, clock, notAfter);
}

describe('probeLogStreamName', () => {
  it('follows the awslogs driver: prefix, container name, task ID', () => {
    expect(probeLogStreamName(fixture().settings, TASK_ARN)).toBe('probe/probe/4f3c2b1a0d9e8f7a');
  });
});

describe('parseProbeResultLine', () => {
  it('accepts a probe result line', () => {
    const result = probeResult('198.51.100.25', 'timeout');

    expect(parseProbeResultLine(JSON.stringify(result))).toEqual(result);
  });

  it('keeps the control report of the probe', () => {
    const result = {
      ...probeResult('198.51.100.25', 'timeout'),
      control: { port: 587, outcome: 'open', connectMs: 4 },
    };

    expect(parseProbeResultLine(JSON.stringify(result))?.control).toEqual({ port: 587, outcome: 'open', connectMs: 4 });
  });

  it.each([
    [
      'a control report with an unknown outcome',
      JSON.stringify({ ...probeResult('198.51.100.25', 'timeout'), control: { port: 587, outcome: 'maybe' } }),
    ],
    ['a stderr line', 'port25-canary probe: connecting to 198.51.100.25:25'],
    ['JSON that is not a result', '{"level":"info","msg":"starting"}'],
    ['a truncated line', '{"target":"198.51.100.25:25","host":'],
    ['an unknown outcome', JSON.stringify({ ...probeResult('198.51.100.25', 'timeout'), outcome: 'maybe' })],
  ])('ignores %s', (_, line) => {
    expect(parseProbeResultLine(line)).toBeUndefined();
  });
});

describe('collectTargetObservation', () => {
  it('reads the result line among the stderr lines of the stream, from the head', async () => {
    const result = probeResult('198.51.100.25', 'timeout');
    logsMock
      .on(GetLogEventsCommand)
      .callsFake(logLines('probe: dialling 198.51.100.25:25', JSON.stringify(result), 'probe: done'));

    const observation = await collect(stoppedTask({ name: 'probe', exitCode: 10 }));

    expect(observation).toEqual({
      outcome: 'timeout',
      attempts: [{ outcome: 'timeout', address: '198.51.100.25' }],
      address: '198.51.100.25',
      control: null,
      connectMs: null,
      greeting: null,
      diagnosis: 'probe says timeout',
      taskArn: TASK_ARN,
      detail: null,
      source: 'result-line',
    });
    expect(logsMock.commandCalls(GetLogEventsCommand)[0]?.args[0].input).toEqual({
      logGroupName: '/port25/probe',
      logStreamName: 'probe/probe/4f3c2b1a0d9e8f7a',
      startFromHead: true,
    });
  });

  it("keeps each attempt's outcome and address for the judge", async () => {
    const result = probeResult('198.51.100.25', 'timeout', {
      attempts: [
        { ...probeResult('198.51.100.26', 'open').attempts[0], attempt: 1 } as never,
        { ...probeResult('198.51.100.25', 'timeout').attempts[0], attempt: 2 } as never,
      ],
    });
    logsMock.on(GetLogEventsCommand).callsFake(logLines(JSON.stringify(result)));

    const observation = await collect(stoppedTask({ name: 'probe', exitCode: 10 }));

    expect(observation.attempts).toEqual([
      { outcome: 'open', address: '198.51.100.26' },
      { outcome: 'timeout', address: '198.51.100.25' },
    ]);
  });

  it('finds the probe container by name when a sidecar is listed first', async () => {
    logsMock.on(GetLogEventsCommand).callsFake(logLines(JSON.stringify(probeResult('198.51.100.25', 'timeout'))));

    const observation = await collect(
      stoppedTask({ name: 'probe', exitCode: 10 }, [{ name: 'log-router', exitCode: 0, lastStatus: 'STOPPED' }]),
    );

    expect(observation.outcome).toBe('timeout');
    expect(observation.detail).toBeNull();
  });

  it('follows the forward token until GetLogEvents hands the same token back', async () => {
    logsMock.on(GetLogEventsCommand).callsFake(logLines('probe: the result line is missing'));

    await collect(stoppedTask({ name: 'probe', exitCode: 10 }));

    const tokens = logsMock.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input.nextToken);
    expect(tokens.slice(0, 2)).toEqual([undefined, 'f/1']);
  });

  it('reads on past empty pages with new tokens and finds the result line after them', async () => {
    const resultLine = JSON.stringify(probeResult('198.51.100.25', 'timeout'));
    // As the real service may: empty pages with fresh tokens, then the events, then the same token back at the end.
    const pages: Record<string, { events: { message: string; timestamp: number }[]; nextForwardToken: string }> = {
      head: { events: [], nextForwardToken: 'f/a' },
      'f/a': { events: [], nextForwardToken: 'f/b' },
      'f/b': { events: [{ message: resultLine, timestamp: 1 }], nextForwardToken: 'f/c' },
      'f/c': { events: [], nextForwardToken: 'f/c' },
    };
    logsMock.on(GetLogEventsCommand).callsFake((input: { nextToken?: string }) => pages[input.nextToken ?? 'head']);

    const observation = await collect(stoppedTask({ name: 'probe', exitCode: 10 }));

    expect(observation.source).toBe('result-line');
    expect(observation.outcome).toBe('timeout');
    expect(logsMock.commandCalls(GetLogEventsCommand).map((call) => call.args[0].input.nextToken)).toEqual([
      undefined,
      'f/a',
      'f/b',
    ]);
  });

  it('reads at most LOG_READ_POLICY.maxPages (20) pages per look when the tokens never repeat', async () => {
    let page = 0;
    logsMock.on(GetLogEventsCommand).callsFake(() => {
      page += 1;
      return { events: [], nextForwardToken: `f/${page}` };
    });

    await collect(stoppedTask({ name: 'probe', exitCode: 10 }));

    expect(LOG_READ_POLICY.maxPages).toBe(20);
    expect(logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(LOG_READ_POLICY.attempts * 20);
  });

  it('stops reading the stream once the result line is found', async () => {
    logsMock.on(GetLogEventsCommand).callsFake(logLines(JSON.stringify(probeResult('198.51.100.25', 'timeout'))));

    await collect(stoppedTask({ name: 'probe', exitCode: 10 }));

    expect(logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(1);
  });

  it('falls back to the exit code when the stream has no result line, and says so', async () => {
    logsMock.on(GetLogEventsCommand).callsFake(logLines('probe: something went wrong'));
    const clock = fakeClock();

    const observation = await collect(stoppedTask({ name: 'probe', exitCode: 10 }), clock);

    expect(observation).toMatchObject({
      outcome: 'timeout',
      attempts: [{ outcome: 'timeout', address: '198.51.100.25' }],
      address: '198.51.100.25',
      source: 'exit-code',
      detail: expect.stringMatching(
        /no result line for 198\.51\.100\.25:25 in log stream .*outcome taken from the container's exit code 10/,
      ),
    });
    expect(logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(LOG_READ_POLICY.attempts * 2);
    expect(clock.sleeps).toEqual([LOG_READ_POLICY.delayMs, LOG_READ_POLICY.delayMs]);
  });

  it('falls back to the exit code when the log stream never appears', async () => {
    logsMock
      .on(GetLogEventsCommand)
      .rejects(
        Object.assign(new Error('The specified log stream does not exist.'), { name: 'ResourceNotFoundException' }),
      );

    const observation = await collect(stoppedTask({ name: 'probe', exitCode: 11 }));

    expect(observation).toMatchObject({
      outcome: 'refused',
      detail: expect.stringMatching(/does not exist; outcome taken/),
    });
  });

  it('stops looking for the result line rather than sleep past notAfter, and says so', async () => {
    logsMock.on(GetLogEventsCommand).callsFake(logLines('probe: something went wrong'));
    const clock = fakeClock();

    const observation = await collect(stoppedTask({ name: 'probe', exitCode: 10 }), clock, clock.now() + 1_000);

    expect(clock.sleeps).toEqual([]);
    expect(observation.detail).toMatch(/gave up looking at the run deadline/);
  });

  it('does not read the stream at all when notAfter has passed', async () => {
    logsMock.on(GetLogEventsCommand).callsFake(logLines(JSON.stringify(probeResult('198.51.100.25', 'timeout'))));
    const clock = fakeClock();

    const observation = await collect(stoppedTask({ name: 'probe', exitCode: 10 }), clock, clock.now());

    expect(logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(0);
    expect(observation).toMatchObject({
      outcome: 'timeout',
      source: 'exit-code',
      detail: expect.stringMatching(/not read: no time left before the run deadline/),
    });
  });

  it('names the log group and stream when reading them fails', async () => {
    logsMock
      .on(GetLogEventsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    const observation = await collect(stoppedTask({ name: 'probe', exitCode: 10 }));

    expect(observation.detail).toContain(
      'CloudWatch Logs GetLogEvents (/port25/probe:probe/probe/4f3c2b1a0d9e8f7a) failed: AccessDeniedException',
    );
  });

  it('reads a result line that shows up on a later try', async () => {
    logsMock
      .on(GetLogEventsCommand)
      .rejectsOnce(Object.assign(new Error('no stream yet'), { name: 'ResourceNotFoundException' }))
      .callsFake(logLines(JSON.stringify(probeResult('198.51.100.25', 'timeout'))));

    const observation = await collect(stoppedTask({ name: 'probe', exitCode: 10 }));

    expect(observation.detail).toBeNull();
    expect(observation.diagnosis).toBe('probe says timeout');
  });

  it('maps an exit code the probe never uses to error', async () => {
    logsMock.on(GetLogEventsCommand).callsFake(logLines());

    const observation = await collect(
      stoppedTask({ name: 'probe', exitCode: 137, reason: 'OutOfMemoryError: Container killed' }),
    );

    expect(observation).toMatchObject({
      outcome: 'error',
      address: null,
      detail: expect.stringMatching(/exit code 137 is not a probe exit code; container reason: OutOfMemoryError/),
    });
  });

  it('reports a container that never ran as task-failed with the stopped reason, without reading logs', async () => {
    const task: Task = {
      taskArn: TASK_ARN,
      lastStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth',
      containers: [{ name: 'probe', lastStatus: 'STOPPED', reason: 'CannotPullContainerError: access denied' }],
    };

    const observation = await collect(task);

    expect(observation).toMatchObject({
      outcome: 'task-failed',
      attempts: [{ outcome: 'task-failed', address: null }],
      taskArn: TASK_ARN,
      detail: expect.stringMatching(
        /stopCode TaskFailedToStart; ResourceInitializationError.*CannotPullContainerError/,
      ),
    });
    expect(logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(0);
  });

  it('reports a task without the named container as task-failed, listing what it has', async () => {
    const observation = await collect({
      taskArn: TASK_ARN,
      lastStatus: 'STOPPED',
      containers: [{ name: 'app', exitCode: 0 }],
    });

    expect(observation).toMatchObject({
      outcome: 'task-failed',
      detail: expect.stringContaining('no container named "probe" (containers: app)'),
    });
  });

  it('notes when the exit code disagrees with the reported outcome', async () => {
    logsMock.on(GetLogEventsCommand).callsFake(logLines(JSON.stringify(probeResult('198.51.100.25', 'timeout'))));

    const observation = await collect(stoppedTask({ name: 'probe', exitCode: 0 }));

    expect(observation.outcome).toBe('timeout');
    expect(observation.detail).toBe('the probe reported timeout but exited with code 0 (expected 10)');
  });
});
