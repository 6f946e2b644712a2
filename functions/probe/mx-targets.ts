import { InputError } from '../shared/errors.js';
import { MxLookupError, mailExchangersOf, type ResolveMx } from '../shared/mail-exchangers.js';
import { formatTarget } from '../shared/probe-command.js';
import type { ProbeMx } from '../shared/probe-result.js';
import type { SmtpProbeRequest } from './run-probe.js';

/** One host to probe for a mail domain; `lookupFailure` when the MX look-up itself failed (a dns-error result). */
export interface MxProbeRequest {
  readonly request: SmtpProbeRequest;
  readonly mx: ProbeMx;
  readonly lookupFailure?: MxLookupError;
}

/** A null MX (RFC 7505) leaves nothing to probe: bad input for --mx, named with what it means. */
export class NullMxError extends InputError {
  constructor(domain: string) {
    super(`${domain} has a null MX (RFC 7505): the domain accepts no mail, so there is no host to probe`);
    this.name = 'NullMxError';
  }
}

/**
 * `probe --mx`: each request's host is a mail domain; it becomes one request per MX host, lowest preference first, on
 * the request's port (the domain itself when it has no MX). A failed MX look-up stays one request on the domain,
 * carrying the failure, so the result is a dns-error row rather than a lost table.
 */
export async function expandMailDomains(
  requests: readonly SmtpProbeRequest[],
  resolveMx: ResolveMx,
): Promise<MxProbeRequest[]> {
  const expanded = await Promise.all(
    requests.map(async (request): Promise<MxProbeRequest[]> => {
      const domain = request.host;
      try {
        const exchangers = await mailExchangersOf(domain, resolveMx);
        if (exchangers.kind === 'null-mx') throw new NullMxError(domain);
        return exchangers.hosts.map((host) => ({
          request: { ...request, host: host.exchange, target: formatTarget(host.exchange, request.port) },
          mx: { domain, preference: host.priority, implicit: exchangers.kind === 'implicit' },
        }));
      } catch (cause) {
        if (!(cause instanceof MxLookupError)) throw cause;
        return [{ request, mx: { domain, preference: null, implicit: false }, lookupFailure: cause }];
      }
    }),
  );
  return expanded.flat();
}
