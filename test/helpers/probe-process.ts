import { resolve } from 'node:path';
import { CLI_PATH, type ProcessOptions, type ProcessResult, runNodeScript } from './exec.js';

export const PROBE_BUNDLE = resolve('dist/probe/index.cjs');

/** `port25-canary probe ...args` from the built CLI. */
export function runProbeCli(args: readonly string[], options?: ProcessOptions): Promise<ProcessResult> {
  return runNodeScript(CLI_PATH, ['probe', ...args], options);
}

/** The probe container's entry, dist/probe/index.cjs. */
export function runProbeBundle(args: readonly string[], options?: ProcessOptions): Promise<ProcessResult> {
  return runNodeScript(PROBE_BUNDLE, args, options);
}
