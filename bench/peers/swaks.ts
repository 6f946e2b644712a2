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

/** Exit codes from swaks(1), EXIT CODES. */
const SWAKS_EXIT_CODES: Readonly<Record<number, string>> = {
  0: 'no errors',
  1: 'bad options',
  2: 'error connecting',
  6: 'connection closed unexpectedly',
  10: 'missing prerequisite',
  21: 'error reading banner',
  22: 'error in HELO/EHLO',
};

/** swaks' verdict: its exit code and its error lines (`***` and `<**`), which carry the reason. */
export function parseSwaks(result: Pick<InvocationResult, 'exitCode' | 'stdout' | 'stderr'>): ToolVerdict {
  const meaning = result.exitCode === null ? 'no exit code' : (SWAKS_EXIT_CODES[result.exitCode] ?? 'other error');
  const errorLines = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => line.startsWith('***') || line.startsWith('<**'))
    .map((line) => line.replace(/^(\*\*\*|<\*\*)\s*/, ''));
  return {
    code: `${result.exitCode ?? '-'} ${meaning}`,
    detail: errorLines.length === 0 ? 'dialogue completed' : normalizeMessage(errorLines.join(' / ')),
  };
}

export const swaksTool: VerdictTool = {
  id: 'swaks',
  name: 'swaks',
  ours: false,
  invocation(target: BenchTarget, timeoutMs: number) {
    return {
      kind: 'spawn',
      // --quit-after EHLO: swaks connects, reads the banner, sends EHLO and QUIT; no mail is ever sent.
      argv: [
        'swaks',
        target.family === 6 ? '-6' : '-4',
        '--server',
        target.address,
        '--port',
        String(target.port),
        '--quit-after',
        'EHLO',
        '--helo',
        BENCH_EHLO_NAME,
        '--to',
        `postmaster@${BENCH_EHLO_NAME}`,
        '--from',
        `bench@${BENCH_EHLO_NAME}`,
        '--timeout',
        `${wholeSeconds(timeoutMs)}s`,
      ],
      env: TOOL_ENVIRONMENT,
    };
  },
  verdict: (result) => killedVerdict(result) ?? parseSwaks(result),
};
