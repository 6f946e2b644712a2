import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { ProbeResult } from '../../functions/shared/probe-result.js';
import type { InvocationResult } from '../agent-protocol.js';
import {
  BENCH_EHLO_NAME,
  type BenchTarget,
  hostPort,
  killedVerdict,
  normalizeMessage,
  TOOL_ENVIRONMENT,
  type ToolVerdict,
  type VerdictTool,
} from './tool.js';

/** What `port25-canary` runs: package.json's `bin`, so the bench follows the build wherever it puts the CLI. */
export function cliBundle(): string {
  const { bin } = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { bin?: Record<string, string> };
  const path = bin?.['port25-canary'];
  if (path === undefined) throw new Error('package.json has no bin "port25-canary"');
  return resolve(path);
}

const PROBE_BUNDLE = 'dist/probe/index.cjs';

/** The probe container's entry as `npm run build` wrote it. */
export function probeBundle(): string {
  if (!existsSync(PROBE_BUNDLE)) throw new Error(`no probe bundle (${PROBE_BUNDLE}): run npm run build`);
  return resolve(PROBE_BUNDLE);
}

/** A path as the tables show it: relative to the repository root. */
export function displayPath(path: string): string {
  return relative(process.cwd(), path);
}

/** `port25-canary probe` arguments for one target, the control port included when the target has one. */
export function probeArguments(target: BenchTarget, timeoutMs: number): string[] {
  return [
    '--json',
    '--timeout',
    `${timeoutMs}ms`,
    '--ehlo',
    BENCH_EHLO_NAME,
    ...(target.controlPort === undefined ? [] : ['--control-port', String(target.controlPort)]),
    hostPort(target),
  ];
}

/** The ProbeResult line on stdout, or undefined when there is none (a crash, a usage error). */
export function parseProbeResult(stdout: string): ProbeResult | undefined {
  const line = stdout
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text.startsWith('{'));
  return line === undefined ? undefined : (JSON.parse(line) as ProbeResult);
}

export function probeVerdict(result: Pick<InvocationResult, 'exitCode' | 'stdout' | 'stderr'>): ToolVerdict {
  const probe = parseProbeResult(result.stdout);
  if (probe === undefined) {
    return { code: `${result.exitCode ?? '-'} no result`, detail: normalizeMessage(result.stderr.slice(0, 300)) };
  }
  const control = probe.control ? `, control port ${probe.control.port} ${probe.control.outcome}` : '';
  return { code: `${result.exitCode ?? '-'} ${probe.outcome}${control}`, detail: normalizeMessage(probe.diagnosis) };
}

function probeTool(
  id: string,
  name: string,
  entry: () => string,
  leadingArguments: readonly string[],
  node: () => string = () => process.execPath,
): VerdictTool {
  return {
    id,
    name,
    ours: true,
    invocation(target: BenchTarget, timeoutMs: number) {
      return {
        kind: 'spawn',
        argv: [node(), entry(), ...leadingArguments, ...probeArguments(target, timeoutMs)],
        env: TOOL_ENVIRONMENT,
      };
    },
    verdict: (result) => killedVerdict(result) ?? probeVerdict(result),
  };
}

/** `port25-canary probe`: the CLI a person runs. */
export const cliProbeTool = probeTool('probe', 'port25-canary probe', cliBundle, ['probe']);

/** The probe container's entry (what a Fargate task runs), same arguments. */
export const containerProbeTool = probeTool('probe-container', 'probe container entry', probeBundle, []);

let productionNodePath: string | undefined;

/** The Node 24 binary (lab/node-runtime.ts) the probe container entry also runs on, as in production. */
export function useProductionNode(path: string): void {
  productionNodePath = path;
}

/** The probe container's entry on Node 24, what the `node:24-alpine` image runs: its start-up next to Node 20's. */
export const containerProbeNode24Tool = probeTool(
  'probe-container-node24',
  'probe container entry, Node 24',
  probeBundle,
  [],
  () => {
    if (productionNodePath === undefined) throw new Error('the Node 24 binary was not resolved (useProductionNode)');
    return productionNodePath;
  },
);
