import type { ProbeOutcome, TargetOutcome } from './outcomes.js';
import type { Expectation } from './port25-rule.js';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** A verdict and why: the evidence the observation gives for it, in words. */
export interface Judgement {
  readonly verdict: Verdict;
  readonly evidence: string;
}

/**
 * What the control port (a bare TCP connect to a second port of the same address, beside the port-25 attempt) says
 * about the path: `answered` (connected or reset: the host is reachable, so a port-25 timeout is specific to port 25),
 * `dark` (timed out or ICMP unreachable: nothing gets through on any port), `absent` (no control port configured, or
 * none measured for this address), `failed` (the connect could not be tried: a local error).
 */
export type ControlSignal = 'answered' | 'dark' | 'absent' | 'failed';

/** The control connect's outcome for the address judged; null when none was measured. */
export function controlSignal(control: ProbeOutcome | null): ControlSignal {
  if (control === null) return 'absent';
  if (control === 'open' || control === 'refused') return 'answered';
  if (control === 'timeout' || control === 'unreachable') return 'dark';
  return 'failed';
}

export const EVIDENCE = {
  portSpecificDrop: 'port-25-specific drop',
  deadPath: 'no path on any port: the throttle cannot be told from a dead path',
  unprovenThrottle: 'consistent with the throttle, unproven (no control port)',
  unprovenControlFailed: 'consistent with the throttle, unproven (the control connect could not be tried)',
} as const;

type Cell = Judgement | Readonly<Record<ControlSignal, Judgement>>;

const judged = (verdict: Verdict, evidence: string): Judgement => ({ verdict, evidence });

const SMTP_AFTER_CONNECT = {
  'banner-timeout': 'port 25 connected but the server sent no greeting',
  'protocol-error': 'port 25 connected but the SMTP dialogue broke',
  'tls-error': 'port 25 connected but STARTTLS failed',
} as const;

const NOT_TESTED = {
  'dns-error': 'the host name did not resolve: nothing was dialled',
  'task-failed': 'the probe task produced no result: port 25 was not tested',
  error: 'the probe failed locally: port 25 was not tested',
} as const;

/**
 * The judge table: expectation × outcome, and for a timeout also × what the control port showed. AWS's throttle drops
 * silently and only port 25, so a timeout proves the throttle only when the same address answered on the control port;
 * when every port is dark, the path is dead (security group, NACL, route, host) and a block is unproven.
 * `unreachable` fails an expected-open target (the path is broken) but cannot prove a block: the throttle sends no
 * ICMP, so the error came from something else.
 */
const JUDGE_TABLE: Readonly<Record<Expectation, Readonly<Record<TargetOutcome, Cell>>>> = {
  open: {
    open: judged('pass', 'port 25 connected and the server greeted'),
    timeout: {
      answered: judged('fail', `${EVIDENCE.portSpecificDrop}: the throttle's signature`),
      dark: judged('fail', 'no path on any port: port 25 and the control port both dark'),
      absent: judged('fail', 'no answer on port 25 (no control port to tell the throttle from a dead path)'),
      failed: judged('fail', 'no answer on port 25 (the control connect could not be tried)'),
    },
    refused: judged('fail', 'the host refused port 25 (reset)'),
    unreachable: judged('fail', 'ICMP unreachable: no route to the host'),
    ...mapValues(SMTP_AFTER_CONNECT, (evidence) => judged('fail', evidence)),
    ...mapValues(NOT_TESTED, (evidence) => judged('inconclusive', evidence)),
  },
  blocked: {
    timeout: {
      answered: judged('pass', EVIDENCE.portSpecificDrop),
      dark: judged('inconclusive', EVIDENCE.deadPath),
      absent: judged('pass', EVIDENCE.unprovenThrottle),
      failed: judged('pass', EVIDENCE.unprovenControlFailed),
    },
    open: judged('fail', 'port 25 connected: the block is not in effect'),
    refused: judged('fail', 'the host refused port 25 (reset): the SYN got through, the block is not in effect'),
    ...mapValues(SMTP_AFTER_CONNECT, (evidence) => judged('fail', `${evidence}: the block is not in effect`)),
    unreachable: judged('inconclusive', 'ICMP unreachable: the throttle drops silently, so something else answered'),
    ...mapValues(NOT_TESTED, (evidence) => judged('inconclusive', evidence)),
  },
};

function mapValues<K extends string, V, W>(record: Readonly<Record<K, V>>, map: (value: V) => W): Record<K, W> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value as V)])) as Record<K, W>;
}

function isJudgement(cell: Cell): cell is Judgement {
  return 'verdict' in cell;
}

/** One observation against its expectation; `control` is the control connect's outcome on the same address, if any. */
export function judgeOutcome(expected: Expectation, outcome: TargetOutcome, control: ProbeOutcome | null): Judgement {
  const cell = JUDGE_TABLE[expected][outcome];
  return isJudgement(cell) ? cell : cell[controlSignal(control)];
}

/**
 * Several attempts' judgements as one: any failed attempt fails the target, else any attempt that could not tell makes
 * it inconclusive, else it passes; never a pass without an attempt. The evidence is the deciding attempt's: the first
 * failed, else the first inconclusive, else the last (the one the control port was measured beside), numbered when
 * attempts disagree.
 */
export function combineJudgements(judgements: readonly Judgement[]): Judgement {
  if (judgements.length === 0) return judged('inconclusive', 'no attempt was judged');
  const index = decidingIndex(judgements);
  const deciding = judgements[index] as Judgement;
  const agree = judgements.every((judgement) => judgement.evidence === deciding.evidence);
  return agree ? deciding : judged(deciding.verdict, `attempt ${index + 1}: ${deciding.evidence}`);
}

function decidingIndex(judgements: readonly Judgement[]): number {
  const failed = judgements.findIndex((judgement) => judgement.verdict === 'fail');
  if (failed >= 0) return failed;
  const inconclusive = judgements.findIndex((judgement) => judgement.verdict === 'inconclusive');
  if (inconclusive >= 0) return inconclusive;
  return judgements.length - 1;
}
