import type { CanaryTarget } from '../shared/config.js';
import { AddressParseError } from '../shared/errors.js';
import { combineVerdicts, judgeOutcome, type Verdict } from '../shared/judge.js';
import type { TargetOutcome } from '../shared/outcomes.js';
import { classify, type Expectation, type RuleContext } from '../shared/port25-rule.js';

export interface TargetExpectation {
  /** Null when the expectation is `auto` and there is no address to classify. */
  readonly expected: Expectation | null;
  /** Which rule set it, in words. */
  readonly rule: string;
}

/**
 * A configured expectation wins; `auto` asks the port-25 rule about the address the probe actually dialled
 * (a host name may resolve anywhere, so the config's host alone cannot decide).
 */
export function expectationFor(target: CanaryTarget, address: string | null, context: RuleContext): TargetExpectation {
  if (target.expect !== 'auto') return { expected: target.expect, rule: `configured: ${target.expect}` };
  if (address === null) return { expected: null, rule: 'auto: no address was dialled, nothing to classify' };
  try {
    const verdict = classify(address, context);
    return { expected: verdict.expected, rule: `auto: ${verdict.rule}` };
  } catch (error) {
    if (!(error instanceof AddressParseError)) throw error;
    return { expected: null, rule: `auto: the probe reported an address that does not parse (${error.message})` };
  }
}

export interface JudgedAttempt {
  readonly expected: Expectation | null;
  readonly outcome: TargetOutcome;
}

/**
 * Every attempt must meet its own expectation (under `auto`, attempts may dial different addresses): any failed
 * attempt fails the target, an attempt that cannot be judged makes it inconclusive.
 */
export function verdictFor(attempts: readonly JudgedAttempt[]): Verdict {
  return combineVerdicts(
    attempts.map(({ expected, outcome }) => (expected === null ? 'inconclusive' : judgeOutcome(expected, outcome))),
  );
}
