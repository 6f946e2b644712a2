import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import { DescribeTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { chunk } from '../shared/chunk.js';
import { describeError } from '../shared/errors.js';
import { type Clock, callWithRetry } from './aws-retry.js';
import { mapConcurrently } from './concurrency.js';
import type { RequestPacing } from './request-pacing.js';

/** DescribeTasks accepts at most 100 task ARNs per call. */
export const DESCRIBE_TASKS_BATCH_SIZE = 100;

/**
 * DescribeTasks polling. A stop is noticed at most `lifeFraction` of a task's life late, whether a task lives about a
 * second (the lab) or a minute (Fargate): the wait between rounds is that fraction of the life expected of the tasks
 * in flight. A round makes ⌈in flight / 100⌉ calls and waits at least `minDelayPerCallMs` per call, so the canary
 * never sends more than 4 DescribeTasks a second whatever runs (worst case: 500 young tasks, 5 calls every 1.25 s),
 * well inside ECS's per-account token bucket, which refills in the tens per second; throttled calls back off on top.
 */
export const POLL_POLICY = { lifeFraction: 0.1, minDelayPerCallMs: 250, maxDelayMs: 15_000 } as const;

/** A few StopTask calls at once: fast enough for a full wave at the deadline, gentle on ECS's request rate. */
export const STOP_TASK_CONCURRENCY = 5;

/**
 * The wait before the next DescribeTasks round. A task is expected to live as long as the tasks seen stopped so far
 * (their median life), or longer once it is older than that; before any has stopped, only its age so far is known. The
 * youngest task's expectation sets the pace, so every task in flight is noticed within its own fraction.
 */
export function pollDelayMs(inFlightAgesMs: readonly number[], typicalLifeMs: number | undefined): number {
  const calls = Math.ceil(inFlightAgesMs.length / DESCRIBE_TASKS_BATCH_SIZE);
  const expectedLivesMs = inFlightAgesMs.map((ageMs) => Math.max(ageMs, typicalLifeMs ?? 0));
  const shortestExpectedLifeMs = expectedLivesMs.length === 0 ? 0 : Math.min(...expectedLivesMs);
  const delayMs = Math.round(POLL_POLICY.lifeFraction * shortestExpectedLifeMs);
  return Math.min(Math.max(delayMs, POLL_POLICY.minDelayPerCallMs * calls), POLL_POLICY.maxDelayMs);
}

/** The median of the task lives seen so far; undefined before the first task has stopped. */
export function typicalTaskLifeMs(livesMs: readonly number[]): number | undefined {
  if (livesMs.length === 0) return undefined;
  const sorted = [...livesMs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
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
  pacing?: RequestPacing,
): Promise<DescribedTasks> {
  const tasks = new Map<string, Task>();
  const failures = new Map<string, string>();
  for (const batch of chunk(taskArns, DESCRIBE_TASKS_BATCH_SIZE)) {
    const response = await callWithRetry(
      `ECS DescribeTasks (cluster ${cluster})`,
      () => ecs.send(new DescribeTasksCommand({ cluster, tasks: batch })),
      clock,
      // Stryker disable next-line ConditionalExpression: equivalent, callWithRetry treats { pacing: undefined } as no pacing, like {}
      { notAfter, ...(pacing === undefined ? {} : { pacing }) },
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
  pacing?: RequestPacing,
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
        // Stryker disable next-line ConditionalExpression: equivalent, callWithRetry treats { pacing: undefined } as no pacing, like {}
        { notAfter, ...(pacing === undefined ? {} : { pacing }) },
      );
    } catch (error) {
      // Every caller reports these per task (detail, RunAbortedError), so nothing is lost here.
      stopFailures.set(task, describeError(error));
    }
  });
  return stopFailures;
}
