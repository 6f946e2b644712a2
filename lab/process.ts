import { type ChildProcess, spawn } from 'node:child_process';

export interface ProcessResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit. */
  readonly elapsedMs: number;
}

export interface ProcessOptions {
  /** The whole environment: callers pass a clean one so nothing of the caller's (AWS settings above all) leaks in. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Called with the child at once, e.g. to register it for teardown. */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** Runs a command to its end and collects its output and exit code; a non-zero exit is a result, not an error. */
export function runProcess(command: string, args: readonly string[], options: ProcessOptions): Promise<ProcessResult> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ exitCode, stdout, stderr, elapsedMs: performance.now() - startedAt }));
  });
}

/** Only PATH from this process's environment, plus what the caller adds. */
export function cleanEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...extra };
}
