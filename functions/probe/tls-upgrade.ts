import { isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { ProbeFailureError } from './probe-failure.js';

// The TLS half of an attempt, imported only when STARTTLS or implicit TLS is asked for: node:tls takes milliseconds to load.
export { tlsReportFor } from './tls-report.js';

/** The TLS handshake over a connected socket: just after a STARTTLS 220, or at once for implicit TLS (port 465). */
export function startTls(socket: Socket, host: string, track: (socket: Socket) => void): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // Verification is reported, not enforced here: --verify-tls decides afterwards whether a failure is fatal.
    const tlsSocket = connectTls({
      socket,
      host,
      servername: isIP(host) === 0 ? host : undefined,
      rejectUnauthorized: false,
    });
    track(tlsSocket);
    tlsSocket.on('error', (error: Error) =>
      reject(new ProbeFailureError('tls-error', `TLS handshake failed: ${error.message}`, { cause: error })),
    );
    tlsSocket.once('close', () =>
      reject(new ProbeFailureError('tls-error', 'the server closed the connection during the TLS handshake')),
    );
    tlsSocket.once('secureConnect', () => resolve(tlsSocket));
  });
}
