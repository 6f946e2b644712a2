import type { ChildProcess } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODE_BY_OUTCOME } from '../../functions/shared/outcomes.js';
import type { ProbeResult } from '../../functions/shared/probe-result.js';
import {
  applyNftables,
  connect,
  createNamespace,
  deleteNamespacesWithPrefix,
  isRoot,
  spawnInNamespace,
} from '../../lab/netns.js';
import { runProbeBundle, runProbeCli } from '../helpers/probe-process.js';

// The silent drop (AWS's throttle) and the ICMP reject only exist with a real packet filter: two namespaces joined by
// a veth pair, a responder and an nftables table in one, the BUILT probe run in the other. Nothing here has a route
// off the machine.
const PREFIX = 'p25probe-';
const CLIENT = `${PREFIX}client`;
const SERVER = `${PREFIX}server`;
const SMTP_PORT = 25;
const CONTROL_PORT = 443;
const TIMEOUT_MS = 1000;

const OPEN_V4 = '198.51.100.25';
const OPEN_V6 = 'fd25:9::25';
const DROPPED_V4 = '198.51.100.26';
const DROPPED_V6 = 'fd25:9::26';
const REJECTED_V4 = '198.51.100.27';
const PROHIBITED_V6 = 'fd25:9::27';
const DARK_V4 = '198.51.100.28';
const MX_NAME = 'mx.p25probe.test';

const RULESET = `
table inet p25probe {
  chain input {
    type filter hook input priority filter; policy accept;
    ip daddr ${DROPPED_V4} tcp dport ${SMTP_PORT} drop
    ip6 daddr ${DROPPED_V6} tcp dport ${SMTP_PORT} drop
    ip daddr ${REJECTED_V4} tcp dport ${SMTP_PORT} reject with icmpx type host-unreachable
    ip6 daddr ${PROHIBITED_V6} tcp dport ${SMTP_PORT} reject with icmpx type admin-prohibited
    ip daddr ${DARK_V4} drop
  }
}
`;

const inClient = { prefix: ['ip', 'netns', 'exec', CLIENT] };

function onlyResult(stdout: string): ProbeResult {
  const lines = stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] as string) as ProbeResult;
}

const canCreateNamespaces = isRoot() || process.env.CI === 'true';

