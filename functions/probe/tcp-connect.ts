import type { Socket } from 'node:net';
import type { ProbeOutcome } from '../shared/outcomes.js';
import { ProbeFailureError } from './probe-failure.js';

export interface TcpConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** Opens a TCP connection without waiting for it; `net.connect` in production. */
export type ConnectTcp = (options: TcpConnectOptions) => Socket;

const CONNECT_FAILURES: Readonly<Record<string, { outcome: ProbeOutcome; reason: string }>> = {
  ECONNREFUSED: { outcome: 'refused', reason: 'connection refused (TCP reset)' },
  // A reset in SYN_SENT is ECONNREFUSED; ECONNRESET means the handshake completed and the server reset at once.
  ECONNRESET: { outcome: 'protocol-error', reason: 'the server reset the connection right after accepting it' },
  EHOSTUNREACH: { outcome: 'unreachable', reason: 'host unreachable (ICMP unreachable or no neighbour)' },
  ENETUNREACH: { outcome: 'unreachable', reason: 'network unreachable (no route, or ICMP network unreachable)' },
  EHOSTDOWN: { outcome: 'unreachable', reason: 'host is down' },
  ENETDOWN: { outcome: 'unreachable', reason: 'network is down' },
  EACCES: { outcome: 'unreachable', reason: 'administratively prohibited (ICMP or a local firewall)' },
  EPERM: { outcome: 'unreachable', reason: 'not permitted (a local firewall rejected the connection)' },
  ETIMEDOUT: { outcome: 'timeout', reason: 'the kernel gave up waiting for the TCP handshake' },
};

/** Maps a connect error to an outcome: RST → refused, ICMP errors → unreachable, anything else → error. */
export function connectFailureFor(error: NodeJS.ErrnoException, target: string): ProbeFailureError {
  const known = error.code === undefined ? undefined : CONNECT_FAILURES[error.code];
  if (known)
    return new ProbeFailureError(known.outcome, `${known.reason} at ${target} (${error.code})`, { cause: error });
  return new ProbeFailureError('error', `cannot connect to ${target}: ${error.code ?? error.message}`, {
    cause: error,
  });
}

/** `address port N`, the way the results name an endpoint in words. */
export function describeEndpoint(address: string, port: number): string {
  return `${address} port ${port}`;
}

/**
 * Starts a TCP connection and settles when it is established or fails. The socket is handed to `track` at once so the
 * caller can destroy it whatever happens, including when its deadline wins the race.
 */
export function connectTcp(
  connect: ConnectTcp,
  options: TcpConnectOptions,
  track: (socket: Socket) => void,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(options);
    track(socket);
    // Stays attached after the connect, when rejecting is a no-op: the SMTP session reports later errors itself, and a
    // socket without an 'error' listener would crash the process in the gap between the two.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      reject(connectFailureFor(error, describeEndpoint(options.host, options.port))),
    );
    socket.once('connect', () => resolve(socket));
  });
}
