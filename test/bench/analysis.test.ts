import { describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../bench/aws-call-recorder.js';
import type { ToolVerdict } from '../../bench/peers/tool.js';
import {
  describeRounds,
  fitGrowth,
  metricPublishing,
  operationCounts,
  taskLifetimesMs,
} from '../../bench/scale-analysis.js';
import { findCollisions, settleVerdict } from '../../bench/verdict-analysis.js';

const verdict = (code: string, detail = code): ToolVerdict => ({ code, detail });

describe('settleVerdict', () => {
  it('keeps the verdict most runs gave and says when runs disagreed', () => {
    const settled = settleVerdict([verdict('2 CRITICAL'), verdict('0 OK'), verdict('2 CRITICAL')]);
    expect(settled.verdict.code).toBe('2 CRITICAL');
    expect(settled.stable).toBe(false);
  });

  it('is stable when every run agreed', () => {
    expect(settleVerdict([verdict('0 OK'), verdict('0 OK')]).stable).toBe(true);
  });
});

describe('findCollisions', () => {
  const table = new Map([
    [
      'probe',
      new Map([
        ['blocked', verdict('10 timeout, control open')],
        ['sg-drop', verdict('10 timeout, control timeout')],
        ['never-greets', verdict('14 banner-timeout')],
        ['open', verdict('0 open')],
      ]),
    ],
    [
      'check_smtp',
      new Map([
        ['blocked', verdict('2 CRITICAL', 'Socket timeout')],
        ['sg-drop', verdict('2 CRITICAL', 'Socket timeout')],
        ['never-greets', verdict('2 CRITICAL', 'Socket timeout')],
        ['open', verdict('0 OK', 'SMTP OK')],
      ]),
    ],
  ]);
  const order = ['open', 'blocked', 'sg-drop', 'never-greets'];

  it('groups the targets a peer gives one verdict and shows what our probe says about each', () => {
    const collisions = findCollisions(table, 'probe', 'detail', order).filter((entry) => entry.tool === 'check_smtp');
    expect(collisions).toEqual([
      {
        tool: 'check_smtp',
        level: 'detail',
        verdict: 'Socket timeout',
        targets: ['blocked', 'sg-drop', 'never-greets'],
        ourVerdicts: ['10 timeout, control open', '10 timeout, control timeout', '14 banner-timeout'],
        oursDistinguishes: true,
      },
    ]);
  });

  it('finds no collision for a tool that gives every target its own verdict', () => {
    expect(findCollisions(table, 'probe', 'code', order).filter((entry) => entry.tool === 'probe')).toEqual([]);
  });
});

let sequence = 0;
function call(operation: string, request: unknown, response: unknown): RecordedCall {
  sequence += 1;
  return { sequence, at: sequence, durationMs: 1, operation, status: 200, request, response };
}
const runTask = (arn: string) => call('RunTask', {}, { tasks: [{ taskArn: arn }], failures: [] });
const describeTasksCall = (arns: string[], stopped: string[]) =>
  call(
    'DescribeTasks',
    { tasks: arns },
    {
      tasks: arns.map((arn) => ({
        taskArn: arn,
        lastStatus: stopped.includes(arn) ? 'STOPPED' : 'RUNNING',
        createdAt: 100,
        ...(stopped.includes(arn) ? { stoppedAt: 101.5 } : {}),
      })),
    },
  );

describe('describeRounds', () => {
  it('counts consecutive DescribeTasks calls as one round with the tasks in flight from the wire', () => {
    const calls = [
      runTask('a'),
      runTask('b'),
      runTask('c'),
      describeTasksCall(['a', 'b'], ['a']),
      describeTasksCall(['c'], []),
      call('GetLogEvents', {}, {}),
      describeTasksCall(['b', 'c'], ['b', 'c']),
    ];
    expect(describeRounds(calls)).toEqual([
      { calls: 2, requested: 3, inFlight: 3 },
      { calls: 1, requested: 2, inFlight: 2 },
    ]);
  });

  it('starts a new round when a call asks again about a task the round already asked about', () => {
    const calls = [runTask('a'), describeTasksCall(['a'], []), describeTasksCall(['a'], ['a'])];
    expect(describeRounds(calls)).toEqual([
      { calls: 1, requested: 1, inFlight: 1 },
      { calls: 1, requested: 1, inFlight: 1 },
    ]);
  });
});

describe('metricPublishing', () => {
  it('adds up the data points of every PutMetricData call', () => {
    const calls = [
      call('PutMetricData', { MetricData: new Array(1000).fill({}) }, {}),
      call('PutMetricData', { MetricData: new Array(4).fill({}) }, {}),
    ];
    expect(metricPublishing(calls)).toEqual({ calls: 2, dataPoints: 1004 });
  });
});

describe('taskLifetimesMs', () => {
  it('takes createdAt to stoppedAt from the first STOPPED sighting of each task', () => {
    const calls = [describeTasksCall(['a'], []), describeTasksCall(['a'], ['a']), describeTasksCall(['a'], ['a'])];
    expect(taskLifetimesMs(calls)).toEqual([1500]);
  });
});

describe('operationCounts', () => {
  it('lists every counted operation, zero when never called', () => {
    expect(operationCounts([runTask('a')])).toEqual({
      RunTask: 1,
      DescribeTasks: 0,
      StopTask: 0,
      GetLogEvents: 0,
      PutMetricData: 0,
    });
  });
});

describe('fitGrowth', () => {
  it('calls calls proportional to N linear', () => {
    expect(fitGrowth('RunTask', [1, 10, 100, 500], [1, 10, 100, 500]).growth).toMatch(/^linear at scale \(N\^1\.00/);
  });

  it('judges the growth by the two largest N, where small N no longer sit in one wave', () => {
    expect(fitGrowth('DescribeTasks', [1, 10, 100, 500], [1, 1, 10, 50]).tailExponent).toBeCloseTo(1);
  });

  it('calls the same count at every N constant', () => {
    expect(fitGrowth('PutMetricData', [1, 10, 100], [1, 1, 1]).growth).toBe('constant (1 at every N)');
  });

  it('falls back to a linear fit when a count is zero', () => {
    expect(fitGrowth('StopTask', [1, 10, 100], [0, 1, 10]).power).toBeUndefined();
  });
});
