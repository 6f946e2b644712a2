import { describe, expect, it } from 'vitest';
import { port25ExpectationRule } from '../../functions/probe/expectation.js';
import { UsageError } from '../../functions/shared/command-line/usage-error.js';
import type { ProbeOutcome } from '../../functions/shared/outcomes.js';
import type { ProbeResult } from '../../functions/shared/probe-result.js';

function resultFor(
  address: string | null,
  outcome: ProbeResult['outcome'],
  options: { control?: ProbeOutcome; attempts?: readonly [string | null, ProbeOutcome][]; port?: number } = {},
): ProbeResult {
  const attempts = options.attempts ?? [[address, outcome]];
  return {
    target: 'mx.example.com',
    host: 'mx.example.com',
    port: options.port ?? 25,
    address,
    addresses: address === null ? [] : [address],
    outcome,
    connectMs: null,
    greeting: null,
    ehlo: null,
    tls: null,
    control: options.control === undefined ? null : { port: 443, outcome: options.control, connectMs: null },
    diagnosis: 'a sentence',
    attempts: attempts.map(([attemptAddress, attemptOutcome], index) => ({
      attempt: index + 1,
      address: attemptAddress,
      outcome: attemptOutcome,
      connectMs: null,
      greeting: null,
      ehlo: null,
      tls: null,
      durationMs: 1,
      error: null,
    })),
    durationMs: 1,
    timeoutMs: 1000,
    error: null,
  };
}

const PUBLIC = { vpcPrimaryCidr: '10.0.0.0/16' };

describe('the judge behind --vpc-cidr/--released: the table run uses', () => {
  it.each([
    ['open', 'open', undefined, true, 'port 25 connected and the server greeted'],
    ['blocked', 'open', undefined, false, 'port 25 connected: the block is not in effect'],
    ['blocked', 'timeout', 'refused', true, 'port-25-specific drop'],
    ['blocked', 'timeout', 'open', true, 'port-25-specific drop'],
    ['blocked', 'timeout', 'timeout', null, 'no path on any port: the throttle cannot be told from a dead path'],
    ['blocked', 'timeout', 'unreachable', null, 'no path on any port: the throttle cannot be told from a dead path'],
    ['blocked', 'timeout', undefined, true, 'consistent with the throttle, unproven (no control port)'],
    ['open', 'timeout', 'open', false, "port-25-specific drop: the throttle's signature"],
    [
      'blocked',
      'refused',
      undefined,
      false,
      'the host refused port 25 (reset): the SYN got through, the block is not in effect',
    ],
    ['open', 'refused', undefined, false, 'the host refused port 25 (reset)'],
    [
      'blocked',
      'unreachable',
      undefined,
      null,
      'ICMP unreachable: the throttle drops silently, so something else answered',
    ],
    ['open', 'banner-timeout', undefined, false, 'port 25 connected but the server sent no greeting'],
  ] as const)(
    'with %s expected, %s observed and the control port %s: matches %s (%s)',
    (expected, outcome, control, matches, evidence) => {
      // 198.51.100.25 is public (expected blocked) unless it is the VPC's primary CIDR (expected open).
      const context = expected === 'open' ? { vpcPrimaryCidr: '198.51.100.0/24' } : PUBLIC;

      const expectation = port25ExpectationRule.expectationFor(
        resultFor('198.51.100.25', outcome, { control }),
        context,
      );

      expect(expectation).toMatchObject({ expected, matches, evidence });
    },
  );

  it('gives the control port only to attempts on the address it was measured on', () => {
    // Attempt 1 timed out on another address, with no control measured there: unproven, but still a pass.
    const result = resultFor('198.51.100.25', 'timeout', {
      control: 'open',
      attempts: [
        ['198.51.100.24', 'timeout'],
        ['198.51.100.25', 'timeout'],
      ],
    });

    expect(port25ExpectationRule.expectationFor(result, PUBLIC)).toMatchObject({
      matches: true,
      evidence: 'attempt 2: port-25-specific drop',
    });
  });

  it('judges each attempt against the rule for the address it dialled', () => {
    // The first address is in the VPC (expected open) and timed out: that attempt fails the target.
    const result = resultFor('198.51.100.25', 'timeout', {
      control: 'open',
      attempts: [
        ['10.0.0.25', 'timeout'],
        ['198.51.100.25', 'timeout'],
      ],
    });

    expect(port25ExpectationRule.expectationFor(result, PUBLIC)).toMatchObject({
      expected: 'blocked',
      matches: false,
      evidence: 'attempt 1: no answer on port 25 (no control port to tell the throttle from a dead path)',
    });
  });
});

describe('port25ExpectationRule', () => {
  it('judges the address actually dialled with classify()', () => {
    const expectation = port25ExpectationRule.expectationFor(resultFor('198.51.100.25', 'timeout'), {
      vpcPrimaryCidr: '10.0.0.0/16',
    });

    expect(expectation).toEqual({
      expected: 'blocked',
      rule: 'public address',
      matches: true,
      evidence: 'consistent with the throttle, unproven (no control port)',
    });
  });

  it('expects open inside the VPC primary CIDR', () => {
    const expectation = port25ExpectationRule.expectationFor(resultFor('198.51.100.25', 'open'), {
      vpcPrimaryCidr: '198.51.100.0/24',
    });

    expect(expectation).toEqual({
      expected: 'open',
      rule: 'VPC primary CIDR 198.51.100.0/24',
      matches: true,
      evidence: 'port 25 connected and the server greeted',
    });
  });

  it('expects open everywhere once released', () => {
    const expectation = port25ExpectationRule.expectationFor(resultFor('2001:db8::25', 'timeout'), { released: true });

    expect(expectation).toEqual({
      expected: 'open',
      rule: 'restriction released',
      matches: false,
      evidence: 'no answer on port 25 (no control port to tell the throttle from a dead path)',
    });
  });

  it('expects a public address open on port 587, naming the port', () => {
    const expectation = port25ExpectationRule.expectationFor(resultFor('198.51.100.25', 'open', { port: 587 }), PUBLIC);

    expect(expectation).toEqual({
      expected: 'open',
      rule: "port 587: AWS's restriction covers port 25 only",
      matches: true,
      evidence: 'port 587 connected and the server greeted',
    });
  });

  it('judges every attempt on port 587 as expected open', () => {
    const result = resultFor('198.51.100.25', 'timeout', {
      port: 587,
      control: 'open',
      attempts: [
        ['198.51.100.24', 'open'],
        ['198.51.100.25', 'timeout'],
      ],
    });

    expect(port25ExpectationRule.expectationFor(result, PUBLIC)).toMatchObject({
      expected: 'open',
      matches: false,
      evidence: "attempt 2: port-587-specific drop: not AWS's throttle, which covers port 25 only",
    });
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
