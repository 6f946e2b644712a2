import { describe, expect, it } from 'vitest';
import {
  combineJudgements,
  controlSignal,
  EVIDENCE,
  evidenceFor,
  type Judgement,
  judgeOutcome,
  type Verdict,
} from '../../functions/shared/judge.js';
import type { ProbeOutcome, TargetOutcome } from '../../functions/shared/outcomes.js';

// Literals on purpose: these sentences are the contract the report, the event and the docs carry.
const PORT_SPECIFIC_DROP = 'port-25-specific drop';
const DEAD_PATH = 'no path on any port: the throttle cannot be told from a dead path';
const NO_CONTROL_PORT = 'consistent with the throttle, unproven (no control port)';

const CONTROL_OUTCOMES: readonly (ProbeOutcome | null)[] = ['open', 'refused', 'timeout', 'unreachable', 'error', null];

describe('judgeOutcome: expected blocked, port 25 timed out', () => {
  it.each<[ProbeOutcome | null, Verdict, string]>([
    ['open', 'pass', PORT_SPECIFIC_DROP],
    ['refused', 'pass', PORT_SPECIFIC_DROP],
    ['timeout', 'inconclusive', DEAD_PATH],
    ['unreachable', 'inconclusive', DEAD_PATH],
    [null, 'pass', NO_CONTROL_PORT],
    ['error', 'pass', 'consistent with the throttle, unproven (the control connect could not be tried)'],
  ])('with the control port %s it is %s: %s', (control, verdict, evidence) => {
    expect(judgeOutcome('blocked', 'timeout', control, 25)).toEqual({ verdict, evidence });
  });
});

describe('judgeOutcome: expected open, port 25 timed out', () => {
  it.each<[ProbeOutcome | null, string]>([
    ['open', "port-25-specific drop: the throttle's signature"],
    ['refused', "port-25-specific drop: the throttle's signature"],
    ['timeout', 'no path on any port: port 25 and the control port both dark'],
    ['unreachable', 'no path on any port: port 25 and the control port both dark'],
    [null, 'no answer on port 25 (no control port to tell the throttle from a dead path)'],
    ['error', 'no answer on port 25 (the control connect could not be tried)'],
  ])('with the control port %s it fails: %s', (control, evidence) => {
    expect(judgeOutcome('open', 'timeout', control, 25)).toEqual({ verdict: 'fail', evidence });
  });
});

describe('judgeOutcome: outcomes the control port does not change', () => {
  it.each<[TargetOutcome, Verdict, string]>([
    ['open', 'pass', 'port 25 connected and the server greeted'],
    ['refused', 'fail', 'the host refused port 25 (reset)'],
    ['unreachable', 'fail', 'ICMP unreachable: no route to the host'],
    ['banner-timeout', 'fail', 'port 25 connected but the server sent no greeting'],
    ['protocol-error', 'fail', 'port 25 connected but the SMTP dialogue broke'],
    ['tls-error', 'fail', 'port 25 connected but STARTTLS failed'],
    ['dns-error', 'inconclusive', 'the host name did not resolve: nothing was dialled'],
    ['task-failed', 'inconclusive', 'the probe task produced no result: port 25 was not tested'],
    ['error', 'inconclusive', 'the probe failed locally: port 25 was not tested'],
  ])('expected open, %s is %s: %s', (outcome, verdict, evidence) => {
    for (const control of CONTROL_OUTCOMES) {
      expect(judgeOutcome('open', outcome, control, 25)).toEqual({ verdict, evidence });
    }
  });

  it.each<[TargetOutcome, Verdict, string]>([
    ['open', 'fail', 'port 25 connected: the block is not in effect'],
    ['refused', 'fail', 'the host refused port 25 (reset): the SYN got through, the block is not in effect'],
    ['banner-timeout', 'fail', 'port 25 connected but the server sent no greeting: the block is not in effect'],
    ['protocol-error', 'fail', 'port 25 connected but the SMTP dialogue broke: the block is not in effect'],
    ['tls-error', 'fail', 'port 25 connected but STARTTLS failed: the block is not in effect'],
    ['unreachable', 'inconclusive', 'ICMP unreachable: the throttle drops silently, so something else answered'],
    ['dns-error', 'inconclusive', 'the host name did not resolve: nothing was dialled'],
    ['task-failed', 'inconclusive', 'the probe task produced no result: port 25 was not tested'],
    ['error', 'inconclusive', 'the probe failed locally: port 25 was not tested'],
  ])('expected blocked, %s is %s: %s', (outcome, verdict, evidence) => {
    for (const control of CONTROL_OUTCOMES) {
      expect(judgeOutcome('blocked', outcome, control, 25)).toEqual({ verdict, evidence });
    }
  });
});

describe('controlSignal', () => {
  it.each<[ProbeOutcome | null, string]>([
    ['open', 'answered'],
    ['refused', 'answered'],
    ['timeout', 'dark'],
    ['unreachable', 'dark'],
    ['error', 'failed'],
    [null, 'absent'],
  ])('reads a control port that was %s as %s', (control, signal) => {
    expect(controlSignal(control)).toBe(signal);
  });
});

