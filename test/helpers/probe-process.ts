import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const PROBE_CLI = resolve('dist/cli.mjs');
export const PROBE_BUNDLE = resolve('dist/probe/index.mjs');

export interface ProbeProcessResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, to show the process does not linger on open handles. */
  readonly elapsedMs: number;
}

/**
 * Runs `node <script> ...args` as a process with a clean environment (PATH plus what the test passes), optionally
 * behind a prefix such as `ip netns exec NAME`.
 */
export function runNodeScript(
  script: string,
  args: readonly string[],
  options: { readonly env?: Record<string, string>; readonly prefix?: readonly string[] } = {},
): Promise<ProbeProcessResult> {
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

/** `port25-canary probe ...args` from the built CLI. */
export function runProbeCli(args: readonly string[], options?: Parameters<typeof runNodeScript>[2]) {
  return runNodeScript(PROBE_CLI, ['probe', ...args], options);
}

/** The probe container's entry, dist/probe/index.mjs. */
export function runProbeBundle(args: readonly string[], options?: Parameters<typeof runNodeScript>[2]) {
  return runNodeScript(PROBE_BUNDLE, args, options);
}
