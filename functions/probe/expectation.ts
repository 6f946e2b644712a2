import { UsageError } from '../shared/command-line/usage-error.js';
import type { ProbeOutcome } from '../shared/outcomes.js';
import { classify, type Expectation, parseCidr, type RuleContext } from '../shared/port25-rule.js';
import type { ProbeExpectation, ProbeResult } from '../shared/probe-result.js';

/**
 * Judging results against AWS's port-25 rule (--vpc-cidr, --released). A capability handed to the probe program, so
 * the probe container, which never gets these flags from the orchestrator, can leave the rule engine (and ip-address,
 * two thirds of its bundle) out.
 */
export interface ExpectationRule {
  /** Throws UsageError naming the flag when the context does not parse. */
  validate(context: RuleContext): void;
  expectationFor(result: ProbeResult, context: RuleContext): ProbeExpectation | undefined;
}

/** What an outcome proves about the rule: open proves open, timeout proves blocked, anything else proves neither. */
export function expectationMatches(expected: Expectation, outcome: ProbeOutcome): boolean | null {
  if (outcome === 'open') return expected === 'open';
  if (outcome === 'timeout') return expected === 'blocked';
  return null;
}

export const port25ExpectationRule: ExpectationRule = {
  validate(context) {
    if (context.vpcPrimaryCidr === undefined) return;
    try {
      parseCidr(context.vpcPrimaryCidr);
    } catch (cause) {
      throw new UsageError(`--vpc-cidr: ${(cause as Error).message}`, { cause });
    }
  },
  // Judged on the address actually dialled; nothing to judge when nothing was dialled (DNS failure).
  expectationFor(result, context) {
    if (result.address === null) return undefined;
    const verdict = classify(result.address, context);
    return {
      expected: verdict.expected,
      rule: verdict.rule,
      matches: expectationMatches(verdict.expected, result.outcome),
    };
  },
};
