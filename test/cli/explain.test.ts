import { describe, expect, it } from 'vitest';
import { explainCommand } from '../../functions/cli/commands/explain.js';
import { runCli } from '../helpers/exec.js';
import { capture } from '../orchestrator/fakes.js';

describe('port25-canary explain --port', () => {
  it('expects every address open off port 25 and says the rule does not apply there', async () => {
    const { output, io } = capture();

    const exitCode = await explainCommand.run(
      ['--json', '--port', '587', '--vpc-cidr', '10.0.0.0/16', '198.51.100.25', '127.0.0.1'],
      io,
    );

    expect(exitCode).toBe(0);
    expect(JSON.parse(output.stdout)).toEqual([
      {
        input: '198.51.100.25',
        address: '198.51.100.25',
        family: 'IPv4',
        throttled: false,
        expected: 'open',
        rule: "port 587: AWS's restriction covers port 25 only",
        port: 587,
      },
      expect.objectContaining({ input: '127.0.0.1', notMailDestination: 'loopback', port: 587 }),
    ]);
  });

  it('names the port in the table and judges port 25 by default', async () => {
    const off = capture();
    const on = capture();

    await explainCommand.run(['--port', '465', '198.51.100.25'], off.io);
    await explainCommand.run(['198.51.100.25'], on.io);

    expect(off.output.stdout).toMatch(/^INPUT\s+ADDRESS\s+FAMILY\s+PORT 465\s+RULE\n/);
    expect(off.output.stdout).toMatch(/IPv4\s+open\s+port 465: AWS's restriction covers port 25 only\n$/);
    expect(on.output.stdout).toMatch(/PORT 25\s+RULE\n.*blocked\s+public address\n$/);
  });

  it.each(['0', '65536', 'smtp'])('refuses --port %s, naming the option', async (port) => {
    const { output, io } = capture();

    await expect(explainCommand.run(['--port', port, '198.51.100.25'], io)).rejects.toThrow(
      `--port must be a whole number from 1 to 65535, got "${port}"`,
    );
    expect(output.stdout).toBe('');
  });
});

describe('port25-canary explain (built CLI)', () => {
  it('prints the documented rule for every boundary address as one JSON array', async () => {
    const result = await runCli([
      'explain',
      '--json',
      '--vpc-cidr',
      '198.51.100.0/24',
      '172.31.255.255',
      '172.32.0.0',
      '100.64.0.0',
      'fc00::1',
      '2001:db8::25',
      '198.51.100.25',
      '::ffff:192.168.1.1',
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    const verdicts = JSON.parse(result.stdout) as { input: string; expected: string; rule: string }[];
    expect(verdicts.map(({ input, expected, rule }) => [input, expected, rule])).toEqual([
      ['172.31.255.255', 'open', 'RFC 1918 172.16.0.0/12'],
      ['172.32.0.0', 'blocked', 'public address'],
      ['100.64.0.0', 'open', 'RFC 6598 100.64.0.0/10'],
      ['fc00::1', 'open', 'RFC 4193 fc00::/7'],
      ['2001:db8::25', 'blocked', 'IPv6 outside RFC 4193'],
      ['198.51.100.25', 'open', 'VPC primary CIDR 198.51.100.0/24'],
      ['::ffff:192.168.1.1', 'open', 'RFC 1918 192.168.0.0/16'],
    ]);
  });

  it('opens everything with --released', async () => {
    const result = await runCli(['explain', '--json', '--released', '198.51.100.25']);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        input: '198.51.100.25',
        address: '198.51.100.25',
        family: 'IPv4',
        throttled: false,
        expected: 'open',
        rule: 'restriction released',
        port: 25,
      },
    ]);
  });

  it('prints an aligned table by default', async () => {
    const result = await runCli(['explain', '--wide', '10.1.2.3', '2001:db8::25']);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^INPUT\s+ADDRESS\s+FAMILY\s+PORT 25\s+RULE$/);
    expect(lines[1]).toMatch(/^10\.1\.2\.3\s+10\.1\.2\.3\s+IPv4\s+open\s+RFC 1918 10\.0\.0\.0\/8$/);
    expect(lines[2]?.indexOf('IPv6')).toBe(lines[1]?.indexOf('IPv4'));
  });

  it('resolves host names only with --resolve', async () => {
    const refused = await runCli(['explain', 'localhost']);
    expect(refused.exitCode).toBe(2);
    const resolved = await runCli(['explain', '--resolve', '--json', 'localhost']);
    expect(resolved.exitCode).toBe(0);
    expect(JSON.parse(resolved.stdout)[0]).toMatchObject({ input: 'localhost', notMailDestination: 'loopback' });
  });

  it('names addresses that are not mail destinations for what they are, v4, v6 and mapped', async () => {
    const result = await runCli([
      'explain',
      '--json',
      '127.0.0.1',
      '::1',
      '169.254.169.254',
      'fe80::1',
      '224.0.0.1',
      'ff02::1',
      '0.0.0.0',
      '::',
      '255.255.255.255',
      '::ffff:127.0.0.1',
    ]);

    expect(result.exitCode).toBe(0);
    const verdicts = JSON.parse(result.stdout) as { input: string; notMailDestination?: string; rule: string }[];
    expect(verdicts.map(({ input, notMailDestination }) => [input, notMailDestination])).toEqual([
      ['127.0.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['224.0.0.1', 'multicast'],
      ['ff02::1', 'multicast'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['255.255.255.255', 'broadcast'],
      ['::ffff:127.0.0.1', 'loopback'],
    ]);
    for (const verdict of verdicts) {
      expect(verdict.rule).toContain('not a mail destination');
      expect(verdict.rule).not.toContain('public');
    }
  });

  it('prints "not mail" in the table for loopback and the embedded IPv4 address of a NAT64 address', async () => {
    const result = await runCli(['explain', '--wide', '127.0.0.1', '64:ff9b::c633:6419']);

    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(
      /^127\.0\.0\.1\s+127\.0\.0\.1\s+IPv4\s+not mail\s+loopback 127\.0\.0\.0\/8: not a mail destination/,
    );
    expect(lines[2]).toMatch(/blocked\s+IPv6 outside RFC 4193 \(NAT64 64:ff9b::\/96: embeds IPv4 198\.51\.100\.25\)$/);
  });

  it.each([
    [['explain', '10.0.0.1', 'not-an-ip'], '"not-an-ip"'],
    [['explain', '--vpc-cidr', '10.0.0.1/16', '10.0.0.1'], 'did you mean 10.0.0.0/16?'],
    [['explain', '--bogus', '10.0.0.1'], 'unknown option --bogus\n'],
    [['explain'], 'at least one ADDRESS is required'],
  ])('exits 2 for %j, names the culprit on stderr and prints nothing on stdout', async (args, culprit) => {
    const result = await runCli(args);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(culprit);
  });
});

describe('port25-canary (built CLI)', () => {
  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists the commands with --help', async () => {
    const result = await runCli(['--help']);
    expect(result.exitCode).toBe(0);
    for (const command of ['explain', 'probe', 'run', 'invoke']) expect(result.stdout).toContain(command);
  });

  it('exits 2 on an unknown command', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stdout).toBe('');
  });

  it('prints help for a command', async () => {
    const result = await runCli(['explain', '--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Usage: port25-canary explain');
  });
});
