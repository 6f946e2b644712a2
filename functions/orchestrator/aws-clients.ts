import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { CanaryClients } from './run-canary.js';

/** ECS, CloudWatch Logs and CloudWatch answer in well under a second; a call that hangs must not outlive the run. */
export const AWS_REQUEST_TIMEOUT_MS = 10_000;

/**
 * callWithRetry owns retries, bounded by the run's deadline: the SDK's default 3 attempts beneath it would triple
 * every retry. A timed-out call throws (TimeoutError), which callWithRetry retries while there is time.
 */
export const CANARY_CLIENT_CONFIG = {
  maxAttempts: 1,
  requestHandler: { requestTimeout: AWS_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
} as const;

/** The run's clients from the standard environment (region, credentials, AWS_ENDPOINT_URL_*). */
export function createCanaryClients(): CanaryClients {
  return {
    ecs: new ECSClient(CANARY_CLIENT_CONFIG),
    logs: new CloudWatchLogsClient(CANARY_CLIENT_CONFIG),
    cloudwatch: new CloudWatchClient(CANARY_CLIENT_CONFIG),
  };
}
