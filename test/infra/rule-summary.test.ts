import { describe, expect, it } from 'vitest';
import type { CanaryTarget } from '../../functions/shared/config.js';
import { expectedOutcome } from '../../infra/rule-summary.js';

function target(host: string, expect: CanaryTarget['expect']): CanaryTarget {
  return { name: 'x', host, port: 25, expect, controlPort: undefined, starttls: false };
}

const context = { vpcPrimaryCidr: '10.0.0.0/16', released: false };

describe('expectedOutcome', () => {
  it("shows the rule's prediction for an auto target with an IP literal", () => {
    expect(expectedOutcome(target('198.51.100.25', 'auto'), context)).toBe('blocked (public address)');
    expect(expectedOutcome(target('172.16.0.4', 'auto'), context)).toBe('open (RFC 1918 172.16.0.0/12)');
  });

  it('predicts open off port 25, whatever the address', () => {
    expect(expectedOutcome({ ...target('198.51.100.25', 'auto'), port: 587 }, context)).toBe(
      "open (port 587: AWS's restriction covers port 25 only)",
    );
  });

  it('leaves an auto host name to the run that resolves it', () => {
    expect(expectedOutcome(target('mx.example.com', 'auto'), context)).toBe(
      'decided each run from the resolved address',
    );
  });

  it('flags a configured expectation that contradicts the rule', () => {
    expect(expectedOutcome(target('198.51.100.25', 'open'), context)).toBe(
      'open (configured; the rule predicts blocked: public address)',
    );
    expect(expectedOutcome(target('10.0.1.1', 'open'), context)).toBe(
      'open (configured; the rule agrees: VPC primary CIDR 10.0.0.0/16)',
    );
  });

  it('says a throttled prediction depends on the primary CIDR when the stack does not know it', () => {
    expect(expectedOutcome(target('198.51.100.25', 'auto'), { released: false })).toBe(
      "blocked (public address, unless in the VPC's primary CIDR)",
    );
    expect(expectedOutcome(target('172.16.0.4', 'auto'), { released: false })).toBe('open (RFC 1918 172.16.0.0/12)');
  });

  it('predicts open for every address once the restriction is released', () => {
    expect(expectedOutcome(target('198.51.100.25', 'auto'), { ...context, released: true })).toBe(
      'open (restriction released)',
    );
  });
});
