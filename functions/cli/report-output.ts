import { VERDICT_EXIT_CODES } from '../shared/outcomes.js';
import type { CanaryReport, ReportSummary, TargetReport } from '../shared/report.js';
import type { CommandIo } from './arguments.js';
import { formatTable } from './table.js';

export const REPORT_TABLE_HEADERS = [
  'target',
  'address',
  'expected',
  'outcome',
  'verdict',
  'connect ms',
  'diagnosis / detail',
] as const;

function explanation(result: TargetReport): string {
  return result.detail === null ? result.diagnosis : `${result.diagnosis} [${result.detail}]`;
}

export function formatReportTable(report: CanaryReport): string {
  const rows = report.results.map((result) => [
    result.target,
    result.address,
    result.expected,
    result.outcome,
    result.verdict,
    result.connectMs === null ? null : Math.round(result.connectMs),
    explanation(result),
  ]);
  const { pass, fail, inconclusive } = report.summary;
  const released = report.released ? ', judged as released' : '';
  const summary = `${report.canary} run ${report.runId}: ${pass} passed, ${fail} failed, ${inconclusive} inconclusive${released}\n`;
  return `${formatTable(REPORT_TABLE_HEADERS, rows)}\n${summary}`;
}

/** 0 all passed, 1 any failed, 3 none failed but some inconclusive. */
export function exitCodeForSummary(summary: ReportSummary): number {
  if (summary.fail > 0) return VERDICT_EXIT_CODES.someFailed;
  if (summary.inconclusive > 0) return VERDICT_EXIT_CODES.someInconclusive;
  return VERDICT_EXIT_CODES.allPassed;
}

/** Prints the report (a table, or one JSON object with --json) and returns the command's exit code. */
export function writeReport(report: CanaryReport, io: CommandIo, asJson: boolean): number {
  io.stdout(asJson ? `${JSON.stringify(report)}\n` : formatReportTable(report));
  return exitCodeForSummary(report.summary);
}

export const VERDICT_EXIT_CODES_HELP = `Exit codes:
  ${VERDICT_EXIT_CODES.allPassed}  every target met its expectation
  ${VERDICT_EXIT_CODES.someFailed}  a target did not meet its expectation, or the run itself failed (AWS error)
  ${VERDICT_EXIT_CODES.someInconclusive}  none failed, but some could not be judged (task failed, DNS error, ...)
  ${VERDICT_EXIT_CODES.usage}  bad arguments or a bad config`;
