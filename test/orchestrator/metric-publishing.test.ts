import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { metricDataFor, publishMetrics } from '../../functions/orchestrator/metric-publishing.js';
import { ALL_METRICS, MAX_METRIC_DATA_PER_CALL } from '../../functions/shared/metrics.js';
import type { CanaryReport, TargetReport } from '../../functions/shared/report.js';
import { restrictionReport } from '../../functions/shared/restriction.js';
import { fakeClock, throttlingError } from './fakes.js';

const DETAILED = { detailedTargetMetrics: true };

const cloudwatchMock = mockClient(CloudWatchClient);

afterEach(() => {
  cloudwatchMock.reset();
});

function targetReport(overrides: Partial<TargetReport>): TargetReport {
  return {
    target: 'internet-mx',
    host: '198.51.100.25',
    port: 25,
    address: '198.51.100.25',
    expected: 'blocked',
    rule: 'configured: blocked',
    outcome: 'timeout',
    verdict: 'pass',
    evidence: 'port-25-specific drop',
    diagnosis: 'timed out',
    connectMs: null,
    greeting: null,
    taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/c/1',
    detail: null,
    ...overrides,
  };
}

function report(results: TargetReport[], summary = { pass: 0, fail: 0, inconclusive: 0 }): CanaryReport {
  return {
    runId: 'run-1',
    canary: 'mail-egress',
    startedAt: '2030-01-01T00:00:00.000Z',
    finishedAt: '2030-01-01T00:02:03.456Z',
    released: false,
    results,
    summary,
    restriction: restrictionReport([], false),
  };
}

const NOT_AFTER = Date.parse('2030-01-01T00:10:00.000Z');
const TIMESTAMP = new Date('2030-01-01T00:00:00.000Z');

/** A per-target datum of canary mail-egress; the dimension names and their order are the contract, as literals. */
function point(name: string, target: string, unit: string, metricValue: number): MetricDatum {
  return {
    MetricName: name,
    Dimensions: [
      { Name: 'Canary', Value: 'mail-egress' },
      { Name: 'Target', Value: target },
    ],
    Unit: unit as never,
    Value: metricValue,
    Timestamp: TIMESTAMP,
  };
}

function runPoint(name: string, unit: string, metricValue: number): MetricDatum {
  return {
    MetricName: name,
    Dimensions: [{ Name: 'Canary', Value: 'mail-egress' }],
    Unit: unit as never,
    Value: metricValue,
    Timestamp: TIMESTAMP,
  };
}

