import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReportSummary } from '../functions/shared/report.js';
import { RUNTIME_ENVIRONMENT } from '../functions/shared/runtime-environment.js';
import { type LocalAws, startLocalAws } from '../lab/local-aws/server.js';
import { spawnInNamespace } from '../lab/netns.js';
import { type LabTopology, labVpcSpec } from '../lab/topology.js';
import { timeSpawn } from './agent.js';
import { type CallRecorder, startCallRecorder } from './aws-call-recorder.js';
import { probeBundle } from './peers/port25-canary.js';
import { TOOL_ENVIRONMENT } from './peers/tool.js';
import { GNU_TIME_FORMAT, GNU_TIME_PATH, parseGnuTime } from './probe-cost.js';
import {
  type DescribeRound,
  describeRounds,
  metricPublishing,
  operationCounts,
  taskLifetimesMs,
} from './scale-analysis.js';
import { median, type Summary, summarize } from './stats.js';

export const ORCHESTRATOR_BUNDLE = resolve('dist/orchestrator/index.mjs');

export interface ScaleSettings {
  readonly targetCounts: readonly number[];
  readonly concurrency: readonly number[];
  /** RunTask → container start in the local endpoint (Fargate takes tens of seconds; the bench a fixed short delay). */
  readonly taskStartDelayMs: number;
  readonly probeTimeoutMs: number;
  /** The local ECS answers RunTask this late (AWS: a few hundred ms), with ECS's documented rate limits on. */
  readonly runTaskLatencyMs: number;
}

export interface ScaleRunFigures {
  readonly targets: number;
  readonly maxConcurrentTasks: number;
  /** The handler call, measured inside the orchestrator process (process start and import excluded). */
  readonly wallMs: number;
  /** Peak RSS of the orchestrator process (GNU time). */
  readonly peakRssKiB: number;
  /** User + system CPU of the orchestrator process, ms (GNU time, 10 ms resolution). */
  readonly cpuMs: number;
  /** Sum of every API call's round trip: the orchestrator makes them one after another. */
  readonly apiBusyMs: number;
  readonly calls: Readonly<Record<string, number>>;
  readonly describeRounds: readonly DescribeRound[];
  readonly metricDataPoints: number;
  /** Each task's createdAt → stoppedAt as DescribeTasks reported it. */
  readonly taskLifetime: Summary;
  readonly summary: ReportSummary;
  /** Most tasks at once between RunTask and STOPPED, as the local ECS counted them. */
  readonly maxInFlight: number;
  /** ThrottlingException answers the local ECS gave during the run (its documented token buckets). */
  readonly throttlingAnswers: number;
}

const CLUSTER = 'p25bench';
const TASK_FAMILY = 'p25bench-probe';
const CONTAINER = 'probe';
const LOG_GROUP = '/p25bench/probe';
const LOG_STREAM_PREFIX = 'probe';
const RESULT_MARKER = 'P25BENCH_ORCHESTRATOR';
const BENCH_SUBNET_ID = 'subnet-0b1e2c3d4e5f60718';
const BENCH_VPC_ID = 'vpc-0b1e2c3d4e5f60718';

/** The canary config of one scale run: N differently named targets, all the lab's open Postfix. */
export function scaleConfig(
  topology: LabTopology,
  targets: number,
  maxConcurrentTasks: number,
  probeTimeoutMs: number,
): unknown {
  return {
    canaryName: 'p25bench',
    vpcPrimaryCidr: topology.vpcPrimaryCidr,
    probe: { timeoutMs: probeTimeoutMs, ehloName: 'p25bench.invalid' },
    network: {
      cluster: CLUSTER,
      taskDefinition: TASK_FAMILY,
      containerName: CONTAINER,
      subnets: [BENCH_SUBNET_ID],
      securityGroups: ['sg-0b1e2c3d4e5f60718'],
      logGroup: LOG_GROUP,
      logStreamPrefix: LOG_STREAM_PREFIX,
    },
    maxConcurrentTasks,
    targets: Array.from({ length: targets }, (_, index) => ({
      name: `target-${String(index + 1).padStart(3, '0')}`,
      host: topology.servers.serverA.address,
    })),
  };
}

// Runs the built Lambda handler once in a fresh process, as the Lambda runtime would, and reports its wall time.
const ORCHESTRATOR_SCRIPT = (bundle: string) => `
const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const budgetMs = 15 * 60_000;
const started = performance.now();
const report = await handler(null, { getRemainingTimeInMillis: () => budgetMs - (performance.now() - started) });
const wallMs = performance.now() - started;
process.stdout.write('\\n${RESULT_MARKER} ' + JSON.stringify({ wallMs, summary: report.summary }) + '\\n');
`;

/** Generous but finite: every wave a whole task start plus a poll interval at its longest, plus a minute. */
function orchestratorKillAfterMs(settings: ScaleSettings, targets: number, concurrency: number): number {
  return Math.ceil(targets / concurrency) * (settings.taskStartDelayMs + settings.probeTimeoutMs * 3 + 15_000) + 60_000;
}

