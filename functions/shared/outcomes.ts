/**
 * The outcome vocabulary and exit codes, declared once for the probe, the CLI, the orchestrator, the lab and the tests.
 */

/** What one probe attempt observed on the wire. */
export const PROBE_OUTCOMES = [
  'open',
  'timeout',
  'refused',
  'unreachable',
  'dns-error',
  'banner-timeout',
  'protocol-error',
  'tls-error',
  'error',
] as const;
export type ProbeOutcome = (typeof PROBE_OUTCOMES)[number];

/** The orchestrator adds one outcome of its own: the probe task never produced a result. */
export type TargetOutcome = ProbeOutcome | 'task-failed';

/** Exit codes of `port25-canary probe` and of the probe container; the orchestrator falls back to them. */
export const EXIT_CODE_BY_OUTCOME: Readonly<Record<ProbeOutcome, number>> = {
  open: 0,
  timeout: 10,
  refused: 11,
  unreachable: 12,
  'dns-error': 13,
  'banner-timeout': 14,
  'protocol-error': 15,
  'tls-error': 16,
  error: 1,
};

/** Bad arguments or a bad config file, for every command. */
export const USAGE_EXIT_CODE = 2;

/** Exit codes of `port25-canary run` and `invoke`, which report verdicts rather than outcomes. */
export const VERDICT_EXIT_CODES = {
  allPassed: 0,
  someFailed: 1,
  usage: USAGE_EXIT_CODE,
  someInconclusive: 3,
} as const;

export function isProbeOutcome(value: unknown): value is ProbeOutcome {
  return typeof value === 'string' && (PROBE_OUTCOMES as readonly string[]).includes(value);
}

/** The outcome a probe container's exit code stands for; undefined for a code the probe never uses. */
export function outcomeForExitCode(exitCode: number): ProbeOutcome | undefined {
  const entry = Object.entries(EXIT_CODE_BY_OUTCOME).find(([, code]) => code === exitCode);
  return entry?.[0] as ProbeOutcome | undefined;
}

/** With several targets the exit code is that of the first target that is not open. */
export function exitCodeForOutcomes(outcomes: readonly ProbeOutcome[]): number {
  const firstNotOpen = outcomes.find((outcome) => outcome !== 'open');
  return firstNotOpen === undefined ? EXIT_CODE_BY_OUTCOME.open : EXIT_CODE_BY_OUTCOME[firstNotOpen];
}

/**
 * The summary outcome of several attempts: the first attempt that was not open, or open when all were.
 * A single failed attempt is what an operator needs to see; averaging would hide an intermittent drop.
 */
export function summarizeAttempts(outcomes: readonly ProbeOutcome[]): ProbeOutcome {
  return outcomes.find((outcome) => outcome !== 'open') ?? 'open';
}
