import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_METRICS, TARGET_METRICS } from '../../functions/shared/metrics.js';
import { scheduleIntervalSeconds } from '../../infra/schedule-period.js';
import {
  type AlarmDefinition,
  type AlarmState,
  alarmDefinitions,
  EVALUATION_RANGE_EXTRA_PERIODS,
  evaluateAlarm,
} from '../../lab/alarms.js';
import type { MetricDatapoint } from '../../lab/local-aws/cloudwatch.js';
import type { CloudFormationTemplate } from '../../lab/local-deployment.js';
import { EXISTING_VPC_CONFIG, withField } from './fixtures.js';
import { buildCanaryStack, type RawConfig, Workspace } from './synthesize.js';

/**
 * The alarms of the synthesized template, evaluated minute by minute over a simulated day with the lab's model of
 * CloudWatch (lab/alarms.ts: the documented evaluation range, metric math FILL) and a schedule at its worst:
 * EventBridge firing up to a minute late, every run publishing only at the orchestrator's timeout, and PutMetricData
 * points taking two more minutes to reach the alarm.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const EPOCH = Date.UTC(2030, 0, 1);
const TARGET = 'internet-mx';
/** The run of the day that goes wrong, after a day and ten healthy runs. */
const BAD_RUN = 10;

/** What one run publishes on the alarm's series: a value, or nothing (inconclusive, or the run never came). */
type RunResult = number | 'none';

interface ScheduledAlarm {
  readonly alarm: AlarmDefinition;
  readonly intervalMs: number;
  readonly arrivalDelayMs: number;
}

let workspace: Workspace;
beforeAll(() => {
  workspace = new Workspace();
});
afterAll(() => {
  workspace.remove();
});

function scheduledAlarm(raw: RawConfig, metricName: string): ScheduledAlarm {
  const { config, stack } = buildCanaryStack(workspace, raw);
  const template = Template.fromStack(stack).toJSON() as CloudFormationTemplate;
  const alarm = alarmDefinitions(template).find(
    (definition) =>
      definition.metric.metricName === metricName &&
      (definition.metric.dimensions.Target ?? TARGET) === TARGET &&
      definition.metric.dimensions.Canary === config.canaryName,
  );
  if (alarm === undefined) throw new Error(`no ${metricName} alarm`);
  const timeoutSeconds = stack.orchestrator.function.timeout?.toSeconds() ?? Number.NaN;
  return {
    alarm,
    intervalMs: scheduleIntervalSeconds(config.deployment.schedule) * 1000,
    arrivalDelayMs: timeoutSeconds * 1000 + 2 * MINUTE_MS,
  };
}

/** The same alarm as this project defined it before FILL: the metric itself, missing data breaching. */
function withoutFill(scheduled: ScheduledAlarm): ScheduledAlarm {
  return { ...scheduled, alarm: { ...scheduled.alarm, fill: undefined } };
}

function startOf(scheduled: ScheduledAlarm, run: number): number {
  // Every other run fires a minute late: consecutive starts up to one interval and a minute apart.
  return EPOCH + run * scheduled.intervalMs + (Math.abs(run) % 2) * MINUTE_MS;
}

/** When the data of `run` would have reached the alarm had it been published. */
function dueAt(scheduled: ScheduledAlarm, run: number): number {
  return startOf(scheduled, run) + scheduled.arrivalDelayMs;
}

interface Minute {
  readonly at: number;
  readonly state: AlarmState;
}

/**
 * The alarm's state each minute of one day. Run 0 is the first to start that day; `results` tells what each run
 * published, earlier runs (a day of them, more than any evaluation range) included.
 */
function oneDay(scheduled: ScheduledAlarm, results: (run: number) => RunResult): Minute[] {
  const { alarm, intervalMs } = scheduled;
  const runsPerDay = Math.ceil(DAY_MS / intervalMs);
  const runs = Array.from({ length: 2 * runsPerDay }, (_, offset) => {
    const run = offset - runsPerDay;
    return { startedAt: startOf(scheduled, run), due: dueAt(scheduled, run), result: results(run) };
  });
  const minutes: Minute[] = [];
  const horizonMs = (alarm.evaluationPeriods + EVALUATION_RANGE_EXTRA_PERIODS + 1) * alarm.periodSeconds * 1000;
  let state: AlarmState = 'INSUFFICIENT_DATA';
  for (let now = EPOCH; now < EPOCH + DAY_MS; now += MINUTE_MS) {
    const arrived: MetricDatapoint[] = runs
      // Only what can fall in the evaluation range; older runs change nothing and slow the day down.
      .filter((run) => run.due <= now && run.result !== 'none' && run.startedAt > now - horizonMs)
      .map((run) => ({
        ...alarm.metric,
        timestamp: run.startedAt,
        unit: 'None',
        observations: [{ value: run.result as number, count: 1 }],
      }));
    state = evaluateAlarm(alarm, arrived, now, state).state;
    minutes.push({ at: now, state });
  }
  return minutes;
}

function statesOf(minutes: readonly Minute[]): AlarmState[] {
  return minutes.map((minute) => minute.state);
}

function firstAlarmAt(minutes: readonly Minute[]): number | undefined {
  return minutes.find((minute) => minute.state === 'ALARM')?.at;
}

const passed = () => 1;
const RUN_DURATION_MS = 240_000;

const ONE_OF_ONE = withField(
  withField(EXISTING_VPC_CONFIG, ['deployment', 'alarmEvaluationPeriods'], 1),
  ['deployment', 'alarmDatapointsToAlarm'],
  1,
);

