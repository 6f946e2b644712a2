import { isIPv4, isIPv6 } from 'node:net';
import { InputError } from '../shared/errors.js';

export interface ProbeTarget {
  /** As given on the command line. */
  readonly target: string;
  /** A host name or an IP literal, IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;

function parsePort(text: string, target: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65_535)) {
    throw new InputError(`target ${JSON.stringify(target)}: port must be a whole number from 1 to 65535`);
  }
  return port;
}

/**
 * Parses `HOST[:PORT]`: a name or IPv4 address with an optional port, an IPv6 address in brackets with an optional
 * port (`[2001:db8::25]:2525`), or a bare IPv6 address (which takes no port: `::1:25` is an address).
 */
export function parseTarget(target: string, defaultPort: number): ProbeTarget {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(target);
  if (bracketed) {
    const host = bracketed[1] ?? '';
    if (!isIPv6(host)) throw new InputError(`target ${JSON.stringify(target)}: [${host}] is not an IPv6 address`);
    const port = bracketed[2] === undefined ? defaultPort : parsePort(bracketed[2], target);
    return { target, host, port };
  }
  const colons = target.split(':').length - 1;
  if (colons > 1) {
    if (!isIPv6(target)) {
      throw new InputError(`target ${JSON.stringify(target)}: not an IPv6 address (write [address]:port for a port)`);
    }
    return { target, host: target, port: defaultPort };
  }
  const [host = '', portText] = target.split(':');
  // All digits and dots but not IPv4 (`10.1`): getaddrinfo would read it as a shorthand address, surprising everyone.
  if (!HOST_NAME.test(host) || (/^[\d.]+$/.test(host) && !isIPv4(host))) {
    throw new InputError(`target ${JSON.stringify(target)}: ${JSON.stringify(host)} is not a host name or IP address`);
  }
  return { target, host, port: portText === undefined ? defaultPort : parsePort(portText, target) };
}
