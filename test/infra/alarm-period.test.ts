import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_METRICS } from '../../functions/shared/metrics.js';
import { scheduleIntervalSeconds } from '../../infra/schedule-period.js';
import { type AlarmDefinition, type AlarmState, alarmDefinitions, evaluateAlarm } from '../../lab/alarms.js';
import type { MetricDatapoint } from '../../lab/local-aws/cloudwatch.js';
import type { CloudFormationTemplate } from '../../lab/local-deployment.js';
import { EXISTING_VPC_CONFIG, withField } from './fixtures.js';
import { buildCanaryStack, type RawConfig, Workspace } from './synthesize.js';

/**
 * The target alarms of the synthesized template, evaluated minute by minute with the lab's CloudWatch model over a
 * simulated schedule at its worst: EventBridge firing up to a minute late, every run publishing only at the
 * orchestrator's timeout, and PutMetricData points taking two more minutes to reach the alarm.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const EPOCH = Date.UTC(2030, 0, 1);
const TARGET = 'internet-mx';

/** What one run publishes for the target: ExpectationMet 1 or 0, or nothing (inconclusive, or the run never came). */
type RunResult = 1 | 0 | 'none';

interface ScheduledCanary {
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

function scheduledCanary(raw: RawConfig): ScheduledCanary {
  const { config, stack } = buildCanaryStack(workspace, raw);
  const template = Template.fromStack(stack).toJSON() as CloudFormationTemplate;
  const alarm = alarmDefinitions(template).find(
    (definition) =>
      definition.metric.metricName === TARGET_METRICS.expectationMet.name &&
      definition.metric.dimensions.Target === TARGET,
  );
  if (alarm === undefined) throw new Error(`no ExpectationMet alarm for ${TARGET}`);
  const timeoutSeconds = stack.orchestrator.function.timeout?.toSeconds() ?? Number.NaN;
  return {
    alarm,
    intervalMs: scheduleIntervalSeconds(config.deployment.schedule) * 1000,
    arrivalDelayMs: timeoutSeconds * 1000 + 2 * MINUTE_MS,
  };
}

/**
 * The alarm's state each minute of one day. Run 0 is the first to start that day; `results` tells what each run
 * published, earlier runs (a day of them, more than any evaluation range) included.
 */
function statesOverOneDay(canary: ScheduledCanary, results: (run: number) => RunResult): AlarmState[] {
  const { alarm, intervalMs, arrivalDelayMs } = canary;
  const runsPerDay = Math.ceil(DAY_MS / intervalMs);
  const runs = Array.from({ length: 2 * runsPerDay }, (_, offset) => {
    const run = offset - runsPerDay;
    // Every other run fires a minute late: consecutive starts up to one interval and a minute apart.
    return { startedAt: EPOCH + run * intervalMs + (offset % 2) * MINUTE_MS, result: results(run) };
  });
  const states: AlarmState[] = [];
  for (let now = EPOCH; now < EPOCH + DAY_MS; now += MINUTE_MS) {
    const arrived: MetricDatapoint[] = runs
      .filter((run) => run.startedAt + arrivalDelayMs <= now && run.result !== 'none')
      .map((run) => ({
        ...alarm.metric,
        timestamp: run.startedAt,
        unit: 'None',
        observations: [{ value: run.result as number, count: 1 }],
      }));
    states.push(evaluateAlarm(alarm, arrived, now).state);
  }
  return states;
}

describe('the target alarm period with datapointsToAlarm 1 of 1', () => {
  let canary: ScheduledCanary;
  beforeAll(() => {
    const oneOfOne = withField(
      withField(EXISTING_VPC_CONFIG, ['deployment', 'alarmEvaluationPeriods'], 1),
      ['deployment', 'alarmDatapointsToAlarm'],
      1,
    );
    canary = scheduledCanary(oneOfOne);
  });

  it('stays OK all day while every run passes, however late its data points arrive', () => {
    const states = statesOverOneDay(canary, () => 1);

    expect(states.filter((state) => state !== 'OK')).toEqual([]);
  });

  it('would flap between runs with a period of one schedule interval', () => {
    const intervalPeriod = { ...canary, alarm: { ...canary.alarm, periodSeconds: canary.intervalMs / 1000 } };

    const states = statesOverOneDay(intervalPeriod, () => 1);

    expect(states).toContain('ALARM');
  });

  it('alarms once the data points of a failed run arrive', () => {
    const failedRun = 10;

    const states = statesOverOneDay(canary, (run) => (run === failedRun ? 0 : 1));

    expect(states).toContain('ALARM');
  });
});

describe('the target alarm period with datapointsToAlarm 2 of 3', () => {
  let canary: ScheduledCanary;
  beforeAll(() => {
    canary = scheduledCanary(EXISTING_VPC_CONFIG);
  });

  it('tolerates one run that could not judge the target', () => {
    const inconclusiveRun = 10;

    const states = statesOverOneDay(canary, (run) => (run === inconclusiveRun ? 'none' : 1));

    expect(states.filter((state) => state !== 'OK')).toEqual([]);
  });

  it('alarms when no run has judged the target for an hour, as missing data breaches', () => {
    const firstMissing = 10;

    const states = statesOverOneDay(canary, (run) => (run >= firstMissing && run < firstMissing + 4 ? 'none' : 1));

    expect(states).toContain('ALARM');
  });
});
