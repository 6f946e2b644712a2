import { lookup, resolveMx } from 'node:dns/promises';
import type { CommandIo } from '../../shared/command-line/command-io.js';
import { integerOption, parseCommandLine } from '../../shared/command-line/parse-command-line.js';
import { fitTable } from '../../shared/command-line/table-fit.js';
import { UsageError } from '../../shared/command-line/usage-error.js';
import { formatMxHost, MxLookupError, mailExchangersOf, type ResolveMx } from '../../shared/mail-exchangers.js';
import { VERDICT_EXIT_CODES } from '../../shared/outcomes.js';
import { classify, isIpLiteral, type Port25Verdict, parseCidr, RESTRICTED_PORT } from '../../shared/port25-rule.js';
import type { Command } from '../arguments.js';

const USAGE = `Usage: port25-canary explain [--vpc-cidr CIDR] [--released] [--port N] [--resolve | --mx] [--json] [--wide] ADDRESS...

Predicts, with AWS's documented rule, whether outbound TCP port 25 from EC2, Lambda or ECS on Fargate
reaches each address: exempt are the VPC's primary CIDR, RFC 1918, RFC 6598 and RFC 4193; everything
else is dropped silently until AWS approves a removal request for the account. The rule covers port 25
only: on another port (--port N, or an address written with its port) every address is expected open and
the rule says so. Loopback, link-local, multicast, unspecified and broadcast addresses are named for what
they are: never mail destinations (PORT 25 shows "not mail"; the throttle never sees such traffic). A NAT64
address (64:ff9b::/96) shows the IPv4 address it embeds. An address may carry a port as probe takes it
(10.0.0.5:25, [2001:db8::25]:25); it overrides --port for that address.

Options:
  --vpc-cidr CIDR  primary CIDR block of the sending VPC (secondary CIDRs are not exempt); quotes around it,
                   as aws ec2 describe-vpcs prints it without --output text, are dropped
  --released       AWS has approved the account's port-25 removal request
  --port N         the destination port, as for probe (default 25; the rule covers port 25 only)
  --resolve        accept host names and judge every address they resolve to
  --mx             each argument is a mail domain: judge every address of its MX hosts, most preferred
                   first (the domain itself when it has no MX, RFC 5321 §5.1; a null MX, RFC 7505, takes no mail)
  --json           print one JSON array of verdicts instead of a table
  --wide           print every column at full width (the table fits 120 columns otherwise)
  -h, --help       show this help

Exit codes: 0 every input judged, 3 a name did not resolve (its row says why; the others are judged),
2 an input or option is invalid (stdout stays empty).
`;

/** An input judged: the verdict for one of its addresses. */
export interface ExplainedAddress extends Omit<Port25Verdict, 'expected'> {
  /** The argument as given (a host name or mail domain when it was resolved). */
  readonly input: string;
  /** With --mx: the MX host the address belongs to, `10 mx1.example.com`. */
  readonly mx?: string;
  /** The destination port judged: the address's own, else `--port`, else 25. */
  readonly port: number;
  /** `not-mail` for an address that is never a mail destination, which the throttle never sees. */
  readonly expected: Port25Verdict['expected'] | 'not-mail';
}

/** An input that could not be judged: a name that did not resolve, a null MX. */
export interface UnjudgedInput {
  readonly input: string;
  readonly mx?: string;
  readonly address: null;
  /** Why, in words: `does not resolve (ENOTFOUND)`, `null MX (RFC 7505): the domain accepts no mail`. */
  readonly reason: string;
  /** A null MX is an answer (the domain takes no mail); a name that did not resolve is not. */
  readonly judged: boolean;
}

export type ExplainRow = ExplainedAddress | UnjudgedInput;

/** The name service explain asks, injected in tests. */
export interface ExplainDns {
  /** Every A and AAAA address of a host, in resolver order. */
  readonly lookup: (host: string) => Promise<string[]>;
  readonly resolveMx: ResolveMx;
}

export const systemDns: ExplainDns = {
  lookup: async (host) => (await lookup(host, { all: true, order: 'verbatim' })).map((answer) => answer.address),
  resolveMx,
};

