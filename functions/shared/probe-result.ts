import type { ProbeOutcome } from './outcomes.js';
import type { Expectation } from './port25-rule.js';

/**
 * The probe's output contract: one JSON object per target per line on stdout (`--json`).
 * The orchestrator reads it back from the probe task's log stream, so every field name here is an API.
 */
export interface ProbeResult {
  /** The target as given on the command line (`host` or `host:port`). */
  readonly target: string;
  readonly host: string;
  readonly port: number;
  /** The address the last attempt dialled; null when none was reached (DNS failure). */
  readonly address: string | null;
  /** Every address found for the host, in resolver order (the literal itself for an IP literal). */
  readonly addresses: readonly string[];
  /** Summary over attempts: the first attempt that was not open, or open when all were. */
  readonly outcome: ProbeOutcome;
  /** TCP connect time of the last attempt that connected, in ms. */
  readonly connectMs: number | null;
  /** The full greeting (all lines of a multi-line 220 reply, joined by newlines), when one was received. */
  readonly greeting: string | null;
  /** EHLO reply lines after the first (the extensions: PIPELINING, SIZE 10240000, STARTTLS, ...). */
  readonly ehlo: readonly string[] | null;
  readonly tls: TlsReport | null;
  readonly control: ControlReport | null;
  /** One sentence an operator can act on. */
  readonly diagnosis: string;
  readonly attempts: readonly ProbeAttempt[];
  /** Wall time of the whole probe of this target, all attempts and the control connect included. */
  readonly durationMs: number;
  /** The per-attempt deadline. */
  readonly timeoutMs: number;
  /** Why the outcome is not open, in words (the SMTP reply, the socket error); null when open. */
  readonly error: string | null;
  /** Present when the caller supplied the rule context (`--vpc-cidr`, `--released`). */
  readonly expectation?: ProbeExpectation;
  /** With `--mx`: the mail domain this host serves, and its MX preference (null when the MX look-up failed). */
  readonly mx?: ProbeMx;
}

export interface ProbeMx {
  readonly domain: string;
  /** 0 for the implicit MX (the domain itself, RFC 5321 §5.1). */
  readonly preference: number | null;
  /** The MX look-up found no MX records and the domain itself was probed. */
  readonly implicit: boolean;
}

export interface ProbeAttempt {
  readonly attempt: number;
  readonly address: string | null;
  readonly outcome: ProbeOutcome;
  readonly connectMs: number | null;
  readonly greeting: string | null;
  readonly ehlo: readonly string[] | null;
  readonly tls: TlsReport | null;
  readonly durationMs: number;
  readonly error: string | null;
}

export interface TlsReport {
  /** e.g. TLSv1.3 */
  readonly protocol: string | null;
  readonly cipher: string | null;
  readonly subject: string | null;
  readonly issuer: string | null;
  /** ISO 8601 */
  readonly notAfter: string | null;
  readonly daysLeft: number | null;
  /** Whether the certificate chain is trusted and names the host; fatal only with `--verify-tls`. */
  readonly verified: boolean;
  readonly verifyError: string | null;
}

export interface ControlReport {
  readonly port: number;
  /** Only the TCP part of the vocabulary applies: open (connected), timeout, refused, unreachable, error. */
  readonly outcome: ProbeOutcome;
  readonly connectMs: number | null;
}

export interface ProbeExpectation {
  readonly expected: Expectation;
  readonly rule: string;
  /**
   * The judge's verdict on the observation against the expectation (functions/shared/judge.ts, the table `run` uses):
   * true for a pass, false for a fail, null when it cannot tell (a timeout beside a dark control port, an ICMP error
   * where a silent drop is expected, nothing dialled).
   */
  readonly matches: boolean | null;
  /** Why, in words: the judge's evidence. */
  readonly evidence: string;
}
