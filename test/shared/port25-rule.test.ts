import { describe, expect, it } from 'vitest';
import { AddressParseError } from '../../functions/shared/errors.js';
import { classify, parseAddress, parseCidr } from '../../functions/shared/port25-rule.js';

// Each exempt range: its first and last address are open, the addresses just outside it are blocked.
const BOUNDARIES = [
  {
    range: 'RFC 1918 10.0.0.0/8',
    first: '10.0.0.0',
    last: '10.255.255.255',
    before: '9.255.255.255',
    after: '11.0.0.0',
  },
  {
    range: 'RFC 1918 172.16.0.0/12',
    first: '172.16.0.0',
    last: '172.31.255.255',
    before: '172.15.255.255',
    after: '172.32.0.0',
  },
  {
    range: 'RFC 1918 192.168.0.0/16',
    first: '192.168.0.0',
    last: '192.168.255.255',
    before: '192.167.255.255',
    after: '192.169.0.0',
  },
  {
    range: 'RFC 6598 100.64.0.0/10',
    first: '100.64.0.0',
    last: '100.127.255.255',
    before: '100.63.255.255',
    after: '100.128.0.0',
  },
  {
    range: 'RFC 4193 fc00::/7',
    first: 'fc00::',
    last: 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    before: 'fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    after: 'fe00::',
  },
];

describe('classify', () => {
  describe.each(BOUNDARIES)('$range', ({ range, first, last, before, after }) => {
    it.each([first, last])('exempts %s', (address) => {
      expect(classify(address)).toMatchObject({ throttled: false, expected: 'open', rule: range });
    });

    it.each([before, after])('blocks %s just outside the range', (address) => {
      expect(classify(address)).toMatchObject({ throttled: true, expected: 'blocked' });
    });
  });

  it('treats 172.32.0.0 as public', () => {
    expect(classify('172.32.0.0')).toEqual({
      address: '172.32.0.0',
      family: 'IPv4',
      throttled: true,
      expected: 'blocked',
      rule: 'public address',
    });
  });

  it('blocks global IPv6 addresses', () => {
    expect(classify('2001:db8::25')).toEqual({
      address: '2001:db8::25',
      family: 'IPv6',
      throttled: true,
      expected: 'blocked',
      rule: 'IPv6 outside RFC 4193',
    });
  });

  it("exempts the VPC's primary CIDR even when it lies outside the private ranges", () => {
    expect(classify('198.51.100.25', { vpcPrimaryCidr: '198.51.100.0/24' })).toMatchObject({
      expected: 'open',
      rule: 'VPC primary CIDR 198.51.100.0/24',
    });
  });

  it('blocks the address just outside the VPC primary CIDR', () => {
    expect(classify('198.51.101.0', { vpcPrimaryCidr: '198.51.100.0/24' })).toMatchObject({ expected: 'blocked' });
  });

  it('does not exempt a secondary VPC CIDR: only the primary one is passed and counted', () => {
    // The VPC's secondary CIDR 198.51.100.0/24 is simply not the rule's vpcPrimaryCidr.
    expect(classify('198.51.100.25', { vpcPrimaryCidr: '10.0.0.0/16' })).toMatchObject({
      expected: 'blocked',
      rule: 'public address',
    });
  });

  it('exempts an IPv6 VPC primary CIDR', () => {
    expect(classify('2001:db8:1::5', { vpcPrimaryCidr: '2001:db8:1::/56' })).toMatchObject({ expected: 'open' });
  });

  it('judges an IPv4-mapped IPv6 address by its IPv4 address', () => {
    expect(classify('::ffff:10.1.2.3')).toEqual({
      address: '10.1.2.3',
      family: 'IPv4',
      throttled: false,
      expected: 'open',
      rule: 'RFC 1918 10.0.0.0/8',
    });
    expect(classify('::ffff:c633:6419')).toMatchObject({ address: '198.51.100.25', expected: 'blocked' });
  });

  it('opens everything once the restriction is released', () => {
    expect(classify('198.51.100.25', { released: true })).toMatchObject({
      throttled: false,
      expected: 'open',
      rule: 'restriction released',
    });
    expect(classify('2001:db8::25', { released: true })).toMatchObject({ expected: 'open' });
  });

  it('returns the canonical form of the address', () => {
    expect(classify('2001:0DB8:0000::0025').address).toBe('2001:db8::25');
  });

  it.each(['not-an-address', '300.1.1.1', '10.0.0.0/8', '', '1.2.3', 'fc00::/7'])(
    'rejects %j with a typed error',
    (input) => {
      expect(() => classify(input)).toThrow(AddressParseError);
      expect(() => classify(input)).toThrow(JSON.stringify(input));
    },
  );

  it('rejects a bad VPC CIDR, quoting it', () => {
    expect(() => classify('10.0.0.1', { vpcPrimaryCidr: '10.0.0.0/33' })).toThrow('"10.0.0.0/33"');
  });
});

describe('parseCidr', () => {
  it('suggests the network when host bits are set', () => {
    expect(() => parseCidr('10.0.0.1/16')).toThrow('did you mean 10.0.0.0/16?');
  });

  it.each(['10.0.0.0', '10.0.0.0/', 'fc00::/129', 'x/8'])('rejects %j', (input) => {
    expect(() => parseCidr(input)).toThrow(AddressParseError);
  });

  it('accepts IPv4 and IPv6 networks', () => {
    expect(parseCidr('10.0.0.0/16').subnetMask).toBe(16);
    expect(parseCidr('fd25::/48').subnetMask).toBe(48);
  });
});

describe('parseAddress', () => {
  it('accepts an IPv6 zone index', () => {
    expect(parseAddress('fe80::1%eth0').correctForm()).toBe('fe80::1');
  });
});
