import type { CanaryTarget } from '../shared/config.js';
import type { CanaryReport, ReportSummary, TargetReport } from '../shared/report.js';
import { expectationFor, verdictFor } from './expectation.js';
import type { TargetObservation } from './observation.js';

export interface JudgingContext {
  readonly vpcPrimaryCidr: string | undefined;
  readonly released: boolean;
}

/** Judges one target's observation against its expectation. */
export function targetReportFor(
  target: CanaryTarget,
  observation: TargetObservation,
  context: JudgingContext,
): TargetReport {
  const { expected, rule } = expectationFor(target, observation.address, context);
  return {
    target: target.name,
    host: target.host,
    port: target.port,
    address: observation.address,
    expected,
    rule,
    outcome: observation.outcome,
    verdict: verdictFor(expected, observation.attemptOutcomes),
    diagnosis: observation.diagnosis,
    connectMs: observation.connectMs,
    greeting: observation.greeting,
    taskArn: observation.taskArn,
    detail: observation.detail,
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
