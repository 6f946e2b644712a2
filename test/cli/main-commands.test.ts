import { describe, expect, it } from 'vitest';
import { USAGE_EXIT_CODE } from '../../functions/shared/outcomes.js';
import { runCli } from '../helpers/exec.js';

describe('port25-canary help and version', () => {
  it('answers help help with the main help', async () => {
    const [helpHelp, help] = await Promise.all([runCli(['help', 'help']), runCli(['help'])]);

    expect(helpHelp.stdout).toBe(help.stdout);
    expect(helpHelp.stderr).toBe('');
    expect(helpHelp.exitCode).toBe(0);
  });

  it('prints the version with the version command, as --version does', async () => {
    const [command, option] = await Promise.all([runCli(['version']), runCli(['--version'])]);

    expect(command.stdout).toMatch(/^\S+\n$/);
    expect(command.stdout).toBe(option.stdout);
    expect(command.exitCode).toBe(0);
  });

  it('lists version among the commands', async () => {
    expect((await runCli(['--help'])).stdout).toContain('version  print the version (also --version)');
  });
});

describe('an option before the command', () => {
  it('is taken as the command’s own', async () => {
    const [before, after] = await Promise.all([
      runCli(['--json', 'explain', '10.0.0.1']),
      runCli(['explain', '--json', '10.0.0.1']),
    ]);

    expect(before.stdout).toBe(after.stdout);
    expect(before.exitCode).toBe(0);
  });

  it('with its value, before a command that takes it', async () => {
    const result = await runCli(['--vpc-cidr', '10.0.0.0/16', 'explain', '10.0.0.1']);

    expect(result.stdout).toMatch(/VPC primary CIDR/i);
    expect(result.exitCode).toBe(0);
  });

  it('is still refused, naming the command, when that command does not take it', async () => {
    const result = await runCli(['--stack', 'x', 'explain', '10.0.0.1']);

    expect(result.stderr).toMatch(/^port25-canary explain: unknown option --stack/);
    expect(result.exitCode).toBe(USAGE_EXIT_CODE);
  });

  it('without any command says so', async () => {
    const result = await runCli(['--json']);

    expect(result.stderr).toBe(
      "port25-canary: --json without a command (explain, probe, run, invoke, help, version)\nRun 'port25-canary --help' for the commands.\n",
    );
    expect(result.exitCode).toBe(USAGE_EXIT_CODE);
  });
});