describe.skipIf(!canCreateNamespaces)(
  'the built probe through a packet filter in network namespaces (needs root: skipped when not root and CI is not true)',
  () => {
    let responder: ChildProcess | undefined;

    beforeAll(async () => {
      await deleteNamespacesWithPrefix(PREFIX);
      await createNamespace(CLIENT, { [MX_NAME]: OPEN_V4 });
      // The name has an AAAA record too: a second hosts line.
      await appendFile(`/etc/netns/${CLIENT}/hosts`, `${OPEN_V6}\t${MX_NAME}\n`);
      await createNamespace(SERVER);
      await connect(
        { namespace: CLIENT, name: 'p25p-c', addresses: ['198.51.100.1/24', 'fd25:9::1/64'] },
        {
          namespace: SERVER,
          name: 'p25p-s',
          addresses: [
            '198.51.100.2/24',
            `${OPEN_V4}/24`,
            `${DROPPED_V4}/24`,
            `${REJECTED_V4}/24`,
            `${DARK_V4}/24`,
            'fd25:9::2/64',
            `${OPEN_V6}/64`,
            `${DROPPED_V6}/64`,
            `${PROHIBITED_V6}/64`,
          ],
        },
      );
      await applyNftables(SERVER, RULESET);
      const child = spawnInNamespace(
        SERVER,
        [
          process.execPath,
          '--import',
          'tsx',
          'test/helpers/probe-smtp-responder.ts',
          String(SMTP_PORT),
          String(CONTROL_PORT),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      responder = child;
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`the responder exited with ${code} before listening`)));
        child.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('listening')) resolve();
        });
      });
    });

    afterAll(async () => {
      responder?.kill('SIGKILL');
      // Deleting the namespaces kills what runs in them and takes their veth and nftables table along.
      await deleteNamespacesWithPrefix(PREFIX);
    });

    it('reaches the open address by name through the namespace hosts file, listing both addresses', async () => {
      const { exitCode, stdout } = await runProbeBundle(['--json', MX_NAME], inClient);

      const result = onlyResult(stdout);
      expect(result.outcome).toBe('open');
      expect([...result.addresses].sort()).toEqual([OPEN_V4, OPEN_V6]);
      expect(result.address).toBe(result.addresses[0]);
      expect(result.greeting).toBe('220 responder.p25probe.test ESMTP');
      expect(exitCode).toBe(0);
    });

    it.each([DROPPED_V4, DROPPED_V6])('reports the silent drop to %s as timeout at its deadline', async (address) => {
      const target = address.includes(':') ? `[${address}]` : address;

      const { exitCode, stdout } = await runProbeBundle(['--json', '--timeout', `${TIMEOUT_MS}ms`, target], inClient);

      const result = onlyResult(stdout);
      expect(result.outcome).toBe('timeout');
      expect(result.attempts[0]?.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
      expect(result.attempts[0]?.durationMs).toBeLessThanOrEqual(TIMEOUT_MS + 200);
      expect(result.error).toBe(
        `no answer to the TCP connection attempt from ${address} port 25 within ${TIMEOUT_MS} ms: the SYN was dropped silently`,
      );
      expect(exitCode).toBe(EXIT_CODE_BY_OUTCOME.timeout);
    });

    it('reports an ICMP host-unreachable as unreachable at once', async () => {
      const { exitCode, stdout } = await runProbeBundle(['--json', '--timeout', '10000ms', REJECTED_V4], inClient);

      const result = onlyResult(stdout);
      expect(result.outcome).toBe('unreachable');
      expect(result.error).toMatch(/\(EHOSTUNREACH\)$/);
      expect(result.durationMs).toBeLessThan(result.timeoutMs / 10);
      expect(exitCode).toBe(EXIT_CODE_BY_OUTCOME.unreachable);
    });

    it('reports an ICMPv6 administratively-prohibited as unreachable', async () => {
      const { exitCode, stdout } = await runProbeBundle(['--json', `[${PROHIBITED_V6}]`], inClient);

      const result = onlyResult(stdout);
      expect(result.outcome).toBe('unreachable');
      expect(result.error).toMatch(/^administratively prohibited .*\(EACCES\)$/);
      expect(exitCode).toBe(EXIT_CODE_BY_OUTCOME.unreachable);
    });

    it('diagnoses port 25 dropped while the control port connects as the port-25-specific drop', async () => {
      const { stdout } = await runProbeBundle(
        ['--json', '--timeout', `${TIMEOUT_MS}ms`, '--control-port', String(CONTROL_PORT), DROPPED_V4],
        inClient,
      );

      const result = onlyResult(stdout);
      expect(result.outcome).toBe('timeout');
      expect(result.control).toMatchObject({ port: CONTROL_PORT, outcome: 'open' });
      expect(result.diagnosis).toMatch(/^port-25-specific drop, consistent with AWS's port-25 throttle/);
    });

    it('diagnoses every port dropped as no path at all, not the throttle', async () => {
      const { stdout } = await runProbeBundle(
        ['--json', '--timeout', `${TIMEOUT_MS}ms`, '--control-port', String(CONTROL_PORT), DARK_V4],
        inClient,
      );

      const result = onlyResult(stdout);
      expect(result.control).toEqual({ port: CONTROL_PORT, outcome: 'timeout', connectMs: null });
      expect(result.diagnosis).toMatch(
        /^no path on any port \(security group, NACL, route or firewall\), not the throttle/,
      );
    });

    it('decides every port dropped at the one deadline: the control connect runs beside port 25', async () => {
      const { stdout } = await runProbeBundle(
        ['--json', '--timeout', `${TIMEOUT_MS}ms`, '--control-port', String(CONTROL_PORT), DARK_V4],
        inClient,
      );

      const result = onlyResult(stdout);
      expect(result).toMatchObject({ outcome: 'timeout', control: { outcome: 'timeout' } });
      expect(result.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
      expect(result.durationMs).toBeLessThanOrEqual(TIMEOUT_MS + 200);
    });

    it('reports a name the namespace cannot resolve as dns-error', async () => {
      const { exitCode, stdout } = await runProbeBundle(['--json', 'unknown.p25probe.test'], inClient);

      expect(onlyResult(stdout)).toMatchObject({ outcome: 'dns-error', address: null, addresses: [] });
      expect(exitCode).toBe(EXIT_CODE_BY_OUTCOME['dns-error']);
    });

    it('judges the drop against the rule and exits by the expectation: a mismatch (open where blocked) is 1', async () => {
      const { exitCode, stdout } = await runProbeCli(
        ['--json', '--timeout', `${TIMEOUT_MS}ms`, '--vpc-cidr', '10.0.0.0/16', OPEN_V4, DROPPED_V4],
        inClient,
      );

      const results = stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as ProbeResult);
      expect(results.map((result) => [result.outcome, result.expectation])).toEqual([
        [
          'open',
          {
            expected: 'blocked',
            rule: 'public address',
            matches: false,
            evidence: 'port 25 connected: the block is not in effect',
          },
        ],
        [
          'timeout',
          {
            expected: 'blocked',
            rule: 'public address',
            matches: true,
            evidence: 'consistent with the throttle, unproven (no control port)',
          },
        ],
      ]);
      expect(exitCode).toBe(1);
    });

    it('proves the block only beside a control port that answers: a dark host is unprovable (3), as in run', async () => {
      const { exitCode, stdout } = await runProbeCli(
        [
          '--json',
          '--timeout',
          `${TIMEOUT_MS}ms`,
          '--control-port',
          String(CONTROL_PORT),
          '--vpc-cidr',
          '10.0.0.0/16',
          DROPPED_V4,
          DARK_V4,
        ],
        inClient,
      );

      const results = stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as ProbeResult);
      expect(results.map((result) => [result.outcome, result.control?.outcome, result.expectation])).toEqual([
        [
          'timeout',
          'open',
          { expected: 'blocked', rule: 'public address', matches: true, evidence: 'port-25-specific drop' },
        ],
        [
          'timeout',
          'timeout',
          {
            expected: 'blocked',
            rule: 'public address',
            matches: null,
            evidence: 'no path on any port: the throttle cannot be told from a dead path',
          },
        ],
      ]);
      expect(exitCode).toBe(3);
    });
  },
);
