import type { CanaryReport } from '../shared/report.js';

/**
 * CloudWatch Logs takes at most 256 KB per event, counting 26 bytes of overhead (PutLogEvents quotas); a longer line
 * is truncated. A whole report of a few hundred targets is more, so it is logged as lines that each stay far below.
 */
export const LOG_EVENT_MAX_BYTES = 262_144 - 26;

/** Marks each line of a run's report in the function's log, for Logs Insights (`filter record = "target"`). */
export const REPORT_LOG_RECORDS = { run: 'run', target: 'target' } as const;

/** A target line's strings are cut to this many characters, so one line can never reach LOG_EVENT_MAX_BYTES. */
const MAX_FIELD_CHARS = 8_192;

const cut = (value: unknown) =>
  typeof value === 'string' && value.length > MAX_FIELD_CHARS ? `${value.slice(0, MAX_FIELD_CHARS)}…` : value;

/**
 * The report as log lines: one run line (everything but the per-target results, plus the target count), then one line
 * per target carrying the run ID and canary name, so any line can be tied to its run. Nothing is truncated at 1000
 * targets; every line is one JSON object.
 */
export function reportLogLines(report: CanaryReport): string[] {
  const { results, ...run } = report;
  const runLine = JSON.stringify({ record: REPORT_LOG_RECORDS.run, ...run, targets: results.length });
  const targetLines = results.map((result, index) =>
    JSON.stringify(
      { record: REPORT_LOG_RECORDS.target, runId: report.runId, canary: report.canary, index, ...result },
      (_key, value) => cut(value),
    ),
  );
  return [runLine, ...targetLines];
}
