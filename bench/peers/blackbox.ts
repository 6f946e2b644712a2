import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnInNamespace } from '../../lab/netns.js';
import type { InvocationResult } from '../agent-protocol.js';
import {
  BENCH_EHLO_NAME,
  type BenchTarget,
  hostPort,
  killedVerdict,
  normalizeMessage,
  type ToolVerdict,
  type VerdictTool,
  wholeSeconds,
} from './tool.js';

/** Debian's prometheus-blackbox-exporter. */
export const BLACKBOX_EXPORTER_PATH = '/usr/bin/prometheus-blackbox-exporter';
/** Listens on the client namespace's own loopback, never the machine's. */
export const BLACKBOX_LISTEN = '127.0.0.1:9115';

/** A tcp prober that speaks the same SMTP dialogue as our probe: banner, EHLO, QUIT. One module per address family. */
export function blackboxConfig(timeoutMs: number): string {
  const module = (family: 'ip4' | 'ip6') => `  smtp_${family}:
    prober: tcp
    timeout: ${wholeSeconds(timeoutMs)}s
    tcp:
      preferred_ip_protocol: ${family}
      ip_protocol_fallback: false
      query_response:
        - expect: "^220"
        - send: "EHLO ${BENCH_EHLO_NAME}"
        - expect: "^250 "
        - send: "QUIT"
`;
  return `modules:\n${module('ip4')}${module('ip6')}`;
}

/** Splits one logfmt line into its fields (values may be double-quoted with escapes). */
export function parseLogfmt(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of line.matchAll(/([\w.]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const [, key, raw] = match as unknown as [string, string, string];
    fields[key] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return fields;
}

export interface BlackboxProbeReport {
  readonly metrics: Readonly<Record<string, number>>;
  /** The probe's log lines (from `debug=true`), which Prometheus never stores. */
  readonly logs: readonly Record<string, string>[];
}

/** Reads the `/probe?debug=true` page: the probe's logs, then the metrics a scrape would have returned. */
export function parseBlackboxDebugPage(page: string): BlackboxProbeReport {
  const logsStart = page.indexOf('Logs for the probe:');
  const metricsStart = page.indexOf('Metrics that would have been returned:');
  const configStart = page.indexOf('Module configuration:');
  if (logsStart < 0 || metricsStart < 0) throw new Error(`not a blackbox_exporter debug page: ${page.slice(0, 200)}`);
  const logs = page
    .slice(logsStart, metricsStart)
    .split('\n')
    .slice(1)
    .filter((line) => line.includes('='))
    .map(parseLogfmt);
  const metrics: Record<string, number> = {};
  for (const line of page.slice(metricsStart, configStart < 0 ? undefined : configStart).split('\n')) {
    const match = /^(probe_[a-z_]+)(?:\{[^}]*\})?\s+(\S+)$/.exec(line.trim());
    if (match) metrics[match[1] as string] = Number(match[2]);
  }
  return { metrics, logs };
}

/**
 * blackbox_exporter's verdict. `code` is what Prometheus stores and alerts on (probe_success and, for a failed
 * expect, probe_failed_due_to_regex); `detail` is the probe log's error, seen only on the debug page.
 */
export function blackboxVerdict(report: BlackboxProbeReport): ToolVerdict {
  const success = report.metrics.probe_success;
  const regex = report.metrics.probe_failed_due_to_regex;
  const code = `probe_success ${success ?? '?'}${regex === 1 ? ', failed_due_to_regex 1' : ''}`;
  const firstError = report.logs.find((fields) => fields.level === 'error');
  const detail = firstError
    ? [firstError.msg, firstError.err ?? firstError.line].filter((part) => part !== undefined && part !== '').join(': ')
    : (report.logs.at(-1)?.msg ?? 'no log');
  return { code, detail: normalizeMessage(detail) };
}

export function parseBlackboxResult(result: InvocationResult): ToolVerdict {
  if (result.exitCode !== 200) return { code: `HTTP ${result.exitCode}`, detail: normalizeMessage(result.stdout) };
  return blackboxVerdict(parseBlackboxDebugPage(result.stdout));
}

export const blackboxTool: VerdictTool = {
  id: 'blackbox',
  name: 'blackbox_exporter (tcp, SMTP query_response)',
  ours: false,
  invocation(target: BenchTarget) {
    const module = target.family === 6 ? 'smtp_ip6' : 'smtp_ip4';
    // debug=true returns the same probe's metrics plus its log; the probe itself is unchanged.
    const query = new URLSearchParams({ module, target: hostPort(target), debug: 'true' });
    return { kind: 'http', url: `http://${BLACKBOX_LISTEN}/probe?${query}` };
  },
  verdict: (result) => killedVerdict(result) ?? parseBlackboxResult(result),
};

/** A blackbox_exporter daemon inside a namespace, with its own config file. */
export interface BlackboxDaemon {
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export async function startBlackboxExporter(namespace: string, timeoutMs: number): Promise<BlackboxDaemon> {
  const directory = await mkdtemp(join(tmpdir(), 'p25bench-blackbox-'));
  const configFile = join(directory, 'blackbox.yml');
  await writeFile(configFile, blackboxConfig(timeoutMs));
  const child = spawnInNamespace(
    namespace,
    [
      BLACKBOX_EXPORTER_PATH,
      `--config.file=${configFile}`,
      `--web.listen-address=${BLACKBOX_LISTEN}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(directory, { recursive: true, force: true });
      if (stderr.includes('level=error')) process.stderr.write(`blackbox_exporter said:\n${stderr}\n`);
    },
  };
}

/** The exporter's own health page, for waiting until it listens. */
export const BLACKBOX_HEALTH_URL = `http://${BLACKBOX_LISTEN}/-/healthy`;
