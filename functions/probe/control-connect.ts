import type { Socket } from 'node:net';
import type { ControlReport } from '../shared/probe-result.js';
import { Deadline, DeadlineExpiredError } from './deadline.js';
import { ProbeFailureError } from './probe-failure.js';
import { type ConnectTcp, connectTcp } from './tcp-connect.js';

export interface ControlConnectDependencies {
  readonly now: () => number;
  readonly connect: ConnectTcp;
}

/**
 * A bare TCP connect to a second port of the same address, nothing sent: if it connects while port 25 times out, the
 * drop is specific to port 25. Runs beside the SMTP attempt, given what the attempt's deadline leaves as `timeoutMs`.
 */
export async function connectControlPort(
  address: string,
  port: number,
  timeoutMs: number,
  deps: ControlConnectDependencies,
): Promise<ControlReport> {
  const family = address.includes(':') ? 6 : 4;
  const startedAt = deps.now();
  const deadline = new Deadline(timeoutMs, deps.now);
  const sockets: Socket[] = [];
  try {
    await deadline.race(connectTcp(deps.connect, { host: address, port, family }, (socket) => sockets.push(socket)));
    return { port, outcome: 'open', connectMs: Math.round(deps.now() - startedAt) };
  } catch (error) {
    if (error instanceof DeadlineExpiredError) return { port, outcome: 'timeout', connectMs: null };
    // Reset right after the handshake: the port did connect, which is all a control port has to show.
    if (error instanceof ProbeFailureError && error.outcome === 'protocol-error') {
      return { port, outcome: 'open', connectMs: Math.round(deps.now() - startedAt) };
    }
    if (error instanceof ProbeFailureError) return { port, outcome: error.outcome, connectMs: null };
    throw error;
  } finally {
    deadline.clear();
    for (const socket of sockets) socket.destroy();
  }
}
