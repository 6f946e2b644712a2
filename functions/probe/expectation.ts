import { UsageError } from '../shared/command-line/usage-error.js';
import { combineJudgements, type Judgement, judgeOutcome } from '../shared/judge.js';
import { classify, type Expectation, parseCidr, type RuleContext } from '../shared/port25-rule.js';
import type { ProbeAttempt, ProbeExpectation, ProbeResult } from '../shared/probe-result.js';

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

/**
 * One attempt against the rule for the address and port it dialled, by the orchestrator's judge table: a timeout
 * proves the block only beside a control port that answered. The control connect is made beside the last attempt, on the address
 * it ended on, so only attempts that dialled that address share its evidence.
 */
function judgeAttempt(
  attempt: ProbeAttempt,
  result: ProbeResult,
  lastExpected: Expectation,
  context: RuleContext,
): Judgement {
  const expected = attempt.address === null ? lastExpected : classify(attempt.address, context, result.port).expected;
  const control =
    attempt.address !== null && attempt.address === result.address ? (result.control?.outcome ?? null) : null;
  return judgeOutcome(expected, attempt.outcome, control, result.port);
}

const MATCHES_BY_VERDICT = { pass: true, fail: false, inconclusive: null } as const;

export const port25ExpectationRule: ExpectationRule = {
  validate(context) {
    if (context.vpcPrimaryCidr === undefined) return;
    try {
      parseCidr(context.vpcPrimaryCidr);
    } catch (cause) {
      throw new UsageError(`--vpc-cidr: ${(cause as Error).message}`, { cause });
    }
  },
  // Judged on the address actually dialled and the port probed (off port 25 the rule expects open); nothing to judge
  // when nothing was dialled (DNS failure).
  expectationFor(result, context) {
    if (result.address === null) return undefined;
    const { expected, rule } = classify(result.address, context, result.port);
    const { verdict, evidence } = combineJudgements(
      result.attempts.map((attempt) => judgeAttempt(attempt, result, expected, context)),
    );
    return { expected, rule, matches: MATCHES_BY_VERDICT[verdict], evidence };
  },
};
