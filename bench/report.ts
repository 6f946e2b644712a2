import type { BundleSize, ColdImport } from './artifacts.js';
import type { ScaleRunFigures, ScaleTaskKind } from './orchestrator-scale.js';
import type { BenchTarget, VerdictTool } from './peers/tool.js';
import type { CostFigures } from './probe-cost.js';
import type { Summary } from './stats.js';
import type { ToolTargetFigures } from './time-to-verdict.js';
import type { VerdictCollision } from './verdict-analysis.js';

/** Everything one bench run measured; BENCHMARKS.md and the console tables are rendered from it. */
export interface BenchReport {
  readonly environment: BenchEnvironment;
  readonly settings: BenchSettings;
  readonly targets: readonly BenchTarget[];
  readonly tools: readonly Pick<VerdictTool, 'id' | 'name' | 'ours'>[];
  readonly verdicts: VerdictSection | undefined;
  readonly cost: readonly CostFigures[] | undefined;
  readonly scale: ScaleSection | undefined;
  readonly artifacts: ArtifactSection | undefined;
  /** Sections that could not run, with why. */
  readonly skipped: readonly { readonly section: string; readonly reason: string }[];
}

export interface BenchEnvironment {
  readonly date: string;
  /** The machine's Node: it runs the bench, the CLI, the Node 20 probe columns and the scale runs. */
  readonly node: string;
  /** Production's Node (24): the Node 24 probe column and the Lambda bundle import; null when not resolved. */
  readonly productionNode: string | null;
  readonly kernel: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly peerVersions: Readonly<Record<string, string>>;
  readonly durationS: number;
  /** 1-minute load average when the bench started and ended: other work on the machine skews every timing. */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

export interface BenchSettings {
  readonly runs: number;
  readonly timeoutMs: number;
  readonly scaleTargets: readonly number[];
  readonly scaleConcurrency: readonly number[];
  readonly taskStartDelayMs: number;
  /** The local ECS's RunTask latency in the scale runs (its documented rate limits on). */
  readonly runTaskLatencyMs: number;
}

export interface VerdictSection {
  readonly figures: readonly ToolTargetFigures[];
  readonly nodeBaseline: Summary;
  /** A bare start of the production Node (24), beside which the tools run on it are judged; null when none ran. */
  readonly productionNodeBaseline: Summary | null;
  readonly collisions: readonly VerdictCollision[];
}

export interface ScaleSection {
  readonly runs: readonly ScaleRunFigures[];
  /** Per task kind, the N=1 runs' task, created → STOPPED, as the endpoint saw it: "one task's time". */
  readonly oneTaskMs: Readonly<Record<ScaleTaskKind, number>>;
  readonly oneTaskDefinition: string;
}

export interface ArtifactSection {
  readonly lambda: BundleSize;
  readonly probe: BundleSize;
  readonly coldImport: ColdImport;
}
