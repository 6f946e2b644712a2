import { connect as connectSocket } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbeProgram } from '../../functions/probe/probe-program.js';
import { systemProbeDependencies } from '../../functions/probe/system-dependencies.js';
import { EXIT_CODE_BY_OUTCOME, USAGE_EXIT_CODE } from '../../functions/shared/outcomes.js';
import type { ProbeResult } from '../../functions/shared/probe-result.js';
import { type DroppingPort, startDroppingPort } from '../helpers/loopback-drop.js';
import { type CertificateFiles, caSignedCertificate, selfSignedCertificate } from '../helpers/probe-certificates.js';
import { runProbeBundle, runProbeCli } from '../helpers/probe-process.js';
import { answerCommands, closedLoopbackPort, type RawServer, startRawServer } from '../helpers/probe-raw-server.js';
import { type RecordingSmtpServer, startRecordingSmtpServer } from '../helpers/probe-smtp-server.js';
import { capture } from '../orchestrator/fakes.js';

// The built CLI (dist/cli.cjs) and the probe container's entry (dist/probe/index.cjs) as processes, against loopback
// servers. `npm test` builds first.

const RESULT_FIELDS = [
  'address',
  'addresses',
  'attempts',
  'connectMs',
  'control',
  'diagnosis',
  'durationMs',
  'ehlo',
  'error',
  'greeting',
  'host',
  'outcome',
  'port',
  'target',
  'timeoutMs',
  'tls',
];

function jsonLines(stdout: string): ProbeResult[] {
  expect(stdout.endsWith('\n')).toBe(true);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as ProbeResult);
}

let smtp: RecordingSmtpServer;
let silent: RawServer;
let noSmtp: RawServer;
let closedPort: number;
let dropping: DroppingPort;
beforeAll(async () => {
  dropping = await startDroppingPort();
  smtp = await startRecordingSmtpServer();
  silent = await startRawServer(() => undefined);
  noSmtp = await startRawServer((socket) => {
    socket.write('554 no SMTP service here\r\n');
    answerCommands(socket);
  });
  closedPort = await closedLoopbackPort();
});
afterAll(async () => {
  await Promise.all([smtp.close(), silent.close(), noSmtp.close(), dropping.close()]);
});

