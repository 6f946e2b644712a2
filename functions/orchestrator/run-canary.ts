import { randomUUID } from 'node:crypto';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { CanaryConfig } from '../shared/config.js';
import { describeError } from '../shared/errors.js';
import type { CanaryReport } from '../shared/report.js';
import type { Clock } from './aws-retry.js';
import { MetricPublishError, RunEventPublishError } from './errors.js';
import { type CanaryRunInput, resolveRunInput } from './event.js';
import { metricDataFor, publishMetrics } from './metric-publishing.js';
import { taskFailedObservation } from './observation.js';
import { buildCanaryReport, judgeTarget } from './report-building.js';
import { publishRunEvent } from './run-event-publishing.js';
import type { RunProgress } from './run-progress.js';
import { judgingContext, probeTaskSettings } from './runtime-config.js';
import { runProbeTasks } from './task-pool.js';
import { readVpcCidrs } from './vpc-cidrs.js';

export interface CanaryClients {
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  readonly cloudwatch: CloudWatchClient;
  readonly events: EventBridgeClient;
}

export interface RunDependencies extends CanaryClients, Clock {
  /** The caller's remaining time budget (the Lambda context's getRemainingTimeInMillis); read once at the start. */
  readonly remainingTimeMs?: () => number;
  readonly newRunId?: () => string;
  /** Told of each probe task's launch, start, stop and result while the run waits for Fargate. */
  readonly onProgress?: RunProgress;
  /**
   * false: judge and report only, writing nothing into the alarmed series (no PutMetricData, no run event);
   * `run --no-metrics`. Default true.
   */
  readonly publish?: boolean;
}

/**
 * Kept back from the time budget after the run deadline: the final grace (stopping late tasks, reading the logs of
 * those that just stopped), a call that was in flight (AWS_REQUEST_TIMEOUT_MS), publishing metrics, returning.
 */
export const DEADLINE_SAFETY_MARGIN_MS = 60_000;

/** After the deadline, StopTask calls and log reads may still start for this long. */
export const FINAL_GRACE_MS = 15_000;

/** No metric retry sleeps into the budget's last seconds: the report must still be returned and logged. */
export const REPORT_RESERVE_MS = 15_000;

/** The time budget when the caller gives none: a Lambda's maximum timeout. */
export const DEFAULT_TIME_BUDGET_MS = 15 * 60_000;

/**
 * One canary run: validate the input and settings, read the VPC's CIDR blocks from EC2 (nothing is launched on a bad
 * input, a failed read or a configured primary CIDR that is not the real one), run one probe task per target,
 * judge each observation, publish the metrics and put the run event, and return the report. A metric failure throws
 * MetricPublishError, a run-event failure RunEventPublishError (a subclass); both carry the report.
 */
export async function runCanary(
  config: CanaryConfig,
  input: CanaryRunInput,
  dependencies: RunDependencies,
): Promise<CanaryReport> {
  const run = resolveRunInput(config, input);
  const settings = probeTaskSettings(config);
  const clock: Clock = { now: dependencies.now, sleep: dependencies.sleep };
  const startedAt = clock.now();
  const runId = dependencies.newRunId?.() ?? randomUUID();
  const endsAt = startedAt + (dependencies.remainingTimeMs?.() ?? DEFAULT_TIME_BUDGET_MS);
  const deadlineAt = endsAt - DEADLINE_SAFETY_MARGIN_MS;
  // Read every run (a CIDR can be associated at any time), before anything is launched.
  const vpc = await readVpcCidrs(dependencies.ec2, settings.subnets, clock, deadlineAt);
  const judging = judgingContext(config, run, vpc);

  const observations = await runProbeTasks(run.targets, {
    ecs: dependencies.ecs,
    logs: dependencies.logs,
    settings,
    probe: config.probe,
    attempts: run.attempts,
    runId,
    maxConcurrentTasks: config.maxConcurrentTasks,
    deadlineAt,
    finalWorkNotAfter: deadlineAt + FINAL_GRACE_MS,
    clock,
    onProgress: dependencies.onProgress,
  });

  const judged = run.targets.map((target) =>
    judgeTarget(
      target,
      observations.get(target.name) ?? taskFailedObservation('the run kept no observation for this target', null),
      judging,
    ),
  );
  const report = buildCanaryReport(
    {
      runId,
      canary: config.canaryName,
      startedAt,
      finishedAt: clock.now(),
      released: run.released,
      configReleased: config.port25Released,
    },
    judged,
  );
  if (dependencies.publish === false) return report;
  const notAfter = endsAt - REPORT_RESERVE_MS;
  // Both are tried whatever the other did: the alarms need the metrics, the notifications the event.
  const [metrics, event] = await Promise.allSettled([
    publishMetrics(
      dependencies.cloudwatch,
      config.metricNamespace,
      metricDataFor(report, { detailedTargetMetrics: config.deployment.detailedTargetMetrics }),
      clock,
      notAfter,
    ),
    publishRunEvent(dependencies.events, report, clock, notAfter),
  ]);
  if (metrics.status === 'rejected') {
    const eventToo =
      event.status === 'rejected' ? `; the run event was not put either: ${describeError(event.reason)}` : '';
    throw new MetricPublishError(
      report,
      metrics.reason,
      `the canary run finished but its metrics were not published: ${describeError(metrics.reason)}${eventToo}`,
    );
  }
  if (event.status === 'rejected') throw new RunEventPublishError(report, event.reason);
  return report;
}
