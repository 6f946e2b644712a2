import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { inNamespace } from '../lab/netns.js';
import { type NodeRuntime, productionNode } from '../lab/node-runtime.js';
import type { Teardown } from '../lab/teardown.js';
import { cleanupLabLeftovers, createLabTopology, type LabTopology } from '../lab/topology.js';
import { killLiveChildren } from './agent.js';
import { AgentClient } from './agent-client.js';
import { bundleSize, measureColdImport } from './artifacts.js';
import { evaluateGoals, PROBE_TOOL } from './goals.js';
import { benchTargets, OPEN_TARGET } from './lab-targets.js';
import { markdownTable, renderBenchmarks } from './markdown.js';
import { measureOrchestratorScale, ORCHESTRATOR_BUNDLE } from './orchestrator-scale.js';
import { BLACKBOX_HEALTH_URL, type BlackboxDaemon, blackboxTool, startBlackboxExporter } from './peers/blackbox.js';
import { checkSmtpTool } from './peers/check-smtp.js';
import {
  cliBundle,
  cliProbeTool,
  containerProbeNode24Tool,
  containerProbeTool,
  displayPath,
  probeBundle,
  useProductionNode,
} from './peers/port25-canary.js';
import { swaksTool } from './peers/swaks.js';
import type { BenchTarget, ToolVerdict, VerdictTool } from './peers/tool.js';
import { measureDaemonCost, measureProcessCosts } from './probe-cost.js';
import type { ArtifactSection, BenchReport, BenchSettings, ScaleSection, VerdictSection } from './report.js';
import { summarize } from './stats.js';
import { figuresFor, measureTimeToVerdict } from './time-to-verdict.js';
import { findCollisions } from './verdict-analysis.js';

export const BENCH_PREFIX = 'p25bench-';

export const SECTIONS = ['verdicts', 'cost', 'scale', 'artifacts'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions extends BenchSettings {
  readonly sections: readonly Section[];
  readonly output: string;
  /** Path of the running bench bundle: the timing agent is the same file started with --agent. */
  readonly benchScript: string;
}

const execFileAsync = promisify(execFile);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Our probe (CLI), the probe container entry, and the three peers, in table order. */
export const TOOLS: readonly VerdictTool[] = [
  cliProbeTool,
  containerProbeTool,
  containerProbeNode24Tool,
  checkSmtpTool,
  swaksTool,
  blackboxTool,
];

const DEBIAN_PACKAGES = {
  check_smtp: 'monitoring-plugins-basic',
  swaks: 'swaks',
  blackbox_exporter: 'prometheus-blackbox-exporter',
  'GNU time': 'time',
} as const;

/** A missing tool or bundle: the bench exits 2 with this message before building anything. */
export class PrerequisiteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PrerequisiteError';
  }
}

async function packageVersion(name: string): Promise<string> {
  try {
    // `dpkg-query -W NAME` prints `NAME<TAB>VERSION`.
    const { stdout } = await execFileAsync('dpkg-query', ['-W', name]);
    return stdout.trim().split('\t')[1] ?? 'unknown';
  } catch (cause) {
    throw new PrerequisiteError(`Debian package ${name} is not installed (apt-get install ${name})`, { cause });
  }
}

/** Fails fast, before building anything, when a tool or bundle is missing. */
export async function checkPrerequisites(sections: readonly Section[]): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const [tool, name] of Object.entries(DEBIAN_PACKAGES))
    versions[`${tool} (${name})`] = await packageVersion(name);
  let bundles: string[];
  try {
    bundles = [
      ...(sections.includes('verdicts') || sections.includes('cost') ? [cliBundle(), probeBundle()] : []),
      ...(sections.includes('scale') || sections.includes('artifacts') ? [probeBundle(), ORCHESTRATOR_BUNDLE] : []),
    ];
  } catch (cause) {
    throw new PrerequisiteError(cause instanceof Error ? cause.message : String(cause), { cause });
  }
  for (const bundle of new Set(bundles)) {
    await access(bundle).catch((cause: unknown) => {
      throw new PrerequisiteError(`${bundle} is missing: run npm run build first`, { cause });
    });
  }
  return versions;
}

