import type { CommandIo } from '../shared/command-line/command-io.js';
import { formatTable } from '../shared/command-line/table.js';
import { fitTable } from '../shared/command-line/table-fit.js';
import { VERDICT_EXIT_CODES, verdictExitCode } from '../shared/outcomes.js';
import type { CanaryReport, ReportSummary, TargetReport } from '../shared/report.js';
import { restrictionLine } from '../shared/restriction.js';

/** `--wide`: every fact in a column of its own. */
export const REPORT_TABLE_HEADERS = [
  'TARGET',
  'ADDRESS',
  'EXPECTED',
  'OUTCOME',
  'VERDICT',
  'EVIDENCE',
  'CONNECT MS',
  'DIAGNOSIS / DETAIL',
] as const;

/** The default: the evidence and the diagnosis, which often say nearly the same, share the last column and wrap. */
export const REPORT_FIT_HEADERS = [
  'TARGET',
  'ADDRESS',
  'EXPECTED',
  'OUTCOME',
  'VERDICT',
  'CONNECT MS',
  'EVIDENCE; DIAGNOSIS [DETAIL]',
] as const;

function explanation(result: TargetReport): string {
  return result.detail === null ? result.diagnosis : `${result.diagnosis} [${result.detail}]`;
}

/** A function deployed before the restriction was reported returns none: say so rather than guess. */
export const NO_RESTRICTION_LINE =
  'port-25 restriction not reported: the function predates it. Next: redeploy the stack';

function conclusion(report: CanaryReport): string {
  const restriction = (report as Partial<CanaryReport>).restriction;
  return restriction === undefined ? NO_RESTRICTION_LINE : restrictionLine(restriction);
}

function tableOf(report: CanaryReport, wide: boolean): string {
  const connectMs = (result: TargetReport) => (result.connectMs === null ? null : Math.round(result.connectMs));
  if (wide) {
    const rows = report.results.map((result) => [
      result.target,
      result.address,
      result.expected,
      result.outcome,
      result.verdict,
      result.evidence,
      connectMs(result),
      explanation(result),
    ]);
    return formatTable(REPORT_TABLE_HEADERS, rows);
  }
  const rows = report.results.map((result) => [
    result.target,
    result.address,
    result.expected,
    result.outcome,
    result.verdict,
    connectMs(result),
    `${result.evidence}; ${explanation(result)}`,
  ]);
  return fitTable(REPORT_FIT_HEADERS, rows);
}

/** The report as a table within 120 columns (`wide`: one line per target), then the summary and the restriction. */
export function formatReportTable(report: CanaryReport, wide = false): string {
  const { pass, fail, inconclusive } = report.summary;
  const released = report.released ? ', judged as released' : '';
  const summary = `${report.canary} run ${report.runId}: ${pass} passed, ${fail} failed, ${inconclusive} inconclusive${released}\n`;
  // The restriction is the answer the operator came for: it is the last line, with what to do next.
  return `${tableOf(report, wide)}\n${summary}${conclusion(report)}\n`;
}

/** The exit code for a report (see VERDICT_EXIT_CODES); `notCarriedOut` when part of the run failed (metrics). */
export function exitCodeForSummary(summary: ReportSummary, notCarriedOut = false): number {
  return verdictExitCode({ failed: summary.fail > 0, inconclusive: summary.inconclusive > 0, notCarriedOut });
}

/**
 * Prints the report (a table, or one JSON object with --json) on stdout and returns the command's exit code. stdout
 * carries only reports; every error goes to stderr.
 */
export function writeReport(
  report: CanaryReport,
  io: CommandIo,
  asJson: boolean,
  notCarriedOut = false,
  wide = false,
): number {
  io.stdout(asJson ? `${JSON.stringify(report)}\n` : formatReportTable(report, wide));
  return exitCodeForSummary(report.summary, notCarriedOut);
}

export const VERDICT_EXIT_CODES_HELP = `Exit codes (the first that applies):
  ${VERDICT_EXIT_CODES.usage}  bad arguments or a bad config (nothing was launched)
  ${VERDICT_EXIT_CODES.someFailed}  a target did not meet its expectation
  ${VERDICT_EXIT_CODES.runNotCarriedOut}  the run was not carried out: an AWS error, an aborted run, metrics not published
     (the reason is on stderr; a report, when there is one, is still printed)
  ${VERDICT_EXIT_CODES.someInconclusive}  some targets could not be judged (task failed, DNS error, ...)
  ${VERDICT_EXIT_CODES.allPassed}  every target met its expectation`;
