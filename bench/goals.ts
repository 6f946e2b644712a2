import { TokenBucket } from '../functions/orchestrator/request-pacing.js';
import { ECS_RATE_BUCKETS } from '../functions/shared/ecs-rate-limits.js';
import { GREETS_554_TARGET, OPEN_TARGET, SILENT_DROP_TARGETS } from './lab-targets.js';
import type { ScaleRunFigures, ScaleTaskKind } from './orchestrator-scale.js';
import type { BenchReport } from './report.js';
import type { ToolTargetFigures } from './time-to-verdict.js';

/** One of the issue's performance targets, judged against this run's figures. */
export interface GoalResult {
  readonly goal: string;
  readonly measured: string;
  /** null when this run did not measure it (section skipped or failed). */
  readonly met: boolean | null;
}

export const GOAL_LIMITS = {
  openVerdictOverNodeStart: 1.3,
  greeting554DecidedMs: 100,
  silentDropLateMs: 100,
  probePeakRssMiB: 60,
  describeTasksBatch: 100,
  putMetricDataBatch: 1000,
  scaleWallOverWaves: 1.2,
  /** Issue 13: wall ≤ 1.3 × ⌈N/c⌉ × the one-target run, with the RunTask latency on. */
  launchPaceOverIdeal: 1.3,
  lambdaBundleBytes: 700_000,
  lambdaColdImportMs: 150,
  probeBundleBytes: 50_000,
} as const;

/** The tool whose figures the goals judge: the CLI a person runs (`port25-canary probe`). */
export const PROBE_TOOL = 'probe';
export const CONTAINER_PROBE_TOOL = 'probe-container';
/** The probe container's entry on production's Node (24), judged against a bare start of that Node. */
export const CONTAINER_PROBE_NODE24_TOOL = 'probe-container-node24';

const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const notMeasured = (goal: string, why: string): GoalResult => ({ goal, measured: `not measured: ${why}`, met: null });

function verdictGoals(report: BenchReport): GoalResult[] {
  const section = report.verdicts;
  const timeoutMs = report.settings.timeoutMs;
  const productionNode = report.environment.productionNode ?? '24 (not resolved)';
  const goals = {
    open: (name: string, node: string) =>
      `open target: whole ${name} process on Node ${node} ≤ ${GOAL_LIMITS.openVerdictOverNodeStart}× a bare \`node -e ""\` on the same Node`,
    greeting: `554 greeting decided in < ${GOAL_LIMITS.greeting554DecidedMs} ms`,
    drop: (target: string) =>
      `silent drop (${target}) decided at the deadline, ≤ deadline + ${GOAL_LIMITS.silentDropLateMs} ms`,
  };
  if (section === undefined) {
    return [
      notMeasured(goals.open('`port25-canary probe`', report.environment.node), 'verdict section skipped'),
      notMeasured(goals.open('probe container entry', report.environment.node), 'verdict section skipped'),
      notMeasured(goals.open('probe container entry', productionNode), 'verdict section skipped'),
      notMeasured(goals.greeting, 'verdict section skipped'),
      ...SILENT_DROP_TARGETS.map((target) => notMeasured(goals.drop(target), 'verdict section skipped')),
    ];
  }
  const find = (tool: string, target: string): ToolTargetFigures | undefined =>
    section.figures.find((figure) => figure.tool === tool && figure.target === target);
  const results: GoalResult[] = [];

  for (const [tool, name, node, baseline] of [
    [PROBE_TOOL, '`port25-canary probe`', report.environment.node, section.nodeBaseline],
    [CONTAINER_PROBE_TOOL, 'probe container entry', report.environment.node, section.nodeBaseline],
    [CONTAINER_PROBE_NODE24_TOOL, 'probe container entry', productionNode, section.productionNodeBaseline],
  ] as const) {
    const open = find(tool, OPEN_TARGET);
    if (open === undefined || baseline === null) {
      results.push(notMeasured(goals.open(name, node), 'no open-target figures'));
      continue;
    }
    const nodeMs = baseline.median;
    const over = open.wall.median / nodeMs;
    const peers = ['swaks', 'check_smtp', 'blackbox'].flatMap((peer) => {
      const figure = find(peer, OPEN_TARGET);
      return figure
        ? [`${peer} ${ms(figure.wall.median)} (${(open.wall.median / figure.wall.median).toFixed(2)}× ours/theirs)`]
        : [];
    });
    results.push({
      goal: goals.open(name, node),
      measured: `${over.toFixed(2)}× (${ms(open.wall.median)} vs node ${ms(nodeMs)}, medians); ${peers.join('; ')}`,
      met: over <= GOAL_LIMITS.openVerdictOverNodeStart,
    });
  }

  const greeting = find(PROBE_TOOL, GREETS_554_TARGET);
  if (greeting?.decided == null) results.push(notMeasured(goals.greeting, 'no decision time from the probe'));
  else {
    results.push({
      goal: goals.greeting,
      measured: `median ${ms(greeting.decided.median)}, slowest ${ms(greeting.decided.max)} of ${greeting.decided.count} (verdict: ${greeting.verdict.verdict.code})`,
      met: greeting.decided.max < GOAL_LIMITS.greeting554DecidedMs,
    });
  }

  for (const target of SILENT_DROP_TARGETS) {
    const figure = find(PROBE_TOOL, target);
    if (figure?.decided == null) {
      results.push(notMeasured(goals.drop(target), 'no decision time from the probe'));
      continue;
    }
    const early = figure.decided.min < timeoutMs;
    const late = figure.decided.max - timeoutMs;
    results.push({
      goal: goals.drop(target),
      measured: `deadline ${timeoutMs} ms: decided ${ms(figure.decided.min)}–${ms(figure.decided.max)} (median ${ms(figure.decided.median)}), verdict ${figure.verdict.verdict.code}`,
      met: !early && late <= GOAL_LIMITS.silentDropLateMs,
    });
  }
  return results;
}

