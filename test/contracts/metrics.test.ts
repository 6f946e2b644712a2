import { type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { metricDataFor } from '../../functions/orchestrator/metric-publishing.js';
import { runCanary } from '../../functions/orchestrator/run-canary.js';
import {
  DEFAULT_METRIC_NAMESPACE,
  dimensionsMap,
  MAX_METRIC_DATA_PER_CALL,
  runDimensions,
  targetDimensions,
} from '../../functions/shared/metrics.js';
import type { CanaryReport, TargetReport } from '../../functions/shared/report.js';
import { restrictionReport } from '../../functions/shared/restriction.js';
import { FakeAws, fakeClock, type TaskScript, testConfig } from '../orchestrator/fakes.js';

const DETAILED = { detailedTargetMetrics: true };

/**
 * The published metrics as literals (docs/metrics-and-alarms.md): names, units and dimensions are what alarms and
 * dashboards outside this repository query, so a rename is a breaking change and fails here.
 */

const STARTED_AT = '2030-01-01T00:00:00.000Z';

function targetReport(overrides: Partial<TargetReport>): TargetReport {
  return {
    target: 'internet-mx',
    host: '198.51.100.25',
    port: 25,
    address: '198.51.100.25',
    expected: 'blocked',
    rule: 'public address: blocked',
    outcome: 'timeout',
    verdict: 'pass',
    evidence: 'port-25-specific drop',
    diagnosis: 'dropped',
    connectMs: null,
    greeting: null,
    taskArn: null,
    detail: null,
    ...overrides,
  };
}

function report(results: TargetReport[], summary: CanaryReport['summary']): CanaryReport {
  return {
    runId: 'r-1',
    canary: 'mail-egress',
    startedAt: STARTED_AT,
    finishedAt: '2030-01-01T00:01:30.000Z',
    released: false,
    results,
    summary,
    restriction: restrictionReport([], false),
  };
}

function byName(data: readonly MetricDatum[], name: string): MetricDatum[] {
  return data.filter((datum) => datum.MetricName === name);
}

describe('the published metrics', () => {
  it('go to the namespace Port25Canary by default, at most 1000 data points per call', () => {
    expect(DEFAULT_METRIC_NAMESPACE).toBe('Port25Canary');
    expect(MAX_METRIC_DATA_PER_CALL).toBe(1000);
  });

  it('are, for a conclusive target with a connect time, these four per-target data points with [Canary, Target] and four per-run ones with [Canary]', () => {
    const data = metricDataFor(
      report([targetReport({ outcome: 'open', verdict: 'fail', connectMs: 12 })], {
        pass: 0,
        fail: 1,
        inconclusive: 0,
      }),
      DETAILED,
    );

    const timestamp = new Date(STARTED_AT);
    const target = [
      { Name: 'Canary', Value: 'mail-egress' },
      { Name: 'Target', Value: 'internet-mx' },
    ];
    const canary = [{ Name: 'Canary', Value: 'mail-egress' }];
    expect(data).toEqual([
      { MetricName: 'ExpectationMet', Dimensions: target, Unit: 'None', Value: 0, Timestamp: timestamp },
      { MetricName: 'Port25Reachable', Dimensions: target, Unit: 'None', Value: 1, Timestamp: timestamp },
      { MetricName: 'ConnectTime', Dimensions: target, Unit: 'Milliseconds', Value: 12, Timestamp: timestamp },
      { MetricName: 'Inconclusive', Dimensions: target, Unit: 'None', Value: 0, Timestamp: timestamp },
      { MetricName: 'TargetsPassed', Dimensions: canary, Unit: 'Count', Value: 0, Timestamp: timestamp },
      { MetricName: 'TargetsFailed', Dimensions: canary, Unit: 'Count', Value: 1, Timestamp: timestamp },
      { MetricName: 'TargetsInconclusive', Dimensions: canary, Unit: 'Count', Value: 0, Timestamp: timestamp },
      { MetricName: 'RunDuration', Dimensions: canary, Unit: 'Milliseconds', Value: 90_000, Timestamp: timestamp },
    ]);
  });

  it('leave out ExpectationMet and Port25Reachable for an inconclusive target, and say Inconclusive 1', () => {
    const data = metricDataFor(
      report([targetReport({ outcome: 'task-failed', verdict: 'inconclusive' })], {
        pass: 0,
        fail: 0,
        inconclusive: 1,
      }),
      DETAILED,
    );

    expect(data.filter((datum) => datum.Dimensions?.[1]?.Name === 'Target')).toEqual([
      expect.objectContaining({ MetricName: 'Inconclusive', Value: 1 }),
    ]);
  });
});

describe('RestrictionInEffect', () => {
  const named = (target: string, inEffect: boolean, lifted: boolean) => ({ target, signal: { inEffect, lifted } });

  it.each([
    ['in-effect', [named('internet-mx', true, false)], [1]],
    ['lifted', [named('internet-mx', false, true)], [0]],
    ['contradictory', [named('internet-mx', true, false), named('other-mx', false, true)], []],
    ['unknown', [], []],
  ] as const)(
    'is, for a run that finds the restriction %s, %j with [Canary] and unit None',
    (state, signals, values) => {
      const restriction = restrictionReport(signals, false);
      const data = metricDataFor({ ...report([], { pass: 0, fail: 0, inconclusive: 0 }), restriction }, DETAILED);

      expect(restriction.state).toBe(state);
      expect(byName(data, 'RestrictionInEffect')).toEqual(
        values.map((value) => ({
          MetricName: 'RestrictionInEffect',
          Dimensions: [{ Name: 'Canary', Value: 'mail-egress' }],
          Unit: 'None',
          Value: value,
          Timestamp: new Date(STARTED_AT),
        })),
      );
    },
  );
});

describe('Port25Reachable for a result known only from the probe container exit code', () => {
  let aws: FakeAws | undefined;
  afterEach(() => {
    aws?.restore();
    aws = undefined;
  });

  async function publishedFor(exitCode: number): Promise<MetricDatum[]> {
    const config = testConfig({
      targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }],
      deployment: { detailedTargetMetrics: true },
    });
    // The log stream holds no result line: only the exit code tells what happened, and there is no connect time.
    const script: TaskScript = { exitCode, logLines: ['port25-canary probe: starting'] };
    const fake = new FakeAws(() => script);
    aws = fake;
    const clock = fakeClock();

    const result = await runCanary(config, {}, { ...fake.clients, now: clock.now, sleep: clock.sleep });

    expect(result.results[0]?.connectMs).toBeNull();
    return fake.cloudwatchMock
      .commandCalls(PutMetricDataCommand)
      .flatMap((call) => call.args[0].input.MetricData ?? []);
  }

  it.each([
    [0, 'open'],
    [14, 'banner-timeout'],
    [15, 'protocol-error'],
    [16, 'tls-error'],
  ])('is 1 for exit code %i (%s): that outcome needs a TCP connection', async (exitCode) => {
    const data = await publishedFor(exitCode);

    expect(byName(data, 'Port25Reachable').map((datum) => datum.Value)).toEqual([1]);
  });

  it('is 0 for exit code 11 (refused)', async () => {
    const data = await publishedFor(11);

    expect(byName(data, 'Port25Reachable').map((datum) => datum.Value)).toEqual([0]);
  });

  it('is not published for exit code 10 (timeout): a blocked target passed on the exit code alone is unproven', async () => {
    const data = await publishedFor(10);

    expect(byName(data, 'Port25Reachable')).toEqual([]);
    expect(byName(data, 'Inconclusive').map((datum) => datum.Value)).toEqual([1]);
  });
});

describe('the dimensions as a name → value map (the dashboards and alarms key their series by it)', () => {
  it('names Canary and Target', () => {
    expect(dimensionsMap(targetDimensions('mail-canary', 'relay'))).toEqual({ Canary: 'mail-canary', Target: 'relay' });
    expect(dimensionsMap(runDimensions('mail-canary'))).toEqual({ Canary: 'mail-canary' });
  });
});
