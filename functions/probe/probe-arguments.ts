import { isIP } from 'node:net';
import { durationHint, durationOption, formatDuration } from '../shared/command-line/duration.js';
import { integerOption, parseCommandLine } from '../shared/command-line/parse-command-line.js';
import { UsageError } from '../shared/command-line/usage-error.js';
import { CONFIG_DEFAULTS, LIMITS } from '../shared/config-defaults.js';
import { InputError } from '../shared/errors.js';
import { EXIT_CODE_BY_OUTCOME, USAGE_EXIT_CODE, VERDICT_EXIT_CODES } from '../shared/outcomes.js';
import type { RuleContext } from '../shared/port25-rule.js';
import type { SmtpProbeRequest } from './run-probe.js';
import { parseTarget } from './target.js';

/** `port25-canary probe` and the probe container take exactly these arguments (see probeCommandArguments()). */
export interface ProbeOptions {
  readonly help: boolean;
  readonly json: boolean;
  /** The table with every column at full width instead of within 120 columns. */
  readonly wide: boolean;
  /** --mx: each target is a mail domain, to be expanded to its MX hosts. */
  readonly mx: boolean;
  /** One request per target, in argument order. */
  readonly requests: readonly SmtpProbeRequest[];
  /** Set when --vpc-cidr or --released asks for the rule's expectation; the CIDR is checked by the rule itself. */
  readonly ruleContext: RuleContext | undefined;
}

const EXIT_CODES = Object.entries(EXIT_CODE_BY_OUTCOME)
  .map(([outcome, code]) => `  ${String(code).padStart(2)}  ${outcome}`)
  .join('\n');

// A bare number is seconds, as nc -w, swaks --timeout and check_smtp -t read it; the orchestrator writes `ms`.
const TIMEOUT_LIMITS = { bareUnit: 's', minMs: LIMITS.timeoutMs.min, maxMs: LIMITS.timeoutMs.max } as const;

/** Who reads the help: `port25-canary probe`, or the probe container, which refuses the rule's options. */
export type ProbeProgram = 'cli' | 'container';

const USAGE_LINE: Record<ProbeProgram, string> = {
  cli: 'Usage: port25-canary probe [options] HOST[:PORT]...',
  container: 'Usage: node /app/index.cjs [options] HOST[:PORT]...   (the probe container; dist/probe/index.cjs)',
};

const ABOUT: Record<ProbeProgram, string> = {
  cli: `The probe container takes the same arguments except --vpc-cidr and --released (the orchestrator judges its
results), which keeps the rule engine out of its bundle.`,
  container: `The orchestrator passes these arguments as the task's command. \`port25-canary probe\` takes the same and can
also compare the outcome with AWS's port-25 rule (--vpc-cidr, --released).`,
};

const RULE_OPTIONS = `
  --vpc-cidr CIDR   primary CIDR of the VPC this runs in: compare the outcome with AWS's port-25 rule
  --released        the account's port-25 restriction has been lifted: compare with the rule`;

/** The help text of `port25-canary probe` or of the probe container: each lists only what it accepts. */
export function probeUsage(program: ProbeProgram): string {
  return `${USAGE_LINE[program]}

Probes SMTP on each target from this machine, under one deadline per attempt: TCP connect, greeting,
EHLO, optional STARTTLS (or implicit TLS before the greeting), QUIT. Never sends MAIL, RCPT or DATA. IPv6: [2001:db8::25]:2525 or 2001:db8::25.
${ABOUT[program]}

Options:
  --port N          port for targets given without one (default ${CONFIG_DEFAULTS.port})
  --timeout TIME    deadline of each attempt, connect to QUIT, ${formatDuration(LIMITS.timeoutMs.min)}-${formatDuration(LIMITS.timeoutMs.max)} (default ${formatDuration(CONFIG_DEFAULTS.timeoutMs)};
                    ${durationHint('s')})
  --ehlo NAME       name sent with EHLO (default ${CONFIG_DEFAULTS.ehloName})
  --starttls        upgrade with STARTTLS and report the TLS session and certificate
  --tls             implicit TLS (port 465, RFC 8314): the TLS handshake first, then greeting, EHLO and QUIT
                    over TLS, with the same report; the default port becomes ${IMPLICIT_TLS_PORT}; not with --starttls
  --verify-tls      make a certificate that does not verify a tls-error (implies --starttls unless --tls)
  --attempts N      attempts per target, one after another (default ${CONFIG_DEFAULTS.attempts}, max ${LIMITS.attempts.max});
                    the summary outcome is the first attempt that was not open
  --control-port N  also TCP-connect to port N on the same address: tells a port-25-specific drop
                    (AWS's throttle) from no path at all${program === 'cli' ? RULE_OPTIONS : ''}
  --mx              each target is a mail domain: probe every MX host, lowest preference first (the domain
                    itself when it has no MX, RFC 5321 §5.1; a null MX, RFC 7505, exits 2: it takes no mail)
  --json            one JSON object per target per line on stdout (progress goes to stderr)
  --wide            the table with every column at full width (it fits 120 columns otherwise)
  -h, --help        show this help

Exit codes (several targets: the first target that is not open decides):
${EXIT_CODES}
  ${String(USAGE_EXIT_CODE).padStart(2)}  bad arguments
With --vpc-cidr or --released run's judge decides instead (several targets: the first that applies):
  ${String(VERDICT_EXIT_CODES.someFailed).padStart(2)}  an observation fails its expectation (MISMATCH)
  ${String(VERDICT_EXIT_CODES.someInconclusive).padStart(2)}  the judge cannot tell (unproven: a timeout beside a dark --control-port, ...)
  ${String(VERDICT_EXIT_CODES.allPassed).padStart(2)}  every observation matches its expectation
`;
}

