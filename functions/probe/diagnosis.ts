import type { ProbeOutcome } from '../shared/outcomes.js';
import type { ControlReport } from '../shared/probe-result.js';

const CONTROL_WORDS: Readonly<Record<ProbeOutcome, string>> = {
  open: 'connected',
  timeout: 'timed out',
  refused: 'was refused',
  unreachable: 'got ICMP unreachable',
  'dns-error': 'was not resolved',
  'banner-timeout': 'connected',
  'protocol-error': 'connected',
  'tls-error': 'connected',
  error: 'failed locally',
};

/** Why a timed-out port is dark, judged by what the control port on the same address did. */
function diagnoseTimeout(port: number, control: ControlReport | null): string {
  const throttled = port === 25;
  if (control === null) {
    return throttled
      ? "no answer on port 25 before the deadline: consistent with AWS's port-25 throttle, but a security group, NACL, route or firewall drop looks the same; add --control-port to tell them apart"
      : `no answer on port ${port} before the deadline: a security group, NACL, route or firewall drops it (AWS's throttle covers only port 25)`;
  }
  const specific = throttled
    ? "port-25-specific drop, consistent with AWS's port-25 throttle"
    : `port-${port}-specific drop by a security group, NACL or firewall (AWS's throttle covers only port 25)`;
  switch (control.outcome) {
    case 'open':
      return `${specific}: port ${port} timed out while port ${control.port} on the same address connected`;
    case 'refused':
      return `${specific}: port ${port} timed out while port ${control.port} on the same address answered with a reset, so the host is reachable`;
    case 'timeout':
      return `no path on any port (security group, NACL, route or firewall), not the throttle: port ${port} and port ${control.port} both timed out`;
    case 'unreachable':
      return `no path to the host, not the throttle: port ${port} timed out and port ${control.port} got ICMP unreachable (a route, NACL or firewall problem)`;
    default:
      return `port ${port} timed out, but the control connect to port ${control.port} ${CONTROL_WORDS[control.outcome]}, so whether the drop is specific to port ${port} is unknown`;
  }
}

function diagnoseOutcome(outcome: Exclude<ProbeOutcome, 'timeout'>, port: number): string {
  const notThrottle = port === 25 ? 'not the throttle, which drops silently' : "not a silent drop like AWS's throttle";
  const connected = `TCP port ${port} connected (so nothing drops it)`;
  switch (outcome) {
    case 'open':
      return `SMTP reachable: port ${port} answered with a 220 greeting and a 250 EHLO reply`;
    case 'refused':
      return `the host answered port ${port} with a reset: nothing listens there or a firewall rejects it; ${notThrottle}`;
    case 'unreachable':
      return `an ICMP unreachable came back (no route, or a router or firewall rejecting): ${notThrottle}; check routes, NACLs and firewalls`;
    case 'dns-error':
      return 'the host name did not resolve, so nothing was dialled: fix the name or DNS first';
    case 'banner-timeout':
      return `${connected}, but no SMTP greeting arrived before the deadline: a slow or tarpitting server, or a proxy or middlebox accepting connections it cannot relay`;
    case 'protocol-error':
      return `${connected}, but the server did not answer as SMTP requires (see error)`;
    case 'tls-error':
      return `SMTP reachable on port ${port}, but STARTTLS or the certificate failed (see error)`;
    case 'error':
      return `the probe failed locally before it could judge port ${port} (see error)`;
  }
}

/** One sentence an operator can act on, for every pair of outcome and control outcome (or no control port). */
export function diagnose(outcome: ProbeOutcome, port: number, control: ControlReport | null): string {
  if (outcome === 'timeout') return diagnoseTimeout(port, control);
  const sentence = diagnoseOutcome(outcome, port);
  return control === null ? sentence : `${sentence}; control port ${control.port} ${CONTROL_WORDS[control.outcome]}`;
}

/**
 * A banner timeout on port 465 without implicit TLS is most likely the server waiting for a TLS handshake
 * (submissions, RFC 8314 §3.3: the client starts TLS at once, the server greets over it): the sentence says so.
 */
export function implicitTlsHint(outcome: ProbeOutcome, port: number, implicitTls: boolean): string {
  if (outcome !== 'banner-timeout' || port !== 465 || implicitTls) return '';
  return '; port 465 usually speaks implicit TLS (RFC 8314), where the server waits for the TLS handshake before it greets: probe again with --tls';
}
