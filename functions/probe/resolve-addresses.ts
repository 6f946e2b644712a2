import { isIP } from 'node:net';
import { ProbeFailureError } from './probe-failure.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Finds the A and AAAA addresses of a host name, in the order they should be dialled. */
export type LookupAddresses = (host: string) => Promise<readonly ResolvedAddress[]>;

const LOOKUP_FAILURES: Readonly<Record<string, string>> = {
  ENOTFOUND: 'no such host',
  ENODATA: 'the name has no A or AAAA records',
  EAI_AGAIN: 'temporary DNS failure (no answer from the resolver)',
  ESERVFAIL: 'the DNS server failed (SERVFAIL)',
  EREFUSED: 'the DNS server refused the query',
  ETIMEOUT: 'the DNS query timed out',
};

/** An IP literal is its own and only address: no DNS query is made for it. */
export function literalAddress(host: string): ResolvedAddress | undefined {
  const family = isIP(host);
  return family === 4 || family === 6 ? { address: host, family } : undefined;
}

/** Resolves `host`, turning every failure, an empty answer included, into a dns-error naming the host. */
export async function resolveAddresses(host: string, lookup: LookupAddresses): Promise<readonly ResolvedAddress[]> {
  const literal = literalAddress(host);
  if (literal) return [literal];
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await lookup(host);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = (code && LOOKUP_FAILURES[code]) ?? (cause instanceof Error ? cause.message : String(cause));
    throw new ProbeFailureError('dns-error', `cannot resolve ${host}: ${reason}${code ? ` (${code})` : ''}`, { cause });
  }
  if (addresses.length === 0) throw new ProbeFailureError('dns-error', `cannot resolve ${host}: no addresses returned`);
  return addresses;
}