describe.each([
  ['port25-canary probe', runProbeCli],
  ['the probe container entry', runProbeBundle],
])('%s as a process', (_name, run) => {
  it('prints exactly one JSON line with every result field for an open target and exits 0', async () => {
    const { exitCode, stdout, stderr } = await run(['--json', `127.0.0.1:${smtp.port}`]);

    const [result, ...rest] = jsonLines(stdout);
    expect(rest).toEqual([]);
    expect(Object.keys(result ?? {}).sort()).toEqual(RESULT_FIELDS);
    expect(result).toMatchObject({ target: `127.0.0.1:${smtp.port}`, outcome: 'open', timeoutMs: 10_000, error: null });
    expect(stderr).toBe(
      `probe 127.0.0.1:${smtp.port}: attempt 1/1 open via 127.0.0.1 in ${result?.attempts[0]?.durationMs} ms\n`,
    );
    expect(exitCode).toBe(0);
  });

  it('exits with the code of the outcome', async () => {
    const { exitCode, stdout } = await run(['--json', `127.0.0.1:${noSmtp.port}`]);

    expect(jsonLines(stdout)[0]?.outcome).toBe('protocol-error');
    expect(exitCode).toBe(EXIT_CODE_BY_OUTCOME['protocol-error']);
  });

  it('exits 11 for a refused port', async () => {
    const { exitCode } = await run(['--json', `127.0.0.1:${closedPort}`]);

    expect(exitCode).toBe(EXIT_CODE_BY_OUTCOME.refused);
  });

  it('prints targets in argument order and exits with the code of the first that is not open', async () => {
    const targets = [`127.0.0.1:${smtp.port}`, `127.0.0.1:${silent.port}`, `[::1]:${closedPort}`];

    const { exitCode, stdout } = await run(['--json', '--timeout', '300ms', ...targets]);

    const results = jsonLines(stdout);
    expect(results.map((result) => [result.target, result.outcome])).toEqual([
      [targets[0], 'open'],
      [targets[1], 'banner-timeout'],
      [targets[2], 'refused'],
    ]);
    expect(exitCode).toBe(EXIT_CODE_BY_OUTCOME['banner-timeout']);
  });

  it('exits as soon as the probe is done, leaving no handle that waits for the deadline', async () => {
    const timeoutMs = 20_000;

    const { exitCode, elapsedMs } = await run(['--json', '--timeout', `${timeoutMs}ms`, `127.0.0.1:${noSmtp.port}`]);

    expect(exitCode).toBe(EXIT_CODE_BY_OUTCOME['protocol-error']);
    expect(elapsedMs).toBeLessThan(timeoutMs / 4);
  });

  it('lists every attempt', async () => {
    const { stdout } = await run(['--json', '--attempts', '3', `127.0.0.1:${smtp.port}`]);

    expect(jsonLines(stdout)[0]?.attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3]);
  });

  it('prints an aligned table without --json', async () => {
    const { exitCode, stdout } = await run([`127.0.0.1:${smtp.port}`, `127.0.0.1:${closedPort}`]);

    const [header, first, second] = stdout.split('\n');
    expect(header).toMatch(/^TARGET +ADDRESS +OUTCOME +CONNECT +TIME +DETAIL$/);
    expect(first).toMatch(new RegExp(`^127\\.0\\.0\\.1:${smtp.port} +127\\.0\\.0\\.1 +open `));
    expect(second?.indexOf('refused')).toBe(header?.indexOf('OUTCOME'));
    expect(stdout).toContain(`127.0.0.1:${closedPort}: the host answered port ${closedPort} with a reset`);
    expect(exitCode).toBe(EXIT_CODE_BY_OUTCOME.refused);
  });

  it('states a human-mode result once: the table on stdout, nothing on stderr when stderr is not a terminal', async () => {
    const { stdout, stderr } = await run(['--attempts', '2', `127.0.0.1:${smtp.port}`]);

    expect(stdout).toMatch(/^TARGET +ADDRESS/);
    expect(stderr).toBe('');
  });

  it('prints one progress line per attempt on stderr beside --json', async () => {
    const { stderr } = await run(['--json', '--attempts', '2', `127.0.0.1:${smtp.port}`]);

    expect(stderr.split('\n').filter((line) => line.startsWith('probe '))).toHaveLength(2);
  });

  it('prints the options and the exit codes with --help', async () => {
    const { exitCode, stdout } = await run(['--help']);

    expect(stdout).toMatch(/^Usage: (port25-canary probe|node \/app\/index\.cjs) \[options\] HOST\[:PORT\]\.\.\./);
    expect(stdout).toMatch(/--verify-tls/);
    expect(stdout).toMatch(/10 {2}timeout/);
    expect(exitCode).toBe(0);
  });

  it.each([
    [['--json', '127.0.0.1:99999'], /port must be a whole number from 1 to 65535/],
    [['--json', '--frobnicate', '127.0.0.1'], /unknown option --frobnicate\n/],
    [['--json'], /no target given/],
    [['--json', '--timeout', 'soon', '127.0.0.1'], /--timeout must be a duration from 100ms to 2m/],
  ])('rejects %j with exit 2, the reason on stderr and nothing on stdout', async (argv, reason) => {
    const { exitCode, stdout, stderr } = await run(argv);

    expect(exitCode).toBe(USAGE_EXIT_CODE);
    expect(stdout).toBe('');
    expect(stderr).toMatch(reason);
  });
});

describe('rule context', () => {
  it('adds the expectation for the address dialled to the CLI result', async () => {
    const { stdout } = await runProbeCli(['--json', '--released', `127.0.0.1:${smtp.port}`]);

    expect(jsonLines(stdout)[0]?.expectation).toEqual({
      expected: 'open',
      rule: 'loopback 127.0.0.0/8: not a mail destination (never leaves the host)',
      matches: true,
      evidence: `port ${smtp.port} connected and the server greeted`,
    });
  });

  it('names loopback for what it is in the table, never a public address', async () => {
    const { stdout } = await runProbeCli(['--vpc-cidr', '10.0.0.0/16', `127.0.0.1:${smtp.port}`]);

    expect(stdout).toMatch(/EXPECTED/);
    expect(stdout).toContain('open matches');
    expect(stdout).toContain('loopback 127.0.0.0/8: not a mail destination');
    expect(stdout).not.toContain('public');
  });

  it.each([
    // Loopback is expected open, and the judge is run's: an SMTP server there passes, a dropped SYN (timeout) and a
    // refusal (reset) fail. Unprovable (3) on loopback needs an injected resolver: see 'exits 3 when nothing was dialled'.
    ['matches', ['SMTP'], 0],
    ['mismatches (timeout)', ['DROPPED'], 1],
    ['mismatches (refused)', ['CLOSED'], 1],
    ['mismatches on one target and matches on another', ['CLOSED', 'SMTP'], 1],
  ])('exits by the expectation, not the outcome, when the observation %s', async (_case, targets, exitCode) => {
    const ports: Record<string, number> = { SMTP: smtp.port, CLOSED: closedPort, DROPPED: dropping.port };
    const args = targets.map((target) => `127.0.0.1:${ports[target]}`);

    const result = await runProbeCli(['--json', '--timeout', '1000ms', '--vpc-cidr', '10.0.0.0/16', ...args]);

    expect({ exitCode: result.exitCode, stderr: result.stderr.includes('probe:') }).toEqual({
      exitCode,
      stderr: false,
    });
  });

  it('rejects a bad --vpc-cidr with exit 2', async () => {
    const { exitCode, stdout, stderr } = await runProbeCli(['--vpc-cidr', '10.0.0.1/16', '127.0.0.1']);

    expect(exitCode).toBe(USAGE_EXIT_CODE);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--vpc-cidr: .*did you mean 10\.0\.0\.0\/16/);
  });

  it('is refused by the probe container, which leaves the rule engine out', async () => {
    const { exitCode, stdout, stderr } = await runProbeBundle(['--released', '127.0.0.1']);

    expect(exitCode).toBe(USAGE_EXIT_CODE);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--vpc-cidr and --released are not available in the probe container/);
  });
});

