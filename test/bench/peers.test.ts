import { describe, expect, it } from 'vitest';
import { blackboxConfig, blackboxVerdict, parseBlackboxDebugPage, parseLogfmt } from '../../bench/peers/blackbox.js';
import { parseCheckSmtp } from '../../bench/peers/check-smtp.js';
import { probeVerdict } from '../../bench/peers/port25-canary.js';
import { parseSwaks } from '../../bench/peers/swaks.js';
import { normalizeMessage } from '../../bench/peers/tool.js';
import { parseGnuTime } from '../../bench/probe-cost.js';

describe('normalizeMessage', () => {
  it('masks IPv4 addresses and their ports', () => {
    expect(normalizeMessage('read tcp4 10.42.0.10:53354->10.99.0.14:25: i/o timeout')).toBe(
      'read tcp4 ADDR->ADDR: i/o timeout',
    );
  });

  it('masks a bracketed IPv6 address and its port', () => {
    expect(normalizeMessage('dial tcp6 [2001:db8:25::25]:25: i/o timeout')).toBe('dial tcp6 ADDR: i/o timeout');
  });

  it('masks an unbracketed IPv6 address followed by a port like the IPv4 case', () => {
    expect(normalizeMessage('Error connecting to 2001:db8:25::25:25:')).toBe(
      normalizeMessage('Error connecting to 198.51.100.25:25:'),
    );
  });

  it('keeps an SMTP enhanced status code', () => {
    expect(normalizeMessage('554 5.7.1 no service')).toBe('554 5.7.1 no service');
  });

  it('masks durations', () => {
    expect(normalizeMessage('SMTP OK - 0.003 sec. response time')).toBe('SMTP OK - N sec. response time');
  });
});

describe('parseCheckSmtp', () => {
  it('names the plugin state and drops the performance data', () => {
    const verdict = parseCheckSmtp({
      exitCode: 0,
      stdout: 'SMTP OK - 0.003 sec. response time|time=0.002591s;;;0.000000\n',
      stderr: '',
    });
    expect(verdict).toEqual({ code: '0 OK', detail: 'SMTP OK - N sec. response time' });
  });

  it('joins a refusal and its summary line', () => {
    const verdict = parseCheckSmtp({
      exitCode: 2,
      stdout:
        'connect to address 10.99.0.11 and port 25: Connection refused\nSMTP CRITICAL - 0.000 sec. response time|time=0.000326s;;;0.000000\n',
      stderr: '',
    });
    expect(verdict.detail).toBe(
      'connect to address ADDR and port 25: Connection refused / SMTP CRITICAL - N sec. response time',
    );
  });

  it('reports a timeout as CRITICAL', () => {
    expect(
      parseCheckSmtp({ exitCode: 2, stdout: 'CRITICAL - Socket timeout after 2 seconds\n', stderr: '' }).code,
    ).toBe('2 CRITICAL');
  });
});

describe('parseSwaks', () => {
  it('keeps the error lines of a failed connect', () => {
    const verdict = parseSwaks({
      exitCode: 2,
      stdout:
        '=== Trying 198.51.100.25:25...\n*** Error connecting to 198.51.100.25:25:\n*** \tIO::Socket::INET6: connect: timeout\n',
      stderr: '',
    });
    expect(verdict).toEqual({
      code: '2 error connecting',
      detail: 'Error connecting to ADDR: / IO::Socket::INET6: connect: timeout',
    });
  });

  it('reads a banner timeout from the <** lines', () => {
    const verdict = parseSwaks({
      exitCode: 21,
      stdout: '=== Connected to 10.99.0.14.\n<** Timeout (2 secs) waiting for server response\n',
      stderr: '',
    });
    expect(verdict).toEqual({
      code: '21 error reading banner',
      detail: 'Timeout (N secs) waiting for server response',
    });
  });

  it('says the dialogue completed when nothing went wrong', () => {
    expect(parseSwaks({ exitCode: 0, stdout: '<-  220 ok\n -> QUIT\n', stderr: '' }).detail).toBe('dialogue completed');
  });
});

