import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI_PATH = resolve('dist/cli.mjs');

export interface ProcessResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI as a separate process with a clean environment (only PATH and what the test passes), so a
 * developer's AWS settings can never leak into a test.
 */
export function runCli(args: readonly string[], env: Record<string, string> = {}, argv0: readonly string[] = []): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(...commandLine(argv0, args), {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolvePromise({ exitCode, stdout, stderr }));
  });
}

/** `node dist/cli.mjs ...args`, optionally behind a prefix such as `ip netns exec NAME`. */
function commandLine(prefix: readonly string[], args: readonly string[]): [string, string[]] {
  const full = [...prefix, process.execPath, CLI_PATH, ...args];
  return [full[0] as string, full.slice(1)];
}
