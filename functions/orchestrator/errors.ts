import type { CanaryReport } from '../shared/report.js';

/** The error's service name (ThrottlingException, AccessDeniedException, ...), or its class name. */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  if (typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string') {
    return (error as { name: string }).name;
  }
  return 'Error';
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}

/** An AWS API call that failed for good (after any retries); `code` is the service's error name. */
export class AwsCallError extends Error {
  readonly operation: string;
  readonly code: string;
  constructor(operation: string, cause: unknown, attempts = 1) {
    const code = errorName(cause);
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    super(`${operation} failed${tries}: ${code}: ${errorMessage(cause)}`, { cause });
    this.name = 'AwsCallError';
    this.operation = operation;
    this.code = code;
  }
}

/** The run could not go on (an ECS call failed for good); the probe tasks it had started were asked to stop. */
export class RunAbortedError extends Error {
  readonly stoppedTaskArns: readonly string[];
  constructor(cause: unknown, stoppedTaskArns: readonly string[], stopFailures: readonly string[]) {
    const stopped = stoppedTaskArns.length === 0 ? '' : `; stopped ${stoppedTaskArns.length} probe task(s)`;
    const unstoppable = stopFailures.length === 0 ? '' : `; could not stop: ${stopFailures.join('; ')}`;
    super(`the canary run was aborted: ${errorMessage(cause)}${stopped}${unstoppable}`, { cause });
    this.name = 'RunAbortedError';
    this.stoppedTaskArns = stoppedTaskArns;
  }
}

/** The run was judged but its metrics were not published; the report rides along so the caller can still log it. */
export class MetricPublishError extends Error {
  readonly report: CanaryReport;
  constructor(report: CanaryReport, cause: unknown) {
    super(`the canary run finished but its metrics were not published: ${errorMessage(cause)}`, { cause });
    this.name = 'MetricPublishError';
    this.report = report;
  }
}
