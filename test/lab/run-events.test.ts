import { describe, expect, it } from 'vitest';
import { EVIDENCE, type Verdict } from '../../functions/shared/judge.js';
import type { CanaryReport, TargetReport } from '../../functions/shared/report.js';
import { restrictionReport } from '../../functions/shared/restriction.js';
import { runEventEntry } from '../../functions/shared/run-event.js';
import { EventStore, eventBridgeService } from '../../lab/local-aws/eventbridge.js';
import { formatRunEvents, receivedRunEvents, runEventProblems } from '../../lab/run-events.js';

// What the lab checks and shows of the run events its local bus received, fed through the local PutEvents itself.

function target(name: string, verdict: Verdict, evidence: string): TargetReport {
  return {
    target: name,
    host: '198.51.100.66',
    port: 25,
    address: '198.51.100.66',
    expected: 'blocked',
    rule: 'auto: public address',
    outcome: 'timeout',
    verdict,
    evidence,
    diagnosis: 'a sentence',
    connectMs: null,
    greeting: null,
    taskArn: null,
    detail: null,
  };
}

const REPORT: CanaryReport = {
  runId: 'run-1',
  canary: 'p25lab',
  startedAt: '2030-01-01T00:00:00.000Z',
  finishedAt: '2030-01-01T00:01:00.000Z',
  released: false,
  results: [
    target('server-b', 'pass', EVIDENCE.portSpecificDrop),
    target('dark-public', 'inconclusive', EVIDENCE.deadPath),
  ],
  summary: { pass: 1, fail: 0, inconclusive: 1 },
  restriction: restrictionReport([], false),
};

/** The bus after the orchestrator's PutEvents of `report` (and an unrelated event before it). */
function busWith(report: CanaryReport, entry = runEventEntry(report)): EventStore {
  const store = new EventStore();
  const service = eventBridgeService(store);
  service.operations.PutEvents?.({
    Entries: [{ Source: 'aws.ecs', DetailType: 'ECS Task State Change', Detail: '{}' }, entry],
  } as never);
  return store;
}

describe('the run events a lab phase received', () => {
  it('keeps only the canary source, from the given position on', () => {
    const store = busWith(REPORT);

    expect(receivedRunEvents(store, 0).map((event) => event.detail.runId)).toEqual(['run-1']);
    expect(receivedRunEvents(store, 2)).toEqual([]);
  });

  it('agree with the report when one event on the default bus says what the report says', () => {
    const events = receivedRunEvents(busWith(REPORT), 0);

    expect(runEventProblems(events, REPORT, REPORT.restriction.state)).toEqual([]);
  });

  it('name a missing event, a second event, another bus and a verdict that differs from the report', () => {
    const twice = [...receivedRunEvents(busWith(REPORT), 0), ...receivedRunEvents(busWith(REPORT), 0)];
    const elsewhere = receivedRunEvents(busWith(REPORT, { ...runEventEntry(REPORT), EventBusName: 'other' }), 0);
    const otherVerdict = receivedRunEvents(
      busWith({ ...REPORT, results: [REPORT.results[0] as TargetReport, target('dark-public', 'pass', 'x')] }),
      0,
    );

    expect(runEventProblems([], REPORT, 'unknown')).toEqual(['the local bus received 0 run events, expected 1']);
    expect(runEventProblems(twice, REPORT, 'unknown')).toEqual(['the local bus received 2 run events, expected 1']);
    expect(runEventProblems(elsewhere, REPORT, 'unknown')).toEqual([
      'the run event went to the bus other, not default',
    ]);
    expect(runEventProblems(otherVerdict, REPORT, 'unknown')).toEqual([
      `the run event says dark-public pass (x), the report inconclusive (${EVIDENCE.deadPath})`,
    ]);
    expect(runEventProblems(receivedRunEvents(busWith(REPORT), 0), REPORT, 'in-effect')).toEqual([
      'the run event says the restriction is unknown, expected in-effect',
    ]);
  });

  it('show each event in one line, and each target that did not pass with its evidence', () => {
    const text = formatRunEvents(receivedRunEvents(busWith(REPORT), 0));

    expect(text).toBe(
      '  run event on the local bus default: port25-canary / Port25 Canary Run, run run-1, restriction unknown, 1 pass, 0 fail, 1 inconclusive\n' +
        `    dark-public: inconclusive, timeout: ${EVIDENCE.deadPath}\n`,
    );
    expect(formatRunEvents([])).toBe('  run events on the local bus: none\n');
  });
});
