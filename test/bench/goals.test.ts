import { describe, expect, it } from 'vitest';
import { evaluateGoals, pacedLaunchFloorMs } from '../../bench/goals.js';
import type { ScaleRunFigures } from '../../bench/orchestrator-scale.js';
import type { BenchReport } from '../../bench/report.js';

const summary = (median: number) => ({ median, min: median, max: median, count: 10 });

function scaleRun(
  targets: number,
  maxConcurrentTasks: number,
  wallMs: number,
  extra: Partial<ScaleRunFigures> = {},
): ScaleRunFigures {
  return {
    tasks: 'fixed-life',
    targets,
    maxConcurrentTasks,
    wallMs,
    peakRssKiB: 50_000,
    cpuMs: 500,
    apiBusyMs: 100,
    calls: { RunTask: targets, DescribeTasks: 1, StopTask: 0, GetLogEvents: targets, PutMetricData: 1 },
    describeRounds: [
      { calls: 1, requested: Math.min(targets, maxConcurrentTasks), inFlight: Math.min(targets, maxConcurrentTasks) },
    ],
    metricDataPoints: targets * 4 + 4,
    taskLifetime: summary(1000),
    summary: { pass: targets, fail: 0, inconclusive: 0 },
    maxInFlight: Math.min(targets, maxConcurrentTasks),
    throttlingAnswers: 0,
    ...extra,
  };
}

function reportWith(runs: ScaleRunFigures[]): BenchReport {
  return {
    environment: {
      date: '2026-01-01T00:00:00Z',
      node: 'v20',
      productionNode: null,
      kernel: '6',
      cpu: 'cpu',
      cores: 2,
      memoryGiB: 24,
      peerVersions: {},
      durationS: 1,
      loadAverage: { start: 0, end: 0 },
    },
    settings: {
      runs: 10,
      timeoutMs: 2000,
      scaleTargets: [1, 500],
      scaleConcurrency: [10],
      taskStartDelayMs: 1000,
      runTaskLatencyMs: 250,
    },
    targets: [],
    tools: [],
    verdicts: undefined,
    cost: undefined,
    scale: { runs, oneTaskMs: { probe: 3000, 'fixed-life': 1000 }, oneTaskDefinition: 'test' },
    artifacts: undefined,
    skipped: [],
  };
}

const goal = (report: BenchReport, text: string) => evaluateGoals(report).find((result) => result.goal.includes(text));

