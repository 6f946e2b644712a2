import { afterEach, describe, expect, it } from 'vitest';
import { type ProbeDependencies, runProbe, type SmtpProbeRequest } from '../../functions/probe/run-probe.js';
import { systemProbeDependencies } from '../../functions/probe/system-dependencies.js';
import { answerCommands, type RawServer, startRawServer } from '../helpers/probe-raw-server.js';

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

function request(port: number, overrides: Partial<SmtpProbeRequest> = {}): SmtpProbeRequest {
  return {
    target: `127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    timeoutMs: 400,
    ehloName: 'probe.test',
    attempts: 1,
    controlPort: undefined,
    starttls: false,
    verifyTls: false,
    ...overrides,
  };
}

describe('the attempt deadline, phase by phase', () => {
  it('is a tls-error when STARTTLS is never answered', async () => {
    const server = await quietAt('STARTTLS');

    const result = await runProbe(request(server.port, { starttls: true }), deps);

    expect(result).toMatchObject({
      outcome: 'tls-error',
      error: `no reply to STARTTLS from 127.0.0.1 port ${server.port} within 400 ms`,
    });
  });

  it('is a tls-error when the TLS handshake never finishes after 220 to STARTTLS', async () => {
    const server = await startRawServer((socket) => {
      socket.write('220 raw.test ESMTP\r\n');
      // Says "go ahead" to STARTTLS, then reads the ClientHello and never answers it.
      let upgrading = false;
      socket.on('data', (chunk: Buffer) => {
        if (upgrading) return;
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
  });
});