const DEBUG_PAGE = `Logs for the probe:
ts=2026-11-29T18:05:03.901Z caller=main.go:181 module=smtp target=10.99.0.14:25 level=info msg="Beginning probe" probe=tcp timeout_seconds=2
ts=2026-11-29T18:05:05.901Z caller=handler.go:117 module=smtp target=10.99.0.14:25 level=error msg="Error reading from connection" err="read tcp4 10.42.0.10:53354->10.99.0.14:25: i/o timeout"
ts=2026-11-29T18:05:05.902Z caller=main.go:181 module=smtp target=10.99.0.14:25 level=error msg="Probe failed" duration_seconds=2.000231587



Metrics that would have been returned:
# HELP probe_success Displays whether or not the probe was a success
# TYPE probe_success gauge
probe_duration_seconds 2.000231587
probe_failed_due_to_regex 0
probe_success 0



Module configuration:
prober: tcp
`;

describe('parseLogfmt', () => {
  it('unquotes quoted values with escapes', () => {
    expect(parseLogfmt('level=error msg="say \\"hi\\"" n=2')).toEqual({ level: 'error', msg: 'say "hi"', n: '2' });
  });
});

describe('blackbox debug page', () => {
  it('reads the metrics a scrape would have returned', () => {
    expect(parseBlackboxDebugPage(DEBUG_PAGE).metrics).toEqual({
      probe_duration_seconds: 2.000231587,
      probe_failed_due_to_regex: 0,
      probe_success: 0,
    });
  });

  it('makes probe_success the code and the first logged error the detail', () => {
    expect(blackboxVerdict(parseBlackboxDebugPage(DEBUG_PAGE))).toEqual({
      code: 'probe_success 0',
      detail: 'Error reading from connection: read tcp4 ADDR->ADDR: i/o timeout',
    });
  });

  it('flags a failed expect in the code', () => {
    const page = DEBUG_PAGE.replace('probe_failed_due_to_regex 0', 'probe_failed_due_to_regex 1');
    expect(blackboxVerdict(parseBlackboxDebugPage(page)).code).toBe('probe_success 0, failed_due_to_regex 1');
  });

  it('writes one SMTP module per address family with the common timeout', () => {
    const config = blackboxConfig(2000);
    expect(config).toContain('smtp_ip4:');
    expect(config).toContain('smtp_ip6:');
    expect(config.match(/timeout: 2s/g)).toHaveLength(2);
  });
});

describe('parseGnuTime', () => {
  it('reads peak RSS and user+system CPU from the marker line', () => {
    const stderr = 'Command exited with non-zero status 10\nP25BENCH_RUSAGE 45120 0.03 0.01 2.05 10\n';
    expect(parseGnuTime(stderr)).toEqual({ maxRssKiB: 45120, cpuMs: 40, exitCode: 10 });
  });

  it('fails when the marker line is missing', () => {
    expect(() => parseGnuTime('something else')).toThrow(/no GNU time report/);
  });
});

describe('probeVerdict', () => {
  it('reads the outcome and the control port from the JSON line', () => {
    const line = JSON.stringify({
      outcome: 'timeout',
      control: { port: 587, outcome: 'open', connectMs: 1 },
      diagnosis: 'port 25 timed out while port 587 on 198.51.100.25 connected',
      durationMs: 2005,
    });
    expect(probeVerdict({ exitCode: 10, stdout: `${line}\n`, stderr: '' })).toEqual({
      code: '10 timeout, control port 587 open',
      detail: 'port 25 timed out while port 587 on ADDR connected',
    });
  });

  it('says there is no result when stdout has no JSON line', () => {
    expect(probeVerdict({ exitCode: 2, stdout: '', stderr: 'probe: bad arguments' }).code).toBe('2 no result');
  });
});
