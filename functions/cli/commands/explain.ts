import { lookup } from 'node:dns/promises';
import type { CommandIo } from '../../shared/command-line/command-io.js';
import { integerOption, parseCommandLine } from '../../shared/command-line/parse-command-line.js';
import { formatTable } from '../../shared/command-line/table.js';
import { UsageError } from '../../shared/command-line/usage-error.js';
import { InputError } from '../../shared/errors.js';
import { classify, isIpLiteral, type Port25Verdict, parseCidr, RESTRICTED_PORT } from '../../shared/port25-rule.js';
import type { Command } from '../arguments.js';

const USAGE = `Usage: port25-canary explain [--vpc-cidr CIDR] [--released] [--port N] [--resolve] [--json] ADDRESS...

Predicts, with AWS's documented rule, whether outbound TCP port 25 from EC2, Lambda or ECS on Fargate
reaches each address: exempt are the VPC's primary CIDR, RFC 1918, RFC 6598 and RFC 4193; everything
else is dropped silently until AWS approves a removal request for the account. The rule covers port 25
only: with --port N for another port, every address is expected open and the rule says so. Loopback, link-local,
multicast, unspecified and broadcast addresses are named for what they are: never mail destinations
(PORT 25 shows "not mail"; the throttle never sees such traffic). A NAT64 address (64:ff9b::/96) shows
the IPv4 address it embeds.

Options:
  --vpc-cidr CIDR  primary CIDR block of the sending VPC (secondary CIDRs are not exempt)
  --released       AWS has approved the account's port-25 removal request
  --port N         the destination port, as for probe (default 25; the rule covers port 25 only)
  --resolve        accept host names and judge every address they resolve to
  --json           print one JSON array of verdicts instead of a table
  -h, --help       show this help

Exit codes: 0 every input judged, 2 an input or option is invalid (stdout stays empty).
`;

export interface ExplainedAddress extends Port25Verdict {
  /** The argument as given (a host name when --resolve expanded it). */
  readonly input: string;
  /** The destination port judged (`--port`, 25 by default). */
  readonly port: number;
}

type Resolve = (host: string) => Promise<string[]>;

async function resolveHost(host: string): Promise<string[]> {
  try {
    const answers = await lookup(host, { all: true, order: 'verbatim' });
    return answers.map((answer) => answer.address);
  } catch (cause) {
    throw new InputError(
      `cannot resolve ${JSON.stringify(host)}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        cause,
      },
    );
  }
}

// Letters, digits, dots and dashes with at least one letter: a host name (an IP literal is checked first).
const HOST_NAME = /^(?=.*[A-Za-z])[A-Za-z0-9.-]+$/;

function looksLikeHostName(input: string): boolean {
  return !isIpLiteral(input) && HOST_NAME.test(input);
}

/** Judges every input on `context.port`; all inputs are validated (and resolved) before anything is printed. */
export async function explainAddresses(
  inputs: readonly string[],
  context: { vpcPrimaryCidr?: string | undefined; released: boolean; port: number },
  resolve: Resolve | undefined,
): Promise<ExplainedAddress[]> {
  const explained: ExplainedAddress[] = [];
  for (const input of inputs) {
    if (resolve === undefined && looksLikeHostName(input)) {
      throw new UsageError(
        `${JSON.stringify(input)} is a host name, not an address: add --resolve to judge every address it resolves to`,
      );
    }
    const addresses = isIpLiteral(input) || resolve === undefined ? [input] : await resolve(input);
    for (const address of addresses) {
      explained.push({ input, ...classify(address, context, context.port), port: context.port });
    }
  }
  return explained;
}

export const explainCommand: Command = {
  summary: "predict AWS's port-25 verdict for addresses",
  usage: USAGE,
  async run(argv: readonly string[], io: CommandIo): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, {
      'vpc-cidr': { type: 'string' },
      released: { type: 'boolean' },
      port: { type: 'string' },
      resolve: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('at least one ADDRESS is required');
    const vpcPrimaryCidr = values['vpc-cidr'];
    if (vpcPrimaryCidr !== undefined) parseCidr(vpcPrimaryCidr);
    const port = integerOption('port', values.port, 1, 65_535) ?? RESTRICTED_PORT;
    const explained = await explainAddresses(
      positionals,
      { vpcPrimaryCidr, released: values.released === true, port },
      values.resolve ? resolveHost : undefined,
    );
    if (values.json) {
      io.stdout(`${JSON.stringify(explained)}\n`);
    } else {
      io.stdout(
        formatTable(
          ['INPUT', 'ADDRESS', 'FAMILY', `PORT ${port}`, 'RULE'],
          explained.map((entry) => [
            entry.input,
            entry.address,
            entry.family,
            entry.notMailDestination === undefined ? entry.expected : 'not mail',
            entry.rule,
          ]),
        ),
      );
    }
    return 0;
  },
};
