import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { TlsReport } from '../shared/probe-result.js';

const DAY_MS = 86_400_000;

// OpenSSL's verify codes as Node reports them, in words an operator recognises.
const VERIFY_ERRORS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate (incomplete chain?)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issuer not trusted (unknown CA)',
  UNABLE_TO_GET_ISSUER_CERT: 'issuer certificate not found',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
};

/** `CN=mx.example.com, O=Example`: a certificate name as one line. */
export function formatDistinguishedName(name: PeerCertificate['subject'] | undefined): string | null {
  if (!name) return null;
  const parts = Object.entries(name).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((item) => `${key}=${item}`),
  );
  return parts.length === 0 ? null : parts.join(', ');
}

function verifyErrorOf(socket: TLSSocket, host: string, certificate: PeerCertificate): string | null {
  if (socket.authorized) return null;
  const code = String(socket.authorizationError ?? 'unknown verification error');
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    // Node keeps only the code; the check itself says which names the certificate has.
    const mismatch = checkServerIdentity(host, certificate);
    return mismatch ? `${mismatch.message} (${code})` : code;
  }
  const words = VERIFY_ERRORS[code];
  return words ? `${words} (${code})` : code;
}

/** What the handshake negotiated and what the certificate says, verified against `host` (a name or an IP literal). */
export function tlsReportFor(socket: TLSSocket, host: string, nowMs: number): TlsReport {
  const certificate = socket.getPeerCertificate();
  const hasCertificate = certificate !== null && Object.keys(certificate).length > 0;
  const notAfterMs = hasCertificate ? Date.parse(certificate.valid_to) : Number.NaN;
  const hasNotAfter = Number.isFinite(notAfterMs);
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.name ?? null,
    subject: hasCertificate ? formatDistinguishedName(certificate.subject) : null,
    issuer: hasCertificate ? formatDistinguishedName(certificate.issuer) : null,
    notAfter: hasNotAfter ? new Date(notAfterMs).toISOString() : null,
    daysLeft: hasNotAfter ? Math.floor((notAfterMs - nowMs) / DAY_MS) : null,
    verified: socket.authorized,
    verifyError: hasCertificate ? verifyErrorOf(socket, host, certificate) : 'the server sent no certificate',
  };
}
