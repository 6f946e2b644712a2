import { readFile } from 'node:fs/promises';
import type { AgentClient } from './agent-client.js';
import type { Invocation } from './agent-protocol.js';
import type { BenchTarget, VerdictTool } from './peers/tool.js';
import { median } from './stats.js';
import { killAfterMs, nodeBaseline } from './time-to-verdict.js';

/** Debian's `time` package: GNU time reports the child's peak RSS and CPU time from wait4's rusage. */
export const GNU_TIME_PATH = '/usr/bin/time';
const MARKER = 'P25BENCH_RUSAGE';
export const GNU_TIME_FORMAT = `${MARKER} %M %U %S %e %x`;

export interface ProcessCost {
  /** Peak resident set size, KiB. */
  readonly maxRssKiB: number;
  /** User + system CPU, ms (GNU time prints centiseconds: 10 ms resolution per sample). */
  readonly cpuMs: number;
  readonly exitCode: number;
}

/** Reads GNU time's line (see GNU_TIME_FORMAT) from the end of stderr. */
export function parseGnuTime(stderr: string): ProcessCost {
  const line = stderr
    .split('\n')
    .reverse()
    .find((text) => text.startsWith(MARKER));
  const fields = line?.split(/\s+/).slice(1).map(Number);
  if (fields === undefined || fields.length < 5 || fields.some((value) => !Number.isFinite(value))) {
    throw new Error(`no GNU time report in: ${stderr.slice(-300)}`);
  }
  const [maxRssKiB, user, system, , exitCode] = fields as [number, number, number, number, number];
  return { maxRssKiB, cpuMs: Math.round((user + system) * 1000), exitCode };
}

export interface CostFigures {
  readonly tool: string;
  readonly name: string;
  readonly samples: number;
  readonly medianMaxRssKiB: number;
  readonly maxMaxRssKiB: number;
  /** Mean over the samples: the mean of centisecond readings resolves better than any one of them. */
  readonly meanCpuMs: number;
  readonly medianCpuMs: number;
  /** How the figure was taken (a process per probe, or a share of a daemon). */
  readonly method: string;
}

function figures(tool: string, name: string, costs: readonly ProcessCost[], method: string): CostFigures {
  const rss = costs.map((cost) => cost.maxRssKiB);
  const cpu = costs.map((cost) => cost.cpuMs);
  return {
    tool,
    name,
    samples: costs.length,
    medianMaxRssKiB: median(rss),
    maxMaxRssKiB: Math.max(...rss),
    meanCpuMs: cpu.reduce((sum, value) => sum + value, 0) / cpu.length,
    medianCpuMs: median(cpu),
    method,
  };
}

async function costOf(agent: AgentClient, invocation: Invocation, timeoutMs: number): Promise<ProcessCost> {
  if (invocation.kind !== 'spawn') throw new Error('only processes have a GNU time cost');
  const timed = { ...invocation, argv: [GNU_TIME_PATH, '-f', GNU_TIME_FORMAT, ...invocation.argv] };
  const result = await agent.invoke(timed, killAfterMs(timeoutMs));
  return parseGnuTime(result.stderr);
}

/** Each process-per-probe tool against one target, `runs` times, interleaved; `node -e ""` as the floor. */
export async function measureProcessCosts(
  agent: AgentClient,
  tools: readonly VerdictTool[],
  target: BenchTarget,
  settings: { readonly runs: number; readonly timeoutMs: number },
): Promise<CostFigures[]> {
  const costs = new Map<string, ProcessCost[]>();
  const floor: ProcessCost[] = [];
  for (let run = 0; run < settings.runs; run += 1) {
    floor.push(await costOf(agent, nodeBaseline(process.execPath), settings.timeoutMs));
    for (const tool of tools) {
      const cost = await costOf(agent, tool.invocation(target, settings.timeoutMs), settings.timeoutMs);
      costs.set(tool.id, [...(costs.get(tool.id) ?? []), cost]);
    }
  }
  return [
    figures('node', 'node -e "" (floor)', floor, 'one process'),
    ...tools.map((tool) => figures(tool.id, tool.name, costs.get(tool.id) ?? [], 'one process per probe')),
  ];
}

/** utime + stime of a process in clock ticks, and its peak RSS, from /proc. */
export async function readDaemonUsage(pid: number): Promise<{ cpuTicks: number; peakRssKiB: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const peakRssKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
  return { cpuTicks, peakRssKiB };
}

/** Linux's USER_HZ: /proc reports CPU time in hundredths of a second. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * A daemon's cost per probe: its CPU over `probes` probes divided by their number, and its peak RSS (a daemon's
 * memory is paid once, however many targets it probes).
 */
export async function measureDaemonCost(
  agent: AgentClient,
  tool: VerdictTool,
  pid: number,
  target: BenchTarget,
  settings: { readonly probes: number; readonly timeoutMs: number },
): Promise<CostFigures> {
  const before = await readDaemonUsage(pid);
  for (let probe = 0; probe < settings.probes; probe += 1) {
    await agent.invoke(tool.invocation(target, settings.timeoutMs), killAfterMs(settings.timeoutMs));
  }
  const after = await readDaemonUsage(pid);
  const cpuMsPerProbe = ((after.cpuTicks - before.cpuTicks) * 1000) / CLOCK_TICKS_PER_SECOND / settings.probes;
  return {
    tool: tool.id,
    name: tool.name,
    samples: settings.probes,
    medianMaxRssKiB: after.peakRssKiB,
    maxMaxRssKiB: after.peakRssKiB,
    meanCpuMs: cpuMsPerProbe,
    medianCpuMs: cpuMsPerProbe,
    method: `long-running daemon: CPU over ${settings.probes} probes ÷ ${settings.probes}, peak RSS of the daemon`,
  };
}
