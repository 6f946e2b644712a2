import type { CanaryReport } from '../shared/report.js';

/** What Lambda returns in the payload when the function throws. */
export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
}

export function parseFunctionError(payloadText: string, functionError: string): FunctionErrorPayload {
  try {
    const parsed = JSON.parse(payloadText) as { errorType?: unknown; errorMessage?: unknown };
    return {
      errorType: typeof parsed.errorType === 'string' ? parsed.errorType : functionError,
      errorMessage: typeof parsed.errorMessage === 'string' ? parsed.errorMessage : payloadText,
    };
  } catch {
    // Lambda's own failures (timeouts, crashes) may not be JSON: show the raw text.
    return { errorType: functionError, errorMessage: payloadText };
  }
}

function isCanaryReport(value: unknown): value is CanaryReport {
  if (typeof value !== 'object' || value === null) return false;
  const report = value as Partial<Record<keyof CanaryReport, unknown>>;
  const summary = report.summary as Record<string, unknown> | undefined;
  return (
    typeof report.runId === 'string' &&
    typeof report.canary === 'string' &&
    Array.isArray(report.results) &&
    typeof summary === 'object' &&
    summary !== null &&
    ['pass', 'fail', 'inconclusive'].every((key) => typeof summary[key] === 'number')
  );
}

/** The report in a function's response, or undefined when the payload is not one. */
export function parseCanaryReport(payloadText: string): CanaryReport | undefined {
  try {
    const value: unknown = JSON.parse(payloadText);
    return isCanaryReport(value) ? value : undefined;
  } catch {
    // Reported by the caller as "not a canary report".
    return undefined;
  }
}
