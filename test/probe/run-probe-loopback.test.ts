import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ResolvedAddress } from '../../functions/probe/resolve-addresses.js';
import { type ProbeDependencies, runProbe } from '../../functions/probe/run-probe.js';
import { systemProbeDependencies } from '../../functions/probe/system-dependencies.js';
import { type CertificateFiles, selfSignedCertificate } from '../helpers/probe-certificates.js';
import { answerCommands, closedLoopbackPort, startRawServer } from '../helpers/probe-raw-server.js';
import { probeRequest } from '../helpers/probe-request.js';
import { type RecordingSmtpServer, startRecordingSmtpServer } from '../helpers/probe-smtp-server.js';
import { startStarttlsServer } from '../helpers/probe-starttls-server.js';

// Real sockets on loopback; only the resolver is injected, so no test ever asks the machine's DNS.
const clock = systemProbeDependencies().now;

function lookupFrom(table: Readonly<Record<string, readonly ResolvedAddress[]>>): ProbeDependencies['lookup'] {
  return async (host) => {
    const addresses = table[host];
    if (addresses) return addresses;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };
}

const noLookup: ProbeDependencies['lookup'] = async (host) => {
  throw new Error(`the resolver was asked for ${host}`);
};

const deps = (lookup = noLookup): ProbeDependencies => ({ lookup, now: clock });

