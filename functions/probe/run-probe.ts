import { connect as connectSocket } from 'node:net';
import type { ResolveMx } from '../shared/mail-exchangers.js';
import { summarizeAttempts } from '../shared/outcomes.js';
import type { ProbeRequest } from '../shared/probe-command.js';
import type { ControlReport, ProbeAttempt, ProbeResult } from '../shared/probe-result.js';
import { connectControlPort } from './control-connect.js';
import { diagnose, implicitTlsHint } from './diagnosis.js';
import { type OnDial, runAttempt } from './probe-attempt.js';
import type { LookupAddresses } from './resolve-addresses.js';
import type { ConnectTcp } from './tcp-connect.js';

/** One target as the probe runs it: the orchestrator's request plus what only the command line sets. */
export interface SmtpProbeRequest extends ProbeRequest {
  /** The target as given on the command line, echoed in the result. */
  readonly target: string;
  /** Make a certificate that does not verify a tls-error instead of a report field. */
  readonly verifyTls: boolean;
}

export interface ProbeDependencies {
  readonly lookup: LookupAddresses;
  /** MX records, for --mx; the system resolver's (node:dns resolveMx) in the CLI and the container. */
  readonly resolveMx?: ResolveMx;
  /** Milliseconds since the epoch; never goes backwards. */
  readonly now: () => number;
  /** Opens TCP connections; `net.connect` when absent. */
  readonly connect?: ConnectTcp;
  /** Told about each attempt as it ends, for progress on stderr. */
  readonly onAttempt?: (request: SmtpProbeRequest, attempt: ProbeAttempt) => void;
}

const netConnect: ConnectTcp = ({ host, port, family }) => connectSocket({ host, port, family });

function lastNonNull<T>(attempts: readonly ProbeAttempt[], field: (attempt: ProbeAttempt) => T | null): T | null {
  for (let index = attempts.length - 1; index >= 0; index -= 1) {
    const value = field(attempts[index] as ProbeAttempt);
    if (value !== null) return value;
  }
  return null;
}

/**
 * Probes one target: `attempts` SMTP attempts one after another and the diagnosis. With a control port, the last
 * attempt also TCP-connects to the control port of each address it dials, at the same moment and under the same
 * deadline, so a target dark on every port is decided at the deadline, not twice it; the result keeps the control
 * connect of the address the attempt ended on.
 */
export async function runProbe(request: SmtpProbeRequest, deps: ProbeDependencies): Promise<ProbeResult> {
  const startedAt = deps.now();
  const attemptDeps = { lookup: deps.lookup, now: deps.now, connect: deps.connect ?? netConnect };
  const attempts: ProbeAttempt[] = [];
  const addresses: string[] = [];
  const controls: Promise<ControlReport>[] = [];
  const { controlPort } = request;
  for (let attemptNumber = 1; attemptNumber <= request.attempts; attemptNumber += 1) {
    const onDial: OnDial | undefined =
      controlPort === undefined || attemptNumber < request.attempts
        ? undefined
        : (candidate, remainingMs) => {
            const control = connectControlPort(candidate.address, controlPort, remainingMs, attemptDeps);
            // Awaited after the attempt; a rejection before then must not count as unhandled.
            control.catch(() => undefined);
            controls.push(control);
          };
    const report = await runAttempt(request, attemptNumber, attemptDeps, onDial);
    attempts.push(report.attempt);
    for (const address of report.addresses) if (!addresses.includes(address)) addresses.push(address);
    deps.onAttempt?.(request, report.attempt);
  }

  const outcome = summarizeAttempts(attempts.map((attempt) => attempt.outcome));
  const address = attempts.at(-1)?.address ?? null;
  // Every control connect ends by the attempt's deadline; waiting for all of them leaves no socket open.
  const control: ControlReport | null = (await Promise.all(controls)).at(-1) ?? null;
  const deciding = attempts.find((attempt) => attempt.outcome === outcome);

  return {
    target: request.target,
    host: request.host,
    port: request.port,
    address,
    addresses,
    outcome,
    connectMs: lastNonNull(attempts, (attempt) => attempt.connectMs),
    greeting: lastNonNull(attempts, (attempt) => attempt.greeting),
    ehlo: lastNonNull(attempts, (attempt) => attempt.ehlo),
    tls: lastNonNull(attempts, (attempt) => attempt.tls),
    control,
    diagnosis: `${diagnose(outcome, request.port, control)}${implicitTlsHint(outcome, request.port, request.implicitTls === true)}`,
    attempts,
    durationMs: Math.round(deps.now() - startedAt),
    timeoutMs: request.timeoutMs,
    error: outcome === 'open' ? null : (deciding?.error ?? null),
  };
}
