import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { CanaryTarget, ProbeDefaults } from '../shared/config.js';
import { probeRequestFor } from '../shared/probe-command.js';
import type { Clock } from './aws-retry.js';
import { RunAbortedError } from './errors.js';
import { type TargetObservation, taskFailedObservation } from './observation.js';
import { collectTargetObservation } from './result-collection.js';
import type { ProbeTaskSettings } from './runtime-config.js';
import { launchProbeTask, runTaskInputFor } from './task-launch.js';
import { describeTasks, nextPollDelayMs, POLL_POLICY, stopTasks } from './task-waiting.js';

export interface ProbeTaskPool {
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  readonly settings: ProbeTaskSettings;
  readonly probe: ProbeDefaults;
  readonly attempts: number;
  readonly runId: string;
  readonly maxConcurrentTasks: number;
  /** Epoch ms after which nothing new is launched and whatever still runs is stopped. */
  readonly deadlineAt: number;
  readonly clock: Clock;
}

export const STOP_REASONS = {
  deadline: 'port25-canary: run deadline reached',
  aborted: 'port25-canary: run aborted',
} as const;

/**
 * Runs one probe task per target with at most `maxConcurrentTasks` in flight, launching the next as one stops,
 * and collects each target's observation. At the deadline, tasks still running are stopped and marked task-failed.
 * When an ECS call fails for good, every task in flight is stopped and RunAbortedError is thrown.
 */
export async function runProbeTasks(
  targets: readonly CanaryTarget[],
  pool: ProbeTaskPool,
): Promise<Map<string, TargetObservation>> {
  const { ecs, settings, clock, deadlineAt } = pool;
  const observations = new Map<string, TargetObservation>();
  const pending = [...targets];
  const inFlight = new Map<string, CanaryTarget>();
  const lastStatus = new Map<string, string>();
  let pollDelayMs: number = POLL_POLICY.initialDelayMs;
  try {
    for (;;) {
      while (inFlight.size < pool.maxConcurrentTasks && pending.length > 0 && clock.now() < deadlineAt) {
        const target = pending.shift() as CanaryTarget;
        const request = probeRequestFor(target, pool.probe, pool.attempts);
        const input = runTaskInputFor(settings, target, request, pool.runId);
        const launch = await launchProbeTask(ecs, input, clock, { notAfter: deadlineAt });
        if (launch.started) inFlight.set(launch.taskArn, target);
        else observations.set(target.name, taskFailedObservation(launch.detail, null));
      }
      if (inFlight.size === 0 || clock.now() >= deadlineAt) break;
      await clock.sleep(Math.max(0, Math.min(pollDelayMs, deadlineAt - clock.now())));
      const described = await describeTasks(ecs, settings.cluster, [...inFlight.keys()], clock);
      let anyStopped = false;
      for (const [taskArn, target] of [...inFlight]) {
        const task = described.tasks.get(taskArn);
        if (task?.lastStatus !== undefined) lastStatus.set(taskArn, task.lastStatus);
        if (task === undefined || task.lastStatus !== 'STOPPED') continue;
        inFlight.delete(taskArn);
        anyStopped = true;
        observations.set(target.name, await collectTargetObservation(pool.logs, settings, target, task, clock));
      }
      pollDelayMs = anyStopped ? POLL_POLICY.initialDelayMs : nextPollDelayMs(pollDelayMs);
    }
  } catch (error) {
    const taskArns = [...inFlight.keys()];
    const stopFailures = await stopTasks(ecs, settings.cluster, taskArns, STOP_REASONS.aborted, clock);
    throw new RunAbortedError(
      error,
      taskArns.filter((taskArn) => !stopFailures.has(taskArn)),
      [...stopFailures].map(([taskArn, stopError]) => `${taskArn}: ${stopError.message}`),
    );
  }

  const unfinished = [...inFlight];
  const stopFailures = await stopTasks(
    ecs,
    settings.cluster,
    unfinished.map(([taskArn]) => taskArn),
    STOP_REASONS.deadline,
    clock,
  );
  for (const [taskArn, target] of unfinished) {
    const stopFailure = stopFailures.get(taskArn);
    const stopped = stopFailure === undefined ? 'StopTask sent' : `and it could not be stopped: ${stopFailure.message}`;
    const status = lastStatus.get(taskArn) ?? 'not yet described';
    observations.set(
      target.name,
      taskFailedObservation(`run deadline reached while the probe task was ${status}; ${stopped}`, taskArn),
    );
  }
  for (const target of pending) {
    observations.set(
      target.name,
      taskFailedObservation('run deadline reached before the probe task was launched', null),
    );
  }
  return observations;
}
