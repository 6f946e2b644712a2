import { describe, expect, it } from 'vitest';
import { USAGE_EXIT_CODE } from '../../functions/shared/outcomes.js';
import type { ProbeResult } from '../../functions/shared/probe-result.js';
import { runCli } from '../helpers/exec.js';
import { runProbeBundle } from '../helpers/probe-process.js';
import { closedLoopbackPort } from '../helpers/probe-raw-server.js';

// The built CLI and the probe container's entry as processes with a clean environment: how they read a command line
// and what they say when it is wrong.

describe('a usage error (built CLI)', () => {
  it.each([
    [['probe', '--frobnicate', '127.0.0.1'], 'probe', 'unknown option --frobnicate'],
    [['probe', '--jsn', '127.0.0.1'], 'probe', 'unknown option --jsn (did you mean --json?)'],
    [['probe', '127.0.0.1', '--timeout'], 'probe', '--timeout needs a value'],
    [['probe', '--timeout', '--json', '127.0.0.1'], 'probe', '--timeout needs a value'],
    [['explain', '--json=yes', '10.0.0.1'], 'explain', '--json takes no value, got "yes"'],
    [['run', '--deadline'], 'run', '--deadline needs a value'],
    [['invoke', '--function'], 'invoke', '--function needs a value'],
  ])('%j prints the reason and one line pointing to --help, and exits 2', async (args, command, reason) => {
    const result = await runCli(args);

    expect(result.exitCode).toBe(USAGE_EXIT_CODE);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `port25-canary ${command}: ${reason}\nRun 'port25-canary ${command} --help' for the options.\n`,
    );
  });

  it.each([
    [['run', 'canary.config.json'], 'run', '--config canary.config.json'],
    [['invoke', 'port25-canary-fn'], 'invoke', '--function port25-canary-fn'],
  ])('%j suggests the option that takes the word', async (args, command, suggestion) => {
    const result = await runCli(args);

    expect(result.exitCode).toBe(USAGE_EXIT_CODE);
    expect(result.stderr.split('\n')[0]).toBe(
      `port25-canary ${command}: unexpected argument "${args[1]}" (options only; did you mean ${suggestion}?)`,
    );
  });

  it('says a host name given to explain needs --resolve', async () => {
    const result = await runCli(['explain', 'mail.example.com']);

    expect(result.exitCode).toBe(USAGE_EXIT_CODE);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(
      'port25-canary explain: "mail.example.com" is a host name, not an address: add --resolve to judge every address it resolves to, or --mx for a mail domain\'s MX hosts',
    );
  });

  it('names an unknown command with a suggestion and one line pointing to --help', async () => {
    const result = await runCli(['prbe']);

    expect(result.exitCode).toBe(USAGE_EXIT_CODE);
    expect(result.stderr).toBe(
      `port25-canary: unknown command "prbe" (did you mean probe?)\nRun 'port25-canary --help' for the commands.\n`,
    );
  });
});

describe('port25-canary help', () => {
  it('prints the list of commands on stdout without a command', async () => {
    const result = await runCli(['help']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: port25-canary <command>/);
    expect(result.stdout).toContain('help     show this help');
  });

  it.each(['explain', 'probe', 'run', 'invoke'])("prints the help of '%s', as '%s --help' does", async (command) => {
    const viaHelp = await runCli(['help', command]);
    const viaOption = await runCli([command, '--help']);

    expect(viaHelp.exitCode).toBe(0);
    expect(viaHelp.stdout).toMatch(new RegExp(`^Usage: port25-canary ${command} `));
    expect(viaHelp.stdout).toBe(viaOption.stdout);
  });

  it('exits 2 for a command that does not exist', async () => {
    const result = await runCli(['help', 'deploy']);

    expect(result.exitCode).toBe(USAGE_EXIT_CODE);
    expect(result.stderr).toContain('unknown command "deploy"');
  });
});

describe('durations with units', () => {
  it.each([
    ['2500ms', 2500],
    ['2.5s', 2500],
    ['3', 3000],
  ])('probe --timeout %s is a %i ms deadline', async (timeout, timeoutMs) => {
    const port = await closedLoopbackPort();

    const result = await runCli(['probe', '--json', '--timeout', timeout, `127.0.0.1:${port}`]);

    expect((JSON.parse(result.stdout) as ProbeResult).timeoutMs).toBe(timeoutMs);
  });

  it('says in the error that a bare --timeout is seconds', async () => {
    const result = await runCli(['probe', '--timeout', '300', '127.0.0.1']);

    expect(result.exitCode).toBe(USAGE_EXIT_CODE);
    expect(result.stderr).toContain('a bare number is seconds), got "300"');
  });

  it('accepts run --deadline 5m and says in the help that a bare number is seconds', async () => {
    const accepted = await runCli(['run', '--deadline', '5m', '--config', '/nonexistent/canary.config.json']);
    const help = await runCli(['help', 'run']);

    expect(accepted.stderr).toContain('cannot read the config file');
    expect(help.stdout).toContain('a bare number is seconds');
  });
});

describe('the probe container entry', () => {
  it('prints a usage error and one line pointing to its --help, and exits 2', async () => {
    const result = await runProbeBundle(['--frobnicate', '127.0.0.1']);

    expect(result.exitCode).toBe(USAGE_EXIT_CODE);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "probe: unknown option --frobnicate\nRun 'node /app/index.cjs --help' for the options.\n",
    );
  });

  it('lists only the options it accepts in its help', async () => {
    const container = await runProbeBundle(['--help']);
    const cli = await runCli(['probe', '--help']);

    expect(container.exitCode).toBe(0);
    expect(container.stdout).toMatch(/^Usage: node \/app\/index\.cjs \[options\] HOST\[:PORT\]\.\.\./);
    expect(container.stdout).toContain('--control-port N');
    expect(container.stdout).not.toMatch(/^ {2}--(vpc-cidr|released)/m);
    expect(cli.stdout).toMatch(/^ {2}--vpc-cidr CIDR/m);
    expect(cli.stdout).toMatch(/^ {2}--released/m);
  });

  it('takes a --timeout with a unit, as the CLI does', async () => {
    const port = await closedLoopbackPort();

    const result = await runProbeBundle(['--json', '--timeout', '3s', `127.0.0.1:${port}`]);

    expect((JSON.parse(result.stdout) as ProbeResult).timeoutMs).toBe(3000);
  });
});
