import type { CanaryTarget } from '../shared/config.js';
import type { RuleContext } from '../shared/port25-rule.js';
import type { CanaryReport, ReportSummary, TargetReport } from '../shared/report.js';
import { type RestrictionSignal, restrictionReport, restrictionSignal } from '../shared/restriction.js';
import { expectationFor, judgeTargetAttempts, type TargetExpectation } from './expectation.js';
import type { AttemptObservation, TargetObservation } from './observation.js';

export interface JudgingContext extends RuleContext {
  readonly vpcPrimaryCidr: string | undefined;
  /** The VPC's other blocks, named in the rule as not exempt. */
  readonly vpcSecondaryCidrs?: readonly string[] | undefined;
  readonly released: boolean;
}

const EXIT_CODE_CANNOT_PASS = 'the result line was missing and the exit code alone cannot prove a pass';
const EXIT_CODE_EVIDENCE = 'only the exit code is known: it cannot prove a pass';

/** A target's report and what its attempts say about the restriction (which the report keeps only run-wide). */
export interface JudgedTarget {
  readonly report: TargetReport;
  readonly signal: RestrictionSignal;
}

type AttemptWithExpectation = AttemptObservation & TargetExpectation;

function disagreementDetail(attempts: readonly AttemptWithExpectation[]): string | null {
  if (new Set(attempts.map((attempt) => attempt.expected)).size <= 1) return null;
  const each = attempts.map(
    (attempt, index) =>
      `attempt ${index + 1} to ${attempt.address ?? 'no address'} expected ${attempt.expected ?? 'nothing'} (${attempt.rule})`,
  );
  return `attempts disagree on the expectation: ${each.join('; ')}; each attempt was judged against its own`;
}

/**
 * Judges one target's observation: each attempt against the expectation for the address it dialled; the report shows
 * the last attempt's. An observation taken only from the exit code may fail or be inconclusive, never pass: a probe
 * that crashed can exit with a code that looks like an outcome (Node itself exits 10, 12, 13 or 14 on internal errors).
 */
export function judgeTarget(
  target: CanaryTarget,
  observation: TargetObservation,
  context: JudgingContext,
): JudgedTarget {
  // The probe measures the control port beside its last attempt, on the address that attempt ended on; an attempt
  // that dialled the same address shares that evidence, one that dialled another address has none.
  const attempts = observation.attempts.map((attempt) => ({
    ...attempt,
    ...expectationFor(target, attempt.address, context),
    control:
      attempt.address !== null && attempt.address === observation.address
        ? (observation.control?.outcome ?? null)
        : null,
  }));
  const { expected, rule } = attempts.at(-1) ?? expectationFor(target, observation.address, context);
  const { verdict, evidence } = judgeTargetAttempts(attempts, target.port);
  const unprovenPass = verdict === 'pass' && observation.source === 'exit-code';
  const notMail = attempts.find((attempt) => attempt.notMailDestination !== undefined);
  const details = [
    observation.detail,
    notMail === undefined
      ? null
      : `${target.host} resolved to ${notMail.address}, ${notMail.notMailDestination}: inconclusive, as for a DNS error; check the name's A/AAAA records`,
    disagreementDetail(attempts),
    unprovenPass ? EXIT_CODE_CANNOT_PASS : null,
  ].filter((detail): detail is string => detail !== null);
  const report: TargetReport = {
    target: target.name,
    host: target.host,
    port: target.port,
    address: observation.address,
    expected,
    rule,
    outcome: observation.outcome,
    verdict: unprovenPass ? 'inconclusive' : verdict,
    evidence: unprovenPass ? EXIT_CODE_EVIDENCE : evidence,
    diagnosis: observation.diagnosis,
    connectMs: observation.connectMs,
    greeting: observation.greeting,
    taskArn: observation.taskArn,
    detail: details.length === 0 ? null : details.join('; '),
  };
  // An exit code alone proves no signature either way: only the probe's result line counts.
  const signal =
    observation.source === 'result-line'
      ? restrictionSignal(attempts, context, target.port)
      : { inEffect: false, lifted: false };
  return { report, signal };
}

/** The target's report alone (see judgeTarget). */
export function targetReportFor(
  target: CanaryTarget,
  observation: TargetObservation,
  context: JudgingContext,
): TargetReport {
  return judgeTarget(target, observation, context).report;
}

export function summarize(results: readonly TargetReport[]): ReportSummary {
  const count = (verdict: TargetReport['verdict']) => results.filter((result) => result.verdict === verdict).length;
  return { pass: count('pass'), fail: count('fail'), inconclusive: count('inconclusive') };
}

export interface ReportHeader {
  readonly runId: string;
  readonly canary: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** What the run was judged as: the payload's `released`, else the config's. */
  readonly released: boolean;
  /** The config's `port25Released`, which the scheduled runs and the alarms follow: it decides the next step. */
  readonly configReleased: boolean;
}

export function buildCanaryReport(header: ReportHeader, judged: readonly JudgedTarget[]): CanaryReport {
  const results = judged.map(({ report }) => report);
  return {
    runId: header.runId,
    canary: header.canary,
    startedAt: new Date(header.startedAt).toISOString(),
    finishedAt: new Date(header.finishedAt).toISOString(),
    released: header.released,
    results,
    summary: summarize(results),
    restriction: restrictionReport(
      judged.map(({ report, signal }) => ({ target: report.target, signal })),
      header.released,
      header.configReleased,
    ),
  };
}
