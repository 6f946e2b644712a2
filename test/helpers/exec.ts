import { resolve } from 'node:path';
import { cleanEnvironment, type ProcessResult, runProcess } from '../../lab/process.js';

export type { ProcessResult } from '../../lab/process.js';

/** The `bin`: runs `probe` itself and every other command through dist/cli.mjs. */
export const CLI_PATH = resolve('dist/cli.cjs');

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
  return runProcess(command, commandArgs, { env: cleanEnvironment(options.env) });
}

/** The built CLI, `port25-canary ...args`. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return runNodeScript(CLI_PATH, args, { env });
}
