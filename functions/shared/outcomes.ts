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

/**
 * Exit codes of `port25-canary run`, `invoke` (and `invoke --fleet`), and of `probe` given --vpc-cidr/--released,
 * which then exits by whether each observation matched AWS's port-25 rule: matched 0, mismatch 1, unprovable 3.
 */
export const VERDICT_EXIT_CODES = {
  allPassed: 0,
  someFailed: 1,
  usage: USAGE_EXIT_CODE,
  someInconclusive: 3,
  /** The run could not be carried out: an AWS error, an aborted run, metrics not published, a vantage not reached. */
  runNotCarriedOut: 4,
} as const;

/** What a run (or a fleet of runs, or a judged probe) established; usage errors exit before anything is judged. */
export interface VerdictFacts {
  /** A target did not meet its expectation (a probe's observation contradicted the rule). */
  readonly failed: boolean;
  /** A target could not be judged (an observation that proves neither way). */
  readonly inconclusive: boolean;
  /** The run, or part of it, could not be carried out (the cause is on stderr). */
  readonly notCarriedOut: boolean;
}

/**
 * The precedence, first that applies: someFailed 1 > runNotCarriedOut 4 > someInconclusive 3 > allPassed 0.
 * A proven mail-path failure is never hidden behind a tooling error, which is reported on stderr.
 */
export function verdictExitCode(facts: VerdictFacts): number {
  if (facts.failed) return VERDICT_EXIT_CODES.someFailed;
  if (facts.notCarriedOut) return VERDICT_EXIT_CODES.runNotCarriedOut;
  if (facts.inconclusive) return VERDICT_EXIT_CODES.someInconclusive;
  return VERDICT_EXIT_CODES.allPassed;
}

/** `probe --vpc-cidr/--released`: each target's `expectation.matches` (true, false, or null for unprovable). */
export function exitCodeForExpectationMatches(matches: readonly (boolean | null)[]): number {
  return verdictExitCode({
    failed: matches.includes(false),
    inconclusive: matches.includes(null),
    notCarriedOut: false,
  });
}

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
