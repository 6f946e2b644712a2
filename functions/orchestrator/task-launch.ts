import { createHash } from 'node:crypto';
import type { ECSClient, Failure, RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import type { CanaryTarget } from '../shared/config.js';
import { type ProbeRequest, probeCommandArguments } from '../shared/probe-command.js';
import { AWS_RETRY_POLICY, backoffDelayMs, type Clock, callWithRetry, type RetryPolicy } from './aws-retry.js';
import type { RequestPacing } from './request-pacing.js';
import type { ProbeTaskSettings } from './runtime-config.js';

/**
 * RunTask `failures[]` reasons that mean "not now" rather than "never": the launch is retried with backoff.
 * Anything else (MISSING cluster, bad task definition, ATTRIBUTE, LOCATION...) fails the target at once.
 */
export const RETRYABLE_LAUNCH_FAILURES: readonly { readonly pattern: RegExp; readonly meaning: string }[] = [
  { pattern: /capacity is unavailable/i, meaning: 'Fargate has no capacity in the subnets\u2019 zones right now' },
  { pattern: /RESOURCE:/, meaning: 'no capacity for the task\u2019s CPU, memory, ENI, GPU or ports (RESOURCE:*)' },
  { pattern: /\bAGENT\b/, meaning: 'the chosen container instance\u2019s agent is disconnected' },
  { pattern: /\blimit\b/i, meaning: 'an account quota (concurrent tasks, vCPUs, ENIs) is reached for now' },
  { pattern: /rate exceeded|throttl/i, meaning: 'the ECS API is throttling the account' },
];

/** What a `failures[]` reason worth retrying means, in words; undefined for a reason retrying cannot fix. */
export function retryableLaunchFailure(reason: string): string | undefined {
  return RETRYABLE_LAUNCH_FAILURES.find(({ pattern }) => pattern.test(reason))?.meaning;
}

export const RUN_TAGS = { runId: 'runId', target: 'target' } as const;

/** ECS allows 36 characters in startedBy: the prefix plus the first 8 characters of the run ID. */
export function startedByFor(runId: string): string {
  return `port25-canary/${runId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 8)}`;
}

/**
 * Unique per (run, target) and reused when a call is retried: ECS answers a repeated token with the same parameters
 * with the original response, so a retried RunTask cannot start a second task.
 */
export function clientTokenFor(runId: string, targetName: string): string {
  return createHash('sha256').update(`${runId}\n${targetName}`).digest('hex');
}

/**
 * The token of a new launch after a `failures[]` answer. That answer started nothing, so a fresh token cannot start a
 * second task, and it keeps ECS from replaying the cached failure for the old token.
 */
export function relaunchTokenFor(clientToken: string, launch: number): string {
  return launch === 1 ? clientToken : createHash('sha256').update(`${clientToken}\n${launch}`).digest('hex');
}

export function runTaskInputFor(
  settings: ProbeTaskSettings,
  target: CanaryTarget,
  request: ProbeRequest,
  runId: string,
): RunTaskCommandInput {
  const placement: Pick<RunTaskCommandInput, 'launchType' | 'capacityProviderStrategy'> =
    settings.capacityProviderStrategy === undefined
      ? { launchType: 'FARGATE' }
      : {
          capacityProviderStrategy: settings.capacityProviderStrategy.map((item) => ({
            capacityProvider: item.capacityProvider,
            ...(item.weight === undefined ? {} : { weight: item.weight }),
            ...(item.base === undefined ? {} : { base: item.base }),
          })),
        };
  return {
    cluster: settings.cluster,
    taskDefinition: settings.taskDefinition,
    count: 1,
    ...placement,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [...settings.subnets],
        ...(settings.securityGroups.length === 0 ? {} : { securityGroups: [...settings.securityGroups] }),
        assignPublicIp: settings.assignPublicIp ? 'ENABLED' : 'DISABLED',
      },
    },
    overrides: {
      containerOverrides: [{ name: settings.containerName, command: probeCommandArguments(request) }],
    },
    startedBy: startedByFor(runId),
    tags: [
      { key: RUN_TAGS.runId, value: runId },
      { key: RUN_TAGS.target, value: target.name },
    ],
    clientToken: clientTokenFor(runId, target.name),
  };
}

export type LaunchResult =
  | { readonly started: true; readonly taskArn: string }
  | { readonly started: false; readonly detail: string };

function describeFailures(failures: readonly Failure[] | undefined): string {
  const reasons = (failures ?? []).map((failure) =>
    [failure.reason ?? 'unknown reason', failure.detail].filter((part) => part !== undefined && part !== '').join(': '),
  );
  return reasons.length === 0 ? 'RunTask returned neither a task nor a failure' : reasons.join('; ');
}

export interface LaunchOptions {
  readonly policy?: RetryPolicy;
  /** No retry sleeps past this instant (epoch ms). */
  readonly notAfter: number;
  /** RunTask's share of ECS's request and Fargate's launch rates; every attempt and relaunch waits its turn. */
  readonly pacing?: RequestPacing;
}

/**
 * Starts one probe task. Throttling is retried inside callWithRetry with the same clientToken; capacity-like
 * `failures[]` are retried here as new launches; other failures end as `{ started: false, detail }` for the target.
 * An exception that is not transient (access denied, no such cluster, ...) is thrown as AwsCallError naming the
 * cluster and task definition: it dooms the run.
 */
export async function launchProbeTask(
  ecs: ECSClient,
  input: RunTaskCommandInput,
  clock: Clock,
  options: LaunchOptions,
): Promise<LaunchResult> {
  const policy = options.policy ?? AWS_RETRY_POLICY;
  const operation = `ECS RunTask (cluster ${input.cluster}, task definition ${input.taskDefinition})`;
  for (let attempt = 1; ; attempt += 1) {
    const launchInput = { ...input, clientToken: input.clientToken && relaunchTokenFor(input.clientToken, attempt) };
    const response = await callWithRetry(operation, () => ecs.send(new RunTaskCommand(launchInput)), clock, {
      policy,
      notAfter: options.notAfter,
      // Stryker disable next-line ConditionalExpression: equivalent, callWithRetry treats { pacing: undefined } as no pacing, like {}
      ...(options.pacing === undefined ? {} : { pacing: options.pacing }),
    });
    const taskArn = response.tasks?.[0]?.taskArn;
    if (taskArn !== undefined) return { started: true, taskArn };
    const reason = describeFailures(response.failures);
    const delayMs = backoffDelayMs(policy, attempt - 1);
    const meaning = retryableLaunchFailure(reason);
    if (meaning === undefined) return { started: false, detail: `RunTask failed: ${reason}` };
    if (attempt > policy.maxRetries || clock.now() + delayMs > options.notAfter) {
      const tries = attempt > 1 ? `; gave up after ${attempt} attempts` : '';
      return { started: false, detail: `RunTask failed: ${reason} (${meaning}${tries})` };
    }
    await clock.sleep(delayMs);
  }
}
