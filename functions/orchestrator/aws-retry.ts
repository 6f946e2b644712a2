import { AwsCallError, errorName } from './errors.js';
import type { RequestPacing } from './request-pacing.js';

/** The clock the core runs on: injected so tests never wait. */
export interface Clock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface RetryPolicy {
  /** Retries after the first call. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Exponential backoff for throttled or briefly unavailable AWS APIs and for ECS capacity shortages: 1, 2, 4, 8, 16 s. */
export const AWS_RETRY_POLICY: RetryPolicy = { maxRetries: 5, baseDelayMs: 1_000, maxDelayMs: 16_000 };

export function backoffDelayMs(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.baseDelayMs * 2 ** retry, policy.maxDelayMs);
}

/** Error names AWS services use for throttling (ECS, CloudWatch Logs: ThrottlingException; CloudWatch: Throttling). */
const THROTTLING_ERROR_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
]);

/** Server-side errors worth another try; a RunTask retried after one reuses its clientToken, so it cannot start twice. */
const TRANSIENT_ERROR_NAMES = new Set([
  'ServerException',
  'ServiceUnavailableException',
  'InternalFailure',
  // The clients make one attempt per call (aws-clients.ts), so what the SDK's retryer used to absorb lands here.
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Connection failures the SDK's own retryer treats as transient. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

const TRANSIENT_HTTP_STATUS_CODES = new Set([429, 500, 502, 503, 504]);

/** ECS also throttles with a ClientException whose message is "Rate exceeded". */
export function isThrottlingError(error: unknown): boolean {
  if (THROTTLING_ERROR_NAMES.has(errorName(error))) return true;
  // Stryker disable next-line StringLiteral: equivalent, any text without "rate exceeded" in place of '' tests false alike
  const message = error instanceof Error ? error.message : '';
  return /rate exceeded/i.test(message);
}

export function isTransientError(error: unknown): boolean {
  const details = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  return (
    isThrottlingError(error) ||
    TRANSIENT_ERROR_NAMES.has(errorName(error)) ||
    (typeof details.code === 'string' && NETWORK_ERROR_CODES.has(details.code)) ||
    (typeof details.$metadata?.httpStatusCode === 'number' &&
      TRANSIENT_HTTP_STATUS_CODES.has(details.$metadata.httpStatusCode))
  );
}

export interface RetryOptions {
  readonly policy?: RetryPolicy;
  /** Give up instead of sleeping past this instant (epoch ms): every call of a run has one. */
  readonly notAfter: number;
  /** Each attempt, retries included, waits for its turn in the service's rate; throttling answers slow it down. */
  readonly pacing?: RequestPacing;
}

/** The call was never sent: its turn in the paced request rate came after the call's deadline. */
export class RequestNotSentError extends Error {
  constructor(notAfter: number) {
    super(`not sent: the request rate left no turn before ${new Date(notAfter).toISOString()}`);
    this.name = 'RequestNotSentError';
  }
}

/**
 * Calls an AWS API, retrying throttling and transient server errors with exponential backoff on the injected clock.
 * Every failure that is final comes out as AwsCallError naming the operation, with the service error as `cause`.
 */
export async function callWithRetry<T>(
  operation: string,
  call: () => Promise<T>,
  clock: Clock,
  options: RetryOptions,
): Promise<T> {
  const policy = options.policy ?? AWS_RETRY_POLICY;
  const pacing = options.pacing;
  for (let retry = 0; ; retry += 1) {
    if (pacing !== undefined && !(await pacing.take(options.notAfter))) {
      throw new AwsCallError(operation, new RequestNotSentError(options.notAfter), retry);
    }
    try {
      const answer = await call();
      pacing?.answered();
      return answer;
    } catch (error) {
      if (isThrottlingError(error)) pacing?.throttled();
      const delayMs = backoffDelayMs(policy, retry);
      const pastDeadline = clock.now() + delayMs > options.notAfter;
      if (!isTransientError(error) || retry >= policy.maxRetries || pastDeadline) {
        throw new AwsCallError(operation, error, retry + 1);
      }
      await clock.sleep(delayMs);
    }
  }
}
