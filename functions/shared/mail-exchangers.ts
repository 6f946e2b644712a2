/** One MX record as node:dns `resolveMx` returns it. */
export interface MxRecord {
  readonly exchange: string;
  readonly priority: number;
}

/** Finds a domain's MX records; throws with a DNS error `code` (ENODATA, ENOTFOUND, ...) as node:dns does. */
export type ResolveMx = (domain: string) => Promise<readonly MxRecord[]>;

/** Where mail for a domain goes, as an MTA decides it. */
export type MailExchangers =
  /** The MX hosts, lowest preference (most preferred) first. */
  | { readonly kind: 'mx'; readonly hosts: readonly MxRecord[] }
  /** No MX records: the domain itself is the one host, with preference 0 (RFC 5321 §5.1, the "implicit MX"). */
  | { readonly kind: 'implicit'; readonly hosts: readonly MxRecord[] }
  /** A null MX (RFC 7505: one record, preference 0, exchange "."): the domain accepts no mail. */
  | { readonly kind: 'null-mx'; readonly hosts: readonly [] };

/** The look-up failed for a reason other than "no MX records": the domain does not exist, or DNS did not answer. */
export class MxLookupError extends Error {
  readonly code: string | undefined;
  constructor(domain: string, cause: unknown) {
    const code = (cause as { code?: unknown }).code;
    const text = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
    super(`cannot resolve the MX records of ${domain}: ${text}`, { cause });
    this.name = 'MxLookupError';
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/** node:dns's codes for "the name exists but has no records of this type". */
const NO_RECORDS = new Set(['ENODATA']);

const isNullMx = (records: readonly MxRecord[]) =>
  records.length === 1 && records[0]?.priority === 0 && ['', '.'].includes(records[0]?.exchange ?? '');

/**
 * Resolves a mail domain to its mail exchangers the way RFC 5321 §5.1 orders them: MX hosts by preference, lowest
 * first (ties keep the resolver's order); the domain itself when it has no MX records; a null MX as no host at all.
 */
export async function mailExchangersOf(domain: string, resolveMx: ResolveMx): Promise<MailExchangers> {
  let records: readonly MxRecord[];
  try {
    records = await resolveMx(domain);
  } catch (cause) {
    if (NO_RECORDS.has((cause as { code?: unknown }).code as string)) {
      return { kind: 'implicit', hosts: [{ exchange: domain, priority: 0 }] };
    }
    throw new MxLookupError(domain, cause);
  }
  if (records.length === 0) return { kind: 'implicit', hosts: [{ exchange: domain, priority: 0 }] };
  if (isNullMx(records)) return { kind: 'null-mx', hosts: [] };
  const hosts = records
    .map((record, index) => ({ record, index }))
    .sort((a, b) => a.record.priority - b.record.priority || a.index - b.index)
    .map(({ record }) => ({ exchange: record.exchange.replace(/\.$/, ''), priority: record.priority }));
  return { kind: 'mx', hosts };
}

/** `10 mx1.example.com`: how a table shows which MX host a row is. */
export function formatMxHost(host: MxRecord): string {
  return `${host.priority} ${host.exchange}`;
}
