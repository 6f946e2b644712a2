import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeDependencies, runProbe, type SmtpProbeRequest } from '../../functions/probe/run-probe.js';
import { systemProbeDependencies } from '../../functions/probe/system-dependencies.js';
import { type CertificateFiles, selfSignedCertificate } from '../helpers/probe-certificates.js';
import { answerCommands, type RawServer, startRawServer } from '../helpers/probe-raw-server.js';
import { probeRequest } from '../helpers/probe-request.js';
import { startStarttlsServer } from '../helpers/probe-starttls-server.js';

// What running out of time means in each phase of the dialogue, against loopback servers that go quiet at that phase.

const noLookup: ProbeDependencies['lookup'] = async (host) => {
  throw new Error(`the resolver was asked for ${host}`);
};
const deps: ProbeDependencies = { lookup: noLookup, now: systemProbeDependencies().now };
const EHLO_WITH_STARTTLS = '250-raw.test\r\n250 STARTTLS\r\n';

const servers: RawServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function quietAt(command: string, ehloReply = EHLO_WITH_STARTTLS): Promise<RawServer> {
  const server = await startRawServer((socket) => {
    socket.write('220 raw.test ESMTP\r\n');
    answerCommands(socket, ehloReply, { [command]: '' });
  });
  servers.push(server);
  return server;
}

const request = (port: number, overrides: Partial<SmtpProbeRequest> = {}) =>
  probeRequest('127.0.0.1', port, { timeoutMs: 400, ...overrides });

/** Resolves once the server's side of a connection has closed: by then every byte the probe sent has arrived. */
function closeOf(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

describe('the attempt deadline, phase by phase', () => {
  let certificate: CertificateFiles;
  beforeAll(async () => {
    certificate = await selfSignedCertificate('localhost', 'DNS:localhost,IP:127.0.0.1', 30);
  });
  afterAll(() => certificate.remove());

  it('sends no QUIT while EHLO is still unanswered: the server is not waiting for a command', async () => {
    let closed: Promise<void> = Promise.resolve();
    const server = await startRawServer((socket) => {
      closed = closeOf(socket);
      socket.write('220 raw.test ESMTP\r\n');
    });
    servers.push(server);

    const result = await runProbe(request(server.port), deps);
    await closed;

    expect(result).toMatchObject({
      outcome: 'protocol-error',
      error: `no reply to EHLO from 127.0.0.1 port ${server.port} within 400 ms`,
    });
    expect(server.received).toEqual(['EHLO probe.test']);
  });

  it('is a tls-error when STARTTLS is never answered', async () => {
    const server = await quietAt('STARTTLS');

    const result = await runProbe(request(server.port, { starttls: true }), deps);

    expect(result).toMatchObject({
      outcome: 'tls-error',
      error: `no reply to STARTTLS from 127.0.0.1 port ${server.port} within 400 ms`,
    });
  });

  it('is a tls-error when the TLS handshake never finishes after 220 to STARTTLS', async () => {
    const afterGoAhead: Buffer[] = [];
    let closed: Promise<void> = Promise.resolve();
    const server = await startRawServer((socket) => {
      closed = closeOf(socket);
      socket.write('220 raw.test ESMTP\r\n');
      // Says "go ahead" to STARTTLS, then reads the ClientHello and never answers it.
      let upgrading = false;
      socket.on('data', (chunk: Buffer) => {
        if (upgrading) {
          afterGoAhead.push(chunk);
          return;
        }
        const text = chunk.toString('latin1');
        if (text.startsWith('EHLO')) socket.write(EHLO_WITH_STARTTLS);
        if (text.startsWith('STARTTLS')) {
          upgrading = true;
          socket.write('220 go ahead\r\n');
        }
      });
    });
    servers.push(server);

    const result = await runProbe(request(server.port, { starttls: true }), deps);

    expect(result).toMatchObject({
      outcome: 'tls-error',
      error: `the TLS handshake did not finish from 127.0.0.1 port ${server.port} within 400 ms`,
    });
    // In the middle of a handshake a QUIT in the clear would be garbage: the probe just hangs up.
    await closed;
    expect(Buffer.concat(afterGoAhead).toString('latin1')).not.toContain('QUIT');
  });

  it('is a tls-error when EHLO over TLS is never answered', async () => {
    const server = await startStarttlsServer({
      key: certificate.key,
      cert: certificate.cert,
      repliesOverTls: { EHLO: '' },
    });
    servers.push(server);

    // Longer than the other phases: the TLS handshake has to finish well inside it, even on a busy machine.
    const result = await runProbe(request(server.port, { starttls: true, timeoutMs: 2000 }), deps);

    expect(result).toMatchObject({
      outcome: 'tls-error',
      error: `no reply to EHLO over TLS from 127.0.0.1 port ${server.port} within 2000 ms`,
    });
  });

  it('is a tls-error, before any STARTTLS is sent, when EHLO does not offer it', async () => {
    const server = await quietAt('NOOP', '250-raw.test\r\n250 PIPELINING\r\n');

    const result = await runProbe(request(server.port, { starttls: true }), deps);

    expect(result).toMatchObject({
      outcome: 'tls-error',
      error: 'the server does not offer STARTTLS in its EHLO reply',
    });
    expect(server.received).not.toContain('STARTTLS');
  });

  it('is still open when QUIT is never answered: the outcome was settled by then', async () => {
    const server = await quietAt('QUIT');

    const result = await runProbe(request(server.port), deps);

    expect(result).toMatchObject({ outcome: 'open', error: null });
    expect(result.attempts[0]).toMatchObject({ outcome: 'open', error: null });
  });
});