function costGoal(report: BenchReport): GoalResult {
  const goal = `peak RSS of one probe process ≤ ${GOAL_LIMITS.probePeakRssMiB} MiB`;
  const probe = report.cost?.find((figure) => figure.tool === PROBE_TOOL);
  if (probe === undefined) return notMeasured(goal, 'cost section skipped');
  const container = report.cost?.find((figure) => figure.tool === CONTAINER_PROBE_TOOL);
  const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
  const peakKiB = Math.max(probe.maxMaxRssKiB, container?.maxMaxRssKiB ?? 0);
  return {
    goal,
    measured: `CLI: median ${mib(probe.medianMaxRssKiB)}, highest ${mib(probe.maxMaxRssKiB)}${container ? `; container entry: highest ${mib(container.maxMaxRssKiB)}` : ''}`,
    met: peakKiB <= GOAL_LIMITS.probePeakRssMiB * 1024,
  };
}

/**
 * The least time the orchestrator's pacing of Fargate launches allows for N tasks: the paced bucket's burst at once,
 * then its refill rate. Over the burst, this bound, not the orchestrator, can keep a run from ⌈N/c⌉ waves.
 */
export function pacedLaunchFloorMs(tasks: number): number {
  // The orchestrator's own bucket, so the floor follows its pacing share.
  const paced = new TokenBucket(ECS_RATE_BUCKETS.fargateTaskLaunch, () => 0);
  return (Math.max(0, tasks - paced.burst) / paced.perSecond) * 1000;
}

/** The series the orchestrator's own goals are judged on: tasks that cost no local CPU, as each Fargate task has its own. */
const JUDGED_TASKS: ScaleTaskKind = 'fixed-life';

/**
 * Launch pace (issue 13): N targets at c finish within 1.3 × ⌈N/c⌉ × the N=1 run's wall at the same c, reach min(N, c)
 * tasks in flight, and draw no ThrottlingException from the local ECS's documented buckets.
 */
function launchPaceGoal(run: ScaleRunFigures, runs: readonly ScaleRunFigures[]): GoalResult {
  const c = run.maxConcurrentTasks;
  const goal = `${run.targets} targets at maxConcurrentTasks ${c} (${run.tasks} tasks): wall ≤ ${GOAL_LIMITS.launchPaceOverIdeal} × ⌈N/c⌉ × one-target run, ${Math.min(run.targets, c)} in flight, no throttling`;
  const single = runs.find(
    (candidate) => candidate.tasks === run.tasks && candidate.targets === 1 && candidate.maxConcurrentTasks === c,
  );
  if (single === undefined) return notMeasured(goal, `no one-target run at maxConcurrentTasks ${c}`);
  const idealMs = Math.ceil(run.targets / c) * single.wallMs;
  const ratio = run.wallMs / idealMs;
  const floorMs = pacedLaunchFloorMs(run.targets);
  const floor =
    floorMs > 0
      ? `; the paced Fargate launch rate alone takes ${(floorMs / 1000).toFixed(1)} s to launch them (${((floorMs + single.wallMs) / idealMs).toFixed(2)}× the ideal with one run after it)`
      : '';
  return {
    goal,
    measured: `${(run.wallMs / 1000).toFixed(1)} s vs ideal ${(idealMs / 1000).toFixed(1)} s (${ratio.toFixed(2)}×); max in flight ${run.maxInFlight}; ${run.throttlingAnswers} throttling answers${floor}`,
    met:
      ratio <= GOAL_LIMITS.launchPaceOverIdeal &&
      run.maxInFlight === Math.min(run.targets, c) &&
      run.throttlingAnswers === 0,
  };
}

