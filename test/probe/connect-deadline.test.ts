import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type ProbeDependencies, runProbe, type SmtpProbeRequest } from '../../functions/probe/run-probe.js';
import { systemProbeDependencies } from '../../functions/probe/system-dependencies.js';
import type { ConnectTcp } from '../../functions/probe/tcp-connect.js';
import { probeRequest } from '../helpers/probe-request.js';

// AWS's throttle drops the SYN silently: the connect never completes and never fails. The namespace tests show it with
// a real nftables drop (root only); here a connect that never completes stands in for it, so every machine covers the
// path from the connect deadline to `timeout` — never `banner-timeout`, which needs a connection.

const noLookup: ProbeDependencies['lookup'] = async (host) => {
  throw new Error(`the resolver was asked for ${host}`);
};

function silentDrop() {
  const sockets: Socket[] = [];
  // A socket that is never connected: no 'connect' and no 'error' ever, like a SYN into a silent drop.
  const connect: ConnectTcp = () => {
    const socket = new Socket();
    sockets.push(socket);
    return socket;
  };
  return { connect, sockets };
}

// Nothing is sent to it: the injected connect never completes.
const request = (overrides: Partial<SmtpProbeRequest> = {}) =>
  probeRequest('198.51.100.25', 25, { timeoutMs: 300, ...overrides });

describe('the connect deadline against a silent drop', () => {
  it('reports timeout, not banner-timeout, naming the dropped SYN and the deadline', async () => {
    const drop = silentDrop();

    const result = await runProbe(request(), {
      lookup: noLookup,
      now: systemProbeDependencies().now,
      connect: drop.connect,
    });

    expect(result.outcome).toBe('timeout');
    expect(result.connectMs).toBeNull();
    expect(result.greeting).toBeNull();
    expect(result.error).toBe(
      'no answer to the TCP connection attempt from 198.51.100.25 port 25 within 300 ms: the SYN was dropped silently',
    );
  });

  it('decides at the deadline, not before it', async () => {
    const drop = silentDrop();
    const now = systemProbeDependencies().now;
    const startedAt = now();

    const result = await runProbe(request({ timeoutMs: 250 }), { lookup: noLookup, now, connect: drop.connect });

    expect(now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(result.attempts[0]?.durationMs).toBeGreaterThanOrEqual(250);
  });

  it('destroys the socket it gave up on', async () => {
    const drop = silentDrop();

    await runProbe(request(), { lookup: noLookup, now: systemProbeDependencies().now, connect: drop.connect });

    expect(drop.sockets).toHaveLength(1);
    expect(drop.sockets[0]?.destroyed).toBe(true);
  });

  it('times out every attempt and every address the same way', async () => {
    const drop = silentDrop();

    const result = await runProbe(request({ attempts: 2, timeoutMs: 200 }), {
      lookup: noLookup,
      now: systemProbeDependencies().now,
      connect: drop.connect,
    });

    expect(result.attempts.map((attempt) => attempt.outcome)).toEqual(['timeout', 'timeout']);
    expect(result.outcome).toBe('timeout');
  });
});
