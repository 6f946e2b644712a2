import { describe, expect, it } from 'vitest';
import { formatTarget, probeCommandArguments, probeRequestFor } from '../../functions/shared/probe-command.js';

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
      '10000ms',
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
      '10000ms',
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

describe('probeCommandArguments for implicit TLS', () => {
  const request = {
    host: 'smtp.example.com',
    port: 465,
    timeoutMs: 10_000,
    ehloName: 'probe.example.com',
    attempts: 1,
    controlPort: undefined,
    starttls: false,
  };

  it('adds --tls', () => {
    expect(probeCommandArguments({ ...request, implicitTls: true }).slice(-2)).toEqual([
      '--tls',
      'smtp.example.com:465',
    ]);
  });

  it('adds nothing when it is false', () => {
    expect(probeCommandArguments({ ...request, implicitTls: false })).not.toContain('--tls');
  });
});

describe('probeRequestFor', () => {
  const defaults = { timeoutMs: 5000, ehloName: 'probe.example.com', attempts: 2, controlPort: undefined };
  const target = {
    name: 'submissions',
    host: 'smtp.example.com',
    port: 465,
    expect: 'auto',
    controlPort: undefined,
    starttls: false,
  } as const;

  it('asks for implicit TLS for a target with tls implicit', () => {
    expect(probeRequestFor({ ...target, tls: 'implicit' }, defaults)).toMatchObject({ implicitTls: true, port: 465 });
  });

  it('asks for no implicit TLS otherwise', () => {
    expect(probeRequestFor(target, defaults)).not.toHaveProperty('implicitTls');
  });
});
