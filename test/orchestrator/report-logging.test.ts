import { describe, expect, it } from 'vitest';
import { LOG_EVENT_MAX_BYTES, reportLogLines } from '../../functions/orchestrator/report-logging.js';
import type { CanaryReport, TargetReport } from '../../functions/shared/report.js';

function targetReport(index: number, diagnosis: string): TargetReport {
  return {
    target: `relay-${String(index).padStart(4, '0')}.mail.example.com`,
    host: `relay-${index}.mail.example.com`,
    port: 25,
    address: '198.51.100.25',
    expected: 'blocked',
    rule: 'auto: public address',
    outcome: 'timeout',
    verdict: 'pass',
    diagnosis,
    evidence: 'consistent with the throttle, unproven (no control port)',
    connectMs: null,
    greeting: null,
    taskArn: `arn:aws:ecs:eu-west-1:111122223333:task/port25-canary/${String(index).padStart(32, '0')}`,
    detail: null,
  };
}

function reportOf(targets: number, diagnosis = 'No answer to the SYN within 10 s: silently dropped. '.repeat(8)) {
  const results = Array.from({ length: targets }, (_, index) => targetReport(index, diagnosis));
  return {
    runId: '0b7e6f1c-2d3a-4e5f-8a9b-0c1d2e3f4a5b',
    canary: 'mail-egress',
    startedAt: '2030-01-01T00:00:00.000Z',
    finishedAt: '2030-01-01T00:05:00.000Z',
    released: false,
    results,
    summary: { pass: targets, fail: 0, inconclusive: 0 },
    restriction: {
      state: 'in-effect',
      inEffectTargets: results.map((result) => result.target),
      liftedTargets: [],
      summary: 'the port-25 restriction is in effect',
      nextStep: null,
    },
  } satisfies CanaryReport;
}

describe('reportLogLines', () => {
  it('logs 1000 targets as 1001 lines, each one JSON object well under the 256 KB event limit', () => {
    const report = reportOf(1000);
    expect(Buffer.byteLength(JSON.stringify(report))).toBeGreaterThan(LOG_EVENT_MAX_BYTES);

    const lines = reportLogLines(report);

    expect(lines).toHaveLength(1001);
    for (const line of lines) {
      expect(line).not.toContain('\n');
      expect(Buffer.byteLength(line)).toBeLessThan(LOG_EVENT_MAX_BYTES);
    }
    const targets = lines.slice(1).map((line) => JSON.parse(line) as TargetReport & { index: number });
    expect(targets.map((target) => target.target)).toEqual(report.results.map((result) => result.target));
    expect(targets[999]).toEqual({
      record: 'target',
      runId: report.runId,
      canary: 'mail-egress',
      index: 999,
      ...report.results[999],
    });
  });

  it('puts the run, its summary and the target count on the first line', () => {
    const lines = reportLogLines(reportOf(1000));

    expect(JSON.parse(lines[0] as string)).toEqual({
      record: 'run',
      runId: '0b7e6f1c-2d3a-4e5f-8a9b-0c1d2e3f4a5b',
      canary: 'mail-egress',
      startedAt: '2030-01-01T00:00:00.000Z',
      finishedAt: '2030-01-01T00:05:00.000Z',
      released: false,
      summary: { pass: 1000, fail: 0, inconclusive: 0 },
      restriction: expect.objectContaining({ state: 'in-effect' }),
      targets: 1000,
    });
  });

  it('cuts a runaway string so that one target line still fits in one log event', () => {
    const lines = reportLogLines(reportOf(1, 'x'.repeat(400_000)));

    expect(Buffer.byteLength(lines[1] as string)).toBeLessThan(LOG_EVENT_MAX_BYTES);
    expect((JSON.parse(lines[1] as string) as TargetReport).diagnosis).toMatch(/^x{8192}…$/);
  });
});