async function runOnce(
  localAws: LocalAws,
  recorder: CallRecorder,
  config: unknown,
  directory: string,
  killAfterMs: number,
): Promise<{ wallMs: number; peakRssKiB: number; cpuMs: number; summary: ScaleRunFigures['summary'] }> {
  const configFile = join(directory, 'canary.config.json');
  await writeFile(configFile, JSON.stringify(config));
  const endpoint = Object.fromEntries(
    Object.entries(localAws.environment()).map(([name, value]) => [
      name,
      name.startsWith('AWS_ENDPOINT_URL') ? recorder.url : value,
    ]),
  );
  const result = await timeSpawn(
    {
      kind: 'spawn',
      argv: [
        GNU_TIME_PATH,
        '-f',
        GNU_TIME_FORMAT,
        process.execPath,
        '--input-type=module',
        '-e',
        ORCHESTRATOR_SCRIPT(ORCHESTRATOR_BUNDLE),
      ],
      env: { ...TOOL_ENVIRONMENT, ...endpoint, [RUNTIME_ENVIRONMENT.configFile]: configFile },
    },
    killAfterMs,
  );
  const line = result.stdout.split('\n').find((text) => text.startsWith(RESULT_MARKER));
  if (result.killed || line === undefined) {
    throw new Error(
      `the orchestrator run ${result.killed ? 'was killed after' : 'failed after'} ${Math.round(result.wallMs)} ms (exit ${result.exitCode}): ${result.stderr.slice(-1500)}`,
    );
  }
  const { wallMs, summary } = JSON.parse(line.slice(RESULT_MARKER.length)) as {
    wallMs: number;
    summary: ScaleRunFigures['summary'];
  };
  const usage = parseGnuTime(result.stderr);
  return { wallMs, peakRssKiB: usage.maxRssKiB, cpuMs: usage.cpuMs, summary };
}

export interface ScaleMeasurement {
  readonly runs: readonly ScaleRunFigures[];
  /** Median createdAt → stoppedAt of the N=1 runs' tasks: the bench's "one task's time". */
  readonly oneTaskMs: number;
}

/**
 * Runs the built orchestrator handler against the lab's local AWS endpoint for every (concurrency, N), with the probe
 * tasks running as real probe processes inside the lab's VPC namespace. Calls are recorded on the wire between them.
 */
export async function measureOrchestratorScale(
  topology: LabTopology,
  settings: ScaleSettings,
  log: (line: string) => void,
): Promise<ScaleMeasurement> {
  const directory = await mkdtemp(join(tmpdir(), 'p25bench-scale-'));
  const probe = probeBundle();
  const localAws = await startLocalAws({
    clusterName: CLUSTER,
    taskDefinition: { family: TASK_FAMILY, revision: 1, containerName: CONTAINER, defaultCommand: [] },
    logGroup: LOG_GROUP,
    logStreamPrefix: LOG_STREAM_PREFIX,
    launchContainer: ({ command, environment }) =>
      spawnInNamespace(topology.namespaces.vpc, [process.execPath, probe, ...command], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...TOOL_ENVIRONMENT, ...environment },
      }),
    taskStartDelayMs: () => settings.taskStartDelayMs,
    ecsLatencyMs: { RunTask: settings.runTaskLatencyMs, DescribeTasks: 50, StopTask: 100 },
    ecsRateLimits: true,
    vpcs: [
      labVpcSpec(BENCH_VPC_ID, [
        { subnetId: BENCH_SUBNET_ID, cidrBlock: '10.42.0.0/24', availabilityZone: 'us-east-1a' },
      ]),
    ],
  });
  const throttled = () => Object.values(localAws.ecs.throttledAnswers()).reduce((sum, count) => sum + count, 0);
  let recorder: CallRecorder | undefined;
  try {
    recorder = await startCallRecorder(localAws.url);
    const runs: ScaleRunFigures[] = [];
    for (const concurrency of settings.concurrency) {
      for (const targets of settings.targetCounts) {
        recorder.reset();
        localAws.ecs.resetMaxTasksInFlight();
        const throttledBefore = throttled();
        const config = scaleConfig(topology, targets, concurrency, settings.probeTimeoutMs);
        const outcome = await runOnce(
          localAws,
          recorder,
          config,
          directory,
          orchestratorKillAfterMs(settings, targets, concurrency),
        );
        const calls = recorder.calls();
        const lifetimes = taskLifetimesMs(calls);
        if (lifetimes.length === 0) throw new Error(`N=${targets}: no task was seen STOPPED on the wire`);
        const figures: ScaleRunFigures = {
          targets,
          maxConcurrentTasks: concurrency,
          wallMs: outcome.wallMs,
          peakRssKiB: outcome.peakRssKiB,
          cpuMs: outcome.cpuMs,
          apiBusyMs: calls.reduce((sum, call) => sum + call.durationMs, 0),
          calls: operationCounts(calls),
          describeRounds: describeRounds(calls),
          metricDataPoints: metricPublishing(calls).dataPoints,
          taskLifetime: summarize(lifetimes),
          summary: outcome.summary,
          maxInFlight: localAws.ecs.maxTasksInFlight,
          throttlingAnswers: throttled() - throttledBefore,
        };
        runs.push(figures);
        log(
          `  scale: N=${targets} c=${concurrency}: ${(figures.wallMs / 1000).toFixed(1)} s, max in flight ${figures.maxInFlight}, throttled ${figures.throttlingAnswers}, ${JSON.stringify(figures.calls)}, pass ${figures.summary.pass}/${targets}`,
        );
      }
    }
    const oneTaskLifetimes = runs.filter((run) => run.targets === 1).map((run) => run.taskLifetime.median);
    if (oneTaskLifetimes.length === 0)
      throw new Error('the scale runs must include N=1 to define one task\u2019s time');
    return { runs, oneTaskMs: median(oneTaskLifetimes) };
  } finally {
    await recorder?.close();
    await localAws.close();
    await rm(directory, { recursive: true, force: true });
  }
}
