import type { TargetOutcome } from './outcomes.js';
import type { Expectation } from './port25-rule.js';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/**
 * The judge table. `unreachable` fails an expected-open target (the path is broken) but cannot prove a block:
 * AWS's throttle drops silently, so an ICMP error comes from something else and the run is inconclusive.
 */
const VERDICTS: Readonly<Record<Expectation, Readonly<Record<TargetOutcome, Verdict>>>> = {
  open: {
    open: 'pass',
    timeout: 'fail',
    refused: 'fail',
    unreachable: 'fail',
    'banner-timeout': 'fail',
    'protocol-error': 'fail',
    'tls-error': 'fail',
    'dns-error': 'inconclusive',
    'task-failed': 'inconclusive',
    error: 'inconclusive',
  },
  blocked: {
    timeout: 'pass',
    open: 'fail',
    refused: 'fail',
    'banner-timeout': 'fail',
    'protocol-error': 'fail',
    'tls-error': 'fail',
    unreachable: 'inconclusive',
    'dns-error': 'inconclusive',
    'task-failed': 'inconclusive',
    error: 'inconclusive',
  },
};

export function judgeOutcome(expected: Expectation, outcome: TargetOutcome): Verdict {
  return VERDICTS[expected][outcome];
}

/** A target passes only when every attempt passes; any failed attempt fails it; otherwise it is inconclusive. */
export function judgeAttempts(expected: Expectation, outcomes: readonly TargetOutcome[]): Verdict {
  if (outcomes.length === 0) return 'inconclusive';
  const verdicts = outcomes.map((outcome) => judgeOutcome(expected, outcome));
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}
