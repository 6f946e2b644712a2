import { Address4, Address6 } from 'ip-address';
import { AddressParseError } from './errors.js';

/**
 * AWS's port-25 throttle (EC2 User Guide, "Restriction on email sent using port 25"): outbound TCP 25 from EC2,
 * Lambda and ECS on Fargate is dropped unless the destination is in the sending VPC's primary CIDR or in one of
 * these ranges, or AWS has approved a removal request for the account. Secondary VPC CIDRs are not exempt.
 */
export const EXEMPT_RANGES: readonly { readonly cidr: string; readonly source: string }[] = [
  { cidr: '10.0.0.0/8', source: 'RFC 1918' },
  { cidr: '172.16.0.0/12', source: 'RFC 1918' },
  { cidr: '192.168.0.0/16', source: 'RFC 1918' },
  { cidr: '100.64.0.0/10', source: 'RFC 6598' },
  { cidr: 'fc00::/7', source: 'RFC 4193' },
];

/**
 * The one port the restriction covers: "Restriction on email sent using port 25" names TCP port 25 alone, and
 * AWS's own advice is to relay on 587 or 465 instead. Traffic to any other port is never throttled.
 */
export const RESTRICTED_PORT = 25;

export type AddressFamily = 'IPv4' | 'IPv6';
export type Expectation = 'blocked' | 'open';

export interface RuleContext {
  /** Primary CIDR block of the sending VPC; undefined when unknown (then only the fixed exemptions apply). */
  readonly vpcPrimaryCidr?: string | undefined;
  /** The VPC's other CIDR blocks (IPv4 secondaries, IPv6 blocks): never exempt, named so nobody assumes they are. */
  readonly vpcSecondaryCidrs?: readonly string[] | undefined;
  /** True once AWS has approved the account's port-25 removal request. */
  readonly released?: boolean | undefined;
}

export interface Port25Verdict {
  /** The address as judged, in canonical form (a mapped IPv6 address is judged, and shown, as IPv4). */
  readonly address: string;
  readonly family: AddressFamily;
  /** True when the rule drops port 25 to this address. */
  readonly throttled: boolean;
  readonly expected: Expectation;
  /** Which rule decided, in words. */
  readonly rule: string;
  /**
   * Present only for an address that is never a mail destination (loopback, link-local, ...): the throttle never
   * sees such traffic (so `expected` is open), but nothing there is a mail server to test.
   */
  readonly notMailDestination?: NotMailDestinationKind;
}

export type NotMailDestinationKind = 'loopback' | 'link-local' | 'multicast' | 'unspecified' | 'broadcast';

export interface NotMailDestination {
  readonly kind: NotMailDestinationKind;
  readonly cidr: string;
  /** e.g. "loopback 127.0.0.0/8: not a mail destination (never leaves the host)" */
  readonly description: string;
}

const WHY_NOT_MAIL: Readonly<Record<NotMailDestinationKind, string>> = {
  loopback: 'never leaves the host',
  'link-local': 'never routed beyond the link; in a VPC the DNS and metadata services live here',
  multicast: 'TCP cannot connect to a group address',
  unspecified: 'names no host',
  broadcast: 'TCP cannot connect to a broadcast address',
};

// Address4/Address6's own predicates disagree on edges (0.0.0.0/8, the v4 broadcast): one explicit table instead.
const NOT_MAIL_RANGES: readonly { readonly cidr: string; readonly kind: NotMailDestinationKind }[] = [
  { cidr: '0.0.0.0/8', kind: 'unspecified' },
  { cidr: '127.0.0.0/8', kind: 'loopback' },
  { cidr: '169.254.0.0/16', kind: 'link-local' },
  { cidr: '224.0.0.0/4', kind: 'multicast' },
  { cidr: '255.255.255.255/32', kind: 'broadcast' },
  { cidr: '::/128', kind: 'unspecified' },
  { cidr: '::1/128', kind: 'loopback' },
  { cidr: 'fe80::/10', kind: 'link-local' },
  { cidr: 'ff00::/8', kind: 'multicast' },
];

/** DNS64/NAT64's well-known prefix (RFC 6052): the last 32 bits are the IPv4 address the NAT64 gateway dials. */
const NAT64_PREFIX = '64:ff9b::/96';

type ParsedAddress = Address4 | Address6;

/** Parses an IP literal (v4, v6, or v4-mapped v6, which becomes v4). Throws AddressParseError quoting the input. */
export function parseAddress(input: string): ParsedAddress {
  const text = input.trim();
  if (text.includes('/')) throw new AddressParseError(input, 'address');
  // isValid is the constructor in a try: once it says yes, the constructor cannot throw. It accepts a zone id too.
  if (Address4.isValid(text)) return new Address4(text);
  if (Address6.isValid(text)) {
    // Address6 keeps a zone id (from the first % to the end) on the object; the address is the same without it.
    const v6 = new Address6(text.replace(/%.*/, ''));
    return v6.isMapped4() ? v6.to4() : v6;
  }
  throw new AddressParseError(input, 'address');
}

export function isIpLiteral(input: string): boolean {
  try {
    parseAddress(input);
    return true;
  } catch {
    return false;
  }
}