// Letters, digits, dots and dashes with at least one letter: a host name (an IP literal is checked first).
const HOST_NAME = /^(?=.*[A-Za-z])[A-Za-z0-9.-]+$/;

/** Splits a port written as probe takes it: `host:25`, `10.0.0.5:25`, `[2001:db8::25]:25`; a bare IPv6 address stays. */
export function splitPort(input: string): { readonly host: string; readonly port: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(input);
  const hostPort = bracketed ?? /^([^:]+):(\d{1,5})$/.exec(input);
  if (!hostPort) return { host: input, port: undefined };
  const port = hostPort[2] === undefined ? undefined : integerOption('port', hostPort[2], 1, 65_535);
  return { host: hostPort[1] as string, port };
}

/** The host of an input, without the port written with it (see splitPort). */
export function withoutPort(input: string): string {
  return splitPort(input).host;
}

/** `"10.0.0.0/16"` as `aws ec2 describe-vpcs --query ...` prints it without `--output text`: the quotes go. */
export function unquoted(value: string): string {
  return value.trim().replace(/^(["'])(.*)\1$/, '$2');
}

function verdictRow(input: string, address: string, context: JudgeContext, mx?: string): ExplainedAddress {
  const verdict = classify(address, context, context.port);
  return {
    input,
    ...(mx === undefined ? {} : { mx }),
    ...verdict,
    port: context.port,
    expected: verdict.notMailDestination === undefined ? verdict.expected : 'not-mail',
  };
}

function lookupFailure(cause: unknown): string {
  const code = (cause as { code?: unknown }).code;
  if (code === 'ENOTFOUND') return 'does not resolve (ENOTFOUND: no such name)';
  if (code === 'ENODATA') return 'has no A or AAAA records (ENODATA)';
  return `the resolver failed (${typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause)})`;
}

interface JudgeContext {
  readonly vpcPrimaryCidr?: string | undefined;
  readonly released: boolean;
  /** The port judged where an input names none (`--port`, 25 by default). */
  readonly port: number;
}

async function hostRows(
  input: string,
  host: string,
  context: JudgeContext,
  dns: ExplainDns,
  mx?: string,
): Promise<ExplainRow[]> {
  if (isIpLiteral(host)) return [verdictRow(input, host, context, mx)];
  try {
    const addresses = await dns.lookup(host);
    if (addresses.length === 0) throw Object.assign(new Error('no addresses'), { code: 'ENODATA' });
    return addresses.map((address) => verdictRow(input, address, context, mx));
  } catch (cause) {
    return [{ input, ...(mx === undefined ? {} : { mx }), address: null, reason: lookupFailure(cause), judged: false }];
  }
}

async function mxRows(domain: string, context: JudgeContext, dns: ExplainDns): Promise<ExplainRow[]> {
  let exchangers: Awaited<ReturnType<typeof mailExchangersOf>>;
  try {
    exchangers = await mailExchangersOf(domain, dns.resolveMx);
  } catch (cause) {
    if (!(cause instanceof MxLookupError)) throw cause;
    return [{ input: domain, address: null, reason: lookupFailure(cause.cause), judged: false }];
  }
  if (exchangers.kind === 'null-mx') {
    return [
      {
        input: domain,
        mx: 'null MX',
        address: null,
        reason: 'null MX (RFC 7505): the domain accepts no mail',
        judged: true,
      },
    ];
  }
  const label = (host: (typeof exchangers.hosts)[number]) =>
    exchangers.kind === 'implicit' ? `no MX: ${host.exchange} itself` : formatMxHost(host);
  const rows = await Promise.all(
    exchangers.hosts.map((host) => hostRows(domain, host.exchange, context, dns, label(host))),
  );
  return rows.flat();
}

/**
 * Judges every input, in order. Bad input (an address that does not parse, a host name without --resolve) throws
 * UsageError before anything is resolved; a name that does not resolve is a row of its own.
 */
export async function explainAddresses(
  inputs: readonly string[],
  context: JudgeContext,
  dns: ExplainDns | undefined,
  mode: 'addresses' | 'resolve' | 'mx' = dns === undefined ? 'addresses' : 'resolve',
): Promise<ExplainRow[]> {
  const split = inputs.map(splitPort);
  const hosts = split.map(({ host }) => host);
  hosts.forEach((host, index) => {
    if (mode === 'mx' && !HOST_NAME.test(host)) {
      throw new UsageError(`--mx takes mail domains, got ${JSON.stringify(inputs[index])}`);
    }
    if (mode === 'addresses' && !isIpLiteral(host) && HOST_NAME.test(host)) {
      throw new UsageError(
        `${JSON.stringify(inputs[index])} is a host name, not an address: add --resolve to judge every address it resolves to, or --mx for a mail domain's MX hosts`,
      );
    }
    // Classifying parses: an address that is not one throws AddressParseError (exit 2) before any look-up.
    if (isIpLiteral(host) || !HOST_NAME.test(host)) classify(host, context);
  });
  const rows = await Promise.all(
    inputs.map((input, index) => {
      const host = hosts[index] as string;
      const judged = { ...context, port: split[index]?.port ?? context.port };
      if (mode === 'mx') return mxRows(host, judged, dns ?? systemDns);
      if (mode === 'resolve') return hostRows(input, host, judged, dns ?? systemDns);
      return [verdictRow(input, host, judged)];
    }),
  );
  return rows.flat();
}

function tableRows(rows: readonly ExplainRow[], showMx: boolean) {
  return rows.map((row) => {
    const mx = showMx ? [row.mx ?? null] : [];
    if (row.address === null) return [row.input, ...mx, null, null, row.judged ? 'no mail' : 'unknown', row.reason];
    const port25 = row.expected === 'not-mail' ? 'not mail' : row.expected;
    return [row.input, ...mx, row.address, row.family, port25, row.rule];
  });
}

export function createExplainCommand(dns: ExplainDns): Command {
  return {
    summary: "predict AWS's port-25 verdict for addresses",
    usage: USAGE,
    async run(argv: readonly string[], io: CommandIo): Promise<number> {
      const { values, positionals } = parseCommandLine(argv, {
        'vpc-cidr': { type: 'string' },
        released: { type: 'boolean' },
        port: { type: 'string' },
        resolve: { type: 'boolean' },
        mx: { type: 'boolean' },
        json: { type: 'boolean' },
        wide: { type: 'boolean' },
      });
      if (positionals.length === 0) throw new UsageError('at least one ADDRESS is required');
      if (values.resolve && values.mx) throw new UsageError('--resolve and --mx exclude each other');
      const vpcPrimaryCidr = values['vpc-cidr'] === undefined ? undefined : unquoted(values['vpc-cidr']);
      if (vpcPrimaryCidr !== undefined) parseCidr(vpcPrimaryCidr);
      const mode = values.mx ? 'mx' : values.resolve ? 'resolve' : 'addresses';
      const port = integerOption('port', values.port, 1, 65_535) ?? RESTRICTED_PORT;
      const rows = await explainAddresses(
        positionals,
        { vpcPrimaryCidr, released: values.released === true, port },
        dns,
        mode,
      );
      if (values.json) {
        io.stdout(`${JSON.stringify(rows)}\n`);
      } else {
        const showMx = mode === 'mx';
        // One port for every row names the column after it; inputs that carry their own ports show them as given.
        const ports = new Set(rows.flatMap((row) => (row.address === null ? [] : [row.port])));
        const verdictHeader = ports.size > 1 ? 'EXPECTED' : `PORT ${[...ports][0] ?? port}`;
        const headers = ['INPUT', ...(showMx ? ['MX'] : []), 'ADDRESS', 'FAMILY', verdictHeader, 'RULE'];
        io.stdout(fitTable(headers, tableRows(rows, showMx), { wide: values.wide === true }));
      }
      const unjudged = rows.some((row) => row.address === null && !row.judged);
      return unjudged ? VERDICT_EXIT_CODES.someInconclusive : VERDICT_EXIT_CODES.allPassed;
    },
  };
}

export const explainCommand = createExplainCommand(systemDns);