const servers: { close(): Promise<void> }[] = [];
async function rawServer(onConnection: (socket: Socket, received: string[]) => void, host?: string) {
  const server = await startRawServer(onConnection, host);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('runProbe against a real SMTP server', () => {
  let smtp: RecordingSmtpServer;
  beforeAll(async () => {
    smtp = await startRecordingSmtpServer();
  });
  afterAll(() => smtp.close());

  it('reports open with the greeting and the EHLO extensions', async () => {
    const result = await runProbe(probeRequest('127.0.0.1', smtp.port), deps());

    expect(result).toMatchObject({ outcome: 'open', address: '127.0.0.1', addresses: ['127.0.0.1'], error: null });
    expect(result.greeting).toMatch(/^220 recording\.test/);
    expect(result.ehlo).toEqual(expect.arrayContaining(['PIPELINING', '8BITMIME']));
    expect(result.connectMs).toBeTypeOf('number');
    expect(result.diagnosis).toMatch(/^SMTP reachable/);
  });

  it('times the connect within its attempt, and the attempt within the whole probe', async () => {
    const result = await runProbe(probeRequest('127.0.0.1', smtp.port), deps());
    const [attempt] = result.attempts;

    expect(result.connectMs).toBeGreaterThanOrEqual(0);
    expect(result.connectMs).toBeLessThanOrEqual(attempt?.durationMs ?? -1);
    expect(attempt?.durationMs).toBeLessThanOrEqual(result.durationMs);
  });

  it('says EHLO with the configured name, then QUIT, and never MAIL, RCPT or DATA', async () => {
    smtp.commands.length = 0;

    await runProbe(probeRequest('127.0.0.1', smtp.port, { ehloName: 'canary.probe.test' }), deps());

    await vi.waitFor(() => expect(smtp.commands).toContain('QUIT'));
    expect(smtp.commands).toEqual(['EHLO canary.probe.test', 'QUIT']);
    expect(smtp.transactionHooks).toEqual([]);
  });

  it('reaches a server on the IPv6 loopback', async () => {
    const smtp6 = await startRecordingSmtpServer({}, '::1');
    servers.push(smtp6);

    const result = await runProbe(probeRequest('::1', smtp6.port), deps());

    expect(result).toMatchObject({ outcome: 'open', address: '::1' });
  });
});

describe('runProbe with implicit TLS against a TLS-on-connect server', () => {
  let certificate: CertificateFiles;
  let smtp: RecordingSmtpServer;
  beforeAll(async () => {
    certificate = await selfSignedCertificate('localhost', 'DNS:localhost,IP:127.0.0.1', 30);
    smtp = await startRecordingSmtpServer({ secure: true, key: certificate.key, cert: certificate.cert });
  });
  afterAll(async () => {
    await smtp.close();
    await certificate.remove();
  });

  it('reports open with the greeting, the EHLO extensions and the certificate', async () => {
    const result = await runProbe(probeRequest('127.0.0.1', smtp.port, { implicitTls: true }), deps());

    expect(result).toMatchObject({ outcome: 'open', error: null });
    expect(result.greeting).toMatch(/^220 recording\.test/);
    expect(result.ehlo).toEqual(expect.arrayContaining(['PIPELINING']));
    expect(result.tls).toMatchObject({
      protocol: 'TLSv1.3',
      subject: 'CN=localhost',
      daysLeft: 29,
      verified: false,
      verifyError: 'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    });
  });

  it('says EHLO and QUIT over TLS, and nothing else', async () => {
    smtp.commands.length = 0;

    await runProbe(probeRequest('127.0.0.1', smtp.port, { implicitTls: true }), deps());

    await vi.waitFor(() => expect(smtp.commands).toContain('QUIT'));
    expect(smtp.commands).toEqual(['EHLO probe.test', 'QUIT']);
    expect(smtp.transactionHooks).toEqual([]);
  });

  it('makes the unverified certificate a tls-error before the greeting when verification is required', async () => {
    const result = await runProbe(probeRequest('127.0.0.1', smtp.port, { implicitTls: true, verifyTls: true }), deps());

    expect(result).toMatchObject({
      outcome: 'tls-error',
      greeting: null,
      error: 'the certificate did not verify: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    });
  });

  it('without implicit TLS, times out waiting for the greeting and names the likely cause on port 465', async () => {
    const result = await runProbe(
      probeRequest('127.0.0.1', smtp.port, { port: 465, timeoutMs: 300 }),
      // Port 465 is the test server's: the connect goes to its real port, the diagnosis sees the request's.
      { ...deps(), connect: (options) => connect({ ...options, port: smtp.port }) },
    );

    expect(result.outcome).toBe('banner-timeout');
    expect(result.diagnosis).toMatch(/port 465 usually speaks implicit TLS .*probe again with --tls$/);
  });

  it('reports a plain SMTP server answering the handshake with its greeting as a tls-error', async () => {
    const plain = await startRecordingSmtpServer();
    servers.push(plain);

    const result = await runProbe(probeRequest('127.0.0.1', plain.port, { implicitTls: true }), deps());

    expect(result.outcome).toBe('tls-error');
    expect(result.error).toMatch(/^TLS handshake failed: /);
  });

  it('reports a handshake that never finishes as a tls-error at the deadline', async () => {
    const silent = await rawServer(() => undefined);

    const result = await runProbe(
      probeRequest('127.0.0.1', silent.port, { implicitTls: true, timeoutMs: 300 }),
      deps(),
    );

    expect(result).toMatchObject({
      outcome: 'tls-error',
      error: `the TLS handshake did not finish from 127.0.0.1 port ${silent.port} within 300 ms`,
    });
  });
});

describe('runProbe with STARTTLS against a self-signed certificate', () => {
  let certificate: CertificateFiles;
  let smtp: RecordingSmtpServer;
  beforeAll(async () => {
    certificate = await selfSignedCertificate('localhost', 'DNS:localhost,IP:127.0.0.1', 30);
    smtp = await startRecordingSmtpServer({ key: certificate.key, cert: certificate.cert });
  });
  afterAll(async () => {
    await smtp.close();
    await certificate.remove();
  });

  it('reports the TLS session and the certificate, unverified, and stays open', async () => {
    const result = await runProbe(probeRequest('127.0.0.1', smtp.port, { starttls: true }), deps());

    expect(result.outcome).toBe('open');
    expect(result.tls).toMatchObject({
      protocol: 'TLSv1.3',
      subject: 'CN=localhost',
      issuer: 'CN=localhost',
      daysLeft: 29,
      verified: false,
      verifyError: 'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    });
    expect(result.tls?.cipher).toMatch(/^TLS_/);
    expect(Date.parse(result.tls?.notAfter ?? '')).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it('says EHLO again over TLS and still never starts a mail transaction', async () => {
    smtp.commands.length = 0;

    await runProbe(probeRequest('127.0.0.1', smtp.port, { starttls: true }), deps());

    await vi.waitFor(() => expect(smtp.commands).toContain('QUIT'));
    expect(smtp.commands).toEqual(['EHLO probe.test', 'STARTTLS', 'EHLO probe.test', 'QUIT']);
    expect(smtp.transactionHooks).toEqual([]);
  });

  it('makes the unverified certificate a tls-error when verification is required', async () => {
    smtp.commands.length = 0;

    const result = await runProbe(probeRequest('127.0.0.1', smtp.port, { starttls: true, verifyTls: true }), deps());

    expect(result.outcome).toBe('tls-error');
    expect(result.error).toBe('the certificate did not verify: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(result.tls?.verified).toBe(false);
    // The handshake finished, so the server awaits a command: the probe still says goodbye, over TLS.
    await vi.waitFor(() => expect(smtp.commands).toEqual(['EHLO probe.test', 'STARTTLS', 'QUIT']));
  });

  it('reports EHLO over TLS answered with an error as a tls-error', async () => {
    const server = await startStarttlsServer({
      key: certificate.key,
      cert: certificate.cert,
      ehloOverTls: '554 5.7.1 not over TLS\r\n',
    });
    servers.push(server);

    const result = await runProbe(probeRequest('127.0.0.1', server.port, { starttls: true }), deps());

    expect(result).toMatchObject({
      outcome: 'tls-error',
      error: 'EHLO over TLS was answered "554 5.7.1 not over TLS"',
    });
    expect(result.tls).toMatchObject({ subject: 'CN=localhost' });
  });

  it('reports a tls-error when the server does not offer STARTTLS', async () => {
    const plain = await startRecordingSmtpServer();
    servers.push(plain);

    const result = await runProbe(probeRequest('127.0.0.1', plain.port, { starttls: true }), deps());

    expect(result).toMatchObject({ outcome: 'tls-error', tls: null });
    expect(result.error).toMatch(/does not offer STARTTLS/);
  });

  it('does not take an extension that merely ends in STARTTLS for the STARTTLS extension', async () => {
    const server = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      answerCommands(socket, '250-raw.test\r\n250 X-NO-STARTTLS\r\n');
    });

    const result = await runProbe(probeRequest(server.host, server.port, { starttls: true }), deps());

    expect(result).toMatchObject({
      outcome: 'tls-error',
      error: 'the server does not offer STARTTLS in its EHLO reply',
    });
  });
});

describe('runProbe against servers that misbehave', () => {
  it('reads a multi-line greeting', async () => {
    const server = await rawServer((socket) => {
      socket.write('220-raw.test ESMTP\r\n220-second line\r\n220 ready\r\n');
      answerCommands(socket);
    });

    const result = await runProbe(probeRequest(server.host, server.port), deps());

    expect(result).toMatchObject({ outcome: 'open', greeting: '220-raw.test ESMTP\n220-second line\n220 ready' });
    expect(result.ehlo).toEqual(['PIPELINING']);
  });

  it('reports a 554 greeting as a protocol-error the moment it arrives, without saying EHLO', async () => {
    const server = await rawServer((socket) => socket.write('554 no SMTP service here\r\n'));
    const request = probeRequest(server.host, server.port, { timeoutMs: 10_000 });

    const result = await runProbe(request, deps());

    expect(result.outcome).toBe('protocol-error');
    expect(result.error).toBe('the greeting was not 220: "554 no SMTP service here"');
    expect(result.greeting).toBe('554 no SMTP service here');
    expect(result.durationMs).toBeLessThan(request.timeoutMs / 10);
    await vi.waitFor(() => expect(server.received).toContain('QUIT'));
    expect(server.received).not.toContain('EHLO probe.test');
  });

  it('waits for a slow greeting that arrives before the deadline', async () => {
    const server = await rawServer((socket) => {
      setTimeout(() => socket.write('220 slow.test\r\n'), 300);
      answerCommands(socket);
    });

    const result = await runProbe(probeRequest(server.host, server.port, { timeoutMs: 3000 }), deps());

    expect(result.outcome).toBe('open');
    expect(result.durationMs).toBeGreaterThanOrEqual(300);
  });

  it('reports banner-timeout at the deadline when the server never greets', async () => {
    const server = await rawServer(() => undefined);
    const request = probeRequest(server.host, server.port, { timeoutMs: 400 });

    const result = await runProbe(request, deps());

    expect(result.outcome).toBe('banner-timeout');
    expect(result.connectMs).toBeTypeOf('number');
    expect(result.attempts[0]?.durationMs).toBeGreaterThanOrEqual(request.timeoutMs);
    expect(result.error).toBe(
      `connected, but no complete SMTP greeting from 127.0.0.1 port ${server.port} within 400 ms`,
    );
  });

  it('reports banner-timeout when a multi-line greeting never ends', async () => {
    const server = await rawServer((socket) => socket.write('220-first line of three\r\n'));

    const result = await runProbe(probeRequest(server.host, server.port, { timeoutMs: 400 }), deps());

    expect(result.outcome).toBe('banner-timeout');
  });

  it('reports an over-long greeting line as a protocol-error without waiting for its end', async () => {
    const server = await rawServer((socket) => socket.write(`220 ${'x'.repeat(5000)}`));
    const request = probeRequest(server.host, server.port, { timeoutMs: 10_000 });

    const result = await runProbe(request, deps());

    expect(result).toMatchObject({
      outcome: 'protocol-error',
      error: 'reply line longer than 4096 bytes while waiting for the greeting',
    });
    expect(result.durationMs).toBeLessThan(request.timeoutMs / 10);
  });

  it('reports an EHLO reply over 64 KiB as a protocol-error', async () => {
    const server = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      answerCommands(socket, `${'250-SIZE 1\r\n'.repeat(6000)}250 END\r\n`);
    });

    const result = await runProbe(probeRequest(server.host, server.port), deps());

    expect(result).toMatchObject({
      outcome: 'protocol-error',
      error: 'reply longer than 64 KiB while waiting for the EHLO reply',
    });
  });

  it('stays open, with no error, when the server hangs up instead of answering QUIT', async () => {
    const server = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      answerCommands(socket, undefined, { QUIT: '' });
      socket.on('data', (chunk: Buffer) => {
        if (chunk.toString('latin1').startsWith('QUIT')) socket.end();
      });
    });

    const result = await runProbe(probeRequest(server.host, server.port), deps());

    expect(result).toMatchObject({ outcome: 'open', error: null });
    expect(result.attempts[0]).toMatchObject({ outcome: 'open', error: null });
  });

  it('reports a reset right after the connect as a protocol-error', async () => {
    const server = await rawServer((socket) => socket.resetAndDestroy());

    const result = await runProbe(probeRequest(server.host, server.port), deps());

    // Whether the reset overtakes the connect event is a race; either way the server accepted, then reset.
    expect(result.outcome).toBe('protocol-error');
    expect(result.error).toMatch(
      /^the server reset the connection (right after accepting it|while waiting for the greeting)/,
    );
  });

  it('reports a reset in answer to EHLO as a protocol-error', async () => {
    const server = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      socket.once('data', () => socket.resetAndDestroy());
    });

    const result = await runProbe(probeRequest(server.host, server.port), deps());

    expect(result).toMatchObject({
      outcome: 'protocol-error',
      error: 'the server reset the connection while waiting for the EHLO reply',
    });
  });

  it('reports a close right after the connect as a protocol-error', async () => {
    const server = await rawServer((socket) => socket.end());

    const result = await runProbe(probeRequest(server.host, server.port), deps());

    expect(result).toMatchObject({
      outcome: 'protocol-error',
      error: 'the server closed the connection while waiting for the greeting',
    });
  });

  it('reports a close in the middle of a multi-line greeting as a protocol-error', async () => {
    const server = await rawServer((socket) => socket.end('220-first line\r\n'));

    const result = await runProbe(probeRequest(server.host, server.port), deps());

    expect(result.error).toBe(
      'the server closed the connection in the middle of a reply while waiting for the greeting',
    );
  });

  it('survives bytes that are not UTF-8 and reports them as replacement characters', async () => {
    const server = await rawServer((socket) => {
      socket.write(Buffer.concat([Buffer.from('220 caf'), Buffer.from([0xe9, 0xff, 0x00]), Buffer.from(' ok\r\n')]));
      answerCommands(socket);
    });

    const result = await runProbe(probeRequest(server.host, server.port), deps());

    expect(result.outcome).toBe('open');
    expect(result.greeting).toBe('220 caf\uFFFD\uFFFD\u0000 ok');
    expect(JSON.parse(JSON.stringify(result)).greeting).toBe(result.greeting);
  });

  it('reads replies that end in a bare LF', async () => {
    const server = await rawServer((socket) => {
      socket.write('220-raw.test\n220 ready\n');
      answerCommands(socket, '250-raw.test\n250 SIZE 1000\n');
    });

    const result = await runProbe(probeRequest(server.host, server.port), deps());

    expect(result).toMatchObject({ outcome: 'open', ehlo: ['SIZE 1000'] });
  });

  it('reports a non-SMTP server as a protocol-error naming what it said', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n'));

    const result = await runProbe(probeRequest(server.host, server.port), deps());

    expect(result).toMatchObject({
      outcome: 'protocol-error',
      error: 'not an SMTP reply line: "HTTP/1.1 400 Bad Request" while waiting for the greeting',
    });
  });

  it('reports an EHLO answered with an error as a protocol-error', async () => {
    const server = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      answerCommands(socket, '502 5.5.1 EHLO not implemented\r\n');
    });

    const result = await runProbe(probeRequest(server.host, server.port), deps());

    expect(result).toMatchObject({
      outcome: 'protocol-error',
      error: 'EHLO was answered "502 5.5.1 EHLO not implemented"',
    });
  });

  it('reports an EHLO that is never answered as a protocol-error at the deadline', async () => {
    const server = await rawServer((socket) => socket.write('220 raw.test\r\n'));

    const result = await runProbe(probeRequest(server.host, server.port, { timeoutMs: 400 }), deps());

    expect(result.outcome).toBe('protocol-error');
    expect(result.error).toMatch(/^no reply to EHLO from 127\.0\.0\.1 port \d+ within 400 ms$/);
  });

  it('reports STARTTLS answered with an error as a tls-error', async () => {
    const server = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      answerCommands(socket, '250-raw.test\r\n250 STARTTLS\r\n', { STARTTLS: '454 4.7.0 TLS not available\r\n' });
    });

    const result = await runProbe(probeRequest(server.host, server.port, { starttls: true }), deps());

    expect(result).toMatchObject({
      outcome: 'tls-error',
      error: 'STARTTLS was answered "454 4.7.0 TLS not available"',
    });
  });

  it('reports a server that answers the TLS handshake with plain text as a tls-error', async () => {
    const server = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      answerCommands(socket, '250-raw.test\r\n250 STARTTLS\r\n', { STARTTLS: '220 go ahead\r\n' });
      // 0x16 starts a TLS handshake record: the ClientHello gets plain text back.
      socket.on('data', (chunk: Buffer) => {
        if (chunk[0] === 0x16) socket.write('this is not TLS\r\n'.repeat(10));
      });
    });

    const result = await runProbe(probeRequest(server.host, server.port, { starttls: true }), deps());

    expect(result.outcome).toBe('tls-error');
    expect(result.error).toMatch(/^TLS handshake failed: /);
  });

  it('reports a closed port as refused', async () => {
    const port = await closedLoopbackPort();

    const result = await runProbe(probeRequest('127.0.0.1', port), deps());

    expect(result).toMatchObject({ outcome: 'refused', connectMs: null, greeting: null });
    expect(result.error).toBe(`connection refused (TCP reset) at 127.0.0.1 port ${port} (ECONNREFUSED)`);
  });
});