/** The submissions port (RFC 8314 §7.3): where implicit TLS is the default. */
export const IMPLICIT_TLS_PORT = 465;

const EHLO_NAME = /^(?:[A-Za-z0-9.-]{1,253}|\[(?:IPv6:)?[0-9A-Fa-f:.]{2,45}\])$/;

const OPTIONS = {
  port: { type: 'string' },
  timeout: { type: 'string' },
  ehlo: { type: 'string' },
  starttls: { type: 'boolean' },
  tls: { type: 'boolean' },
  'verify-tls': { type: 'boolean' },
  attempts: { type: 'string' },
  'control-port': { type: 'string' },
  'vpc-cidr': { type: 'string' },
  released: { type: 'boolean' },
  json: { type: 'boolean' },
  wide: { type: 'boolean' },
  mx: { type: 'boolean' },
} as const;

function ruleContextOf(vpcCidr: string | undefined, released: boolean): RuleContext | undefined {
  if (vpcCidr === undefined && !released) return undefined;
  return { vpcPrimaryCidr: vpcCidr, released };
}

/** Parses and validates the whole command line; throws UsageError naming the culprit. */
export function parseProbeArguments(argv: readonly string[]): ProbeOptions {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  if (values.help) return { help: true, json: false, wide: false, mx: false, requests: [], ruleContext: undefined };
  const implicitTls = values.tls === true;
  if (implicitTls && values.starttls === true) {
    throw new UsageError('--tls and --starttls exclude each other: --tls starts TLS at once, --starttls after EHLO');
  }
  const port =
    integerOption('port', values.port, 1, 65_535) ?? (implicitTls ? IMPLICIT_TLS_PORT : CONFIG_DEFAULTS.port);
  const timeoutMs = durationOption('timeout', values.timeout, TIMEOUT_LIMITS) ?? CONFIG_DEFAULTS.timeoutMs;
  const attempts =
    integerOption('attempts', values.attempts, LIMITS.attempts.min, LIMITS.attempts.max) ?? CONFIG_DEFAULTS.attempts;
  const controlPort = integerOption('control-port', values['control-port'], 1, 65_535);
  const ehloName = values.ehlo ?? CONFIG_DEFAULTS.ehloName;
  if (!EHLO_NAME.test(ehloName)) {
    throw new UsageError(`--ehlo must be a host name or an address literal, got ${JSON.stringify(ehloName)}`);
  }
  const verifyTls = values['verify-tls'] === true;
  const starttls = values.starttls === true || (verifyTls && !implicitTls);
  const ruleContext = ruleContextOf(values['vpc-cidr'], values.released === true);
  if (positionals.length === 0) throw new UsageError('no target given (HOST[:PORT])');

  const requests = positionals.map((argument): SmtpProbeRequest => {
    let target: ReturnType<typeof parseTarget>;
    try {
      target = parseTarget(argument, port);
    } catch (cause) {
      if (!(cause instanceof InputError)) throw cause;
      throw new UsageError(cause.message, { cause });
    }
    return {
      ...target,
      timeoutMs,
      ehloName,
      attempts,
      controlPort,
      starttls,
      ...(implicitTls ? { implicitTls } : {}),
      verifyTls,
    };
  });
  const mx = values.mx === true;
  if (mx) {
    for (const request of requests) {
      if (isIP(request.host) !== 0) {
        throw new UsageError(`--mx takes mail domains, got the address ${JSON.stringify(request.target)}`);
      }
    }
  }
  return { help: false, json: values.json === true, wide: values.wide === true, mx, requests, ruleContext };
}
