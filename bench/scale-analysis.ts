import type { RecordedCall } from './aws-call-recorder.js';
import { growthClass, type LinearFit, linearFit, type PowerFit, powerFit } from './stats.js';

/** The API operations the issue asks the bench to count. */
export const COUNTED_OPERATIONS = ['RunTask', 'DescribeTasks', 'StopTask', 'GetLogEvents', 'PutMetricData'] as const;

export function operationCounts(calls: readonly RecordedCall[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(COUNTED_OPERATIONS.map((operation) => [operation, 0]));
  for (const call of calls) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
  return counts;
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function launchedArns(call: RecordedCall): string[] {
  if (call.operation !== 'RunTask' || call.status !== 200) return [];
  return asArray(asObject(call.response).tasks).flatMap((task) => {
    const arn = asObject(task).taskArn;
    return typeof arn === 'string' ? [arn] : [];
  });
}

function describedTasks(call: RecordedCall): Json[] {
  if (call.operation !== 'DescribeTasks' || call.status !== 200) return [];
  return asArray(asObject(call.response).tasks).map(asObject);
}

/**
 * One polling round. A round asks about every in-flight task once, in batches: a DescribeTasks call starts a new round
 * when another call came between, or when it asks again about a task the current round already asked about (two polls
 * with nothing stopped in between are back to back on the wire).
 */
export interface DescribeRound {
  readonly calls: number;
  /** Distinct task ARNs the round asked about. */
  readonly requested: number;
  /** Tasks launched and not yet seen STOPPED when the round began, from the wire. */
  readonly inFlight: number;
}

function requestedArns(call: RecordedCall): string[] {
  return asArray(asObject(call.request).tasks).filter((arn): arn is string => typeof arn === 'string');
}

export function describeRounds(calls: readonly RecordedCall[]): DescribeRound[] {
  const launched = new Set<string>();
  const stopped = new Set<string>();
  const rounds: DescribeRound[] = [];
  let current: { calls: number; requested: Set<string>; inFlight: number } | undefined;
  const close = () => {
    if (current) rounds.push({ calls: current.calls, requested: current.requested.size, inFlight: current.inFlight });
    current = undefined;
  };
  for (const call of calls) {
    if (call.operation !== 'DescribeTasks') {
      close();
      for (const arn of launchedArns(call)) launched.add(arn);
      continue;
    }
    const arns = requestedArns(call);
    if (current && arns.some((arn) => current?.requested.has(arn))) close();
    current ??= { calls: 0, requested: new Set(), inFlight: [...launched].filter((arn) => !stopped.has(arn)).length };
    current.calls += 1;
    for (const arn of arns) current.requested.add(arn);
    for (const task of describedTasks(call)) {
      if (task.lastStatus === 'STOPPED' && typeof task.taskArn === 'string') stopped.add(task.taskArn);
    }
  }
  close();
  return rounds;
}

export interface MetricPublishing {
  readonly calls: number;
  readonly dataPoints: number;
}

export function metricPublishing(calls: readonly RecordedCall[]): MetricPublishing {
  const puts = calls.filter((call) => call.operation === 'PutMetricData');
  return {
    calls: puts.length,
    dataPoints: puts.reduce((sum, call) => sum + asArray(asObject(call.request).MetricData).length, 0),
  };
}

/** Each task's life as the endpoint reported it (createdAt → stoppedAt), from the first DescribeTasks that saw it STOPPED. */
export function taskLifetimesMs(calls: readonly RecordedCall[]): number[] {
  const lifetimes = new Map<string, number>();
  for (const call of calls) {
    for (const task of describedTasks(call)) {
      const { taskArn, lastStatus, createdAt, stoppedAt } = task;
      if (typeof taskArn !== 'string' || lastStatus !== 'STOPPED' || lifetimes.has(taskArn)) continue;
      if (typeof createdAt === 'number' && typeof stoppedAt === 'number') {
        lifetimes.set(taskArn, (stoppedAt - createdAt) * 1000);
      }
    }
  }
  return [...lifetimes.values()];
}

export interface GrowthFit {
  readonly series: string;
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  readonly linear: LinearFit;
  /** Least squares on log-log over every point; absent when some value is zero. */
  readonly power: PowerFit | undefined;
  /**
   * The local exponent between the two largest N, log(y₂/y₁)/log(N₂/N₁): small N sit in one wave or one batch, so the
   * growth that matters at scale shows at the tail. Absent when either value is zero.
   */
  readonly tailExponent: number | undefined;
  /** In words, e.g. `linear (N^1.01 from N=100 to 500); linear fit 0.207·N + 0.8 (r² 1.000); ...` */
  readonly growth: string;
}

/** Fits y against N (linear least squares, log-log power law) and names the growth from the tail exponent. */
export function fitGrowth(series: string, xs: readonly number[], ys: readonly number[]): GrowthFit {
  const linear = linearFit(xs, ys);
  const positive = ys.every((y) => y > 0) && xs.every((x) => x > 0);
  const power = positive ? powerFit(xs, ys) : undefined;
  const order = xs.map((x, index) => ({ x, y: ys[index] as number })).sort((a, b) => a.x - b.x);
  const [before, last] = order.slice(-2);
  const tailExponent =
    before && last && before.y > 0 && last.y > 0 && last.x !== before.x
      ? Math.log(last.y / before.y) / Math.log(last.x / before.x)
      : undefined;
  const linearText = `linear fit ${linear.slope.toFixed(3)}·N ${signed(linear.intercept)} (r² ${linear.r2.toFixed(3)})`;
  const powerText = power ? `; log-log fit ∝ N^${power.exponent.toFixed(2)} (r² ${power.r2.toFixed(3)})` : '';
  let growth: string;
  if (new Set(ys).size === 1) growth = `constant (${ys[0]} at every N)`;
  else if (tailExponent === undefined) growth = `${linearText}${powerText}`;
  else {
    growth = `${growthClass(tailExponent)} at scale (N^${tailExponent.toFixed(2)} from N=${before?.x} to ${last?.x}); ${linearText}${powerText}`;
  }
  return { series, xs, ys, linear, power, tailExponent, growth };
}
function signed(value: number): string {
  return value < 0 ? `− ${Math.abs(value).toFixed(1)}` : `+ ${value.toFixed(1)}`;
}
