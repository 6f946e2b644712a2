import type { AgentClient } from './agent-client.js';
import type { SpawnInvocation } from './agent-protocol.js';
import { parseProbeResult } from './peers/port25-canary.js';
import { type BenchTarget, TOOL_ENVIRONMENT, type ToolVerdict, type VerdictTool } from './peers/tool.js';
import { median, ratio, type Summary, summarize } from './stats.js';
import { type SettledVerdict, settleVerdict } from './verdict-analysis.js';

export interface VerdictSample {
  readonly tool: string;
  readonly target: string;
  readonly run: number;
  /** Process start to exit (an HTTP request's round trip for the exporter), measured inside the namespace. */
  readonly wallMs: number;
  readonly verdict: ToolVerdict;
  /** Our probe's own durationMs: from the start of the probe to its decision, start-up excluded. */
  readonly decidedMs: number | null;
}

export interface VerdictBenchSettings {
  readonly runs: number;
  readonly timeoutMs: number;
}

export interface VerdictBenchResult {
  readonly settings: VerdictBenchSettings;
  readonly samples: readonly VerdictSample[];
  /** `node -e ""` in the same namespace, measured between targets in every run. */
  readonly nodeBaselineMs: readonly number[];
  /** The same with the production Node (24), when the tools include one that runs on it; empty otherwise. */
  readonly productionNodeBaselineMs: readonly number[];
}

/** `node -e ""`: the floor any Node.js tool pays before doing anything, on the given Node binary. */
export function nodeBaseline(nodePath: string): SpawnInvocation {
  return { kind: 'spawn', argv: [nodePath, '-e', ''], env: TOOL_ENVIRONMENT };
}

/** How long the agent lets any one measurement run before killing it: well past every tool's own timeout. */
export function killAfterMs(timeoutMs: number): number {
  return timeoutMs * 3 + 5_000;
}

/**
 * Runs every tool against every target, `runs` times, interleaved (run → target → tool) so drift in the machine's load
 * spreads over all tools alike. One warm-up round against the first target fills the page cache first.
 */
export async function measureTimeToVerdict(
  agent: AgentClient,
  tools: readonly VerdictTool[],
  targets: readonly BenchTarget[],
  settings: VerdictBenchSettings,
  log: (line: string) => void,
  /** The production Node binary (24): its bare start is measured beside the machine's, for the tools run on it. */
  productionNodePath?: string,
): Promise<VerdictBenchResult> {
  const baselines = {
    node: nodeBaseline(process.execPath),
    production: productionNodePath === undefined ? undefined : nodeBaseline(productionNodePath),
  };
  const killAfter = killAfterMs(settings.timeoutMs);
  const warmUpTarget = targets[0];
  if (warmUpTarget === undefined) throw new Error('no targets');
  for (const tool of tools) await agent.invoke(tool.invocation(warmUpTarget, settings.timeoutMs), killAfter);
  await agent.invoke(baselines.node, killAfter);
  if (baselines.production) await agent.invoke(baselines.production, killAfter);

  const samples: VerdictSample[] = [];
  const nodeBaselineMs: number[] = [];
  const productionNodeBaselineMs: number[] = [];
  for (let run = 1; run <= settings.runs; run += 1) {
    const started = Date.now();
    for (const target of targets) {
      nodeBaselineMs.push((await agent.invoke(baselines.node, killAfter)).wallMs);
      if (baselines.production) {
        productionNodeBaselineMs.push((await agent.invoke(baselines.production, killAfter)).wallMs);
      }
      for (const tool of tools) {
        const result = await agent.invoke(tool.invocation(target, settings.timeoutMs), killAfter);
        const decidedMs = tool.ours ? (parseProbeResult(result.stdout)?.durationMs ?? null) : null;
        samples.push({
          tool: tool.id,
          target: target.key,
          run,
          wallMs: result.wallMs,
          verdict: tool.verdict(result),
          decidedMs,
        });
      }
    }
    log(`  verdicts: run ${run}/${settings.runs} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return { settings, samples, nodeBaselineMs, productionNodeBaselineMs };
}

/** One tool against one target over all runs. */
export interface ToolTargetFigures {
  readonly tool: string;
  readonly target: string;
  readonly verdict: SettledVerdict;
  readonly wall: Summary;
  /** The probe's own decision time (ours only). */
  readonly decided: Summary | null;
  /** This tool's median wall time over our probe's (the CLI) for the same target. */
  readonly ratioToProbe: number;
}

export function figuresFor(
  result: VerdictBenchResult,
  tools: readonly VerdictTool[],
  targets: readonly BenchTarget[],
  referenceTool: string,
): ToolTargetFigures[] {
  const select = (tool: string, target: string) =>
    result.samples.filter((sample) => sample.tool === tool && sample.target === target);
  const figures: ToolTargetFigures[] = [];
  for (const target of targets) {
    const reference = median(select(referenceTool, target.key).map((sample) => sample.wallMs));
    for (const tool of tools) {
      const samples = select(tool.id, target.key);
      const decided = samples.flatMap((sample) => (sample.decidedMs === null ? [] : [sample.decidedMs]));
      const wall = summarize(samples.map((sample) => sample.wallMs));
      figures.push({
        tool: tool.id,
        target: target.key,
        verdict: settleVerdict(samples.map((sample) => sample.verdict)),
        wall,
        decided: decided.length === 0 ? null : summarize(decided),
        ratioToProbe: ratio(wall.median, reference),
      });
    }
  }
  return figures;
}
