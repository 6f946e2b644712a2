import { isTransientError } from '../orchestrator/aws-retry.js';
import { errorName } from '../orchestrator/errors.js';
import type { CanaryClients } from '../orchestrator/run-canary.js';

/** The part of an SDK v3 client's middleware stack this uses. */
interface MiddlewareClient {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** `ECSClient`, `RunTaskCommand` → `ECS RunTask`. */
function operationName(context: { clientName?: string; commandName?: string }): string {
  const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
  const command = (context.commandName ?? 'call').replace(/Command$/, '');
  return `${service} ${command}`;
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  // A socket error's message holds its code (connect ECONNREFUSED 127.0.0.1:4566); a service error's name is the code.
  if (typeof code === 'string') return message.includes(code) ? message : `${code}: ${message}`;
  return `${errorName(error)}: ${message}`;
}

/**
 * Tells `report` of every call that failed in a way the run retries (throttling, a server error, a connection error):
 * a run that waits out its backoff (31 s before it gives up on an endpoint) says why instead of going quiet. Each
 * client makes one attempt per call (aws-clients.ts), so every failed attempt passes here once.
 */
export function watchRetriedCalls(clients: CanaryClients, report: (line: string) => void): void {
  for (const client of Object.values(clients) as unknown as MiddlewareClient[]) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          if (isTransientError(error)) report(`${operationName(context)} failed (${reason(error)}); retrying`);
          throw error;
        }
      },
      { step: 'initialize', name: 'port25CanaryRetryReport' },
    );
  }
}