describe('runProbe address resolution', () => {
  it('dials the addresses in resolver order, moving on after a fast failure, and reports all of them', async () => {
    const server = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      answerCommands(socket);
    });
    // Nothing listens on ::1 at the IPv4 server's port, so the first address is refused at once.
    const lookup = lookupFrom({
      'mx.probe.test': [
        { address: '::1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ],
    });

    const result = await runProbe(probeRequest('mx.probe.test', server.port), deps(lookup));

    expect(result).toMatchObject({ outcome: 'open', address: '127.0.0.1', addresses: ['::1', '127.0.0.1'] });
    // The refused first address is history once the second one answers: the attempt itself has no error.
    expect(result.attempts[0]?.error).toBeNull();
  });

  it('stops at the first address that connects', async () => {
    const server = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      answerCommands(socket);
    });
    const lookup = lookupFrom({
      'mx.probe.test': [
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ],
    });

    const result = await runProbe(probeRequest('mx.probe.test', server.port), deps(lookup));

    expect(result).toMatchObject({ outcome: 'open', address: '127.0.0.1', addresses: ['127.0.0.1', '::1'] });
  });

  it('names every address that failed when none connects', async () => {
    const port = await closedLoopbackPort();
    const lookup = lookupFrom({
      'mx.probe.test': [
        { address: '127.0.0.1', family: 4 },
        { address: '127.0.0.2', family: 4 },
        { address: '::1', family: 6 },
      ],
    });

    const result = await runProbe(probeRequest('mx.probe.test', port), deps(lookup));

    expect(result).toMatchObject({ outcome: 'refused', address: '::1' });
    expect(result.error).toBe(
      `connection refused (TCP reset) at ::1 port ${port} (ECONNREFUSED); before that: ` +
        `connection refused (TCP reset) at 127.0.0.1 port ${port} (ECONNREFUSED); ` +
        `connection refused (TCP reset) at 127.0.0.2 port ${port} (ECONNREFUSED)`,
    );
  });

  it('reports a name that does not resolve as dns-error without dialling', async () => {
    const result = await runProbe(probeRequest('missing.probe.test', 25), deps(lookupFrom({})));

    expect(result).toMatchObject({
      outcome: 'dns-error',
      address: null,
      addresses: [],
      connectMs: null,
      error: 'cannot resolve missing.probe.test: no such host (ENOTFOUND)',
    });
  });

  it('reports an empty answer as dns-error', async () => {
    const result = await runProbe(probeRequest('empty.probe.test', 25), deps(lookupFrom({ 'empty.probe.test': [] })));

    expect(result).toMatchObject({
      outcome: 'dns-error',
      error: 'cannot resolve empty.probe.test: no addresses returned',
    });
  });

  it('reports a look-up that outlasts the deadline as dns-error at the deadline', async () => {
    const hangingLookup: ProbeDependencies['lookup'] = () => new Promise(() => undefined);

    const result = await runProbe(probeRequest('slow.probe.test', 25, { timeoutMs: 300 }), deps(hangingLookup));

    expect(result).toMatchObject({ outcome: 'dns-error', error: 'the DNS look-up did not finish within 300 ms' });
  });
});

