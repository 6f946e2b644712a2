import type { CanaryTarget } from '../shared/config.js';
import type { CanaryReport, ReportSummary, TargetReport } from '../shared/report.js';
import { expectationFor, type TargetExpectation, verdictFor } from './expectation.js';
import type { AttemptObservation, TargetObservation } from './observation.js';

export interface JudgingContext {
  readonly vpcPrimaryCidr: string | undefined;
  readonly released: boolean;
}

const EXIT_CODE_CANNOT_PASS = 'the result line was missing and the exit code alone cannot prove a pass';

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
export function targetReportFor(
  target: CanaryTarget,
  observation: TargetObservation,
  context: JudgingContext,
): TargetReport {
  const attempts = observation.attempts.map((attempt) => ({
    ...attempt,
    ...expectationFor(target, attempt.address, context),
  }));
  const { expected, rule } = attempts.at(-1) ?? expectationFor(target, observation.address, context);
  const verdict = verdictFor(attempts);
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
  return {
    target: target.name,
    host: target.host,
    port: target.port,
    address: observation.address,
    expected,
    rule,
    outcome: observation.outcome,
    verdict: unprovenPass ? 'inconclusive' : verdict,
    diagnosis: observation.diagnosis,
    connectMs: observation.connectMs,
    greeting: observation.greeting,
    taskArn: observation.taskArn,
    detail: details.length === 0 ? null : details.join('; '),
  };
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
  readonly released: boolean;
}

export function buildCanaryReport(header: ReportHeader, results: readonly TargetReport[]): CanaryReport {
  return {
    runId: header.runId,
    canary: header.canary,
    startedAt: new Date(header.startedAt).toISOString(),
    finishedAt: new Date(header.finishedAt).toISOString(),
    released: header.released,
    results,
    summary: summarize(results),
  };
}
