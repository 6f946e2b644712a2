import { describe, expect, it } from 'vitest';
import { diagnose } from '../../functions/probe/diagnosis.js';
import { PROBE_OUTCOMES, type ProbeOutcome } from '../../functions/shared/outcomes.js';
import type { ControlReport } from '../../functions/shared/probe-result.js';

const control = (outcome: ProbeOutcome): ControlReport => ({
  port: 443,
  outcome,
  connectMs: outcome === 'open' ? 3 : null,
});

describe('diagnose', () => {
  it('calls a port-25 timeout with the control port connecting a port-25-specific drop', () => {
    expect(diagnose('timeout', 25, control('open'))).toMatch(
      /^port-25-specific drop, consistent with AWS's port-25 throttle: port 25 timed out while port 443/,
    );
  });

  it('calls a port-25 timeout with the control port refused a port-25-specific drop too (the host answers)', () => {
    expect(diagnose('timeout', 25, control('refused'))).toMatch(/^port-25-specific drop.*answered with a reset/);
  });

  it('calls a timeout on both ports no path at all, not the throttle', () => {
    expect(diagnose('timeout', 25, control('timeout'))).toBe(
      'no path on any port (security group, NACL, route or firewall), not the throttle: port 25 and port 443 both timed out',
    );
  });

  it('calls a timeout with the control port unreachable a path problem, not the throttle', () => {
    expect(diagnose('timeout', 25, control('unreachable'))).toMatch(/^no path to the host, not the throttle/);
  });

  it('admits it cannot tell when the control connect itself failed', () => {
    expect(diagnose('timeout', 25, control('error'))).toMatch(/whether the drop is specific to port 25 is unknown/);
  });

  it('says a port-25 timeout without a control port fits the throttle but cannot rule out a firewall', () => {
    expect(diagnose('timeout', 25, null)).toMatch(/consistent with AWS's port-25 throttle, but .* add --control-port/);
  });

  it('does not blame the port-25 throttle for a timeout on another port', () => {
    expect(diagnose('timeout', 587, control('open'))).toMatch(/^port-587-specific drop .*throttle covers only port 25/);
  });

  it('calls an open port SMTP reachable', () => {
    expect(diagnose('open', 25, null)).toMatch(/^SMTP reachable/);
  });

  it('adds what the control port did to a conclusive outcome', () => {
    expect(diagnose('refused', 25, control('open'))).toMatch(
      /not the throttle, which drops silently; control port 443 connected$/,
    );
  });

  it('says an ICMP unreachable is not the throttle', () => {
    expect(diagnose('unreachable', 25, null)).toMatch(/ICMP unreachable.*not the throttle/);
  });

  const controlOutcomes = [null, 'open', 'timeout', 'refused', 'unreachable', 'error'] as const;
  it.each(
    PROBE_OUTCOMES.flatMap((outcome) => controlOutcomes.map((controlOutcome) => [outcome, controlOutcome] as const)),
  )('gives a complete sentence for %s with control %s', (outcome, controlOutcome) => {
    const sentence = diagnose(outcome, 25, controlOutcome === null ? null : control(controlOutcome));

    expect(sentence).toMatch(/^[a-zA-Z].{30,}$/);
    expect(sentence).not.toMatch(/undefined|null|\[object/);
  });
});
