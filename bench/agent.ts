import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type {
  AgentRequest,
  AgentResponse,
  HttpInvocation,
  InvocationResult,
  SpawnInvocation,
} from './agent-protocol.js';

/**
 * The timing agent: runs inside the lab's client namespace, reads one request per line on stdin, runs it, and
 * writes one response per line on stdout. Requests run one at a time so no two measurements overlap.
 * It exits when stdin closes, so it never outlives the bench.
 */

// The orchestrator prints its whole report; the bench reads a marker line after it.
const MAX_CAPTURE = 8 * 1024 * 1024;

const liveChildren = new Set<ChildProcess>();

/** SIGKILLs every process timeSpawn started that still runs: the bench's cleanup on failure or Ctrl-C. */
export function killLiveChildren(): void {
  for (const child of liveChildren) killGroup(child);
}

/** Each timed child leads its own process group, so a wrapper (GNU time) dies together with what it wraps. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function capture(chunks: Buffer[], chunk: Buffer, size: { bytes: number }): void {
  if (size.bytes >= MAX_CAPTURE) return;
  chunks.push(chunk);
  size.bytes += chunk.length;
}

/** Runs a program and times it from spawn to exit; used by the agent and, for work outside the lab, by the bench. */
export function timeSpawn(invocation: SpawnInvocation, killAfterMs: number): Promise<InvocationResult> {
  const [file, ...args] = invocation.argv;
  if (file === undefined) return Promise.reject(new Error('empty argv'));
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const outSize = { bytes: 0 };
    const errSize = { bytes: 0 };
    let killed = false;
    let exitedAt: number | undefined;
    const started = performance.now();
    const child = spawn(file, args, { env: { ...invocation.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    liveChildren.add(child);
    const timer = setTimeout(() => {
      killed = true;
      killGroup(child);
    }, killAfterMs);
    child.stdout.on('data', (chunk: Buffer) => capture(stdout, chunk, outSize));
    child.stderr.on('data', (chunk: Buffer) => capture(stderr, chunk, errSize));
    child.once('exit', () => {
      exitedAt = performance.now();
      liveChildren.delete(child);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({
        wallMs: (exitedAt ?? performance.now()) - started,
        exitCode: code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        killed,
      });
    });
  });
}

async function runHttp(invocation: HttpInvocation, killAfterMs: number): Promise<InvocationResult> {
  const started = performance.now();
  try {
    const response = await fetch(invocation.url, { signal: AbortSignal.timeout(killAfterMs) });
    const body = await response.text();
    return { wallMs: performance.now() - started, exitCode: response.status, stdout: body, stderr: '', killed: false };
  } catch (error) {
    const aborted = (error as Error).name === 'TimeoutError';
    if (!aborted) throw error;
    return { wallMs: performance.now() - started, exitCode: null, stdout: '', stderr: 'aborted', killed: true };
  }
}

async function answer(request: AgentRequest): Promise<AgentResponse> {
  try {
    const { invocation, killAfterMs } = request;
    const result =
      invocation.kind === 'spawn' ? await timeSpawn(invocation, killAfterMs) : await runHttp(invocation, killAfterMs);
    return { id: request.id, result };
  } catch (error) {
    return { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
}

export async function runAgent(): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const response = await answer(JSON.parse(line) as AgentRequest);
    process.stdout.write(`${JSON.stringify(response)}\n`);
  }
}
