import { DEFAULT_METRIC_NAMESPACE } from './metrics.js';

/** What an unset config field or command-line option means. */
export const CONFIG_DEFAULTS = {
  metricNamespace: DEFAULT_METRIC_NAMESPACE,
  port: 25,
  timeoutMs: 10_000,
  ehloName: 'port25-canary.invalid',
  attempts: 1,
  maxConcurrentTasks: 10,
  containerName: 'probe',
  logStreamPrefix: 'probe',
  schedule: 'rate(15 minutes)',
  alarmEvaluationPeriods: 1,
  alarmDatapointsToAlarm: 1,
  logRetentionDays: 30,
  cpuArchitecture: 'ARM64',
  createVpcMaxAzs: 2,
} as const;

export const LIMITS = {
  timeoutMs: { min: 100, max: 120_000 },
  attempts: { min: 1, max: 10 },
  maxConcurrentTasks: { min: 1, max: 500 },
  targets: { max: 1000 },
} as const;
