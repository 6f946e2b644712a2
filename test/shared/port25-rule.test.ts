import { describe, expect, it } from 'vitest';
import { AddressParseError } from '../../functions/shared/errors.js';
import { classify, notMailDestination, parseAddress, parseCidr } from '../../functions/shared/port25-rule.js';

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

  it('names the VPC primary CIDR as configured, without the whitespace around it', () => {
    expect(classify('198.51.100.25', { vpcPrimaryCidr: ' 198.51.100.0/24\n' })).toMatchObject({
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

  it('throttles nothing off port 25, and names the port', () => {
    expect(classify('198.51.100.25', { vpcPrimaryCidr: '10.0.0.0/16' }, 587)).toEqual({
      address: '198.51.100.25',
      family: 'IPv4',
      throttled: false,
      expected: 'open',
      rule: "port 587: AWS's restriction covers port 25 only",
    });
    expect(classify('2001:db8::25', {}, 26)).toMatchObject({
      throttled: false,
      rule: expect.stringMatching(/^port 26:/),
    });
    expect(classify('198.51.100.25', { released: true }, 465).rule).toBe(
      "port 465: AWS's restriction covers port 25 only",
    );
    expect(classify('198.51.100.25', {}, 25)).toMatchObject({ throttled: true, rule: 'public address' });
  });

  it('names loopback for what it is on any port', () => {
    expect(classify('127.0.0.1', {}, 587)).toMatchObject({ notMailDestination: 'loopback' });
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

// Each address that is never a mail destination, v4 and v6, with the range that names it.
const NOT_MAIL = [
  ['127.0.0.1', 'loopback', '127.0.0.0/8'],
  ['127.255.255.254', 'loopback', '127.0.0.0/8'],
  ['::1', 'loopback', '::1/128'],
  ['::ffff:127.0.0.1', 'loopback', '127.0.0.0/8'],
  ['169.254.169.254', 'link-local', '169.254.0.0/16'],
  ['169.254.169.253', 'link-local', '169.254.0.0/16'],
  ['fe80::1%eth0', 'link-local', 'fe80::/10'],
  ['febf:ffff::1', 'link-local', 'fe80::/10'],
  ['::ffff:169.254.169.254', 'link-local', '169.254.0.0/16'],
  ['224.0.0.1', 'multicast', '224.0.0.0/4'],
  ['239.255.255.255', 'multicast', '224.0.0.0/4'],
  ['ff02::1', 'multicast', 'ff00::/8'],
  ['0.0.0.0', 'unspecified', '0.0.0.0/8'],
  ['::', 'unspecified', '::/128'],
  ['::ffff:0.0.0.0', 'unspecified', '0.0.0.0/8'],
  ['255.255.255.255', 'broadcast', '255.255.255.255/32'],
  ['::ffff:255.255.255.255', 'broadcast', '255.255.255.255/32'],
] as const;

describe('addresses that are not mail destinations', () => {
  it.each(NOT_MAIL)('names %s %s, never a public address', (address, kind, cidr) => {
    const verdict = classify(address, { vpcPrimaryCidr: '10.0.0.0/16' });

    expect(verdict).toMatchObject({ throttled: false, expected: 'open', notMailDestination: kind });
    expect(verdict.rule).toMatch(new RegExp(`^${kind} ${cidr.replace(/[./]/g, '\\$&')}: not a mail destination \\(`));
    expect(verdict.rule).not.toContain('public');
  });

  it.each(NOT_MAIL)('reports %s as %s from notMailDestination', (address, kind, cidr) => {
    expect(notMailDestination(address)).toMatchObject({ kind, cidr });
  });

  it('names loopback for what it is even once the restriction is released', () => {
    expect(classify('127.0.0.1', { released: true })).toMatchObject({ notMailDestination: 'loopback' });
  });

  it.each([
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '223.255.255.255',
    '240.0.0.0',
    'fec0::1',
    'fe7f::1',
    '::2',
    'feff::1',
  ])('leaves %s, just outside those ranges, to the port-25 rule', (address) => {
    expect(notMailDestination(address)).toBeNull();
    expect(classify(address).notMailDestination).toBeUndefined();
  });
});

describe('NAT64 and secondary CIDRs', () => {
  it('shows the IPv4 address a NAT64 address embeds', () => {
    expect(classify('64:ff9b::c633:6419')).toMatchObject({
      expected: 'blocked',
      rule: 'IPv6 outside RFC 4193 (NAT64 64:ff9b::/96: embeds IPv4 198.51.100.25)',
    });
  });

  it('names the VPC secondary CIDR an address is in, and does not exempt it', () => {
    expect(
      classify('198.18.0.25', {
        vpcPrimaryCidr: '10.0.0.0/16',
        vpcSecondaryCidrs: ['198.18.0.0/24', '2001:db8:5::/56'],
      }),
    ).toMatchObject({ throttled: true, expected: 'blocked', rule: 'VPC secondary CIDR 198.18.0.0/24: not exempt' });
  });

  it('names a VPC secondary CIDR without the whitespace around it', () => {
    expect(classify('198.18.0.25', { vpcSecondaryCidrs: [' 198.18.0.0/24 '] })).toMatchObject({
      rule: 'VPC secondary CIDR 198.18.0.0/24: not exempt',
    });
  });

  it('exempts a secondary CIDR inside RFC 1918 by RFC 1918, not by being the VPC', () => {
    expect(classify('10.1.0.5', { vpcPrimaryCidr: '10.0.0.0/16', vpcSecondaryCidrs: ['10.1.0.0/16'] })).toMatchObject({
      expected: 'open',
      rule: 'RFC 1918 10.0.0.0/8',
    });
  });

  it('names an IPv6 block of the VPC outside RFC 4193 as not exempt', () => {
    expect(classify('2001:db8:5::25', { vpcSecondaryCidrs: ['2001:db8:5::/56'] })).toMatchObject({
      expected: 'blocked',
      rule: 'VPC secondary CIDR 2001:db8:5::/56: not exempt',
    });
  });
});

describe('address families', () => {
  // a00::1 and 10.0.0.0/8 share their first eight bits: only the family tells them apart.
  it('never exempts an IPv6 address by an IPv4 range that shares its leading bits', () => {
    expect(classify('a00::1', { vpcPrimaryCidr: '10.0.0.0/16' })).toMatchObject({
      expected: 'blocked',
      rule: 'IPv6 outside RFC 4193',
    });
  });

  it('never puts an IPv4 address in an IPv6 block of the VPC', () => {
    expect(classify('198.51.100.25', { vpcSecondaryCidrs: ['::/0'] })).toMatchObject({
      expected: 'blocked',
      rule: 'public address',
    });
  });
});

describe('parseCidr', () => {
  it('suggests the network when host bits are set', () => {
    expect(() => parseCidr('10.0.0.1/16')).toThrow('did you mean 10.0.0.0/16?');
  });

  it.each(['10.0.0.0', 'fc00::', '10.0.0.0/', '10.0.0.0/33', 'fc00::/129', 'x/8', 'fc00::/x'])(
    'rejects %j, quoting it',
    (input) => {
      expect(() => parseCidr(input)).toThrow(AddressParseError);
      expect(() => parseCidr(input)).toThrow(`not a valid IP CIDR: ${JSON.stringify(input)}`);
    },
  );

  it('accepts IPv4 and IPv6 networks', () => {
    expect(parseCidr('10.0.0.0/16').subnetMask).toBe(16);
    expect(parseCidr('fd25::/48').subnetMask).toBe(48);
  });

  it('reads a block without the whitespace around it', () => {
    expect(parseCidr(' 10.0.0.0/16\n').subnetMask).toBe(16);
  });

  it('suggests the network with the prefix length as a number', () => {
    expect(() => parseCidr('10.0.0.1/08')).toThrow('did you mean 10.0.0.0/8?');
  });

  it('accepts a single address as a block: /32 for IPv4, /128 for IPv6', () => {
    expect(parseCidr('198.51.100.25/32').subnetMask).toBe(32);
    expect(parseCidr('2001:db8::25/128').subnetMask).toBe(128);
  });
});

describe('parseAddress', () => {
  it('accepts an IPv6 zone index', () => {
    expect(parseAddress('fe80::1%eth0').correctForm()).toBe('fe80::1');
  });

  it('drops the zone index: the address parses as if it had none', () => {
    expect(parseAddress('fe80::1%eth0')).toEqual(parseAddress('fe80::1'));
  });

  it('reads an address without the whitespace around it', () => {
    expect(parseAddress(' 198.51.100.25\t').correctForm()).toBe('198.51.100.25');
    expect(parseAddress(' fd25::25 ').correctForm()).toBe('fd25::25');
  });

  it.each(['', ' ', 'fe80::1%eth0\nx', 'fe80::1\n%eth0', '198.51.100.25%eth0', '%eth0'])(
    'rejects %j, quoting it',
    (input) => {
      expect(() => parseAddress(input)).toThrow(AddressParseError);
      expect(() => parseAddress(input)).toThrow(`not a valid IP address: ${JSON.stringify(input)}`);
    },
  );
});
