import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandMailDomains, NullMxError } from '../../functions/probe/mx-targets.js';
import { parseProbeArguments } from '../../functions/probe/probe-arguments.js';
import { runProbeProgram } from '../../functions/probe/probe-program.js';
import type { ProbeDependencies } from '../../functions/probe/run-probe.js';
import { systemProbeDependencies } from '../../functions/probe/system-dependencies.js';
import type { ResolveMx } from '../../functions/shared/mail-exchangers.js';
import type { ProbeResult } from '../../functions/shared/probe-result.js';
import { probeRequest } from '../helpers/probe-request.js';
import { type RecordingSmtpServer, startRecordingSmtpServer } from '../helpers/probe-smtp-server.js';
import { capture } from '../orchestrator/fakes.js';

// Real SMTP on loopback; the resolver (A/AAAA and MX) is injected, so no made-up name reaches the machine's DNS.
const MX: Record<string, { exchange: string; priority: number }[] | string> = {
  'example.test': [
    { exchange: 'mx2.example.test', priority: 20 },
    { exchange: 'mx1.example.test', priority: 10 },
  ],
  'bare.test': 'ENODATA',
  'nomail.test': [{ exchange: '', priority: 0 }],
  'gone.test': 'ENOTFOUND',
};
const ADDRESSES: Record<string, string> = {
  'mx1.example.test': '127.0.0.1',
  // Loopback too, where nothing listens: refused.
  'mx2.example.test': '127.0.0.2',
  'bare.test': '127.0.0.1',
};

const resolveMx: ResolveMx = async (domain) => {
  const answer = MX[domain];
  if (answer === undefined || typeof answer === 'string') {
    throw Object.assign(new Error(`queryMx ${answer ?? 'ENOTFOUND'} ${domain}`), { code: answer ?? 'ENOTFOUND' });
  }
  return answer;
};

const deps = (): ProbeDependencies => ({
  now: systemProbeDependencies().now,
  resolveMx,
  lookup: async (host) => {
    const address = ADDRESSES[host];
    if (address === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return [{ address, family: 4 }];
  },
});

let smtp: RecordingSmtpServer;
beforeAll(async () => {
  smtp = await startRecordingSmtpServer();
});
afterAll(() => smtp.close());

async function probe(argv: string[]) {
  const { io, output } = capture();
  const exitCode = await runProbeProgram(argv, io, deps());
  return {
    exitCode,
    ...output,
    results: () =>
      output.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as ProbeResult),
  };
}

describe('probe --mx', () => {
  it('probes every MX host on the given port, lowest preference first, and says which each is', async () => {
    const result = await probe(['--json', '--mx', '--timeout', '2s', `example.test:${smtp.port}`]);

    expect(result.results().map((row) => [row.host, row.mx, row.outcome])).toEqual([
      ['mx1.example.test', { domain: 'example.test', preference: 10, implicit: false }, 'open'],
      ['mx2.example.test', { domain: 'example.test', preference: 20, implicit: false }, 'refused'],
    ]);
    expect(smtp.transactionHooks).toEqual([]);
  });

  it('shows the mail domain and preference in the table', async () => {
    const result = await probe(['--mx', '--timeout', '2s', `example.test:${smtp.port}`]);

    expect(result.stdout.split('\n')[0]).toMatch(/^MX OF\s+TARGET\s+ADDRESS/);
    expect(result.stdout).toMatch(
      new RegExp(`example\\.test 10\\s+mx1\\.example\\.test:${smtp.port}\\s+127\\.0\\.0\\.1\\s+open`),
    );
    expect(result.stdout).toMatch(/example\.test 20\s+mx2\.example\.test:\d+\s+127\.0\.0\.2\s+refused/);
  });

  it('probes the domain itself when it has no MX records', async () => {
    const result = await probe(['--json', '--mx', `bare.test:${smtp.port}`]);

    expect(result.results()).toMatchObject([
      { host: 'bare.test', outcome: 'open', mx: { domain: 'bare.test', preference: 0, implicit: true } },
    ]);
    expect(result.exitCode).toBe(0);
  });

  it('reports a domain whose MX look-up fails as a dns-error row', async () => {
    const result = await probe(['--json', '--mx', 'gone.test']);

    expect(result.results()).toMatchObject([
      {
        host: 'gone.test',
        outcome: 'dns-error',
        address: null,
        error: 'cannot resolve gone.test: no such host (ENOTFOUND)',
        mx: { domain: 'gone.test', preference: null },
      },
    ]);
    expect(result.exitCode).toBe(13);
  });

  it('refuses a null MX domain: it takes no mail', async () => {
    await expect(probe(['--mx', 'nomail.test'])).rejects.toThrow(
      'nomail.test has a null MX (RFC 7505): the domain accepts no mail, so there is no host to probe',
    );
  });

  it('refuses an address as a mail domain', () => {
    expect(() => parseProbeArguments(['--mx', '10.0.0.1'])).toThrow(
      '--mx takes mail domains, got the address "10.0.0.1"',
    );
  });
});

describe('expandMailDomains', () => {
  it('keeps the port and options of the request for each MX host', async () => {
    const [first] = await expandMailDomains([probeRequest('example.test', 2525, { starttls: true })], resolveMx);

    expect(first?.request).toMatchObject({
      host: 'mx1.example.test',
      port: 2525,
      target: 'mx1.example.test:2525',
      starttls: true,
    });
  });

  it('throws NullMxError for a null MX', async () => {
    await expect(expandMailDomains([probeRequest('nomail.test', 25)], resolveMx)).rejects.toThrow(NullMxError);
  });
});