describe('certificate verification', () => {
  const servers: RecordingSmtpServer[] = [];
  const certificates: CertificateFiles[] = [];
  async function tlsServer(certificate: Promise<CertificateFiles>) {
    const files = await certificate;
    certificates.push(files);
    const server = await startRecordingSmtpServer({ key: files.key, cert: files.cert });
    servers.push(server);
    return { files, server };
  }
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await Promise.all(certificates.map((files) => files.remove()));
  });

  it('reports a certificate from a trusted CA that names the address as verified', async () => {
    const { files, server } = await tlsServer(caSignedCertificate('localhost', 'DNS:localhost,IP:127.0.0.1'));

    const { exitCode, stdout } = await runProbeCli(['--json', '--verify-tls', `127.0.0.1:${server.port}`], {
      env: { NODE_EXTRA_CA_CERTS: files.caFile },
    });

    expect(jsonLines(stdout)[0]?.tls).toMatchObject({
      verified: true,
      verifyError: null,
      issuer: 'CN=p25probe test CA',
    });
    expect(exitCode).toBe(0);
  });

  it('reports a trusted certificate for another name as unverified, naming the mismatch', async () => {
    const { files, server } = await tlsServer(caSignedCertificate('mx.other.test', 'DNS:mx.other.test'));

    const { exitCode, stdout } = await runProbeCli(['--json', '--starttls', `127.0.0.1:${server.port}`], {
      env: { NODE_EXTRA_CA_CERTS: files.caFile },
    });

    expect(jsonLines(stdout)[0]?.tls).toMatchObject({ verified: false });
    expect(jsonLines(stdout)[0]?.tls?.verifyError).toMatch(
      /IP: 127\.0\.0\.1 is not in the cert's list.*\(ERR_TLS_CERT_ALTNAME_INVALID\)$/,
    );
    expect(exitCode).toBe(0);
  });

  it('probes a TLS-on-connect server with --tls, reporting its CA-signed certificate as verified', async () => {
    const files = await caSignedCertificate('localhost', 'DNS:localhost,IP:127.0.0.1');
    certificates.push(files);
    const server = await startRecordingSmtpServer({ secure: true, key: files.key, cert: files.cert });
    servers.push(server);

    const { exitCode, stdout } = await runProbeBundle(['--json', '--tls', '--verify-tls', `127.0.0.1:${server.port}`], {
      env: { NODE_EXTRA_CA_CERTS: files.caFile },
    });

    expect(jsonLines(stdout)[0]).toMatchObject({
      outcome: 'open',
      tls: { verified: true, issuer: 'CN=p25probe test CA' },
    });
    expect(server.commands.map((command) => command.split(' ')[0])).toEqual(['EHLO', 'QUIT']);
    expect(exitCode).toBe(0);
  });

  it('exits 16 when --verify-tls meets a self-signed certificate', async () => {
    const { server } = await tlsServer(selfSignedCertificate('localhost', 'DNS:localhost,IP:127.0.0.1'));

    const { exitCode, stdout } = await runProbeBundle(['--json', '--verify-tls', `127.0.0.1:${server.port}`]);

    expect(jsonLines(stdout)[0]?.outcome).toBe('tls-error');
    expect(exitCode).toBe(EXIT_CODE_BY_OUTCOME['tls-error']);
  });
});

