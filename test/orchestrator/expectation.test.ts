import { describe, expect, it } from 'vitest';
import { expectationFor, verdictFor } from '../../functions/orchestrator/expectation.js';
import type { CanaryTarget } from '../../functions/shared/config.js';

function target(expect: CanaryTarget['expect'], host = 'mx.example.test'): CanaryTarget {
  return { name: 't', host, port: 25, expect, controlPort: undefined, starttls: false };
}

const VPC = { vpcPrimaryCidr: '10.20.0.0/16', released: false };

describe('expectationFor', () => {
  it('uses a configured expectation whatever the address', () => {
    expect(expectationFor(target('open'), '198.51.100.25', VPC)).toEqual({
      expected: 'open',
      rule: 'configured: open',
    });
  });

  it('expects a public IPv4 address to be blocked under auto', () => {
    expect(expectationFor(target('auto'), '198.51.100.25', VPC)).toEqual({
      expected: 'blocked',
      rule: 'auto: public address',
    });
  });

  it('expects an address in the VPC primary CIDR to be open under auto', () => {
    expect(expectationFor(target('auto'), '10.20.3.4', VPC)).toEqual({
      expected: 'open',
      rule: 'auto: VPC primary CIDR 10.20.0.0/16',
    });
  });

  it('expects a public IPv6 address to be blocked under auto', () => {
    expect(expectationFor(target('auto'), '2001:db8::25', VPC)).toEqual({
      expected: 'blocked',
      rule: 'auto: IPv6 outside RFC 4193',
    });
  });

  it('expects an RFC 4193 IPv6 address to be open under auto', () => {
    expect(expectationFor(target('auto'), 'fd12:3456::25', VPC)).toMatchObject({ expected: 'open' });
  });

  it('expects a public address to be open once the restriction is released', () => {
    expect(expectationFor(target('auto'), '198.51.100.25', { ...VPC, released: true })).toEqual({
      expected: 'open',
      rule: 'auto: restriction released',
    });
  });

  it('has no expectation under auto when the probe dialled no address', () => {
    expect(expectationFor(target('auto'), null, VPC)).toMatchObject({ expected: null });
  });

  it('has no expectation under auto when the reported address does not parse', () => {
    expect(expectationFor(target('auto'), 'not-an-address', VPC)).toMatchObject({ expected: null });
  });
});

describe('verdictFor', () => {
  it('is inconclusive for an attempt without an expectation', () => {
    expect(verdictFor([{ expected: null, outcome: 'open' }])).toBe('inconclusive');
  });

  it('fails when any attempt contradicts its expectation', () => {
    expect(
      verdictFor([
        { expected: 'blocked', outcome: 'timeout' },
        { expected: 'blocked', outcome: 'open' },
      ]),
    ).toBe('fail');
  });

  it('is inconclusive for a task that failed', () => {
    expect(verdictFor([{ expected: 'blocked', outcome: 'task-failed' }])).toBe('inconclusive');
  });

  it('passes when every attempt meets its own expectation', () => {
    expect(
      verdictFor([
        { expected: 'open', outcome: 'open' },
        { expected: 'blocked', outcome: 'timeout' },
      ]),
    ).toBe('pass');
  });

  it('is inconclusive without attempts', () => {
    expect(verdictFor([])).toBe('inconclusive');
  });
});
