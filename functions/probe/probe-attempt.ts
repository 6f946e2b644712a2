import type { Socket } from 'node:net';
import type { ProbeOutcome } from '../shared/outcomes.js';
import type { ProbeAttempt, TlsReport } from '../shared/probe-result.js';
import { Deadline, DeadlineExpiredError } from './deadline.js';
import { ProbeFailureError } from './probe-failure.js';
import { type LookupAddresses, type ResolvedAddress, resolveAddresses } from './resolve-addresses.js';
import { describeReply, type SmtpReply } from './smtp-reply-reader.js';
import { SmtpSession, SmtpSessionError } from './smtp-session.js';
import { type ConnectTcp, connectTcp, describeEndpoint } from './tcp-connect.js';

export interface AttemptRequest {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly ehloName: string;
  readonly starttls: boolean;
  /** TLS from the first byte (port 465, RFC 8314 implicit TLS): the greeting, EHLO and QUIT all go over TLS. */
  readonly implicitTls?: boolean | undefined;
  readonly verifyTls: boolean;
}

export interface AttemptDependencies {
  readonly lookup: LookupAddresses;
  /** Milliseconds since the epoch; never goes backwards. */
  readonly now: () => number;
  readonly connect: ConnectTcp;
}

/** Told each address as the attempt starts dialling it, with the time its deadline leaves. */
export type OnDial = (candidate: ResolvedAddress, remainingMs: number) => void;

export interface AttemptReport {
  readonly attempt: ProbeAttempt;
  /** Every address the look-up returned, in resolver order. */
  readonly addresses: readonly string[];
}

type Phase = 'resolve' | 'connect' | 'greeting' | 'ehlo' | 'starttls' | 'tls-handshake' | 'tls-ehlo' | 'quit';

/** What running out of time means in each phase, in words: `within` reads like "within 10000 ms". */
const DEADLINE_OUTCOMES: Readonly<Record<Phase, { outcome: ProbeOutcome; reason: (within: string) => string }>> = {
  resolve: { outcome: 'dns-error', reason: (within) => `the DNS look-up did not finish ${within}` },
  connect: {
    outcome: 'timeout',
    reason: (within) => `no answer to the TCP connection attempt ${within}: the SYN was dropped silently`,
  },
  greeting: { outcome: 'banner-timeout', reason: (within) => `connected, but no complete SMTP greeting ${within}` },
  ehlo: { outcome: 'protocol-error', reason: (within) => `no reply to EHLO ${within}` },
  starttls: { outcome: 'tls-error', reason: (within) => `no reply to STARTTLS ${within}` },
  'tls-handshake': { outcome: 'tls-error', reason: (within) => `the TLS handshake did not finish ${within}` },
  'tls-ehlo': { outcome: 'tls-error', reason: (within) => `no reply to EHLO over TLS ${within}` },
  // Stryker disable next-line StringLiteral: equivalent, unreachable: a deadline in the quit phase is caught around the QUIT read
  quit: { outcome: 'open', reason: (within) => `no reply to QUIT ${within}` },
};

/** Where a broken dialogue broke, for the error message, and the outcome it earns. */
const SESSION_PHASES: Readonly<Partial<Record<Phase, { outcome: ProbeOutcome; while: string }>>> = {
  greeting: { outcome: 'protocol-error', while: 'waiting for the greeting' },
  ehlo: { outcome: 'protocol-error', while: 'waiting for the EHLO reply' },
  starttls: { outcome: 'tls-error', while: 'waiting for the STARTTLS reply' },
  'tls-ehlo': { outcome: 'tls-error', while: 'waiting for the EHLO reply over TLS' },
};

function extensionsOf(reply: SmtpReply): string[] {
  return reply.lines.slice(1).map((line) => line.slice(4));
}

/**
 * One attempt: look-up, connect (addresses in resolver order), with implicit TLS the TLS handshake, then greeting,
 * EHLO, optionally STARTTLS and the TLS handshake, then QUIT, all under one deadline. Never sends MAIL, RCPT or DATA. Every socket it opens is destroyed and
 * its timer cleared before it returns.
 */
