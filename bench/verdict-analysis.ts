import type { ToolVerdict } from './peers/tool.js';

/** Which verdict a tool gave a target over the runs: the most frequent one, and whether every run agreed. */
export interface SettledVerdict {
  readonly verdict: ToolVerdict;
  readonly stable: boolean;
  /** Every distinct verdict seen, most frequent first, with its count. */
  readonly seen: readonly { readonly verdict: ToolVerdict; readonly count: number }[];
}

const keyOf = (verdict: ToolVerdict) => `${verdict.code}\u0000${verdict.detail}`;

export function settleVerdict(samples: readonly ToolVerdict[]): SettledVerdict {
  if (samples.length === 0) throw new Error('no verdict samples');
  const counts = new Map<string, { verdict: ToolVerdict; count: number }>();
  for (const verdict of samples) {
    const entry = counts.get(keyOf(verdict)) ?? { verdict, count: 0 };
    entry.count += 1;
    counts.set(keyOf(verdict), entry);
  }
  const seen = [...counts.values()].sort((a, b) => b.count - a.count);
  return { verdict: (seen[0] as { verdict: ToolVerdict }).verdict, stable: seen.length === 1, seen };
}

/** `code` is what automation acts on (exit status, probe_success); `detail` is the message a person reads. */
export type VerdictLevel = 'code' | 'detail';

/** Settled verdicts: tool id → target key → verdict. */
export type VerdictTable = ReadonlyMap<string, ReadonlyMap<string, ToolVerdict>>;

/** Targets a tool cannot tell apart at one level: it says the same thing about all of them. */
export interface VerdictCollision {
  readonly tool: string;
  readonly level: VerdictLevel;
  readonly verdict: string;
  readonly targets: readonly string[];
  /** What our probe says about each of those targets (by its code), in the same order. */
  readonly ourVerdicts: readonly string[];
  /** Whether our probe gives at least two different verdicts among them. */
  readonly oursDistinguishes: boolean;
}

/**
 * Groups each tool's targets by verdict text at the given level and returns every group of two or more, with what our
 * probe says about the same targets. Groups are listed in target order, so the output is stable.
 */
export function findCollisions(
  table: VerdictTable,
  ourTool: string,
  level: VerdictLevel,
  targetOrder: readonly string[],
): VerdictCollision[] {
  const ours = table.get(ourTool);
  if (ours === undefined) throw new Error(`no verdicts for our tool ${ourTool}`);
  const collisions: VerdictCollision[] = [];
  for (const [tool, verdicts] of table) {
    const groups = new Map<string, string[]>();
    for (const target of targetOrder) {
      const verdict = verdicts.get(target);
      if (verdict === undefined) continue;
      const text = verdict[level];
      groups.set(text, [...(groups.get(text) ?? []), target]);
    }
    for (const [verdict, targets] of groups) {
      if (targets.length < 2) continue;
      const ourVerdicts = targets.map((target) => ours.get(target)?.code ?? '?');
      collisions.push({
        tool,
        level,
        verdict,
        targets,
        ourVerdicts,
        oursDistinguishes: new Set(ourVerdicts).size > 1,
      });
    }
  }
  return collisions;
}