async function waitUntilHealthy(agent: AgentClient, url: string, deadlineMs: number): Promise<void> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < deadlineMs) {
    const result = await agent.invoke({ kind: 'http', url }, 1_000).catch((error: Error) => {
      last = error.message;
      return undefined;
    });
    if (result?.exitCode === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${deadlineMs} ms${last ? `: ${last}` : ''}`);
}

interface LabSession {
  readonly topology: LabTopology;
  readonly agent: AgentClient;
  readonly blackbox: BlackboxDaemon;
  readonly targets: readonly BenchTarget[];
}

async function startLabSession(
  options: BenchOptions,
  teardown: Teardown,
  interrupted: AbortSignal,
): Promise<LabSession> {
  // A step registered after Ctrl-C started the teardown would never run: undo it at once instead.
  const own = async (name: string, undo: () => Promise<void>) => {
    if (!interrupted.aborted) {
      teardown.add(name, undo);
      return;
    }
    await undo();
    throw new BenchInterruptedError();
  };
  const leftovers = await cleanupLabLeftovers(BENCH_PREFIX);
  if (leftovers.length > 0) log(`removed leftovers of an earlier run: ${leftovers.join(', ')}`);
  log(`building the lab topology (${BENCH_PREFIX}*)...`);
  const topology = await createLabTopology(BENCH_PREFIX);
  await own('destroy the lab topology', () => topology.destroy());
  // Linux rate-limits ICMP errors per destination (1 s for IPv4): tools run back to back against the unreachable
  // host would otherwise get an answer or a 1 s SYN retry depending on who ran before them.
  await inNamespace(topology.namespaces.mail, [
    'sysctl',
    '-qw',
    'net.ipv4.icmp_ratelimit=0',
    'net.ipv6.icmp.ratelimit=0',
  ]);
  const agent = AgentClient.start(topology.namespaces.vpc, options.benchScript);
  await own('stop the timing agent', () => agent.stop());
  const blackbox = await startBlackboxExporter(topology.namespaces.vpc, options.timeoutMs);
  await own('stop blackbox_exporter', () => blackbox.stop());
  await waitUntilHealthy(agent, BLACKBOX_HEALTH_URL, 10_000);
  return { topology, agent, blackbox, targets: benchTargets(topology) };
}

async function verdictSection(
  session: LabSession,
  options: BenchOptions,
  productionNodePath: string | undefined,
): Promise<VerdictSection> {
  log(
    `verdicts and time to verdict: ${TOOLS.length} tools × ${session.targets.length} targets × ${options.runs} runs...`,
  );
  const result = await measureTimeToVerdict(session.agent, TOOLS, session.targets, options, log, productionNodePath);
  const figures = figuresFor(result, TOOLS, session.targets, PROBE_TOOL);
  const table = new Map<string, Map<string, ToolVerdict>>();
  for (const figure of figures) {
    const verdicts = table.get(figure.tool) ?? new Map();
    verdicts.set(figure.target, figure.verdict.verdict);
    table.set(figure.tool, verdicts);
  }
  const order = session.targets.map((target) => target.key);
  return {
    figures,
    nodeBaseline: summarize(result.nodeBaselineMs),
    productionNodeBaseline:
      result.productionNodeBaselineMs.length === 0 ? null : summarize(result.productionNodeBaselineMs),
    collisions: [
      ...findCollisions(table, PROBE_TOOL, 'code', order),
      ...findCollisions(table, PROBE_TOOL, 'detail', order),
    ],
  };
}

async function costSection(session: LabSession, options: BenchOptions) {
  const open = session.targets.find((target) => target.key === OPEN_TARGET);
  if (open === undefined) throw new Error('no open target');
  log(`cost of one probe: ${options.runs} runs per tool under GNU time...`);
  const processTools = TOOLS.filter((tool) => tool.id !== blackboxTool.id);
  const processes = await measureProcessCosts(session.agent, processTools, open, options);
  const pid = session.blackbox.process.pid;
  if (pid === undefined) throw new Error('blackbox_exporter has no pid');
  const daemon = await measureDaemonCost(session.agent, blackboxTool, pid, open, {
    probes: options.runs * 10,
    timeoutMs: options.timeoutMs,
  });
  return [...processes, daemon];
}

async function scaleSection(session: LabSession, options: BenchOptions): Promise<ScaleSection> {
  log(
    `orchestrator scale: N ∈ {${options.scaleTargets.join(', ')}} × maxConcurrentTasks ∈ {${options.scaleConcurrency.join(', ')}}...`,
  );
  const measurement = await measureOrchestratorScale(
    session.topology,
    {
      targetCounts: options.scaleTargets,
      concurrency: options.scaleConcurrency,
      taskStartDelayMs: options.taskStartDelayMs,
      probeTimeoutMs: options.timeoutMs,
      runTaskLatencyMs: options.runTaskLatencyMs,
    },
    log,
  );
  return {
    runs: measurement.runs,
    oneTaskMs: measurement.oneTaskMs,
    oneTaskDefinition:
      "each series' median task lifetime in its N=1 runs as the endpoint reported it in DescribeTasks (createdAt → stoppedAt: start delay, the task's process, stop delay)",
  };
}

async function artifactSection(options: BenchOptions, node: NodeRuntime): Promise<ArtifactSection> {
  log('artifacts: bundle sizes and cold import...');
  return {
    lambda: await bundleSize('Lambda (orchestrator)', displayPath(ORCHESTRATOR_BUNDLE)),
    probe: await bundleSize('probe container', displayPath(probeBundle())),
    coldImport: await measureColdImport(ORCHESTRATOR_BUNDLE, Math.max(options.runs, 10), node),
  };
}

async function environmentOf(
  peerVersions: Record<string, string>,
  startedAt: number,
  loadAtStart: number,
  productionNodeVersion: string | null,
) {
  return {
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
    date: new Date(startedAt).toISOString(),
    node: process.version,
    productionNode: productionNodeVersion,
    kernel: release(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: totalmem() / 1024 ** 3,
    peerVersions,
    durationS: (Date.now() - startedAt) / 1000,
  };
}

export class BenchInterruptedError extends Error {
  constructor(options?: ErrorOptions) {
    super('interrupted: nothing written', options);
    this.name = 'BenchInterruptedError';
  }
}

/**
 * Runs the chosen sections, writes the report, prints it; returns false when a section failed. When `interrupted`
 * fires (Ctrl-C), it throws BenchInterruptedError instead of writing a report of a broken run.
 */
export async function runBench(options: BenchOptions, teardown: Teardown, interrupted: AbortSignal): Promise<boolean> {
  const startedAt = Date.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const peerVersions = await checkPrerequisites(options.sections);
  // Production's Node (Lambda nodejs24.x, node:24-alpine) runs the Node 24 probe column and the Lambda bundle import;
  // the machine's Node runs everything else (the bench says which ran each figure).
  const node24 = options.sections.some((section) => section !== 'scale') ? await productionNode() : undefined;
  if (node24 !== undefined) useProductionNode(node24.path);
  teardown.add('kill timed processes', async () => killLiveChildren());
  const skipped: { section: string; reason: string }[] = [];
  const attempt = async <T>(section: Section, measure: () => Promise<T>): Promise<T | undefined> => {
    if (!options.sections.includes(section)) {
      skipped.push({ section, reason: 'not selected with --only' });
      return undefined;
    }
    if (interrupted.aborted) throw new BenchInterruptedError();
    try {
      return await measure();
    } catch (error) {
      if (interrupted.aborted) throw new BenchInterruptedError({ cause: error });
      const reason = error instanceof Error ? error.message : String(error);
      log(`${section} failed: ${error instanceof Error ? (error.stack ?? reason) : reason}`);
      skipped.push({ section, reason: `failed: ${reason.split('\n')[0]}` });
      return undefined;
    }
  };

  const needsLab = options.sections.some((section) => section !== 'artifacts');
  const session = needsLab ? await startLabSession(options, teardown, interrupted) : undefined;
  const inLab =
    <T>(measure: (lab: LabSession) => Promise<T>) =>
    () => {
      if (session === undefined) throw new Error('the lab is not running');
      return measure(session);
    };
  const verdicts = await attempt(
    'verdicts',
    inLab((lab) => verdictSection(lab, options, node24?.path)),
  );
  const cost = await attempt(
    'cost',
    inLab((lab) => costSection(lab, options)),
  );
  const scale = await attempt(
    'scale',
    inLab((lab) => scaleSection(lab, options)),
  );
  const artifacts = await attempt('artifacts', () => {
    if (node24 === undefined) throw new Error('the production Node was not resolved');
    return artifactSection(options, node24);
  });

  const report: BenchReport = {
    environment: await environmentOf(peerVersions, startedAt, loadAtStart, node24?.version ?? null),
    settings: options,
    targets: session?.targets ?? [],
    tools: TOOLS.map(({ id, name, ours }) => ({ id, name, ours })),
    verdicts,
    cost,
    scale,
    artifacts,
    skipped,
  };
  if (interrupted.aborted) throw new BenchInterruptedError();
  const markdown = renderBenchmarks(report);
  await writeFile(options.output, markdown);
  process.stdout.write(markdown);
  const goals = evaluateGoals(report);
  log(
    `\nwrote ${options.output}\n${markdownTable(
      ['Target', 'Result'],
      goals.map((goal) => [goal.goal, goal.met === null ? 'not measured' : goal.met ? 'met' : 'NOT MET']),
    )}`,
  );
  return skipped.every((entry) => entry.reason.startsWith('not selected'));
}