describe('a target alarm with datapointsToAlarm 1 of 1', () => {
  let target: ScheduledAlarm;
  beforeAll(() => {
    target = scheduledAlarm(ONE_OF_ONE, TARGET_METRICS.expectationMet.name);
  });

  it('stays OK all day while every run passes, however late its data points arrive', () => {
    const states = statesOf(oneDay(target, passed));

    expect(states.filter((state) => state !== 'OK')).toEqual([]);
  });

  it('would flap between runs with a period of one schedule interval', () => {
    const intervalPeriod = { ...target, alarm: { ...target.alarm, periodSeconds: target.intervalMs / 1000 } };

    const states = statesOf(oneDay(intervalPeriod, passed));

    expect(states).toContain('ALARM');
  });

  it('alarms once the data points of a failed run arrive', () => {
    const states = statesOf(oneDay(target, (run) => (run === BAD_RUN ? 0 : 1)));

    expect(states).toContain('ALARM');
  });

  it('alarms within one period of an inconclusive run, then recovers with the next judged run', () => {
    const minutes = oneDay(target, (run) => (run === BAD_RUN ? 'none' : 1));

    const alarmedAt = firstAlarmAt(minutes);
    expect(alarmedAt).toBeDefined();
    expect(alarmedAt).toBeGreaterThanOrEqual(dueAt(target, BAD_RUN));
    expect(alarmedAt).toBeLessThanOrEqual(dueAt(target, BAD_RUN) + target.alarm.periodSeconds * 1000);
    const afterNextRun = minutes.filter((minute) => minute.at >= dueAt(target, BAD_RUN + 1));
    expect(afterNextRun.every((minute) => minute.state === 'OK')).toBe(true);
  });

  it('never alarmed on an inconclusive run as the metric itself, its older datapoints filling the range', () => {
    const states = statesOf(oneDay(withoutFill(target), (run) => (run === BAD_RUN ? 'none' : 1)));

    expect(states).not.toContain('ALARM');
  });
});

describe('the runs-stopped alarm with datapointsToAlarm 1 of 1', () => {
  let runsStopped: ScheduledAlarm;
  beforeAll(() => {
    runsStopped = scheduledAlarm(ONE_OF_ONE, RUN_METRICS.runDuration.name);
  });

  it('stays OK all day while every run finishes', () => {
    const states = statesOf(oneDay(runsStopped, () => RUN_DURATION_MS));

    expect(states.filter((state) => state !== 'OK')).toEqual([]);
  });

  it('alarms within one period of a run that never came, then recovers', () => {
    const minutes = oneDay(runsStopped, (run) => (run === BAD_RUN ? 'none' : RUN_DURATION_MS));

    const alarmedAt = firstAlarmAt(minutes);
    expect(alarmedAt).toBeDefined();
    expect(alarmedAt).toBeLessThanOrEqual(dueAt(runsStopped, BAD_RUN) + runsStopped.alarm.periodSeconds * 1000);
    expect(minutes.at(-1)?.state).toBe('OK');
  });

  it('alarms within one period once the schedule stops for good', () => {
    const minutes = oneDay(runsStopped, (run) => (run >= BAD_RUN ? 'none' : RUN_DURATION_MS));

    const alarmedAt = firstAlarmAt(minutes);
    expect(alarmedAt).toBeLessThanOrEqual(dueAt(runsStopped, BAD_RUN) + runsStopped.alarm.periodSeconds * 1000);
    expect(minutes.filter((minute) => minute.at >= (alarmedAt ?? 0)).every((m) => m.state === 'ALARM')).toBe(true);
  });

  it('alarmed late on a stopped schedule as the metric itself, waiting for the evaluation range to empty', () => {
    const minutes = oneDay(withoutFill(runsStopped), (run) => (run >= BAD_RUN ? 'none' : RUN_DURATION_MS));

    expect(firstAlarmAt(minutes)).toBeGreaterThan(dueAt(runsStopped, BAD_RUN) + runsStopped.alarm.periodSeconds * 1000);
  });
});

describe('the runs-stopped alarm with datapointsToAlarm 2 of 3', () => {
  let runsStopped: ScheduledAlarm;
  beforeAll(() => {
    runsStopped = scheduledAlarm(EXISTING_VPC_CONFIG, RUN_METRICS.runDuration.name);
  });

  it('tolerates one run that never came', () => {
    const states = statesOf(oneDay(runsStopped, (run) => (run === BAD_RUN ? 'none' : RUN_DURATION_MS)));

    expect(states.filter((state) => state !== 'OK')).toEqual([]);
  });

  it('alarms within two periods once the schedule stops for good', () => {
    const minutes = oneDay(runsStopped, (run) => (run >= BAD_RUN ? 'none' : RUN_DURATION_MS));

    expect(firstAlarmAt(minutes)).toBeLessThanOrEqual(
      dueAt(runsStopped, BAD_RUN) + 2 * runsStopped.alarm.periodSeconds * 1000,
    );
  });
});

describe('a target alarm with datapointsToAlarm 2 of 3', () => {
  let target: ScheduledAlarm;
  beforeAll(() => {
    target = scheduledAlarm(EXISTING_VPC_CONFIG, TARGET_METRICS.expectationMet.name);
  });

  it('stays OK all day while every run passes', () => {
    const states = statesOf(oneDay(target, passed));

    expect(states.filter((state) => state !== 'OK')).toEqual([]);
  });

  it('tolerates one run that could not judge the target', () => {
    const states = statesOf(oneDay(target, (run) => (run === BAD_RUN ? 'none' : 1)));

    expect(states.filter((state) => state !== 'OK')).toEqual([]);
  });

  it('alarms when no run has judged the target for an hour, as missing periods count as 0', () => {
    const states = statesOf(oneDay(target, (run) => (run >= BAD_RUN && run < BAD_RUN + 4 ? 'none' : 1)));

    expect(states).toContain('ALARM');
  });
});
