import { randomUUID } from 'node:crypto';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { CanaryConfig } from '../shared/config.js';
import type { CanaryReport } from '../shared/report.js';
import type { Clock } from './aws-retry.js';
import { MetricPublishError } from './errors.js';
import { type CanaryRunInput, resolveRunInput } from './event.js';
import { metricDataFor, publishMetrics } from './metric-publishing.js';
import { taskFailedObservation } from './observation.js';
import { buildCanaryReport, targetReportFor } from './report-building.js';
import { probeTaskSettings } from './runtime-config.js';
import { runProbeTasks } from './task-pool.js';

export interface CanaryClients {
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  readonly cloudwatch: CloudWatchClient;
}

export interface RunDependencies extends CanaryClients, Clock {
  /** The caller's remaining time budget (the Lambda context's getRemainingTimeInMillis); read once at the start. */
  readonly remainingTimeMs?: () => number;
  readonly newRunId?: () => string;
}

/** Kept back from the time budget for stopping late tasks, reading their logs and publishing metrics. */
export const DEADLINE_SAFETY_MARGIN_MS = 60_000;

/** The time budget when the caller gives none: a Lambda's maximum timeout. */
export const DEFAULT_TIME_BUDGET_MS = 15 * 60_000;

/**
 * One canary run: validate the input and settings (nothing is launched on a bad one), run one probe task per target,
 * judge each observation, publish the metrics, and return the report. Metric failures throw MetricPublishError,
 * which carries the report.
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
  const timeBudgetMs = dependencies.remainingTimeMs?.() ?? DEFAULT_TIME_BUDGET_MS;

  const observations = await runProbeTasks(run.targets, {
    ecs: dependencies.ecs,
    logs: dependencies.logs,
    settings,
    probe: config.probe,
    attempts: run.attempts,
    runId,
    maxConcurrentTasks: config.maxConcurrentTasks,
    deadlineAt: startedAt + timeBudgetMs - DEADLINE_SAFETY_MARGIN_MS,
    clock,
  });

  const judging = { vpcPrimaryCidr: config.vpcPrimaryCidr, released: run.released };
  const results = run.targets.map((target) =>
    targetReportFor(
      target,
      observations.get(target.name) ?? taskFailedObservation('the run kept no observation for this target', null),
      judging,
    ),
  );
  const report = buildCanaryReport(
    { runId, canary: config.canaryName, startedAt, finishedAt: clock.now(), released: run.released },
    results,
  );
  try {
    await publishMetrics(dependencies.cloudwatch, config.metricNamespace, metricDataFor(report), clock);
  } catch (error) {
    throw new MetricPublishError(report, error);
  }
  return report;
}