export async function runAttempt(
  request: AttemptRequest,
  attemptNumber: number,
  deps: AttemptDependencies,
  onDial?: OnDial,
): Promise<AttemptReport> {
  const startedAt = deps.now();
  const deadline = new Deadline(request.timeoutMs, deps.now);
  const sockets: Socket[] = [];
  const track = (socket: Socket) => sockets.push(socket);
  const earlierFailures: string[] = [];
  let phase: Phase = 'resolve';
  let addresses: readonly ResolvedAddress[] = [];
  let address: string | null = null;
  let connectMs: number | null = null;
  let greeting: string | null = null;
  let ehlo: string[] | null = null;
  let tls: TlsReport | null = null;
  let session: SmtpSession | undefined;
  // Only after a complete reply is the server waiting for a command: then a failure still ends with a polite QUIT.
  // Stryker disable next-line BooleanLiteral: equivalent, no session exists before the first readReply, which sets it false
  let serverAwaitsCommand = false;

  const readReply = async (): Promise<SmtpReply> => {
    serverAwaitsCommand = false;
    const reply = await deadline.race((session as SmtpSession).readReply());
    serverAwaitsCommand = true;
    return reply;
  };

  const finish = (outcome: ProbeOutcome, error: string | null): AttemptReport => ({
    attempt: {
      attempt: attemptNumber,
      address,
      outcome,
      connectMs,
      greeting,
      ehlo,
      tls,
      durationMs: Math.round(deps.now() - startedAt),
      error:
        error === null || earlierFailures.length === 0 ? error : `${error}; before that: ${earlierFailures.join('; ')}`,
    },
    addresses: addresses.map((resolved) => resolved.address),
  });

  try {
    addresses = await deadline.race(resolveAddresses(request.host, deps.lookup));

    phase = 'connect';
    let socket: Socket | undefined;
    for (const [index, candidate] of addresses.entries()) {
      address = candidate.address;
      onDial?.(candidate, deadline.remainingMs());
      const connectStartedAt = deps.now();
      try {
        socket = await deadline.race(
          connectTcp(deps.connect, { host: candidate.address, port: request.port, family: candidate.family }, track),
        );
        connectMs = Math.round(deps.now() - connectStartedAt);
        break;
      } catch (error) {
        // A fast failure (reset, ICMP) leaves time to try the next address; a deadline leaves none.
        if (!(error instanceof ProbeFailureError) || index === addresses.length - 1) throw error;
        earlierFailures.push(error.message);
      }
    }
    // Stryker disable next-line StringLiteral: equivalent, unreachable: the look-up returns an address and the loop connects or throws
    if (!socket) throw new Error('no address was dialled');

    // Implicit TLS: the server says nothing until the handshake is done, so it comes before the greeting.
    let greetingSocket: Socket = socket;
    if (request.implicitTls === true) {
      phase = 'tls-handshake';
      const { startTls, tlsReportFor } = await import('./tls-upgrade.js');
      const tlsSocket = await deadline.race(startTls(socket, request.host, track));
      tls = tlsReportFor(tlsSocket, request.host, deps.now());
      greetingSocket = tlsSocket;
      if (request.verifyTls && !tls.verified) {
        throw new ProbeFailureError('tls-error', `the certificate did not verify: ${tls.verifyError}`);
      }
    }

    phase = 'greeting';
    session = new SmtpSession(greetingSocket);
    const greetingReply = await readReply();
    greeting = greetingReply.lines.join('\n');
    if (greetingReply.code !== 220) {
      throw new ProbeFailureError('protocol-error', `the greeting was not 220: ${describeReply(greetingReply)}`);
    }

    phase = 'ehlo';
    session.send(`EHLO ${request.ehloName}`);
    const ehloReply = await readReply();
    if (ehloReply.code !== 250) {
      throw new ProbeFailureError('protocol-error', `EHLO was answered ${describeReply(ehloReply)}`);
    }
    ehlo = extensionsOf(ehloReply);

    if (request.starttls) {
      phase = 'starttls';
      if (!ehlo.some((extension) => /^STARTTLS\b/i.test(extension))) {
        throw new ProbeFailureError('tls-error', 'the server does not offer STARTTLS in its EHLO reply');
      }
      session.send('STARTTLS');
      const starttlsReply = await readReply();
      if (starttlsReply.code !== 220) {
        throw new ProbeFailureError('tls-error', `STARTTLS was answered ${describeReply(starttlsReply)}`);
      }

      phase = 'tls-handshake';
      serverAwaitsCommand = false;
      session.detach();
      const { startTls, tlsReportFor } = await import('./tls-upgrade.js');
      const tlsSocket = await deadline.race(startTls(socket, request.host, track));
      tls = tlsReportFor(tlsSocket, request.host, deps.now());
      session = new SmtpSession(tlsSocket);
      serverAwaitsCommand = true;
      if (request.verifyTls && !tls.verified) {
        throw new ProbeFailureError('tls-error', `the certificate did not verify: ${tls.verifyError}`);
      }

      phase = 'tls-ehlo';
      session.send(`EHLO ${request.ehloName}`);
      const tlsEhloReply = await readReply();
      if (tlsEhloReply.code !== 250) {
        throw new ProbeFailureError('tls-error', `EHLO over TLS was answered ${describeReply(tlsEhloReply)}`);
      }
    }

    phase = 'quit';
    session.send('QUIT');
    try {
      await readReply();
    } catch (error) {
      // The outcome is settled by now; a server that hangs up or goes quiet instead of saying 221 changes nothing.
      if (!(error instanceof SmtpSessionError || error instanceof DeadlineExpiredError)) throw error;
    }
    return finish('open', null);
  } catch (error) {
    if (serverAwaitsCommand) session?.send('QUIT');
    if (error instanceof ProbeFailureError) return finish(error.outcome, error.message);
    if (error instanceof DeadlineExpiredError) {
      const { outcome, reason } = DEADLINE_OUTCOMES[phase];
      // Stryker disable next-line StringLiteral: equivalent, the address is null only in the resolve phase, which never uses `from`
      const from = address === null ? '' : `from ${describeEndpoint(address, request.port)} `;
      // Stryker disable next-line ConditionalExpression: equivalent, in the resolve phase the address is null and `from` is ''
      return finish(outcome, reason(`${phase === 'resolve' ? '' : from}within ${request.timeoutMs} ms`));
    }
    const sessionPhase = SESSION_PHASES[phase];
    if (error instanceof SmtpSessionError && sessionPhase) {
      return finish(sessionPhase.outcome, `${error.message} while ${sessionPhase.while}`);
    }
    throw error;
  } finally {
    deadline.clear();
    // Newest first: destroying the TCP socket under a live TLS socket before the TLS socket crashes Node 20 (SIGSEGV).
    for (const socket of sockets.reverse()) socket.destroy();
  }
}