describe('what the built probe loads', () => {
  const reportingEnv = { NODE_OPTIONS: `--require ${resolve('test/helpers/report-loaded-builtins.cjs')}` };
  const loadedBuiltins = (stderr: string): string[] =>
    JSON.parse(/^loaded built-ins: (.*)$/m.exec(stderr)?.[1] ?? '[]') as string[];
  let certificate: CertificateFiles;
  let starttlsServer: RecordingSmtpServer;
  beforeAll(async () => {
    certificate = await selfSignedCertificate('localhost', 'DNS:localhost,IP:127.0.0.1');
    starttlsServer = await startRecordingSmtpServer({ key: certificate.key, cert: certificate.cert });
  });
  afterAll(async () => {
    await starttlsServer.close();
    await certificate.remove();
  });

  it.each([
    ['port25-canary probe', runProbeCli],
    ['the probe container entry', runProbeBundle],
  ])('%s loads node:tls only when STARTTLS is asked for', async (_name, run) => {
    const target = `127.0.0.1:${starttlsServer.port}`;

    const plain = await run(['--json', target], { env: reportingEnv });
    const starttls = await run(['--json', '--starttls', target], { env: reportingEnv });

    expect(jsonLines(plain.stdout)[0]?.outcome).toBe('open');
    expect(loadedBuiltins(plain.stderr)).toContain('net');
    expect(loadedBuiltins(plain.stderr)).not.toContain('tls');
    expect(jsonLines(starttls.stdout)[0]?.tls?.protocol).toMatch(/^TLSv1/);
    expect(loadedBuiltins(starttls.stderr)).toContain('tls');
  });
});

describe('rule context with an injected resolver', () => {
  const loadRule = async () => (await import('../../functions/probe/expectation.js')).port25ExpectationRule;

  it('exits 3 when nothing was dialled (a name that does not resolve proves nothing either way)', async () => {
    const { output, io: commandIo } = capture();
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND mx.example.com'), { code: 'ENOTFOUND' });
    const deps = { ...systemProbeDependencies(), lookup: async () => Promise.reject(notFound) };

    const exitCode = await runProbeProgram(
      ['--json', '--vpc-cidr', '10.0.0.0/16', 'mx.example.com'],
      commandIo,
      deps,
      loadRule,
    );

    expect(jsonLines(output.stdout)[0]).toMatchObject({ outcome: 'dns-error', address: null });
    expect(jsonLines(output.stdout)[0]?.expectation).toBeUndefined();
    expect(exitCode).toBe(3);
  });

  it('matches a public address on port 587 that connects: the rule covers port 25 only', async () => {
    const { output, io: commandIo } = capture();
    const dialled: string[] = [];
    const deps = {
      ...systemProbeDependencies(),
      // The rule judges the public address; the bytes go to the loopback server.
      connect: ({ host, port }: { host: string; port: number }) => {
        dialled.push(`${host}:${port}`);
        return connectSocket({ host: '127.0.0.1', port: smtp.port });
      },
    };

    const exitCode = await runProbeProgram(
      ['--port', '587', '--vpc-cidr', '10.0.0.0/16', '198.51.100.25'],
      commandIo,
      deps,
      loadRule,
    );

    expect(dialled).toEqual(['198.51.100.25:587']);
    expect(output.stdout).toMatch(/open matches\s+port 587: AWS's restriction covers port 25 only/);
    expect(output.stdout).not.toContain('MISMATCH');
    expect(exitCode).toBe(0);
  });

  it('is unprovable (3) beside a clean pass: unproven before matched', async () => {
    const { output, io: commandIo } = capture();
    const deps = {
      ...systemProbeDependencies(),
      lookup: async (host: string) =>
        host === 'relay.example.com'
          ? [{ address: '127.0.0.1', family: 4 as const }]
          : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })),
    };

    const exitCode = await runProbeProgram(
      ['--json', '--vpc-cidr', '10.0.0.0/16', `relay.example.com:${smtp.port}`, 'mx.example.com'],
      commandIo,
      deps,
      loadRule,
    );

    expect(jsonLines(output.stdout).map((result) => result.expectation?.matches)).toEqual([true, undefined]);
    expect(exitCode).toBe(3);
  });
});

describe('progress on a terminal', () => {
  it('shows a status line on stderr that is cleared before the table states the result', async () => {
    const output = { stdout: '', stderr: '' };
    const io = {
      stdout: (text: string) => {
        output.stdout += text;
      },
      stderr: (text: string) => {
        output.stderr += text;
      },
      env: {},
      stderrIsTerminal: true,
    };

    await runProbeProgram(['--attempts', '2', `127.0.0.1:${smtp.port}`], io, systemProbeDependencies());

    const clearLine = '\r\x1b[K';
    expect(output.stderr.startsWith(`${clearLine}probe 127.0.0.1:${smtp.port}: attempt 1/2 open`)).toBe(true);
    expect(output.stderr.endsWith(clearLine)).toBe(true);
    expect(output.stderr).not.toContain('\n');
    expect(output.stdout).toMatch(/^TARGET +ADDRESS/);
  });
});
