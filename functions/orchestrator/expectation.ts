import type { CanaryTarget } from '../shared/config.js';
import { AddressParseError } from '../shared/errors.js';
import { combineJudgements, type Judgement, judgeOutcome } from '../shared/judge.js';
import type { ProbeOutcome, TargetOutcome } from '../shared/outcomes.js';
import { classify, type Expectation, notMailDestination, type RuleContext } from '../shared/port25-rule.js';

export interface TargetExpectation {
  /** Null when nothing can be expected: `auto` with no address to classify, or an address that is not a mail host. */
  readonly expected: Expectation | null;
  /** Which rule set it, in words. */
  readonly rule: string;
  /** Set when the address dialled is never a mail destination (loopback, link-local, ...): what it is, in words. */
  readonly notMailDestination?: string;
}

function notMailDestinationOf(address: string): string | null {
  try {
    return notMailDestination(address)?.description ?? null;
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: equivalent, notMailDestination throws only AddressParseError; the rethrow guards a future change
    if (error instanceof AddressParseError) return null;
    throw error;
  }
}

/**
 * An address that is never a mail destination sets no expectation; otherwise a configured expectation wins; `auto`
 * asks the port-25 rule about the address the probe actually dialled (a host name may resolve anywhere, so the
 * config's host alone cannot decide) on the target's port (off port 25 the rule expects open).
 */
export function expectationFor(target: CanaryTarget, address: string | null, context: RuleContext): TargetExpectation {
  // The config refuses such literals, so only a host name gets here: its DNS points at no mail server, whatever the
  // probe saw there proves nothing about the mail path (a dns-error of another kind).
  const notMail = address === null ? null : notMailDestinationOf(address);
  if (notMail !== null) {
    return { expected: null, rule: `${target.expect}: ${address} is ${notMail}`, notMailDestination: notMail };
  }
  if (target.expect !== 'auto') return { expected: target.expect, rule: `configured: ${target.expect}` };
  if (address === null) return { expected: null, rule: 'auto: no address was dialled, nothing to classify' };
  try {
    const verdict = classify(address, context, target.port);
    return { expected: verdict.expected, rule: `auto: ${verdict.rule}` };
  } catch (error) {
    if (!(error instanceof AddressParseError)) throw error;
    return { expected: null, rule: `auto: the probe reported an address that does not parse (${error.message})` };
  }
}

export interface JudgedAttempt {
  readonly expected: Expectation | null;
  /** Which rule set the expectation; the evidence when there is none. */
  readonly rule: string;
  readonly outcome: TargetOutcome;
  /** The control connect's outcome on this attempt's address; null when none was measured there. */
  readonly control: ProbeOutcome | null;
}

/**
 * Every attempt on the target's `port` must meet its own expectation (under `auto`, attempts may dial different
 * addresses): any failed attempt fails the target, an attempt that cannot be judged makes it inconclusive.
 */
export function judgeTargetAttempts(attempts: readonly JudgedAttempt[], port: number): Judgement {
  return combineJudgements(
    attempts.map(({ expected, rule, outcome, control }) =>
      expected === null
        ? { verdict: 'inconclusive', evidence: `no expectation (${rule})` }
        : judgeOutcome(expected, outcome, control, port),
    ),
  );
}
