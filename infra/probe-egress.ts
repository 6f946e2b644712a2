import type { CanaryTarget } from '../functions/shared/config.js';
import { ConfigError } from '../functions/shared/errors.js';

/** One egress rule of the probe security group. */
export interface EgressPort {
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  /** Also open to any IPv6 destination (target and control ports; AWS endpoints and DNS are reached over IPv4). */
  readonly ipv6: boolean;
  /** Why the port is open, for the rule description. */
  readonly purposes: readonly string[];
}

export const DNS_PORT = 53;
export const HTTPS_PORT = 443;

/** EC2's default quota of egress rules per security group, counted separately for IPv4 and IPv6. */
export const MAX_EGRESS_RULES = 60;

/**
 * The probe's only ways out: each target's port and control port, DNS, and HTTPS for the image pull and CloudWatch
 * Logs. Ports are merged so a port shared by many targets is one rule.
 */
export function probeEgressPorts(targets: readonly CanaryTarget[]): EgressPort[] {
  const tcp = new Map<number, { ipv6: boolean; purposes: Set<string> }>();
  const open = (port: number, ipv6: boolean, purpose: string) => {
    const entry = tcp.get(port) ?? { ipv6: false, purposes: new Set<string>() };
    entry.ipv6 ||= ipv6;
    entry.purposes.add(purpose);
    tcp.set(port, entry);
  };
  for (const target of targets) {
    open(target.port, true, 'target port');
    if (target.controlPort !== undefined) open(target.controlPort, true, 'control port');
  }
  open(DNS_PORT, false, 'DNS');
  open(HTTPS_PORT, false, 'HTTPS for image pull and logs');

  const rules: EgressPort[] = [...tcp.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, { ipv6, purposes }]) => ({ protocol: 'tcp', port, ipv6, purposes: [...purposes] }));
  rules.push({ protocol: 'udp', port: DNS_PORT, ipv6: false, purposes: ['DNS'] });

  if (rules.length > MAX_EGRESS_RULES) {
    throw new ConfigError(
      'targets',
      `need ${rules.length} IPv4 egress rules (one per distinct target or control port, plus DNS and HTTPS); a security group allows ${MAX_EGRESS_RULES}`,
    );
  }
  return rules;
}