const pass = (evidence: string): Judgement => ({ verdict: 'pass', evidence });
const fail = (evidence: string): Judgement => ({ verdict: 'fail', evidence });
const inconclusive = (evidence: string): Judgement => ({ verdict: 'inconclusive', evidence });

describe('combineJudgements', () => {
  it('passes with the shared evidence when every attempt passed alike', () => {
    expect(combineJudgements([pass(PORT_SPECIFIC_DROP), pass(PORT_SPECIFIC_DROP)])).toEqual(pass(PORT_SPECIFIC_DROP));
  });

  it('fails on the first failed attempt, naming it, even when another was inconclusive', () => {
    expect(combineJudgements([pass('a'), inconclusive('b'), fail('c'), fail('d')])).toEqual(fail('attempt 3: c'));
  });

  it('is inconclusive on the first attempt when it was inconclusive and a later one passed', () => {
    expect(combineJudgements([inconclusive('x'), pass('y')])).toEqual(inconclusive('attempt 1: x'));
  });

  it('is inconclusive on a dead path even when an earlier attempt passed', () => {
    expect(combineJudgements([pass(NO_CONTROL_PORT), inconclusive(DEAD_PATH)])).toEqual(
      inconclusive(`attempt 2: ${DEAD_PATH}`),
    );
  });

  it('takes the last attempt’s evidence for a pass: the control port was measured beside it', () => {
    expect(combineJudgements([pass(NO_CONTROL_PORT), pass(PORT_SPECIFIC_DROP)])).toEqual(
      pass(`attempt 2: ${PORT_SPECIFIC_DROP}`),
    );
  });

  it('is inconclusive without any attempt: a pass is never assumed', () => {
    expect(combineJudgements([])).toEqual(inconclusive('no attempt was judged'));
  });
});

describe('judgeOutcome off port 25', () => {
  it.each<[ProbeOutcome | null, string]>([
    ['open', "port-587-specific drop: not AWS's throttle, which covers port 25 only"],
    ['timeout', 'no path on any port: port 587 and the control port both dark'],
    [null, 'no answer on port 587 (no control port to tell a port-587 block from a dead path)'],
    ['error', 'no answer on port 587 (the control connect could not be tried)'],
  ])('expected open, a timeout with the control port %s fails: %s', (control, evidence) => {
    expect(judgeOutcome('open', 'timeout', control, 587)).toEqual({ verdict: 'fail', evidence });
  });

  it.each<[ProbeOutcome | null, Verdict, string]>([
    ['refused', 'pass', 'port-587-specific drop'],
    ['unreachable', 'inconclusive', 'no path on any port: a port-587 block cannot be told from a dead path'],
    [null, 'pass', 'consistent with a port-587 block, unproven (no control port)'],
    ['error', 'pass', 'consistent with a port-587 block, unproven (the control connect could not be tried)'],
  ])('expected blocked, a timeout with the control port %s is %s: %s', (control, verdict, evidence) => {
    expect(judgeOutcome('blocked', 'timeout', control, 587)).toEqual({ verdict, evidence });
  });

  it.each<[TargetOutcome, Verdict, string]>([
    ['open', 'pass', 'port 587 connected and the server greeted'],
    ['refused', 'fail', 'the host refused port 587 (reset)'],
    ['banner-timeout', 'fail', 'port 587 connected but the server sent no greeting'],
    ['protocol-error', 'fail', 'port 587 connected but the SMTP dialogue broke'],
    ['tls-error', 'fail', 'port 587 connected but STARTTLS failed'],
    ['task-failed', 'inconclusive', 'the probe task produced no result: port 587 was not tested'],
    ['error', 'inconclusive', 'the probe failed locally: port 587 was not tested'],
  ])('expected open, %s is %s: %s', (outcome, verdict, evidence) => {
    expect(judgeOutcome('open', outcome, null, 587)).toEqual({ verdict, evidence });
  });

  it.each<[TargetOutcome, Verdict, string]>([
    ['open', 'fail', 'port 587 connected: the block is not in effect'],
    ['refused', 'fail', 'the host refused port 587 (reset): the SYN got through, the block is not in effect'],
    ['tls-error', 'fail', 'port 587 connected but STARTTLS failed: the block is not in effect'],
    ['unreachable', 'inconclusive', 'ICMP unreachable: a silent drop was expected, so something else answered'],
  ])('expected blocked, %s is %s: %s', (outcome, verdict, evidence) => {
    expect(judgeOutcome('blocked', outcome, null, 587)).toEqual({ verdict, evidence });
  });

  it('spells out port 25’s words in EVIDENCE', () => {
    expect(evidenceFor(25)).toEqual(EVIDENCE);
    expect(evidenceFor(2525).portSpecificDrop).toBe('port-2525-specific drop');
  });
});
