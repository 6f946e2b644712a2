import { describe, expect, it } from 'vitest';
import {
  EXIT_CODE_BY_OUTCOME,
  exitCodeForExpectationMatches,
  exitCodeForOutcomes,
  outcomeForExitCode,
  PROBE_OUTCOMES,
  summarizeAttempts,
  USAGE_EXIT_CODE,
  VERDICT_EXIT_CODES,
  verdictExitCode,
} from '../../functions/shared/outcomes.js';

describe('exit codes', () => {
  it('gives every outcome its own code, none of them the usage code', () => {
    const codes = PROBE_OUTCOMES.map((outcome) => EXIT_CODE_BY_OUTCOME[outcome]);
    expect(new Set(codes).size).toBe(PROBE_OUTCOMES.length);
    expect(codes).not.toContain(USAGE_EXIT_CODE);
  });

  it.each(PROBE_OUTCOMES)('maps the exit code of %s back to it', (outcome) => {
    expect(outcomeForExitCode(EXIT_CODE_BY_OUTCOME[outcome])).toBe(outcome);
  });

  it('knows no outcome for a code the probe never uses', () => {
    expect(outcomeForExitCode(137)).toBeUndefined();
  });

  it('uses the code of the first target that is not open', () => {
    expect(exitCodeForOutcomes(['open', 'refused', 'timeout'])).toBe(11);
    expect(exitCodeForOutcomes(['open', 'open'])).toBe(0);
  });
});

describe('summarizeAttempts', () => {
  it('reports the first attempt that was not open', () => {
    expect(summarizeAttempts(['open', 'timeout', 'refused'])).toBe('timeout');
  });

  it('reports open only when every attempt was open', () => {
    expect(summarizeAttempts(['open', 'open'])).toBe('open');
  });
});

describe('verdict exit codes (run, invoke, probe with --vpc-cidr/--released)', () => {
  it('are the documented numbers', () => {
    expect(VERDICT_EXIT_CODES).toEqual({
      allPassed: 0,
      someFailed: 1,
      usage: 2,
      someInconclusive: 3,
      runNotCarriedOut: 4,
    });
  });

  it.each([
    [{ failed: true, inconclusive: true, notCarriedOut: true }, 1],
    [{ failed: true, inconclusive: false, notCarriedOut: false }, 1],
    [{ failed: false, inconclusive: true, notCarriedOut: true }, 4],
    [{ failed: false, inconclusive: false, notCarriedOut: true }, 4],
    [{ failed: false, inconclusive: true, notCarriedOut: false }, 3],
    [{ failed: false, inconclusive: false, notCarriedOut: false }, 0],
  ])('give %j the code %i: failed before not carried out before inconclusive', (facts, code) => {
    expect(verdictExitCode(facts)).toBe(code);
  });

  it.each([
    [[true, true], 0],
    [[true, false, null], 1],
    [[null, false], 1],
    [[true, null], 3],
    [[], 0],
  ])('give the expectation matches %j the code %i: mismatch before unprovable', (matches, code) => {
    expect(exitCodeForExpectationMatches(matches)).toBe(code);
  });
});
