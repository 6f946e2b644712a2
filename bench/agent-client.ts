import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { spawnInNamespace } from '../lab/netns.js';
import type { AgentRequest, AgentResponse, Invocation, InvocationResult } from './agent-protocol.js';

export class AgentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AgentError';
  }
}

/** The bench's handle on a timing agent running inside a namespace (see agent.ts). */
export class AgentClient {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (result: InvocationResult) => void; reject: (error: Error) => void }
  >();
  private stderr = '';

  private constructor(
    readonly namespace: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    createInterface({ input: child.stdout }).on('line', (line) => this.receive(line));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.once('exit', (code, signal) => {
      const error = new AgentError(`timing agent in ${namespace} exited (${code ?? signal}): ${this.stderr.trim()}`);
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    });
  }

  /** Starts `node <this bench bundle> --agent` inside the namespace. */
  static start(namespace: string, benchScript: string): AgentClient {
    const child = spawnInNamespace(namespace, [process.execPath, benchScript, '--agent'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }) as ChildProcessWithoutNullStreams;
    return new AgentClient(namespace, child);
  }

  invoke(invocation: Invocation, killAfterMs: number): Promise<InvocationResult> {
    const request: AgentRequest = { id: this.nextId++, invocation, killAfterMs };
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Closing stdin ends the agent; SIGKILL after a grace period in case a child is still running. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private receive(line: string): void {
    const response = JSON.parse(line) as AgentResponse;
    const waiter = this.pending.get(response.id);
    if (!waiter) return;
    this.pending.delete(response.id);
    if (response.result) waiter.resolve(response.result);
    else waiter.reject(new AgentError(`agent request ${response.id} failed: ${response.error ?? 'no result'}`));
  }
}