describe('evaluateGoals', () => {
  it('meets the 500-target wall goal within 1.2 × waves × one task', () => {
    const report = reportWith([scaleRun(1, 10, 1000), scaleRun(500, 10, 59_000)]);
    expect(goal(report, '500 targets, maxConcurrentTasks 10')?.met).toBe(true);
  });

  it('misses the 500-target wall goal beyond 1.2 × waves × one task', () => {
    const report = reportWith([scaleRun(1, 10, 1000), scaleRun(500, 10, 61_000)]);
    expect(goal(report, '500 targets, maxConcurrentTasks 10')?.met).toBe(false);
  });

  it('meets the launch-pace goal within 1.3 × ⌈N/c⌉ × the one-target run, c in flight, no throttling', () => {
    const report = reportWith([scaleRun(1, 10, 1000), scaleRun(100, 10, 12_900)]);
    expect(goal(report, '100 targets at maxConcurrentTasks 10')?.met).toBe(true);
  });

  it('misses the launch-pace goal when fewer than min(N, c) tasks were ever in flight', () => {
    const report = reportWith([scaleRun(1, 10, 1000), scaleRun(100, 10, 10_000, { maxInFlight: 2 })]);
    expect(goal(report, '100 targets at maxConcurrentTasks 10')?.met).toBe(false);
  });

  it('misses the launch-pace goal beyond 1.3 × the ideal or with a throttling answer', () => {
    const slow = reportWith([scaleRun(1, 10, 1000), scaleRun(100, 10, 13_100)]);
    const throttled = reportWith([scaleRun(1, 10, 1000), scaleRun(100, 10, 10_000, { throttlingAnswers: 1 })]);
    expect(goal(slow, '100 targets at maxConcurrentTasks 10')?.met).toBe(false);
    expect(goal(throttled, '100 targets at maxConcurrentTasks 10')?.met).toBe(false);
  });

  it('judges launch pace on the fixed-life tasks only, each against the one-target run of its own kind', () => {
    const report = reportWith([
      scaleRun(1, 10, 1000),
      scaleRun(100, 10, 12_900),
      scaleRun(1, 10, 400, { tasks: 'probe' }),
      scaleRun(100, 10, 50_000, { tasks: 'probe' }),
    ]);
    const paceGoals = evaluateGoals(report).filter((result) => result.goal.includes('× one-target run'));

    expect(paceGoals.map(({ goal, met }) => [goal, met])).toEqual([
      [
        '100 targets at maxConcurrentTasks 10 (fixed-life tasks): wall ≤ 1.3 × ⌈N/c⌉ × one-target run, 10 in flight, no throttling',
        true,
      ],
    ]);
  });

  it("judges the 500-target waves on the fixed-life tasks' own one task's time", () => {
    // 59 s is within 1.2 × 50 waves × 1000 ms (fixed-life), and would be within 3000 ms (probe) too; 61 s is not.
    const met = reportWith([scaleRun(500, 10, 59_000), scaleRun(500, 10, 61_000, { tasks: 'probe' })]);
    const missed = reportWith([scaleRun(500, 10, 61_000), scaleRun(500, 10, 59_000, { tasks: 'probe' })]);

    expect(goal(met, '500 targets, maxConcurrentTasks 10 (fixed-life tasks)')?.met).toBe(true);
    expect(goal(missed, '500 targets, maxConcurrentTasks 10 (fixed-life tasks)')?.met).toBe(false);
  });

  it("names the paced Fargate launch rate's floor where N is over its burst: 90 at once, then 18 a second", () => {
    expect(pacedLaunchFloorMs(90)).toBe(0);
    expect(pacedLaunchFloorMs(500)).toBeCloseTo((410 / 18) * 1000, 6);
    const report = reportWith([scaleRun(1, 100, 3000), scaleRun(500, 100, 27_000)]);

    expect(goal(report, '500 targets at maxConcurrentTasks 100')?.measured).toContain(
      'the paced Fargate launch rate alone takes 22.8 s to launch them (1.72× the ideal with one run after it)',
    );
  });

  it('misses the DescribeTasks goal when a round makes more calls than its in-flight tasks need', () => {
    const report = reportWith([
      scaleRun(500, 10, 50_000, { describeRounds: [{ calls: 2, requested: 10, inFlight: 10 }] }),
    ]);
    expect(goal(report, 'DescribeTasks')?.met).toBe(false);
  });

  it('misses the PutMetricData goal when a run makes more calls than its data points need', () => {
    const report = reportWith([scaleRun(10, 10, 2_000, { calls: { PutMetricData: 2 }, metricDataPoints: 44 })]);
    expect(goal(report, 'PutMetricData')?.met).toBe(false);
  });

  it('reports goals of a skipped section as not measured', () => {
    expect(goal(reportWith([]), 'probe bundle')?.met).toBeNull();
  });
});

describe('the start-up goals, by Node version', () => {
  const openFigure = (tool: string, wallMs: number) => ({
    tool,
    target: 'open',
    verdict: { verdict: { code: '0 open', detail: '' }, stable: true, seen: [] },
    wall: summary(wallMs),
    decided: summary(5),
    ratioToProbe: 1,
  });

  function verdictReport(productionBaselineMs: number | null): BenchReport {
    const report = reportWith([]);
    return {
      ...report,
      environment: { ...report.environment, node: 'v20.20.2', productionNode: 'v24.21.0' },
      verdicts: {
        figures: [openFigure('probe', 40), openFigure('probe-container', 30), openFigure('probe-container-node24', 39)],
        nodeBaseline: summary(25),
        productionNodeBaseline: productionBaselineMs === null ? null : summary(productionBaselineMs),
        collisions: [],
      },
    };
  }

  it('judges each probe against a bare start of the Node that ran it, and names that Node', () => {
    const goals = evaluateGoals(verdictReport(31)).filter((result) => result.goal.startsWith('open target'));

    expect(goals.map(({ goal, met }) => [goal, met])).toEqual([
      [
        'open target: whole `port25-canary probe` process on Node v20.20.2 ≤ 1.3× a bare `node -e ""` on the same Node',
        false,
      ],
      [
        'open target: whole probe container entry process on Node v20.20.2 ≤ 1.3× a bare `node -e ""` on the same Node',
        true,
      ],
      [
        'open target: whole probe container entry process on Node v24.21.0 ≤ 1.3× a bare `node -e ""` on the same Node',
        true,
      ],
    ]);
    expect(goals[2]?.measured).toMatch(/^1\.26× \(39 ms vs node 31 ms, medians\)/);
  });

  it('does not judge the Node 24 probe without a Node 24 baseline', () => {
    const goals = evaluateGoals(verdictReport(null)).filter((result) => result.goal.includes('Node v24'));

    expect(goals.map(({ met }) => met)).toEqual([null]);
  });
});
