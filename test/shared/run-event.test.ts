import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../functions/shared/judge.js';
import type { CanaryReport, TargetReport } from '../../functions/shared/report.js';
import { restrictionReport } from '../../functions/shared/restriction.js';
import {
  MAX_EVENT_ENTRY_BYTES,
  putEventsEntrySize,
  RUN_EVENT_DETAIL_TYPE,
  RUN_EVENT_SOURCE,
  type RunEventDetail,
  runEventEntry,
} from '../../functions/shared/run-event.js';

function target(name: string, verdict: Verdict, diagnosis = 'probe says so'): TargetReport {
  return {
    target: name,
    host: '198.51.100.25',
    port: 25,
    address: '198.51.100.25',
    expected: 'blocked',
    rule: 'auto: public address',
    outcome: verdict === 'pass' ? 'timeout' : verdict === 'fail' ? 'open' : 'task-failed',
    verdict,
    evidence: `evidence for ${name}`,
    diagnosis,
    connectMs: null,
    greeting: null,
    taskArn: null,
    detail: null,
  };
}

function report(results: TargetReport[]): CanaryReport {
  const count = (verdict: Verdict) => results.filter((result) => result.verdict === verdict).length;
  return {
    runId: 'run-1',
    canary: 'mail-egress',
    startedAt: '2030-01-01T00:00:00.000Z',
    finishedAt: '2030-01-01T00:02:00.000Z',
    released: false,
    results,
    summary: { pass: count('pass'), fail: count('fail'), inconclusive: count('inconclusive') },
    restriction: restrictionReport([], false),
  };
}

const detailOf = (entry: { Detail: string }): RunEventDetail => JSON.parse(entry.Detail) as RunEventDetail;

describe('run event contract', () => {
  it('uses the documented source and detail type', () => {
    expect(RUN_EVENT_SOURCE).toBe('port25-canary');
    expect(RUN_EVENT_DETAIL_TYPE).toBe('Port25 Canary Run');
    expect(MAX_EVENT_ENTRY_BYTES).toBe(262_144);
  });
});

describe('putEventsEntrySize', () => {
  it('counts the UTF-8 bytes of Source, DetailType, Detail and Resources, and 14 for Time', () => {
    expect(putEventsEntrySize({ Source: 'ab', DetailType: 'c', Detail: '{"é":1}' })).toBe(2 + 1 + 8);
    expect(putEventsEntrySize({ Source: 'ab', DetailType: 'c', Resources: ['xy', 'z'], Time: new Date() })).toBe(
      2 + 1 + 3 + 14,
    );
  });

  it('counts nothing for a null Time, as for none', () => {
    expect(putEventsEntrySize({ Source: 'ab', DetailType: 'c', Time: null })).toBe(2 + 1);
  });
});

describe('runEventEntry', () => {
  it('puts the whole report on the default bus when it fits', () => {
    const entry = runEventEntry(report([target('a', 'pass'), target('b', 'fail')]));

    expect(entry).toMatchObject({
      Source: 'port25-canary',
      DetailType: 'Port25 Canary Run',
      EventBusName: 'default',
    });
    expect(detailOf(entry)).toEqual({
      runId: 'run-1',
      canary: 'mail-egress',
      startedAt: '2030-01-01T00:00:00.000Z',
      finishedAt: '2030-01-01T00:02:00.000Z',
      released: false,
      summary: { pass: 1, fail: 1, inconclusive: 0 },
      restriction: restrictionReport([], false),
      targets: [
        { target: 'a', verdict: 'pass', outcome: 'timeout', evidence: 'evidence for a', diagnosis: 'probe says so' },
        { target: 'b', verdict: 'fail', outcome: 'open', evidence: 'evidence for b', diagnosis: 'probe says so' },
      ],
      omitted: { count: 0, verdicts: { pass: 0, fail: 0, inconclusive: 0 } },
    });
  });

  it('above the entry limit keeps the failed and inconclusive targets and counts the passes', () => {
    // 1000 targets with 400-byte diagnoses: about 500 KB in all, twice the limit.
    const long = 'x'.repeat(400);
    const results = Array.from({ length: 1000 }, (_, index) =>
      target(`t${index}`, index % 100 === 0 ? 'fail' : index % 100 === 1 ? 'inconclusive' : 'pass', long),
    );

    const entry = runEventEntry(report(results));

    expect(putEventsEntrySize(entry)).toBeLessThanOrEqual(MAX_EVENT_ENTRY_BYTES);
    const detail = detailOf(entry);
    expect(detail.targets.filter((kept) => kept.verdict === 'fail')).toHaveLength(10);
    expect(detail.targets.filter((kept) => kept.verdict === 'inconclusive')).toHaveLength(10);
    expect(detail.targets.filter((kept) => kept.verdict === 'pass')).toHaveLength(0);
    expect(detail.omitted).toEqual({ count: 980, verdicts: { pass: 980, fail: 0, inconclusive: 0 } });
    expect(detail.summary).toEqual({ pass: 980, fail: 10, inconclusive: 10 });
  });

  it('when even those do not fit, keeps as many failed targets as fit, then inconclusive ones', () => {
    const long = 'y'.repeat(2000);
    const results = Array.from({ length: 300 }, (_, index) =>
      target(`t${index}`, index < 100 ? 'inconclusive' : 'fail', long),
    );

    const entry = runEventEntry(report(results));

    expect(putEventsEntrySize(entry)).toBeLessThanOrEqual(MAX_EVENT_ENTRY_BYTES);
    const detail = detailOf(entry);
    expect(detail.targets.every((kept) => kept.verdict === 'fail')).toBe(true);
    expect(detail.targets.length).toBeGreaterThan(100);
    expect(detail.omitted.count + detail.targets.length).toBe(300);
    expect(detail.omitted.verdicts).toEqual({ pass: 0, fail: 200 - detail.targets.length, inconclusive: 100 });
    // As many as fit: one more would not.
    const oneMore = runEventEntry(report(results), 'default', putEventsEntrySize(entry) - 1);
    expect(detailOf(oneMore).targets.length).toBe(detail.targets.length - 1);
  });

  it('keeps every target when the entry is exactly the limit', () => {
    const results = [target('p', 'pass'), target('f', 'fail')];
    const fullSize = putEventsEntrySize(runEventEntry(report(results)));

    const entry = runEventEntry(report(results), 'default', fullSize);

    expect(detailOf(entry).targets.map((kept) => kept.target)).toEqual(['p', 'f']);
  });

  it('keeps run order among the targets it keeps', () => {
    const results = [target('p', 'pass', 'z'.repeat(300)), target('f', 'fail'), target('i', 'inconclusive')];
    const fullSize = putEventsEntrySize(runEventEntry(report(results)));

    const entry = runEventEntry(report(results), 'default', fullSize - 1);

    expect(detailOf(entry).targets.map((kept) => kept.target)).toEqual(['f', 'i']);
  });
});