describe('metricDataFor', () => {
  it('publishes exactly the shared metric names, units and dimensions for a run', () => {
    const data = metricDataFor(
      report(
        [
          targetReport({ target: 'relay', outcome: 'open', expected: 'open', verdict: 'pass', connectMs: 12.5 }),
          targetReport({ target: 'internet-mx', outcome: 'open', expected: 'blocked', verdict: 'fail', connectMs: 30 }),
          targetReport({ target: 'broken', outcome: 'task-failed', expected: null, verdict: 'inconclusive' }),
        ],
        { pass: 1, fail: 1, inconclusive: 1 },
      ),
      DETAILED,
    );

    expect(data).toEqual([
      point('ExpectationMet', 'relay', 'None', 1),
      point('Port25Reachable', 'relay', 'None', 1),
      point('ConnectTime', 'relay', 'Milliseconds', 12.5),
      point('Inconclusive', 'relay', 'None', 0),
      point('ExpectationMet', 'internet-mx', 'None', 0),
      point('Port25Reachable', 'internet-mx', 'None', 1),
      point('ConnectTime', 'internet-mx', 'Milliseconds', 30),
      point('Inconclusive', 'internet-mx', 'None', 0),
      point('Inconclusive', 'broken', 'None', 1),
      runPoint('TargetsPassed', 'Count', 1),
      runPoint('TargetsFailed', 'Count', 1),
      runPoint('TargetsInconclusive', 'Count', 1),
      runPoint('RunDuration', 'Milliseconds', 123_456),
    ]);
  });

  it('publishes only ExpectationMet per target without detailedTargetMetrics', () => {
    const data = metricDataFor(
      report(
        [
          targetReport({ target: 'relay', outcome: 'open', expected: 'open', verdict: 'pass', connectMs: 12.5 }),
          targetReport({ target: 'broken', outcome: 'task-failed', expected: null, verdict: 'inconclusive' }),
        ],
        { pass: 1, fail: 0, inconclusive: 1 },
      ),
      { detailedTargetMetrics: false },
    );

    expect(data).toEqual([
      point('ExpectationMet', 'relay', 'None', 1),
      runPoint('TargetsPassed', 'Count', 1),
      runPoint('TargetsFailed', 'Count', 0),
      runPoint('TargetsInconclusive', 'Count', 1),
      runPoint('RunDuration', 'Milliseconds', 123_456),
    ]);
  });

  it('reports a conclusive block as not reachable', () => {
    const data = metricDataFor(report([targetReport({ outcome: 'timeout', verdict: 'pass' })]), DETAILED);

    expect(data.find((datum) => datum.MetricName === 'Port25Reachable')?.Value).toBe(0);
  });

  it.each([
    ['refused', null, 0],
    ['timeout', null, 0],
    ['unreachable', null, 0],
    ['tls-error', 8.5, 1],
    ['protocol-error', 8.5, 1],
    ['banner-timeout', 8.5, 1],
    // The exit-code fallback knows no connect time, but a banner timeout happens only after the handshake.
    ['banner-timeout', null, 1],
    // An earlier attempt connected, the last one timed out: the summary outcome hides the connection.
    ['timeout', 8.5, 1],
  ] as const)('publishes Port25Reachable for a conclusive %s (connectMs %s) as %i', (outcome, connectMs, reachable) => {
    const data = metricDataFor(
      report([targetReport({ outcome, connectMs, expected: 'open', verdict: 'fail' })]),
      DETAILED,
    );

    expect(data.find((datum) => datum.MetricName === 'Port25Reachable')?.Value).toBe(reachable);
  });

  it('uses only metrics declared in the shared contract, with their declared unit and dimension', () => {
    const data = metricDataFor(report([targetReport({ outcome: 'open', verdict: 'fail', connectMs: 5 })]), DETAILED);

    for (const datum of data) {
      const definition = ALL_METRICS.find((metric) => metric.name === datum.MetricName);
      expect(definition, datum.MetricName).toBeDefined();
      expect(datum.Unit).toBe(definition?.unit);
      expect(datum.Dimensions?.map((dimension) => dimension.Name)).toEqual(
        definition?.scope === 'target' ? ['Canary', 'Target'] : ['Canary'],
      );
    }
  });

  it('keeps the series of two canaries with a target of the same name apart', () => {
    const first = metricDataFor({ ...report([targetReport({ target: 'relay' })]), canary: 'eu-egress' }, DETAILED);
    const second = metricDataFor({ ...report([targetReport({ target: 'relay' })]), canary: 'us-egress' }, DETAILED);

    const seriesOf = (data: MetricDatum[]) =>
      data.filter((datum) => datum.MetricName === 'Inconclusive').map((datum) => JSON.stringify(datum.Dimensions));
    expect(seriesOf(first)).toEqual(['[{"Name":"Canary","Value":"eu-egress"},{"Name":"Target","Value":"relay"}]']);
    expect(seriesOf(second)).toEqual(['[{"Name":"Canary","Value":"us-egress"},{"Name":"Target","Value":"relay"}]']);
  });
});

describe('publishMetrics', () => {
  it('splits more than MAX_METRIC_DATA_PER_CALL data points over several calls, in order', async () => {
    cloudwatchMock.on(PutMetricDataCommand).resolves({});
    const results = Array.from({ length: 300 }, (_, index) => targetReport({ target: `t-${index}`, connectMs: 10 }));
    const data = metricDataFor(report(results), DETAILED);

    const calls = await publishMetrics(new CloudWatchClient({}), 'Port25Canary', data, fakeClock(), NOT_AFTER);

    const sent = cloudwatchMock.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input);
    expect(data).toHaveLength(300 * 4 + 4);
    expect(calls).toBe(2);
    expect(sent.map((input) => input.MetricData?.length)).toEqual([MAX_METRIC_DATA_PER_CALL, 204]);
    expect(sent.every((input) => input.Namespace === 'Port25Canary')).toBe(true);
    expect(sent.flatMap((input) => input.MetricData)).toEqual(data);
  });

  it('retries a throttled call', async () => {
    cloudwatchMock.on(PutMetricDataCommand).rejectsOnce(throttlingError('Throttling')).resolves({});

    await publishMetrics(
      new CloudWatchClient({}),
      'Port25Canary',
      metricDataFor(report([]), DETAILED),
      fakeClock(),
      NOT_AFTER,
    );

    expect(cloudwatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(2);
  });

  it('throws a typed error naming the operation when CloudWatch refuses', async () => {
    cloudwatchMock.on(PutMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    const publish = publishMetrics(
      new CloudWatchClient({}),
      'Port25Canary',
      metricDataFor(report([]), DETAILED),
      fakeClock(),
      NOT_AFTER,
    );

    await expect(publish).rejects.toThrow(
      'CloudWatch PutMetricData (namespace Port25Canary) failed: AccessDenied: denied',
    );
  });

  it('gives up on a throttled call rather than sleep past notAfter', async () => {
    cloudwatchMock.on(PutMetricDataCommand).rejects(throttlingError('Throttling'));
    const clock = fakeClock();

    const publish = publishMetrics(
      new CloudWatchClient({}),
      'Port25Canary',
      metricDataFor(report([]), DETAILED),
      clock,
      clock.now() + 500,
    );

    await expect(publish).rejects.toThrow(/Throttling/);
    expect(clock.sleeps).toEqual([]);
  });
});
