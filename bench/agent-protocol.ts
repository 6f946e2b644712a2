/**
 * The JSON-lines protocol between the bench and its timing agent, a Node process that runs inside the lab's client
 * namespace so every tool starts there directly and no `ip netns exec` start-up lands in a measured wall time.
 */

/** Run a program and time it from spawn to exit. */
export interface SpawnInvocation {
  readonly kind: 'spawn';
  readonly argv: readonly string[];
  /** The whole environment of the child (a clean one: AWS settings of the caller never leak in). */
  readonly env: Readonly<Record<string, string>>;
}

/** Send one GET to a loopback URL inside the namespace and time it until the body has arrived. */
export interface HttpInvocation {
  readonly kind: 'http';
  readonly url: string;
}

export type Invocation = SpawnInvocation | HttpInvocation;

export interface AgentRequest {
  readonly id: number;
  readonly invocation: Invocation;
  /** The agent kills the child (or aborts the request) after this long; a measurement never hangs the bench. */
  readonly killAfterMs: number;
}

export interface InvocationResult {
  readonly wallMs: number;
  /** The exit code of a process, the HTTP status of a request; null when killed. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the agent had to kill or abort it. */
  readonly killed: boolean;
}

export interface AgentResponse {
  readonly id: number;
  readonly result?: InvocationResult;
  readonly error?: string;
}
