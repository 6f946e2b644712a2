import { describe, expect, it } from 'vitest';
import { ProbeFailureError } from '../../functions/probe/probe-failure.js';
import { connectFailureFor, describeEndpoint } from '../../functions/probe/tcp-connect.js';

function errno(code: string | undefined, message = `connect ${code}`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('connectFailureFor', () => {
  it.each([
    ['ECONNREFUSED', 'refused', 'connection refused (TCP reset)'],
    ['ECONNRESET', 'protocol-error', 'the server reset the connection right after accepting it'],
    ['EHOSTUNREACH', 'unreachable', 'host unreachable (ICMP unreachable or no neighbour)'],
    ['ENETUNREACH', 'unreachable', 'network unreachable (no route, or ICMP network unreachable)'],
    ['EHOSTDOWN', 'unreachable', 'host is down'],
    ['ENETDOWN', 'unreachable', 'network is down'],
    ['EACCES', 'unreachable', 'administratively prohibited (ICMP or a local firewall)'],
    ['EPERM', 'unreachable', 'not permitted (a local firewall rejected the connection)'],
    ['ETIMEDOUT', 'timeout', 'the kernel gave up waiting for the TCP handshake'],
  ])('maps %s to %s, saying why and where', (code, outcome, reason) => {
    const cause = errno(code);

    const failure = connectFailureFor(cause, '198.51.100.25 port 25');

    expect(failure).toBeInstanceOf(ProbeFailureError);
    expect(failure).toMatchObject({ outcome, message: `${reason} at 198.51.100.25 port 25 (${code})`, cause });
  });

  it('maps an unknown code to error, naming the code and keeping the cause', () => {
    const cause = errno('EWHATEVER');

    const failure = connectFailureFor(cause, '198.51.100.25 port 25');

    expect(failure).toMatchObject({
      outcome: 'error',
      message: 'cannot connect to 198.51.100.25 port 25: EWHATEVER',
      cause,
    });
  });

  it('maps an error without a code to error, with its message', () => {
    const failure = connectFailureFor(errno(undefined, 'socket exploded'), '198.51.100.25 port 25');

    expect(failure).toMatchObject({
      outcome: 'error',
      message: 'cannot connect to 198.51.100.25 port 25: socket exploded',
    });
  });
});

describe('describeEndpoint', () => {
  it('names an address and port in words', () => {
    expect(describeEndpoint('2001:db8::25', 587)).toBe('2001:db8::25 port 587');
  });
});
