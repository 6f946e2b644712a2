import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../functions/shared/judge.js';
import type { CanaryReport, TargetReport } from '../../functions/shared/report.js';
import { restrictionReport } from '../../functions/shared/restriction.js';
import {
  deliveredEventSize,
  MAX_EVENT_ENTRY_BYTES,
  putEventsEntrySize,
  RUN_EVENT_DETAIL_TYPE,
  RUN_EVENT_SOURCE,
  type RunEventDetail,
  runEventEntry,
  SNS_MAX_MESSAGE_BYTES,
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
    expect(SNS_MAX_MESSAGE_BYTES).toBe(262_144);
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
    const oneMore = runEventEntry(report(results), 'default', deliveredEventSize(entry) - 1);
    expect(detailOf(oneMore).targets.length).toBe(detail.targets.length - 1);
  });

  it('keeps every target when the delivered event is exactly the limit', () => {
    const results = [target('p', 'pass'), target('f', 'fail')];
    const fullSize = deliveredEventSize(runEventEntry(report(results)));

    const entry = runEventEntry(report(results), 'default', fullSize);

    expect(detailOf(entry).targets.map((kept) => kept.target)).toEqual(['p', 'f']);
  });

  it('keeps run order among the targets it keeps', () => {
    const results = [target('p', 'pass', 'z'.repeat(300)), target('f', 'fail'), target('i', 'inconclusive')];
    const fullSize = deliveredEventSize(runEventEntry(report(results)));

    const entry = runEventEntry(report(results), 'default', fullSize - 1);

    expect(detailOf(entry).targets.map((kept) => kept.target)).toEqual(['f', 'i']);
  });
});

/** The event as EventBridge delivers it to a target, and so the message an SNS target publishes. */
function delivered(entry: { Source: string; DetailType: string; Detail: string }, region: string, replay?: string) {
  return JSON.stringify({
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '111122223333',
    time: '2030-01-01T00:02:01Z',
    region,
    resources: [],
    ...(replay === undefined ? {} : { 'replay-name': replay }),
    detail: JSON.parse(entry.Detail),
  });
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

// 1000 targets (about 200 KB) whose whole event entry is `entryBytes`: the last one's diagnosis padded to make it so.
function thousandTargets(entryBytes: number, verdictOf: (index: number) => Verdict): CanaryReport {
  const results = Array.from({ length: 1000 }, (_, index) =>
    target(`target-${index}`, verdictOf(index), 'd'.repeat(100)),
  );
  const base = putEventsEntrySize(runEventEntry(report(results), 'default', Number.MAX_SAFE_INTEGER));
  const last = results[999] as TargetReport;
  results[999] = { ...last, diagnosis: last.diagnosis + 'p'.repeat(entryBytes - base) };
  return report(results);
}

describe('runEventEntry: the delivered event', () => {
  it('counts the longest envelope EventBridge wraps around the Detail', () => {
    const entry = runEventEntry(report([target('a', 'fail')]));
    const longest = delivered(entry, 'r'.repeat(32), 'n'.repeat(64));

    expect(deliveredEventSize(entry)).toBe(bytes(longest));
    expect(bytes(delivered(entry, 'ap-southeast-5'))).toBeLessThan(deliveredEventSize(entry));
    expect(deliveredEventSize(entry) - putEventsEntrySize(entry)).toBe(bytes(longest) - bytes(entry.Detail) - 30);
  });

  it('fits a 1000-target run whose entry fits but whose delivered event would not', () => {
    const run = thousandTargets(MAX_EVENT_ENTRY_BYTES - 10, (index) => (index % 2 === 0 ? 'fail' : 'pass'));
    expect(putEventsEntrySize(runEventEntry(run, 'default', Number.MAX_SAFE_INTEGER))).toBe(MAX_EVENT_ENTRY_BYTES - 10);

    const entry = runEventEntry(run);
    const message = delivered(entry, 'eu-west-1', 'n'.repeat(64));

    expect(bytes(message)).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    expect(putEventsEntrySize(entry)).toBeLessThanOrEqual(MAX_EVENT_ENTRY_BYTES);
    expect(detailOf(entry).omitted).toEqual({ count: 500, verdicts: { pass: 500, fail: 0, inconclusive: 0 } });
  });

  it('fits a 1000-target run of failures twice the limit, keeping as many as fit', () => {
    const results = Array.from({ length: 1000 }, (_, index) => target(`target-${index}`, 'fail', 'd'.repeat(420)));
    const run = report(results);

    const entry = runEventEntry(run);

    expect(bytes(delivered(entry, 'r'.repeat(32), 'n'.repeat(64)))).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    expect(detailOf(entry).targets.length + detailOf(entry).omitted.count).toBe(1000);
    expect(detailOf(entry).targets.length).toBeGreaterThan(400);
  });

  it('keeps within the entry limit whatever the delivered budget', () => {
    const run = thousandTargets(MAX_EVENT_ENTRY_BYTES + 1, () => 'fail');

    const entry = runEventEntry(run, 'default', Number.MAX_SAFE_INTEGER);

    expect(putEventsEntrySize(entry)).toBeLessThanOrEqual(MAX_EVENT_ENTRY_BYTES);
    expect(detailOf(entry).omitted.count).toBe(1);
  });

  it('writes the Detail as ASCII, escaping every other character, so re-encoding cannot grow it', () => {
    const entry = runEventEntry(report([target('a', 'fail', 'greeting «220 mx» \u2028 \u{1f4e7} \u007f')]));

    expect(entry.Detail).toMatch(/^[\x20-\x7e]+$/);
    expect(entry.Detail).toContain('greeting \\u00ab220 mx\\u00bb \\u2028 \\ud83d\\udce7 \\u007f');
    expect(detailOf(entry).targets[0]?.diagnosis).toBe('greeting «220 mx» \u2028 \u{1f4e7} \u007f');
  });
});
