import { describe, expect, it } from 'vitest';
import {
  EXIT_CODE_BY_OUTCOME,
  exitCodeForOutcomes,
  outcomeForExitCode,
  PROBE_OUTCOMES,
  summarizeAttempts,
  USAGE_EXIT_CODE,
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
