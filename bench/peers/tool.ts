import { isIP } from 'node:net';
import type { Invocation, InvocationResult } from '../agent-protocol.js';

/** One lab target as the tools dial it. */
export interface BenchTarget {
  /** Stable key, e.g. `open`, `never-greets`. */
  readonly key: string;
  /** What the target is, in words, for the tables. */
  readonly label: string;
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** A port the target answers on besides 25, for the probe's control connect; absent when none. */
  readonly controlPort: number | undefined;
}

/**
 * What a tool reports, on two levels: `code` is what automation acts on (an exit status, `probe_success`), `detail`
 * is what a person reads (the message), with addresses and timings replaced so runs compare.
 */
export interface ToolVerdict {
  readonly code: string;
  readonly detail: string;
}

/** A tool the bench runs against every target: our probe or a peer. */
export interface VerdictTool {
  readonly id: string;
  readonly name: string;
  readonly ours: boolean;
  invocation(target: BenchTarget, timeoutMs: number): Invocation;
  verdict(result: InvocationResult): ToolVerdict;
}

const SECONDS = /\b\d+(?:\.\d+)?\s*(sec\.?|secs|seconds|s)\b/g;
const ADDRESS_CANDIDATE = /\[?[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*\]?(?::\d+)?/g;

/**
 * `ADDR` for an IP literal, bracketed or not, with or without a port: `2001:db8::25:25` cannot be split into address
 * and port, so ports are dropped everywhere and every tool's message about one case reads the same for v4 and v6.
 */
function maskAddress(candidate: string): string {
  const trimmed = candidate.replace(/[.:]+$/, '');
  const suffix = candidate.slice(trimmed.length);
  if (isIP(trimmed.replace(/^\[|\]$/g, '')) !== 0) return `ADDR${suffix}`;
  const withPort = /^\[?(.+?)\]?:(\d+)$/.exec(trimmed);
  if (withPort && isIP(withPort[1] as string) !== 0) return `ADDR${suffix}`;
  return candidate;
}

/** Replaces addresses and durations and folds whitespace, so one case reads the same in every run. */
export function normalizeMessage(text: string): string {
  return text.replace(ADDRESS_CANDIDATE, maskAddress).replace(SECONDS, 'N $1').replace(/\s+/g, ' ').trim();
}

/** `host:port` with an IPv6 literal in brackets. */
export function hostPort(target: BenchTarget): string {
  return target.family === 6 ? `[${target.address}]:${target.port}` : `${target.address}:${target.port}`;
}

/** The clean environment every spawned tool gets. */
export const TOOL_ENVIRONMENT: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
};

/** The name every tool announces in EHLO/HELO. */
export const BENCH_EHLO_NAME = 'p25bench.invalid';

export function killedVerdict(result: InvocationResult): ToolVerdict | undefined {
  return result.killed
    ? { code: 'killed by the bench', detail: `no answer within ${Math.round(result.wallMs)} ms` }
    : undefined;
}

/** check_smtp and swaks take whole seconds, so the bench's common timeout is a whole number of seconds. */
export function wholeSeconds(timeoutMs: number): number {
  return Math.max(1, Math.round(timeoutMs / 1000));
}
