import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient, Task } from '@aws-sdk/client-ecs';
import type { CanaryTarget, ProbeDefaults } from '../shared/config.js';
import { probeRequestFor } from '../shared/probe-command.js';
import { type Clock, isTransientError, RequestNotSentError } from './aws-retry.js';
import { mapConcurrently } from './concurrency.js';
import { AwsCallError, RunAbortedError } from './errors.js';
import { type TargetObservation, taskFailedObservation } from './observation.js';
import { EcsRequestPacer } from './request-pacing.js';
import { collectTargetObservation } from './result-collection.js';
import type { RunProgress } from './run-progress.js';
import type { ProbeTaskSettings } from './runtime-config.js';
import { launchProbeTask, runTaskInputFor } from './task-launch.js';
import {
  DESCRIBE_TASKS_BATCH_SIZE,
  type DescribedTasks,
  describeTasks,
  POLL_POLICY,
  pollDelayMs,
  stopTasks,
  typicalTaskLifeMs,
} from './task-waiting.js';

export interface ProbeTaskPool {
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  readonly settings: ProbeTaskSettings;
  readonly probe: ProbeDefaults;
  readonly attempts: number;
  readonly runId: string;
  readonly maxConcurrentTasks: number;
  /** Epoch ms after which nothing is launched or polled and whatever still runs is stopped. */
  readonly deadlineAt: number;
  /** Epoch ms after which no log read or StopTask starts: the deadline plus a small grace for the final work. */
  readonly finalWorkNotAfter: number;
  readonly clock: Clock;
  /** Told of each launch, start, stop and result as it happens. */
  readonly onProgress?: RunProgress | undefined;
  /** ECS's request and launch rates, shared by every call of the run; one is made per run when absent. */
  readonly pacer?: EcsRequestPacer;
}

export const STOP_REASONS = {
  deadline: 'port25-canary: run deadline reached',
  aborted: 'port25-canary: run aborted',
  missing: 'port25-canary: DescribeTasks keeps answering MISSING',
} as const;

/** Fargate takes tens of seconds from RunTask to a running probe (ENI, image pull); launch only with this to spare. */
export const TASK_START_ALLOWANCE_MS = 60_000;

/**
 * ECS is eventually consistent: a task may be MISSING for a while right after RunTask. Only this many MISSING answers
 * in a row, and no sooner than the grace after launch, mean ECS does not know it (e.g. the wrong cluster).
 */
export const MISSING_POLLS_LIMIT = 3;
export const MISSING_GRACE_MS = 30_000;

/** Stopped tasks whose logs are read at once: GetLogEvents allows 25 requests a second per account and Region. */
export const COLLECTION_CONCURRENCY = 5;

/** The time a task needs before the deadline: starting, then every probe attempt (the control connect runs beside one). */
export function launchTimeNeededMs(probe: ProbeDefaults, attempts: number): number {
  return TASK_START_ALLOWANCE_MS + probe.timeoutMs * attempts;
}

interface TaskInFlight {
  readonly target: CanaryTarget;
  /** When RunTask returned, on the run's clock. */
  readonly launchedAt: number;
  lastStatus: string | undefined;
  missingPolls: number;
}

interface MissingTask {
  readonly taskArn: string;
  readonly target: CanaryTarget;
  readonly polls: number;
  readonly launchedAt: number;
}

