import type { ProbeOutcome, TargetOutcome } from './outcomes.js';
import { type Expectation, RESTRICTED_PORT } from './port25-rule.js';

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

/** The judge's words for a port-25 drop: port 25's `evidenceFor`, spelt out so that nothing runs at load. */
export const EVIDENCE = {
  portSpecificDrop: 'port-25-specific drop',
  deadPath: 'no path on any port: the throttle cannot be told from a dead path',
  unprovenThrottle: 'consistent with the throttle, unproven (no control port)',
  unprovenControlFailed: 'consistent with the throttle, unproven (the control connect could not be tried)',
} as const;

/** What would drop the port silently: AWS's throttle on port 25; on another port only a block someone configured. */
function blockerOf(port: number): string {
  return port === RESTRICTED_PORT ? 'the throttle' : `a port-${port} block`;
}

/** The judge's words that name a drop, for the port judged (`EVIDENCE` for port 25). */
export function evidenceFor(port: number): Readonly<Record<keyof typeof EVIDENCE, string>> {
  const blocker = blockerOf(port);
  return {
    portSpecificDrop: `port-${port}-specific drop`,
    deadPath: `no path on any port: ${blocker} cannot be told from a dead path`,
    unprovenThrottle: `consistent with ${blocker}, unproven (no control port)`,
    unprovenControlFailed: `consistent with ${blocker}, unproven (the control connect could not be tried)`,
  };
}

type Cell = Judgement | Readonly<Record<ControlSignal, Judgement>>;

const judged = (verdict: Verdict, evidence: string): Judgement => ({ verdict, evidence });

/**
 * The judge table for one port: expectation × outcome, and for a timeout also × what the control port showed. AWS's
 * throttle drops silently and only port 25, so a timeout proves the throttle only when the same address answered on
 * the control port; when every port is dark, the path is dead (security group, NACL, route, host) and a block is
 * unproven. `unreachable` fails an expected-open target (the path is broken) but cannot prove a block: the throttle
 * sends no ICMP, so the error came from something else. Every cell names the port judged: on a port other than 25 a
 * drop is never the throttle's.
 */
function judgeTable(port: number): Readonly<Record<Expectation, Readonly<Record<TargetOutcome, Cell>>>> {
  const words = evidenceFor(port);
  const blocker = blockerOf(port);
  const throttleCovers = port === RESTRICTED_PORT;
  const smtpAfterConnect = {
    'banner-timeout': `port ${port} connected but the server sent no greeting`,
    'protocol-error': `port ${port} connected but the SMTP dialogue broke`,
    'tls-error': `port ${port} connected but STARTTLS failed`,
  } as const;
  const notTested = {
    'dns-error': 'the host name did not resolve: nothing was dialled',
    'task-failed': `the probe task produced no result: port ${port} was not tested`,
    error: `the probe failed locally: port ${port} was not tested`,
  } as const;
  return {
    open: {
      open: judged('pass', `port ${port} connected and the server greeted`),
      timeout: {
        answered: judged(
          'fail',
          throttleCovers
            ? `${words.portSpecificDrop}: the throttle's signature`
            : `${words.portSpecificDrop}: not AWS's throttle, which covers port ${RESTRICTED_PORT} only`,
        ),
        dark: judged('fail', `no path on any port: port ${port} and the control port both dark`),
        absent: judged('fail', `no answer on port ${port} (no control port to tell ${blocker} from a dead path)`),
        failed: judged('fail', `no answer on port ${port} (the control connect could not be tried)`),
      },
      refused: judged('fail', `the host refused port ${port} (reset)`),
      unreachable: judged('fail', 'ICMP unreachable: no route to the host'),
      ...mapValues(smtpAfterConnect, (evidence) => judged('fail', evidence)),
      ...mapValues(notTested, (evidence) => judged('inconclusive', evidence)),
    },
    blocked: {
      timeout: {
        answered: judged('pass', words.portSpecificDrop),
        dark: judged('inconclusive', words.deadPath),
        absent: judged('pass', words.unprovenThrottle),
        failed: judged('pass', words.unprovenControlFailed),
      },
      open: judged('fail', `port ${port} connected: the block is not in effect`),
      refused: judged('fail', `the host refused port ${port} (reset): the SYN got through, the block is not in effect`),
      ...mapValues(smtpAfterConnect, (evidence) => judged('fail', `${evidence}: the block is not in effect`)),
      unreachable: judged(
        'inconclusive',
        `ICMP unreachable: ${throttleCovers ? 'the throttle drops silently' : 'a silent drop was expected'}, so something else answered`,
      ),
      ...mapValues(notTested, (evidence) => judged('inconclusive', evidence)),
    },
  };
}

function mapValues<K extends string, V, W>(record: Readonly<Record<K, V>>, map: (value: V) => W): Record<K, W> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value as V)])) as Record<K, W>;
}

function isJudgement(cell: Cell): cell is Judgement {
  return 'verdict' in cell;
}

/**
 * One observation on `port` against its expectation; `control` is the control connect's outcome on the same address,
 * if any.
 */
export function judgeOutcome(
  expected: Expectation,
  outcome: TargetOutcome,
  control: ProbeOutcome | null,
  port: number,
): Judgement {
  const cell = judgeTable(port)[expected][outcome];
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