describe('runProbe attempts and control port', () => {
  it('lists every attempt and summarizes with the first one that was not open', async () => {
    let connections = 0;
    const server = await rawServer((socket) => {
      connections += 1;
      socket.write(connections === 2 ? '421 too busy\r\n' : '220 raw.test\r\n');
      answerCommands(socket);
    });

    const result = await runProbe(probeRequest(server.host, server.port, { attempts: 3 }), deps());

    expect(result.attempts.map((attempt) => [attempt.attempt, attempt.outcome])).toEqual([
      [1, 'open'],
      [2, 'protocol-error'],
      [3, 'open'],
    ]);
    expect(result.outcome).toBe('protocol-error');
    expect(result.error).toBe('the greeting was not 220: "421 too busy"');
  });

  it('connects to the control port on the same address and adds it to the diagnosis', async () => {
    const smtp = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      answerCommands(socket);
    });
    const control = await rawServer((socket) => socket.end());

    const result = await runProbe(probeRequest(smtp.host, smtp.port, { controlPort: control.port }), deps());

    expect(result.control).toMatchObject({ port: control.port, outcome: 'open' });
    expect(result.control?.connectMs).toBeTypeOf('number');
    expect(result.diagnosis).toMatch(new RegExp(`; control port ${control.port} connected$`));
  });

  it('reports a refused control port', async () => {
    const port = await closedLoopbackPort();

    const result = await runProbe(probeRequest('127.0.0.1', port, { controlPort: port }), deps());

    expect(result.control).toEqual({ port, outcome: 'refused', connectMs: null });
  });

  it.each([
    ['an IP literal', '127.0.0.1', noLookup],
    [
      'a host name once it is resolved',
      'mx.probe.test',
      lookupFrom({ 'mx.probe.test': [{ address: '127.0.0.1', family: 4 }] }),
    ],
  ])('connects to the control port of %s while port 25 is still being probed', async (_, host, lookup) => {
    let controlConnected: () => void = () => undefined;
    const controlSeen = new Promise<void>((resolve) => {
      controlConnected = resolve;
    });
    const control = await rawServer((socket) => {
      controlConnected();
      socket.end();
    });
    // Greets only once the control connection exists: a control connect made after the attempt would meet a silent server.
    const smtp = await rawServer((socket) => {
      void controlSeen.then(() => socket.write('220 raw.test\r\n'));
      answerCommands(socket);
    });

    const result = await runProbe(
      { ...probeRequest(host, smtp.port, { controlPort: control.port }), target: `${host}:${smtp.port}` },
      deps(lookup),
    );

    expect(result.outcome).toBe('open');
    expect(result.control).toMatchObject({ port: control.port, outcome: 'open' });
  });

  it('connects to the control port once, during the last of several attempts', async () => {
    const smtp = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      answerCommands(socket);
    });
    const finishedAttemptsAtControl: number[] = [];
    const control = await rawServer((socket) => {
      finishedAttemptsAtControl.push(smtp.received.filter((line) => line === 'QUIT').length);
      socket.end();
    });

    const result = await runProbe(
      probeRequest(smtp.host, smtp.port, { attempts: 3, controlPort: control.port }),
      deps(),
    );

    expect(result.control).toMatchObject({ port: control.port, outcome: 'open' });
    expect(finishedAttemptsAtControl).toEqual([2]);
  });

  it('keeps the control connect of the address the attempt ended on, not of an address it gave up', async () => {
    const smtp = await rawServer((socket) => {
      socket.write('220 raw.test\r\n');
      answerCommands(socket);
    });
    // Only 127.0.0.1 listens: on 127.0.0.2 both ports refuse, so the attempt falls through to the second address.
    const control = await rawServer((socket) => socket.end());
    const lookup = lookupFrom({
      'mx.probe.test': [
        { address: '127.0.0.2', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    });

    const result = await runProbe(
      probeRequest('mx.probe.test', smtp.port, { controlPort: control.port }),
      deps(lookup),
    );

    expect(result).toMatchObject({ outcome: 'open', address: '127.0.0.1' });
    expect(result.control).toMatchObject({ port: control.port, outcome: 'open' });
  });

  it('skips the control port when nothing was dialled', async () => {
    const result = await runProbe(probeRequest('missing.probe.test', 25, { controlPort: 443 }), deps(lookupFrom({})));

    expect(result.control).toBeNull();
  });
});

describe('runProbe cleanup', () => {
  it('leaves no timer behind when an attempt ends before its deadline', async () => {
    const server = await rawServer((socket) => socket.write('554 no SMTP service here\r\n'));
    const timersBefore = process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

    await runProbe(probeRequest(server.host, server.port, { timeoutMs: 10_000, controlPort: server.port }), deps());

    const timersAfter = process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    expect(timersAfter).toBeLessThanOrEqual(timersBefore);
  });

  it('leaves no socket behind after a deadline', async () => {
    const server = await rawServer(() => undefined);

    await runProbe(probeRequest(server.host, server.port, { timeoutMs: 200, controlPort: server.port }), deps());

    // The server's side closes once the probe's side has; only the listening socket may stay.
    await vi.waitFor(() => {
      const handles = process.getActiveResourcesInfo().filter((resource) => /^(TCP|Connect|.*Shutdown)/.test(resource));
      expect(handles).toEqual(['TCPServerWrap']);
    });
  });
});