/** Marks tasks ECS keeps answering MISSING for as task-failed, and stops them in case they run after all. */
async function giveUpOnMissingTasks(
  missing: readonly MissingTask[],
  pool: ProbeTaskPool,
  observations: Map<string, TargetObservation>,
): Promise<void> {
  const { ecs, settings, clock, finalWorkNotAfter } = pool;
  const arns = missing.map(({ taskArn }) => taskArn);
  const stopFailures = await stopTasks(
    ecs,
    settings.cluster,
    arns,
    STOP_REASONS.missing,
    clock,
    finalWorkNotAfter,
    pool.pacer?.for('StopTask'),
  );
  for (const { taskArn, target, polls, launchedAt } of missing) {
    const stopFailure = stopFailures.get(taskArn);
    const stopped = stopFailure === undefined ? 'StopTask sent' : `StopTask failed: ${stopFailure}`;
    const why = `DescribeTasks answered MISSING for the task ${polls} polls in a row, ${seconds(clock.now() - launchedAt)} after RunTask, in cluster ${settings.cluster}: ECS does not know it there; ${stopped}`;
    observations.set(target.name, taskFailedObservation(why, taskArn));
  }
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

const isNotSent = (error: unknown) => error instanceof AwsCallError && error.cause instanceof RequestNotSentError;

/** The failure that dooms the run, once any launch has thrown it; launching stops and the run aborts. */
interface LaunchState {
  readonly launching: Set<Promise<void>>;
  fatal: { readonly error: unknown } | undefined;
  open: boolean;
}

/**
 * Runs one probe task per target with at most `maxConcurrentTasks` launching or in flight, launching the next as one
 * stops, and collects each target's observation, a few at a time. Launches run concurrently, paced by ECS's documented
 * RunTask and Fargate launch rates (request-pacing.ts), so the cap is reached as fast as ECS allows. Every AWS call
 * has a deadline: launching and polling end at `deadlineAt`; reading results and stopping the tasks still running end
 * at `finalWorkNotAfter`. Targets the run could not finish are task-failed with the reason. When an ECS call fails for
 * good, every task started is stopped and RunAbortedError is thrown.
 */
export async function runProbeTasks(
  targets: readonly CanaryTarget[],
  options: ProbeTaskPool,
): Promise<Map<string, TargetObservation>> {
  const pool: ProbeTaskPool = { ...options, pacer: options.pacer ?? new EcsRequestPacer(options.clock) };
  const { ecs, settings, clock, deadlineAt, finalWorkNotAfter } = pool;
  const progress = pool.onProgress;
  const pacer = pool.pacer as EcsRequestPacer;
  const observations = new Map<string, TargetObservation>();
  const pending = [...targets];
  const inFlight = new Map<string, TaskInFlight>();
  const launches: LaunchState = { launching: new Set(), fatal: undefined, open: true };
  // From RunTask returning to the poll that saw STOPPED: the polling pace follows how long tasks really live.
  const taskLivesMs: number[] = [];

  const launch = async (target: CanaryTarget): Promise<void> => {
    const request = probeRequestFor(target, pool.probe, pool.attempts);
    const input = runTaskInputFor(settings, target, request, pool.runId);
    try {
      const result = await launchProbeTask(ecs, input, clock, { notAfter: deadlineAt, pacing: pacer.for('RunTask') });
      if (result.started) {
        inFlight.set(result.taskArn, { target, launchedAt: clock.now(), lastStatus: undefined, missingPolls: 0 });
        progress?.({ kind: 'launched', target: target.name, taskArn: result.taskArn });
      } else {
        observations.set(target.name, taskFailedObservation(result.detail, null));
        progress?.({ kind: 'not-launched', target: target.name, reason: result.detail });
      }
    } catch (error) {
      launches.open = false;
      if (isNotSent(error)) {
        // The paced rate has no turn left before the deadline, for this target nor any after it.
        pending.unshift(target);
        return;
      }
      launches.fatal ??= { error };
    }
  };

  // Starts launches while there is room under the cap; a launch that ends without a task makes room for the next.
  const fillSlots = (): void => {
    while (launches.open && inFlight.size + launches.launching.size < pool.maxConcurrentTasks && pending.length > 0) {
      const target = pending.shift() as CanaryTarget;
      const neededMs = launchTimeNeededMs(pool.probe, pool.attempts);
      const leftMs = deadlineAt - clock.now();
      if (neededMs > leftMs) {
        const why = `not launched: not enough time left before the deadline (needs ${seconds(neededMs)}, ${seconds(leftMs)} left)`;
        observations.set(target.name, taskFailedObservation(why, null));
        continue;
      }
      const launched: Promise<void> = launch(target).finally(() => {
        launches.launching.delete(launched);
        fillSlots();
      });
      launches.launching.add(launched);
    }
  };

  // Polling ends at the deadline: no wait runs past it.
  const sleepBeforeDeadline = (ms: number) => clock.sleep(Math.max(0, Math.min(ms, deadlineAt - clock.now())));

  // Launches already under way finish (each ends by the deadline), so every task started is known and can be stopped.
  const settleLaunches = async (): Promise<void> => {
    launches.open = false;
    while (launches.launching.size > 0) await Promise.all([...launches.launching]);
  };

  try {
    for (;;) {
      fillSlots();
      if (launches.fatal !== undefined) throw launches.fatal.error;
      if ((inFlight.size === 0 && launches.launching.size === 0) || clock.now() >= deadlineAt) break;
      if (inFlight.size === 0) {
        // Nothing to poll yet: wait for a launch to answer.
        await Promise.race(launches.launching);
        continue;
      }
      const agesMs = [...inFlight.values()].map((entry) => clock.now() - entry.launchedAt);
      const delayMs = pollDelayMs(agesMs, typicalTaskLifeMs(taskLivesMs));
      await sleepBeforeDeadline(delayMs);
      // Launches answered during the wait may need another DescribeTasks call this round: keep its minimum spacing.
      const calls = Math.ceil(inFlight.size / DESCRIBE_TASKS_BATCH_SIZE);
      const topUpMs = POLL_POLICY.minDelayPerCallMs * calls - delayMs;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, with no top-up left the sleep is 0 ms and waits for nothing
      if (topUpMs > 0) await sleepBeforeDeadline(topUpMs);
      let described: DescribedTasks;
      try {
        described = await describeTasks(
          ecs,
          settings.cluster,
          [...inFlight.keys()],
          clock,
          deadlineAt,
          pacer.for('DescribeTasks'),
        );
      } catch (error) {
        // A transient failure is no reason to abandon the run: poll again, or end on the deadline path with a report.
        if (error instanceof AwsCallError && (isTransientError(error.cause) || isNotSent(error))) continue;
        throw error;
      }
      const stopped: { readonly target: CanaryTarget; readonly task: Task }[] = [];
      const missing: MissingTask[] = [];
      for (const [taskArn, entry] of [...inFlight]) {
        const task = described.tasks.get(taskArn);
        if (task === undefined) {
          const failure = described.failures.get(taskArn);
          entry.missingPolls = failure === 'MISSING' ? entry.missingPolls + 1 : 0;
          // Stryker disable next-line EqualityOperator: equivalent, a poll lands exactly on the grace's end only by chance, and "not sooner than 30 s" holds either way
          const graceOver = clock.now() - entry.launchedAt >= MISSING_GRACE_MS;
          if (entry.missingPolls < MISSING_POLLS_LIMIT || !graceOver) continue;
          inFlight.delete(taskArn);
          missing.push({ taskArn, target: entry.target, polls: entry.missingPolls, launchedAt: entry.launchedAt });
          continue;
        }
        entry.missingPolls = 0;
        const wasRunning = entry.lastStatus === 'RUNNING';
        entry.lastStatus = task.lastStatus ?? entry.lastStatus;
        if (task.lastStatus === 'RUNNING' && !wasRunning) {
          progress?.({ kind: 'running', target: entry.target.name, taskArn });
        }
        if (task.lastStatus !== 'STOPPED') continue;
        inFlight.delete(taskArn);
        progress?.({ kind: 'stopped', target: entry.target.name, taskArn });
        taskLivesMs.push(clock.now() - entry.launchedAt);
        stopped.push({ target: entry.target, task });
      }
      // Room under the cap: the next launches go out while this round's logs are read.
      fillSlots();
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, giving up on no tasks sends no StopTask and records nothing
      if (missing.length > 0) await giveUpOnMissingTasks(missing, pool, observations);
      const collected = await mapConcurrently(stopped, COLLECTION_CONCURRENCY, async ({ target, task }) => ({
        target,
        observation: await collectTargetObservation(pool.logs, settings, target, task, clock, finalWorkNotAfter),
      }));
      for (const { target, observation } of collected) {
        observations.set(target.name, observation);
        progress?.({ kind: 'result', target: target.name, outcome: observation.outcome });
      }
    }
    // Launches still waiting for RunTask at the deadline end by it (their retries stop there); their tasks are stopped.
    await settleLaunches();
    // A launch that failed for good while the loop ended dooms the run as well.
    const fatal = launches.fatal as LaunchState['fatal'];
    if (fatal !== undefined) throw fatal.error;
  } catch (error) {
    await settleLaunches();
    const taskArns = [...inFlight.keys()];
    const stopFailures = await stopTasks(
      ecs,
      settings.cluster,
      taskArns,
      STOP_REASONS.aborted,
      clock,
      finalWorkNotAfter,
      pacer.for('StopTask'),
    );
    throw new RunAbortedError(
      error,
      taskArns.length - stopFailures.size,
      [...stopFailures].map(([taskArn, why]) => `${taskArn}: ${why}`),
    );
  }

  const unfinished = [...inFlight];
  const stopFailures = await stopTasks(
    ecs,
    settings.cluster,
    unfinished.map(([taskArn]) => taskArn),
    STOP_REASONS.deadline,
    clock,
    finalWorkNotAfter,
    pacer.for('StopTask'),
  );
  for (const [taskArn, { target, lastStatus }] of unfinished) {
    const stopFailure = stopFailures.get(taskArn);
    const stopped = stopFailure === undefined ? 'StopTask sent' : `and it was not stopped: ${stopFailure}`;
    const status = lastStatus ?? 'not yet described';
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
