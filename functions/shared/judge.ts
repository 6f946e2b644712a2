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
export function combineVerdicts(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.length === 0 || verdicts.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}

/** Every attempt judged against one expectation, then combined. */
export function judgeAttempts(expected: Expectation, outcomes: readonly TargetOutcome[]): Verdict {
  return combineVerdicts(outcomes.map((outcome) => judgeOutcome(expected, outcome)));
}
