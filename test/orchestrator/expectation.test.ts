import { describe, expect, it } from 'vitest';
import { expectationFor, judgeTargetAttempts } from '../../functions/orchestrator/expectation.js';
import type { CanaryTarget } from '../../functions/shared/config.js';

function target(expect: CanaryTarget['expect'], host = 'mx.example.test', port = 25): CanaryTarget {
  return { name: 't', host, port, expect, controlPort: undefined, starttls: false };
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

  it('expects a public address open under auto on a port other than 25, naming the port', () => {
    expect(expectationFor(target('auto', 'mx.example.test', 587), '198.51.100.25', VPC)).toEqual({
      expected: 'open',
      rule: "auto: port 587: AWS's restriction covers port 25 only",
    });
    expect(expectationFor(target('auto', 'mx.example.test', 24), '2001:db8::25', VPC)).toMatchObject({
      expected: 'open',
    });
  });

  it('keeps a configured expectation on a port other than 25', () => {
    expect(expectationFor(target('blocked', 'mx.example.test', 587), '198.51.100.25', VPC)).toEqual({
      expected: 'blocked',
      rule: 'configured: blocked',
    });
  });

  it('has no expectation under auto when the probe dialled no address, and says so', () => {
    expect(expectationFor(target('auto'), null, VPC)).toEqual({
      expected: null,
      rule: 'auto: no address was dialled, nothing to classify',
    });
  });

  it('has no expectation under auto when the reported address does not parse, and quotes it', () => {
    expect(expectationFor(target('auto'), 'not-an-address', VPC)).toEqual({
      expected: null,
      rule: 'auto: the probe reported an address that does not parse (not a valid IP address: "not-an-address")',
    });
  });
});

describe('judgeTargetAttempts', () => {
  it('is inconclusive for an attempt without an expectation', () => {
    expect(judgeTargetAttempts([{ expected: null, rule: 'r', outcome: 'open', control: null }], 25)).toEqual({
      verdict: 'inconclusive',
      evidence: 'no expectation (r)',
    });
  });

  it('fails when any attempt contradicts its expectation', () => {
    expect(
      judgeTargetAttempts(
        [
          { expected: 'blocked', rule: 'r', outcome: 'timeout', control: 'open' },
          { expected: 'blocked', rule: 'r', outcome: 'open', control: null },
        ],
        25,
      ).verdict,
    ).toBe('fail');
  });

  it('is inconclusive for a task that failed', () => {
    expect(
      judgeTargetAttempts([{ expected: 'blocked', rule: 'r', outcome: 'task-failed', control: null }], 25).verdict,
    ).toBe('inconclusive');
  });

  it('passes when every attempt meets its own expectation', () => {
    expect(
      judgeTargetAttempts(
        [
          { expected: 'open', rule: 'r', outcome: 'open', control: null },
          { expected: 'blocked', rule: 'r', outcome: 'timeout', control: 'refused' },
        ],
        25,
      ).verdict,
    ).toBe('pass');
  });

  it('is inconclusive when a blocked attempt timed out on every port', () => {
    expect(
      judgeTargetAttempts([{ expected: 'blocked', rule: 'r', outcome: 'timeout', control: 'timeout' }], 25),
    ).toEqual({
      verdict: 'inconclusive',
      evidence: 'no path on any port: the throttle cannot be told from a dead path',
    });
  });

  it('names the port it judged in the evidence', () => {
    expect(judgeTargetAttempts([{ expected: 'open', rule: 'r', outcome: 'open', control: null }], 587)).toEqual({
      verdict: 'pass',
      evidence: 'port 587 connected and the server greeted',
    });
  });

  it('is inconclusive without attempts', () => {
    expect(judgeTargetAttempts([], 25).verdict).toBe('inconclusive');
  });
});
