import { fitTable, TABLE_WIDTH, wrapText } from '../shared/command-line/table-fit.js';
import type { ControlReport, ProbeExpectation, ProbeMx, ProbeResult, TlsReport } from '../shared/probe-result.js';

/** The `--json` contract: one object per target, one line. */
export function formatJsonLine(result: ProbeResult): string {
  return `${JSON.stringify(result)}\n`;
}

const milliseconds = (value: number | null) => (value === null ? null : `${value} ms`);

function tlsCell(tls: TlsReport | null): string | null {
  if (tls === null) return null;
  const days = tls.daysLeft === null ? '' : ` ${tls.daysLeft}d left`;
  return `${tls.protocol ?? '?'} ${tls.verified ? 'verified' : 'unverified'}${days}`;
}

function controlCell(control: ControlReport | null): string | null {
  if (control === null) return null;
  return `${control.port} ${control.outcome}${control.connectMs === null ? '' : ` ${control.connectMs} ms`}`;
}

/** `example.com 10`: the mail domain and the host's preference; `(no MX)` for the domain itself. */
function mxCell(mx: ProbeMx | undefined): string | null {
  if (mx === undefined) return null;
  if (mx.preference === null) return `${mx.domain} (MX look-up failed)`;
  return mx.implicit ? `${mx.domain} (no MX)` : `${mx.domain} ${mx.preference}`;
}

function verdictOf(expectation: ProbeExpectation): string {
  return expectation.matches === null ? 'unproven' : expectation.matches ? 'matches' : 'MISMATCH';
}

function expectationCell(expectation: ProbeExpectation | undefined, wide: boolean): string | null {
  if (expectation === undefined) return null;
  const verdict = `${expectation.expected} ${verdictOf(expectation)}`;
  return wide ? `${verdict} (${expectation.rule}; ${expectation.evidence})` : verdict;
}

/** Within 120 columns the rule and evidence move to the last column, which wraps, ahead of the detail. */
function detailCell(result: ProbeResult, wide: boolean): string | null {
  const detail = result.error ?? result.greeting?.split('\n')[0] ?? null;
  if (wide || result.expectation === undefined) return detail;
  const why = `${result.expectation.rule}; ${result.expectation.evidence}`;
  return detail === null ? why : `${why} | ${detail}`;
}

/**
 * A compact table, one row per target (plus one per attempt when there were several), then each diagnosis; within
 * 120 columns unless `wide`.
 */
export function formatProbeTable(results: readonly ProbeResult[], wide = false): string {
  const showTls = results.some((result) => result.attempts.some((attempt) => attempt.tls !== null));
  const showControl = results.some((result) => result.control !== null);
  const showExpectation = results.some((result) => result.expectation !== undefined);
  const showMx = results.some((result) => result.mx !== undefined);
  const optional = <T>(show: boolean, cells: T[]): T[] => (show ? cells : []);
  const headers = [
    ...optional(showMx, ['MX OF']),
    'TARGET',
    'ADDRESS',
    'OUTCOME',
    'CONNECT',
    'TIME',
    ...optional(showTls, ['TLS']),
    ...optional(showControl, ['CONTROL']),
    ...optional(showExpectation, ['EXPECTED']),
    'DETAIL',
  ];
  const rows = results.flatMap((result) => {
    const summary = [
      ...optional(showMx, [mxCell(result.mx)]),
      result.target,
      result.address,
      result.outcome,
      milliseconds(result.connectMs),
      milliseconds(result.durationMs),
      ...optional(showTls, [tlsCell(result.tls)]),
      ...optional(showControl, [controlCell(result.control)]),
      ...optional(showExpectation, [expectationCell(result.expectation, wide)]),
      detailCell(result, wide),
    ];
    if (result.attempts.length < 2) return [summary];
    const attemptRows = result.attempts.map((attempt) => [
      ...optional(showMx, ['']),
      `  attempt ${attempt.attempt}`,
      attempt.address,
      attempt.outcome,
      milliseconds(attempt.connectMs),
      milliseconds(attempt.durationMs),
      ...optional(showTls, [tlsCell(attempt.tls)]),
      ...optional(showControl, ['']),
      ...optional(showExpectation, ['']),
      attempt.error ?? '',
    ]);
    return [summary, ...attemptRows];
  });
  const diagnoses = results.map((result) => `${result.target}: ${result.diagnosis}`);
  const diagnosisLines = wide ? diagnoses : diagnoses.flatMap((line) => wrapText(line, TABLE_WIDTH));
  return `${fitTable(headers, rows, { wide })}\n${diagnosisLines.join('\n')}\n`;
}

/** One progress line per finished attempt, for stderr. */
export function formatAttemptProgress(target: string, attempts: number, attempt: ProbeResult['attempts'][number]) {
  const via = attempt.address === null ? '' : ` via ${attempt.address}`;
  return `probe ${target}: attempt ${attempt.attempt}/${attempts} ${attempt.outcome}${via} in ${attempt.durationMs} ms\n`;
}