function scaleGoals(report: BenchReport): GoalResult[] {
  const section = report.scale;
  const describeGoal = `DescribeTasks calls per polling round ≤ ⌈in-flight tasks / ${GOAL_LIMITS.describeTasksBatch}⌉`;
  const putGoal = `PutMetricData calls per run ≤ ⌈data points / ${GOAL_LIMITS.putMetricDataBatch}⌉`;
  const wallGoal = (concurrency: number) =>
    `500 targets, maxConcurrentTasks ${concurrency} (${JUDGED_TASKS} tasks): wall ≤ ${GOAL_LIMITS.scaleWallOverWaves} × ⌈500 / ${concurrency}⌉ × one task's time`;
  if (section === undefined) {
    return [
      notMeasured(describeGoal, 'scale section skipped'),
      notMeasured(putGoal, 'scale section skipped'),
      ...report.settings.scaleConcurrency.map((concurrency) =>
        notMeasured(wallGoal(concurrency), 'scale section skipped'),
      ),
    ];
  }
  const rounds = section.runs.flatMap((run) => run.describeRounds);
  const worstRound = rounds.reduce(
    (worst, round) => {
      const excess = round.calls - Math.ceil(round.inFlight / GOAL_LIMITS.describeTasksBatch);
      return excess > worst.excess ? { excess, round } : worst;
    },
    { excess: Number.NEGATIVE_INFINITY, round: rounds[0] },
  );
  const results: GoalResult[] = [
    {
      goal: describeGoal,
      measured:
        rounds.length === 0
          ? 'no polling round recorded'
          : `${rounds.length} rounds over all runs; largest in-flight ${Math.max(...rounds.map((round) => round.inFlight))}, most calls in one round ${Math.max(...rounds.map((round) => round.calls))}${worstRound.excess > 0 ? `; worst: ${worstRound.round?.calls} calls for ${worstRound.round?.inFlight} in flight` : ''}`,
      met: rounds.length > 0 && worstRound.excess <= 0,
    },
  ];
  const putRuns = section.runs.map((run) => ({
    run,
    limit: Math.ceil(run.metricDataPoints / GOAL_LIMITS.putMetricDataBatch),
  }));
  results.push({
    goal: putGoal,
    measured: putRuns
      .map(
        ({ run, limit }) =>
          `${run.tasks} N=${run.targets}/c=${run.maxConcurrentTasks}: ${run.calls.PutMetricData ?? 0} for ${run.metricDataPoints} points (limit ${limit})`,
      )
      .join('; '),
    met: putRuns.every(({ run, limit }) => (run.calls.PutMetricData ?? 0) <= limit),
  });
  const judged = section.runs.filter((run) => run.tasks === JUDGED_TASKS);
  for (const run of judged.filter((candidate) => candidate.targets > 1)) {
    results.push(launchPaceGoal(run, judged));
  }
  const oneTaskMs = section.oneTaskMs[JUDGED_TASKS];
  for (const concurrency of report.settings.scaleConcurrency) {
    const run = judged.find((candidate) => candidate.targets === 500 && candidate.maxConcurrentTasks === concurrency);
    if (run === undefined) {
      results.push(notMeasured(wallGoal(concurrency), 'no 500-target run'));
      continue;
    }
    const waves = Math.ceil(500 / concurrency);
    const budgetMs = GOAL_LIMITS.scaleWallOverWaves * waves * oneTaskMs;
    const single = judged.find((candidate) => candidate.targets === 1 && candidate.maxConcurrentTasks === concurrency);
    const perSingleRun = single
      ? `; against the N=1 run's whole wall (${ms(single.wallMs)}) it is ${(run.wallMs / (waves * single.wallMs)).toFixed(2)}× the waves`
      : '';
    results.push({
      goal: wallGoal(concurrency),
      measured: `${(run.wallMs / 1000).toFixed(1)} s vs ${(budgetMs / 1000).toFixed(1)} s (${waves} waves × ${ms(oneTaskMs)}; ${(run.wallMs / (waves * oneTaskMs)).toFixed(2)}× the waves)${perSingleRun}`,
      met: run.wallMs <= budgetMs,
    });
  }
  return results;
}

function artifactGoals(report: BenchReport): GoalResult[] {
  const section = report.artifacts;
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
  const goals = {
    lambda: `Lambda bundle ≤ ${kb(GOAL_LIMITS.lambdaBundleBytes)} minified`,
    coldImport: `Lambda bundle cold import ≤ ${GOAL_LIMITS.lambdaColdImportMs} ms`,
    probe: `probe bundle ≤ ${kb(GOAL_LIMITS.probeBundleBytes)} minified`,
  };
  if (section === undefined) return Object.values(goals).map((goal) => notMeasured(goal, 'artifact section skipped'));
  return [
    {
      goal: goals.lambda,
      measured: `${kb(section.lambda.bytes)} (${kb(section.lambda.gzipBytes)} gzipped)`,
      met: section.lambda.bytes <= GOAL_LIMITS.lambdaBundleBytes,
    },
    {
      goal: goals.coldImport,
      measured: `${ms(section.coldImport.importMs)} on Node ${section.coldImport.node} (import ${ms(section.coldImport.importProcess.median)} − bare ${ms(section.coldImport.bareProcess.median)}, medians of ${section.coldImport.runs})`,
      met: section.coldImport.importMs <= GOAL_LIMITS.lambdaColdImportMs,
    },
    {
      goal: goals.probe,
      measured: `${kb(section.probe.bytes)} (${kb(section.probe.gzipBytes)} gzipped)`,
      met: section.probe.bytes <= GOAL_LIMITS.probeBundleBytes,
    },
  ];
}

export function evaluateGoals(report: BenchReport): GoalResult[] {
  return [...verdictGoals(report), costGoal(report), ...scaleGoals(report), ...artifactGoals(report)];
}
