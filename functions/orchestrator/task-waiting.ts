import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import { DescribeTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { describeError } from '../shared/errors.js';
import { type Clock, callWithRetry } from './aws-retry.js';
import { chunk } from './chunk.js';
import { mapConcurrently } from './concurrency.js';

/** DescribeTasks accepts at most 100 task ARNs per call. */
export const DESCRIBE_TASKS_BATCH_SIZE = 100;

/** Fargate tasks take tens of seconds to provision: poll soon, then back off to spare the API. */
export const POLL_POLICY = { initialDelayMs: 2_000, factor: 1.5, maxDelayMs: 15_000 } as const;

/** A few StopTask calls at once: fast enough for a full wave at the deadline, gentle on ECS's request rate. */
export const STOP_TASK_CONCURRENCY = 5;

export function nextPollDelayMs(currentDelayMs: number): number {
  return Math.min(Math.round(currentDelayMs * POLL_POLICY.factor), POLL_POLICY.maxDelayMs);
}

export interface DescribedTasks {
  readonly tasks: ReadonlyMap<string, Task>;
  /** Task ARN → failure reason (MISSING for a task ECS does not know, right after RunTask or in the wrong cluster). */
  readonly failures: ReadonlyMap<string, string>;
}

/** Describes tasks in batches of at most DESCRIBE_TASKS_BATCH_SIZE; throws AwsCallError when a batch fails for good. */
export async function describeTasks(
  ecs: ECSClient,
  cluster: string,
  taskArns: readonly string[],
  clock: Clock,
  notAfter: number,
): Promise<DescribedTasks> {
  const tasks = new Map<string, Task>();
  const failures = new Map<string, string>();
  for (const batch of chunk(taskArns, DESCRIBE_TASKS_BATCH_SIZE)) {
    const response = await callWithRetry(
      `ECS DescribeTasks (cluster ${cluster})`,
      () => ecs.send(new DescribeTasksCommand({ cluster, tasks: batch })),
      clock,
      { notAfter },
    );
    for (const task of response.tasks ?? []) if (task.taskArn !== undefined) tasks.set(task.taskArn, task);
    for (const failure of response.failures ?? []) {
      if (failure.arn !== undefined) failures.set(failure.arn, failure.reason ?? 'unknown reason');
    }
  }
  return { tasks, failures };
}

/** ECS limits StopTask's reason to 255 characters. */
const STOP_REASON_MAX_LENGTH = 255;

/**
 * Asks ECS to stop each task, STOP_TASK_CONCURRENCY at a time, sending nothing once `notAfter` has passed.
 * Returns why each task it could not stop was not stopped; never throws.
 */
export async function stopTasks(
  ecs: ECSClient,
  cluster: string,
  taskArns: readonly string[],
  reason: string,
  clock: Clock,
  notAfter: number,
): Promise<Map<string, string>> {
  const stopFailures = new Map<string, string>();
  await mapConcurrently(taskArns, STOP_TASK_CONCURRENCY, async (task) => {
    if (clock.now() >= notAfter) {
      stopFailures.set(task, 'StopTask not sent: no time left before the run ends (it stops when its probe is done)');
      return;
    }
    try {
      await callWithRetry(
        `ECS StopTask (cluster ${cluster})`,
        () => ecs.send(new StopTaskCommand({ cluster, task, reason: reason.slice(0, STOP_REASON_MAX_LENGTH) })),
        clock,
        { notAfter },
      );
    } catch (error) {
      // Every caller reports these per task (detail, RunAbortedError), so nothing is lost here.
      stopFailures.set(task, describeError(error));
    }
  });
  return stopFailures;
}
