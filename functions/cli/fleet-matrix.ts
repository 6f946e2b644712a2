import { formatTable } from '../shared/command-line/table.js';
import type { ResolvedFleet } from '../shared/fleet.js';
import { VERDICT_EXIT_CODES, verdictExitCode } from '../shared/outcomes.js';
import type { CanaryReport } from '../shared/report.js';
import type { VantageResult } from './fleet-invoke.js';

/** What the matrix shows of a run's restriction conclusion. */
interface RestrictionConclusion {
  readonly state: string;
  readonly summary: string;
  readonly nextStep: string | null;
}

/**
 * The report's restriction conclusion, read defensively: a fleet mid-rollout has vantages whose function predates it.
 */
function restrictionOf(report: CanaryReport): RestrictionConclusion | undefined {
  const value = (report as unknown as { restriction?: Partial<RestrictionConclusion> }).restriction;
  if (typeof value?.state !== 'string' || typeof value.summary !== 'string') return undefined;
  return {
    state: value.state,
    summary: value.summary,
    nextStep: typeof value.nextStep === 'string' ? value.nextStep : null,
  };
}

/** Every target of the fleet once, in config order: the matrix's columns. */
function fleetTargetNames(fleet: ResolvedFleet): string[] {
  const names = new Set(fleet.vantages.flatMap((vantage) => vantage.config.targets.map((target) => target.name)));
  return [...names];
}

/**
 * One row per vantage, one column per target. A cell is the target's verdict, `-` where the vantage does not probe
 * it; a vantage that was not reached says so in its restriction cell and has no verdicts.
 */
export function formatFleetMatrix(fleet: ResolvedFleet, results: readonly VantageResult[]): string {
  const targetNames = fleetTargetNames(fleet);
  const rows = results.map((result) => {
    const { settings } = result.vantage;
    const head = [settings.name, settings.account, settings.region];
    if (result.kind === 'unreachable') return [...head, 'not reached', ...targetNames.map(() => null)];
    if (result.kind === 'skipped') return [...head, 'not asked', ...targetNames.map(() => null)];
    const verdicts = new Map(result.report.results.map((target) => [target.target, target.verdict]));
    return [
      ...head,
      restrictionOf(result.report)?.state ?? 'not reported',
      ...targetNames.map((name) => verdicts.get(name)),
    ];
  });
  const notes = results.map((result) => {
    const name = result.vantage.settings.name;
    if (result.kind === 'unreachable') return `${name}: not reached: ${result.reason}`;
    if (result.kind === 'skipped') return `${name}: none of the --targets is probed here`;
    const restriction = restrictionOf(result.report);
    const released = result.report.released ? ' (judged as released)' : '';
    if (restriction === undefined) return `${name}: the function reported no restriction state${released}`;
    const next = restriction.nextStep === null ? '' : ` Next: ${restriction.nextStep}`;
    return `${name}: ${restriction.summary}${released}${next}`;
  });
  const headers = ['VANTAGE', 'ACCOUNT', 'REGION', 'RESTRICTION', ...targetNames.map((name) => name.toUpperCase())];
  return `${formatTable(headers, rows)}\n${notes.join('\n')}\n`;
}

/** `--json`: every vantage with its report or the reason it has none. */
export function fleetJson(results: readonly VantageResult[]): string {
  const vantages = results.map((result) => {
    const { name, account, region } = result.vantage.settings;
    const where = { vantage: name, account, region, functionName: result.vantage.functionName };
    if (result.kind === 'report') return { ...where, report: result.report };
    if (result.kind === 'skipped') return { ...where, skipped: true };
    return { ...where, error: result.reason };
  });
  return `${JSON.stringify({ vantages })}\n`;
}

/**
 * The exit code over the whole fleet, with `invoke`'s precedence: a rejected payload 2, any failed target 1, any
 * vantage not reached 4, any inconclusive target 3, else 0.
 */
export function fleetExitCode(results: readonly VantageResult[]): number {
  if (results.some((result) => result.kind === 'unreachable' && result.rejectedInput)) return VERDICT_EXIT_CODES.usage;
  const reports = results.flatMap((result) => (result.kind === 'report' ? [result.report] : []));
  return verdictExitCode({
    failed: reports.some((report) => report.summary.fail > 0),
    inconclusive: reports.some((report) => report.summary.inconclusive > 0),
    notCarriedOut: results.some((result) => result.kind === 'unreachable'),
  });
}
