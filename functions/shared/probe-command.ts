import type { CanaryTarget, ProbeDefaults } from './config.js';

/** What the orchestrator asks one probe task to do. */
export interface ProbeRequest {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly ehloName: string;
  readonly attempts: number;
  readonly controlPort: number | undefined;
  readonly starttls: boolean;
  /** TLS from the first byte (a target's `"tls": "implicit"`, port 465); exclusive with starttls. */
  readonly implicitTls?: boolean | undefined;
}

export function probeRequestFor(
  target: CanaryTarget,
  defaults: ProbeDefaults,
  attempts = defaults.attempts,
): ProbeRequest {
  return {
    host: target.host,
    port: target.port,
    timeoutMs: defaults.timeoutMs,
    ehloName: defaults.ehloName,
    attempts,
    controlPort: target.controlPort,
    starttls: target.starttls,
    ...(target.tls === 'implicit' ? { implicitTls: true } : {}),
  };
}

/** `host:port`, with an IPv6 literal in brackets. */
export function formatTarget(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The probe container's command override: the same arguments `port25-canary probe` takes, so a task's behaviour can
 * be reproduced on any machine by pasting them after `port25-canary probe`.
 */
export function probeCommandArguments(request: ProbeRequest): string[] {
  return [
    '--json',
    '--timeout',
    // With its unit: a bare number is seconds to the probe, as to a person.
    `${request.timeoutMs}ms`,
    '--ehlo',
    request.ehloName,
    '--attempts',
    String(request.attempts),
    ...(request.controlPort === undefined ? [] : ['--control-port', String(request.controlPort)]),
    ...(request.starttls ? ['--starttls'] : []),
    ...(request.implicitTls === true ? ['--tls'] : []),
    formatTarget(request.host, request.port),
  ];
}
