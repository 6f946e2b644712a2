import type { InvocationResult } from '../agent-protocol.js';
import {
  BENCH_EHLO_NAME,
  type BenchTarget,
  killedVerdict,
  normalizeMessage,
  TOOL_ENVIRONMENT,
  type ToolVerdict,
  type VerdictTool,
  wholeSeconds,
} from './tool.js';

/** Debian's monitoring-plugins-basic. */
export const CHECK_SMTP_PATH = '/usr/lib/nagios/plugins/check_smtp';

const PLUGIN_STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

/** A Nagios plugin's verdict: its state (exit code) and its output without performance data. */
export function parseCheckSmtp(result: Pick<InvocationResult, 'exitCode' | 'stdout' | 'stderr'>): ToolVerdict {
  const state =
    result.exitCode === null ? 'no exit code' : (PLUGIN_STATES[result.exitCode] ?? `exit ${result.exitCode}`);
  const lines = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((line) => line.split('|')[0]?.trim() ?? '')
    .filter((line) => line !== '');
  return { code: `${result.exitCode ?? '-'} ${state}`, detail: normalizeMessage(lines.join(' / ')) };
}

export const checkSmtpTool: VerdictTool = {
  id: 'check_smtp',
  name: 'Nagios check_smtp',
  ours: false,
  invocation(target: BenchTarget, timeoutMs: number) {
    return {
      kind: 'spawn',
      argv: [
        CHECK_SMTP_PATH,
        '-H',
        target.address,
        '-p',
        String(target.port),
        target.family === 6 ? '-6' : '-4',
        '-F',
        BENCH_EHLO_NAME,
        '-t',
        String(wholeSeconds(timeoutMs)),
      ],
      env: TOOL_ENVIRONMENT,
    };
  },
  verdict: (result) => killedVerdict(result) ?? parseCheckSmtp(result),
};
