import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI_PATH = resolve('dist/cli.mjs');

export interface ProcessResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, to show the process does not linger on open handles. */
  readonly elapsedMs: number;
}

export interface ProcessOptions {
  /** Added to a clean environment that holds only PATH, so a developer's AWS settings never leak into a test. */
  readonly env?: Record<string, string>;
  /** A command prefix such as `ip netns exec NAME`. */
  readonly prefix?: readonly string[];
}

/** Runs `node <script> ...args` as a separate process and collects its output and exit code. */
export function runNodeScript(
  script: string,
  args: readonly string[],
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  const [command, ...commandArgs] = [...(options.prefix ?? []), process.execPath, script, ...args] as [
    string,
    ...string[],
  ];
  const startedAt = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, commandArgs, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
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
    child.on('close', (exitCode) =>
      resolvePromise({ exitCode, stdout, stderr, elapsedMs: performance.now() - startedAt }),
    );
  });
}

/** The built CLI, `port25-canary ...args`. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return runNodeScript(CLI_PATH, args, { env });
}