/** Parses a CIDR block such as 10.0.0.0/16 or fd12:3456::/48. Throws AddressParseError quoting the input. */
export function parseCidr(input: string): ParsedAddress {
  const text = input.trim();
  // ip-address reads a bare address as a /32 or /128: a block must say its prefix length.
  const hasPrefix = text.includes('/');
  let cidr: ParsedAddress | undefined;
  // isValid rejects a prefix that is not a number of at most the family's 32 or 128 bits, and the constructor cannot
  // throw after it.
  if (hasPrefix && Address4.isValid(text)) cidr = new Address4(text);
  else if (hasPrefix && Address6.isValid(text)) cidr = new Address6(text);
  if (!cidr) throw new AddressParseError(input, 'CIDR');
  const network = `${cidr.startAddress().correctForm()}/${cidr.subnetMask}`;
  // A VPC CIDR with host bits set is a typo more often than not: say what was probably meant.
  if (cidr.correctForm() !== cidr.startAddress().correctForm()) {
    throw new AddressParseError(input, 'CIDR', { cause: new Error(`host bits set; did you mean ${network}?`) });
  }
  return cidr;
}

/** A CIDR block in one spelling (`2001:DB8::/56` and `2001:db8:0::/56` compare equal). Throws AddressParseError. */
export function canonicalCidr(input: string): string {
  const cidr = parseCidr(input);
  return `${cidr.startAddress().correctForm()}/${cidr.subnetMask}`;
}

function contains(cidr: ParsedAddress, address: ParsedAddress): boolean {
  // isHostInSubnet ignores the address's own prefix length, which is what a single destination needs, and answers
  // false across families (a00::1 is not in 10.0.0.0/8, though both start with the same eight bits).
  return (address as Address4).isHostInSubnet(cidr as Address4);
}

// Pure: lets bundles that import config.ts but never classify (the probe container) leave ip-address out.
const PARSED_EXEMPT_RANGES = /* @__PURE__ */ EXEMPT_RANGES.map((range) => ({
  ...range,
  parsed: parseCidr(range.cidr),
}));

const PARSED_NOT_MAIL_RANGES = /* @__PURE__ */ NOT_MAIL_RANGES.map((range) => ({
  ...range,
  parsed: parseCidr(range.cidr),
}));

const PARSED_NAT64_PREFIX = /* @__PURE__ */ parseCidr(NAT64_PREFIX);

function notMailDestinationOf(parsed: ParsedAddress): NotMailDestination | null {
  const range = PARSED_NOT_MAIL_RANGES.find((candidate) => contains(candidate.parsed, parsed));
  if (range === undefined) return null;
  return {
    kind: range.kind,
    cidr: range.cidr,
    description: `${range.kind} ${range.cidr}: not a mail destination (${WHY_NOT_MAIL[range.kind]})`,
  };
}

/**
 * Loopback, link-local, multicast, unspecified and broadcast addresses (v4, v6, and v4-mapped v6): never a mail
 * destination. Null for every other address. Throws AddressParseError when `address` does not parse.
 */
export function notMailDestination(address: string): NotMailDestination | null {
  return notMailDestinationOf(parseAddress(address));
}

function nat64Note(parsed: ParsedAddress): string {
  if (!(parsed instanceof Address6) || !contains(PARSED_NAT64_PREFIX, parsed)) return '';
  return ` (NAT64 ${NAT64_PREFIX}: embeds IPv4 ${parsed.to4().correctForm()})`;
}

/** The rule's words for a port the restriction does not cover. */
export function offRestrictedPortRule(port: number): string {
  return `port ${port}: AWS's restriction covers port ${RESTRICTED_PORT} only`;
}

/**
 * Predicts whether AWS's port-25 throttle drops traffic from the VPC to `address` on `port` (25 unless given): off
 * port 25 nothing is throttled, whatever the address.
 */
export function classify(address: string, context: RuleContext = {}, port: number = RESTRICTED_PORT): Port25Verdict {
  const parsed = parseAddress(address);
  const vpcCidr = context.vpcPrimaryCidr === undefined ? undefined : parseCidr(context.vpcPrimaryCidr);
  const secondaryCidrs = (context.vpcSecondaryCidrs ?? []).map((cidr) => ({
    cidr: cidr.trim(),
    parsed: parseCidr(cidr),
  }));
  const family: AddressFamily = parsed instanceof Address4 ? 'IPv4' : 'IPv6';
  const canonical = parsed.correctForm();
  const verdict = (throttled: boolean, rule: string): Port25Verdict => ({
    address: canonical,
    family,
    throttled,
    expected: throttled ? 'blocked' : 'open',
    rule,
  });

  // Before the release: loopback stays loopback whatever AWS approved.
  const notMail = notMailDestinationOf(parsed);
  if (notMail) return { ...verdict(false, notMail.description), notMailDestination: notMail.kind };
  if (port !== RESTRICTED_PORT) return verdict(false, offRestrictedPortRule(port));
  if (context.released) return verdict(false, 'restriction released');
  if (vpcCidr && contains(vpcCidr, parsed)) return verdict(false, `VPC primary CIDR ${context.vpcPrimaryCidr?.trim()}`);
  const exempt = PARSED_EXEMPT_RANGES.find((range) => contains(range.parsed, parsed));
  if (exempt) return verdict(false, `${exempt.source} ${exempt.cidr}`);
  // AWS exempts only the primary CIDR: a relay in a secondary block outside the private ranges is throttled.
  const secondary = secondaryCidrs.find((range) => contains(range.parsed, parsed));
  if (secondary) return verdict(true, `VPC secondary CIDR ${secondary.cidr}: not exempt`);
  return verdict(true, family === 'IPv4' ? 'public address' : `IPv6 outside RFC 4193${nat64Note(parsed)}`);
}
