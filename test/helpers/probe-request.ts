import type { SmtpProbeRequest } from '../../functions/probe/run-probe.js';

/** A plain probe of HOST:PORT as the CLI builds it (one attempt, no control port, no STARTTLS), with the test's changes. */
export function probeRequest(host: string, port: number, overrides: Partial<SmtpProbeRequest> = {}): SmtpProbeRequest {
  return {
    target: `${host}:${port}`,
    host,
    port,
    timeoutMs: 3000,
    ehloName: 'probe.test',
    attempts: 1,
    controlPort: undefined,
    starttls: false,
    verifyTls: false,
    ...overrides,
  };
}
