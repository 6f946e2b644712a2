import { Address4 } from 'ip-address';
import { EXEMPT_RANGES, parseCidr } from '../functions/shared/port25-rule.js';

/**
 * nftables rulesets of the lab. The throttle is generated from the rule engine's EXEMPT_RANGES, so the filter the
 * probe meets and the expectation the orchestrator computes cannot drift apart.
 */

export const THROTTLE_TABLE = { family: 'inet', name: 'p25_throttle' } as const;
export const MAIL_HOSTS_TABLE = { family: 'inet', name: 'p25_hosts' } as const;

const SMTP_PORT = 25;

function familyOf(cidr: string): 'ip' | 'ip6' {
  return parseCidr(cidr) instanceof Address4 ? 'ip' : 'ip6';
}

const quote = (text: string): string => JSON.stringify(text);

/**
 * AWS's port-25 throttle as an egress filter of the namespace the probe runs in: TCP 25 to the VPC's primary CIDR and
 * to the exempt ranges passes, TCP 25 to anything else is dropped silently (no RST, no ICMP), v4 and v6 alike.
 */
export function throttleRuleset(vpcPrimaryCidr: string): string {
  const exempt = (family: 'ip' | 'ip6') =>
    EXEMPT_RANGES.filter((range) => familyOf(range.cidr) === family).map((range) => range.cidr);
  const vpcFamily = familyOf(vpcPrimaryCidr);
  return `table ${THROTTLE_TABLE.family} ${THROTTLE_TABLE.name} {
  set exempt_v4 {
    type ipv4_addr; flags interval;
    elements = { ${exempt('ip').join(', ')} }
  }
  set exempt_v6 {
    type ipv6_addr; flags interval;
    elements = { ${exempt('ip6').join(', ')} }
  }
  chain egress {
    type filter hook output priority filter; policy accept;
    tcp dport ${SMTP_PORT} ${vpcFamily} daddr ${vpcPrimaryCidr} accept comment ${quote('VPC primary CIDR')}
    tcp dport ${SMTP_PORT} ip daddr @exempt_v4 accept comment ${quote(sourcesOf('ip'))}
    tcp dport ${SMTP_PORT} ip6 daddr @exempt_v6 accept comment ${quote(sourcesOf('ip6'))}
    tcp dport ${SMTP_PORT} counter drop comment ${quote('port-25 throttle')}
  }
}
`;

  function sourcesOf(family: 'ip' | 'ip6'): string {
    const sources = EXEMPT_RANGES.filter((range) => familyOf(range.cidr) === family).map((range) => range.source);
    return [...new Set(sources)].join(', ');
  }
}

export interface MailHostControls {
  /** Hosts that answer every TCP SYN with a RST (nothing listening, or a firewall that rejects). */
  readonly resetAddresses: readonly string[];
  /** Hosts behind a security group that drops everything, on every port. */
  readonly droppedAddresses: readonly string[];
  /** Hosts for which a router answers ICMP host-unreachable. */
  readonly unreachableAddresses: readonly string[];
  /** Port-25 connections to an address go to a local port instead (servers that are not Postfix). */
  readonly redirects: readonly { readonly address: string; readonly toPort: number }[];
}

/** The mail namespace's own filter: the negative controls and the port-25 redirects to the stub servers. */
export function mailHostsRuleset(controls: MailHostControls): string {
  const family = (address: string) => (address.includes(':') ? 'ip6' : 'ip');
  const lines = (addresses: readonly string[], verdict: string) =>
    addresses.map((address) => `    ${family(address)} daddr ${address} ${verdict}`).join('\n');
  return `table ${MAIL_HOSTS_TABLE.family} ${MAIL_HOSTS_TABLE.name} {
  chain redirect_stubs {
    type nat hook prerouting priority dstnat; policy accept;
${controls.redirects
  .map(({ address, toPort }) => `    ${family(address)} daddr ${address} tcp dport ${SMTP_PORT} redirect to :${toPort}`)
  .join('\n')}
  }
  chain controls {
    type filter hook input priority filter; policy accept;
${lines(controls.resetAddresses, 'meta l4proto tcp reject with tcp reset')}
${lines(controls.droppedAddresses, 'drop')}
${lines(controls.unreachableAddresses, 'reject with icmpx host-unreachable')}
  }
}
`;
}
