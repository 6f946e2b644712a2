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

export type AddressFamily = 'IPv4' | 'IPv6';
export type Expectation = 'blocked' | 'open';

export interface RuleContext {
  /** Primary CIDR block of the sending VPC; undefined when unknown (then only the fixed exemptions apply). */
  readonly vpcPrimaryCidr?: string | undefined;
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
}

type ParsedAddress = Address4 | Address6;

/** Parses an IP literal (v4, v6, or v4-mapped v6, which becomes v4). Throws AddressParseError quoting the input. */
export function parseAddress(input: string): ParsedAddress {
  const text = input.trim();
  if (text.includes('/') || text === '') throw new AddressParseError(input, 'address');
  try {
    if (Address4.isValid(text)) return new Address4(text);
    if (Address6.isValid(text.replace(/%.*$/, ''))) {
      const v6 = new Address6(text.replace(/%.*$/, ''));
      return v6.isMapped4() ? v6.to4() : v6;
    }
  } catch (cause) {
    throw new AddressParseError(input, 'address', { cause });
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
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  const prefixLength = match ? Number(match[2]) : Number.NaN;
  let cidr: ParsedAddress | undefined;
  try {
    if (match && Address4.isValid(text) && prefixLength <= 32) cidr = new Address4(text);
    else if (match && Address6.isValid(text) && prefixLength <= 128) cidr = new Address6(text);
  } catch (cause) {
    throw new AddressParseError(input, 'CIDR', { cause });
  }
  if (!cidr) throw new AddressParseError(input, 'CIDR');
  const network = `${cidr.startAddress().correctForm()}/${prefixLength}`;
  // A VPC CIDR with host bits set is a typo more often than not: say what was probably meant.
  if (cidr.correctForm() !== cidr.startAddress().correctForm()) {
    throw new AddressParseError(input, 'CIDR', { cause: new Error(`host bits set; did you mean ${network}?`) });
  }
  return cidr;
}

function contains(cidr: ParsedAddress, address: ParsedAddress): boolean {
  if (cidr instanceof Address4 !== address instanceof Address4) return false;
  // isHostInSubnet ignores the address's own prefix length, which is what a single destination needs.
  return (address as Address4).isHostInSubnet(cidr as Address4);
}

// Pure: lets bundles that import config.ts but never classify (the probe container) leave ip-address out.
const PARSED_EXEMPT_RANGES = /* @__PURE__ */ EXEMPT_RANGES.map((range) => ({
  ...range,
  parsed: parseCidr(range.cidr),
}));

/** Predicts whether AWS's port-25 throttle drops traffic from the VPC to `address`. */
export function classify(address: string, context: RuleContext = {}): Port25Verdict {
  const parsed = parseAddress(address);
  const vpcCidr = context.vpcPrimaryCidr === undefined ? undefined : parseCidr(context.vpcPrimaryCidr);
  const family: AddressFamily = parsed instanceof Address4 ? 'IPv4' : 'IPv6';
  const canonical = parsed.correctForm();
  const verdict = (throttled: boolean, rule: string): Port25Verdict => ({
    address: canonical,
    family,
    throttled,
    expected: throttled ? 'blocked' : 'open',
    rule,
  });

  if (context.released) return verdict(false, 'restriction released');
  if (vpcCidr && contains(vpcCidr, parsed)) return verdict(false, `VPC primary CIDR ${context.vpcPrimaryCidr?.trim()}`);
  const exempt = PARSED_EXEMPT_RANGES.find((range) => contains(range.parsed, parsed));
  if (exempt) return verdict(false, `${exempt.source} ${exempt.cidr}`);
  return verdict(true, family === 'IPv4' ? 'public address' : 'IPv6 outside RFC 4193');
}
