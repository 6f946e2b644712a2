import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../functions/probe/target.js';
import { InputError } from '../../functions/shared/errors.js';

describe('parseTarget', () => {
  it('takes the default port for a bare host name', () => {
    expect(parseTarget('mx.example.com', 25)).toEqual({ target: 'mx.example.com', host: 'mx.example.com', port: 25 });
  });

  it('reads the port after a host name', () => {
    expect(parseTarget('mx.example.com:2525', 25)).toMatchObject({ host: 'mx.example.com', port: 2525 });
  });

  it('reads an IPv4 address with a port', () => {
    expect(parseTarget('198.51.100.25:587', 25)).toMatchObject({ host: '198.51.100.25', port: 587 });
  });

  it('reads a bracketed IPv6 address with a port', () => {
    expect(parseTarget('[2001:db8::25]:2525', 25)).toEqual({
      target: '[2001:db8::25]:2525',
      host: '2001:db8::25',
      port: 2525,
    });
  });

  it('reads a bracketed IPv6 address without a port', () => {
    expect(parseTarget('[::1]', 2525)).toMatchObject({ host: '::1', port: 2525 });
  });

  it('reads a bare IPv6 address as an address, never as address plus port', () => {
    expect(parseTarget('2001:db8::25', 25)).toMatchObject({ host: '2001:db8::25', port: 25 });
  });

  it.each([
    ['mx.example.com:0', /port must be a whole number/],
    ['mx.example.com:65536', /port must be a whole number/],
    ['mx.example.com:smtp', /port must be a whole number/],
    ['mx.example.com:', /port must be a whole number/],
    ['[198.51.100.25]:25', /is not an IPv6 address/],
    ['2001:db8::zz', /not an IPv6 address/],
    ['', /is not a host name/],
    ['mx example.com', /is not a host name/],
    ['10.1', /is not a host name/],
    ['-mx.example.com', /is not a host name/],
  ])('rejects %j', (input, reason) => {
    expect(() => parseTarget(input, 25)).toThrow(reason);
    expect(() => parseTarget(input, 25)).toThrow(InputError);
  });
});
