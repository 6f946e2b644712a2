import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { CanaryClients } from './run-canary.js';

/** EC2, ECS, CloudWatch Logs and CloudWatch answer in well under a second; a call that hangs must not outlive the run. */
export const AWS_REQUEST_TIMEOUT_MS = 10_000;

/**
 * callWithRetry owns retries, bounded by the run's deadline: the SDK's default 3 attempts beneath it would triple
 * every retry. A timed-out call throws (TimeoutError), which callWithRetry retries while there is time.
 */
export const CANARY_CLIENT_CONFIG = {
  maxAttempts: 1,
  requestHandler: { requestTimeout: AWS_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
} as const;

/** A region and a named profile chosen on the command line (`--region`, `--profile`); unset: the SDK's default chain. */
export interface AwsClientOptions {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
}

/** Only the options that are set, so the SDK's default chain decides the rest. */
export function awsClientSettings(options: AwsClientOptions): { region?: string; profile?: string } {
  return {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  };
}

/** The run's clients from the standard environment (region, credentials, AWS_ENDPOINT_URL_*) and the given options. */
export function createCanaryClients(options: AwsClientOptions = {}): CanaryClients {
  const config = { ...CANARY_CLIENT_CONFIG, ...awsClientSettings(options) };
  return {
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    logs: new CloudWatchLogsClient(config),
    cloudwatch: new CloudWatchClient(config),
    events: new EventBridgeClient(config),
  };
}
