import { describe, expect, it } from 'vitest';
import { expectationMatches, port25ExpectationRule } from '../../functions/probe/expectation.js';
import { UsageError } from '../../functions/shared/command-line/usage-error.js';
import type { ProbeResult } from '../../functions/shared/probe-result.js';

function resultFor(address: string | null, outcome: ProbeResult['outcome']): ProbeResult {
  return {
    target: 'mx.example.com',
    host: 'mx.example.com',
    port: 25,
    address,
    addresses: address === null ? [] : [address],
    outcome,
    connectMs: null,
    greeting: null,
    ehlo: null,
    tls: null,
    control: null,
    diagnosis: 'a sentence',
    attempts: [],
    durationMs: 1,
    timeoutMs: 1000,
    error: null,
  };
}

describe('expectationMatches', () => {
  it.each([
    ['open', 'open', true],
    ['blocked', 'open', false],
    ['blocked', 'timeout', true],
    ['open', 'timeout', false],
    ['blocked', 'refused', null],
    ['open', 'unreachable', null],
    ['open', 'banner-timeout', null],
    ['blocked', 'dns-error', null],
  ] as const)('with %s expected and %s observed says %s', (expected, outcome, matches) => {
    expect(expectationMatches(expected, outcome)).toBe(matches);
  });
});

describe('port25ExpectationRule', () => {
  it('judges the address actually dialled with classify()', () => {
    const expectation = port25ExpectationRule.expectationFor(resultFor('198.51.100.25', 'timeout'), {
      vpcPrimaryCidr: '10.0.0.0/16',
    });

    expect(expectation).toEqual({ expected: 'blocked', rule: 'public address', matches: true });
  });

  it('expects open inside the VPC primary CIDR', () => {
    const expectation = port25ExpectationRule.expectationFor(resultFor('198.51.100.25', 'open'), {
      vpcPrimaryCidr: '198.51.100.0/24',
    });

    expect(expectation).toEqual({ expected: 'open', rule: 'VPC primary CIDR 198.51.100.0/24', matches: true });
  });

  it('expects open everywhere once released', () => {
    const expectation = port25ExpectationRule.expectationFor(resultFor('2001:db8::25', 'timeout'), { released: true });

    expect(expectation).toEqual({ expected: 'open', rule: 'restriction released', matches: false });
  });

  it('has nothing to judge when nothing was dialled', () => {
    expect(port25ExpectationRule.expectationFor(resultFor(null, 'dns-error'), { released: true })).toBeUndefined();
  });

  it('rejects a VPC CIDR with host bits set, naming the flag', () => {
    expect(() => port25ExpectationRule.validate({ vpcPrimaryCidr: '10.0.0.1/16' })).toThrow(
      /--vpc-cidr: .*did you mean 10.0.0.0\/16/,
    );
    expect(() => port25ExpectationRule.validate({ vpcPrimaryCidr: '10.0.0.1/16' })).toThrow(UsageError);
  });
});
