import { describe, expect, it } from 'vitest';
import { formatTarget, probeCommandArguments } from '../../functions/shared/probe-command.js';

/** The probe container's command line as the orchestrator writes it into RunTask's container override. */
describe('probeCommandArguments', () => {
  const request = {
    host: 'mx.example.com',
    port: 25,
    timeoutMs: 10_000,
    ehloName: 'probe.example.com',
    attempts: 2,
    controlPort: undefined,
    starttls: false,
  };

  it('asks for JSON with the timeout, EHLO name and attempts, target last', () => {
    expect(probeCommandArguments(request)).toEqual([
      '--json',
      '--timeout',
      '10000',
      '--ehlo',
      'probe.example.com',
      '--attempts',
      '2',
      'mx.example.com:25',
    ]);
  });

  it('adds the control port and STARTTLS only when asked for', () => {
    expect(probeCommandArguments({ ...request, controlPort: 443, starttls: true })).toEqual([
      '--json',
      '--timeout',
      '10000',
      '--ehlo',
      'probe.example.com',
      '--attempts',
      '2',
      '--control-port',
      '443',
      '--starttls',
      'mx.example.com:25',
    ]);
  });

  it('brackets an IPv6 host', () => {
    expect(formatTarget('2001:db8::25', 587)).toBe('[2001:db8::25]:587');
  });
});
