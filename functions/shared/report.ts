import type { Verdict } from './judge.js';
import type { TargetOutcome } from './outcomes.js';
import type { Expectation } from './port25-rule.js';
import type { RestrictionReport } from './restriction.js';

/** What the orchestrator returns and logs (a run line and a line per target), and what `run`/`invoke` print. */
export interface CanaryReport {
  readonly runId: string;
  readonly canary: string;
  /** ISO 8601 */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly released: boolean;
  readonly results: readonly TargetReport[];
  readonly summary: ReportSummary;
  /** Whether AWS's port-25 restriction is in effect, as this run saw it. */
  readonly restriction: RestrictionReport;
}

export interface TargetReport {
  /** The target's name from the config. */
  readonly target: string;
  readonly host: string;
  readonly port: number;
  /** The address the probe used; null when it never dialled. */
  readonly address: string | null;
  /** Null when nothing could be expected: `auto` and no address was resolved, or the address is not a mail host. */
  readonly expected: Expectation | null;
  /** Which rule set the expectation (`configured: open` for an explicit expect). */
  readonly rule: string;
  readonly outcome: TargetOutcome;
  readonly verdict: Verdict;
  /** Why the verdict is what it is, from the judge table (e.g. "port-25-specific drop"). */
  readonly evidence: string;
  readonly diagnosis: string;
  readonly connectMs: number | null;
  readonly greeting: string | null;
  readonly taskArn: string | null;
  /** Why the verdict is what it is when the probe's words are not enough (stoppedReason, deadline, exit code). */
  readonly detail: string | null;
}

export interface ReportSummary {
  readonly pass: number;
  readonly fail: number;
  readonly inconclusive: number;
}
