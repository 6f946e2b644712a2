import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
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

/**
 * What a scale run's probe tasks are. `probe`: real probe processes in the lab's VPC namespace, end to end. `fixed-life`:
 * a shell that sleeps a fixed life and replays what a real probe task printed, costing no CPU. On Fargate every task
 * has its own vCPU; on the bench's few cores, c probe processes started at once slow each other down, so only the
 * fixed-life series measures what the orchestrator's launch pace adds.
 */
export const SCALE_TASK_KINDS = ['probe', 'fixed-life'] as const;
export type ScaleTaskKind = (typeof SCALE_TASK_KINDS)[number];

/** How long a fixed-life task sleeps before replaying the probe's output: about a real probe's life in the lab. */
export const FIXED_TASK_LIFE_MS = 1000;

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
  readonly tasks: ScaleTaskKind;
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
  /** Per task kind, the median createdAt → stoppedAt of its N=1 runs' tasks: the bench's "one task's time". */
  readonly oneTaskMs: Readonly<Record<ScaleTaskKind, number>>;
}

/** What one real probe task printed and how it exited: the fixed-life tasks replay it. */
interface ProbeTaskOutput {
  readonly stdout: string;
  readonly exitCode: number;
}

function recordOutput(child: ChildProcess, record: (output: ProbeTaskOutput) => void): ChildProcess {
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  // 'close', not 'exit': the output is complete only once stdout has closed.
  child.on('close', (code) => {
    if (code !== null) record({ stdout, exitCode: code });
  });
  return child;
}

// Nothing but a timer: the task neither opens a socket nor uses CPU while it "probes".
function fixedLifeTask(output: ProbeTaskOutput): ChildProcess {
  return spawn('/bin/sh', ['-c', 'sleep "$LIFE_S"; printf \'%s\' "$OUTPUT"; exit "$EXIT_CODE"'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: '/usr/bin:/bin',
      LIFE_S: (FIXED_TASK_LIFE_MS / 1000).toString(),
      OUTPUT: output.stdout,
      EXIT_CODE: String(output.exitCode),
    },
  });
}

/**
 * Runs the built orchestrator handler against the lab's local AWS endpoint for every task kind, concurrency and N:
 * first with real probe processes inside the lab's VPC namespace as the tasks, then with fixed-life tasks replaying the
 * last real probe's output. Calls are recorded on the wire between handler and endpoint.
 */
export async function measureOrchestratorScale(
  topology: LabTopology,
  settings: ScaleSettings,
  log: (line: string) => void,
): Promise<ScaleMeasurement> {
  const directory = await mkdtemp(join(tmpdir(), 'p25bench-scale-'));
  const probe = probeBundle();
  let tasks: ScaleTaskKind = 'probe';
  let lastProbeOutput: ProbeTaskOutput | undefined;
  const localAws = await startLocalAws({
    clusterName: CLUSTER,
    taskDefinition: { family: TASK_FAMILY, revision: 1, containerName: CONTAINER, defaultCommand: [] },
    logGroup: LOG_GROUP,
    logStreamPrefix: LOG_STREAM_PREFIX,
    launchContainer: ({ command, environment }) => {
      if (tasks === 'fixed-life') {
        if (lastProbeOutput === undefined)
          throw new Error('no real probe task has run for the fixed-life tasks to replay');
        return fixedLifeTask(lastProbeOutput);
      }
      const child = spawnInNamespace(topology.namespaces.vpc, [process.execPath, probe, ...command], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...TOOL_ENVIRONMENT, ...environment },
      });
      return recordOutput(child, (output) => {
        lastProbeOutput = output;
      });
    },
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
    for (const kind of SCALE_TASK_KINDS) {
      tasks = kind;
      for (const concurrency of settings.concurrency) {
        for (const targets of settings.targetCounts) {
          // A scheduled run starts with the account's ECS rates unspent: each run waits until the buckets the last run
          // drew from have refilled, so none is throttled for what the run before it launched.
          await delay(localAws.ecs.msUntilBucketsFull());
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
            tasks: kind,
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
            `  scale (${kind}): N=${targets} c=${concurrency}: ${(figures.wallMs / 1000).toFixed(1)} s, max in flight ${figures.maxInFlight}, throttled ${figures.throttlingAnswers}, ${JSON.stringify(figures.calls)}, pass ${figures.summary.pass}/${targets}`,
          );
        }
      }
    }
    const oneTaskMs = (kind: ScaleTaskKind) => {
      const lifetimes = runs
        .filter((run) => run.tasks === kind && run.targets === 1)
        .map((run) => run.taskLifetime.median);
      if (lifetimes.length === 0) throw new Error('the scale runs must include N=1 to define one task\u2019s time');
      return median(lifetimes);
    };
    return { runs, oneTaskMs: { probe: oneTaskMs('probe'), 'fixed-life': oneTaskMs('fixed-life') } };
  } finally {
    await recorder?.close();
    await localAws.close();
    await rm(directory, { recursive: true, force: true });
  }
}
