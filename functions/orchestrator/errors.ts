import { describeError } from '../shared/errors.js';
import type { CanaryReport } from '../shared/report.js';

/** The error's service name (ThrottlingException, AccessDeniedException, ...), or its class name. */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  if (typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string') {
    return (error as { name: string }).name;
  }
  return 'Error';
}

/**
 * An AWS API call that failed for good (after any retries); `code` is the service's error name. The operation names
 * the call and its input (cluster, log stream, namespace, function), so the message points at what to fix.
 */
export class AwsCallError extends Error {
  readonly operation: string;
  readonly code: string;
  constructor(operation: string, cause: unknown, attempts = 1) {
    const code = errorName(cause);
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    super(`${operation} failed${tries}: ${code}: ${describeError(cause)}`, { cause });
    this.name = 'AwsCallError';
    this.operation = operation;
    this.code = code;
  }
}

/** The run could not go on (an ECS call failed for good); the probe tasks it had started were asked to stop. */
export class RunAbortedError extends Error {
  constructor(cause: unknown, stoppedTaskCount: number, stopFailures: readonly string[]) {
    const stopped = stoppedTaskCount === 0 ? '' : `; stopped ${stoppedTaskCount} probe task(s)`;
    const unstoppable = stopFailures.length === 0 ? '' : `; could not stop: ${stopFailures.join('; ')}`;
    super(`the canary run was aborted: ${describeError(cause)}${stopped}${unstoppable}`, { cause });
    this.name = 'RunAbortedError';
  }
}

/** The run was judged but its metrics were not published; the report rides along so the caller can still log it. */
export class MetricPublishError extends Error {
  readonly report: CanaryReport;
  constructor(report: CanaryReport, cause: unknown, message?: string) {
    super(message ?? `the canary run finished but its metrics were not published: ${describeError(cause)}`, { cause });
    this.name = 'MetricPublishError';
    this.report = report;
  }
}

/**
 * The run was judged and its metrics published, but its EventBridge event was not put. Handled as a metric failure
 * (hence the subclass): the report rides along and is still logged and printed, and the run counts as not carried out.
 */
export class RunEventPublishError extends MetricPublishError {
  constructor(report: CanaryReport, cause: unknown) {
    super(
      report,
      cause,
      `the canary run finished but its run event was not put on EventBridge: ${describeError(cause)}`,
    );
    this.name = 'RunEventPublishError';
  }
}
