import type { CommandIo } from '../shared/command-line/command-io.js';
import { UsageError } from '../shared/command-line/usage-error.js';
import { exitCodeForExpectationMatches, exitCodeForOutcomes } from '../shared/outcomes.js';
import type { ProbeResult } from '../shared/probe-result.js';
import type { ExpectationRule } from './expectation.js';
import { expandMailDomains, type MxProbeRequest } from './mx-targets.js';
import { parseProbeArguments, probeUsage } from './probe-arguments.js';
import { formatAttemptProgress, formatJsonLine, formatProbeTable } from './probe-output.js';
import { type ProbeDependencies, runProbe, type SmtpProbeRequest } from './run-probe.js';

/** One probe to run: a target, or one MX host of a mail domain. */
interface PlannedProbe {
  readonly request: SmtpProbeRequest;
  readonly mx?: MxProbeRequest['mx'];
  readonly lookupFailure?: MxProbeRequest['lookupFailure'];
}

const noResolveMx = () => Promise.reject(new Error('no MX resolver'));

/** Carriage return and erase-line: the next status line replaces the previous one. */
const CLEAR_LINE = '\r\x1b[K';

/**
 * `port25-canary probe` and the probe container: parse, probe every target concurrently, print in argument order
 * (JSON lines as soon as all earlier targets are printed), return the exit code of the first target that is not open,
 * or, with --vpc-cidr/--released, the exit code of the expectation match (mismatch 1 > unprovable 3 > matched 0).
 * Throws UsageError for bad arguments before anything is dialled. Without `loadRule`, --vpc-cidr and --released are
 * refused; with it, the rule is loaded only when one of them is given.
 */
export async function runProbeProgram(
  argv: readonly string[],
  io: CommandIo,
  deps: ProbeDependencies,
  loadRule?: () => Promise<ExpectationRule>,
): Promise<number> {
  const options = parseProbeArguments(argv);
  if (options.help) {
    io.stdout(probeUsage(loadRule === undefined ? 'container' : 'cli'));
    return 0;
  }
  const { ruleContext } = options;
  let rule: ExpectationRule | undefined;
  if (ruleContext !== undefined) {
    if (loadRule === undefined) {
      throw new UsageError(
        '--vpc-cidr and --released are not available in the probe container (the orchestrator judges its results); use `port25-canary probe`',
      );
    }
    rule = await loadRule();
    rule.validate(ruleContext);
  }
  // The result is stated once: with --json, a progress line per attempt on stderr beside the JSON on stdout; in human
  // mode the table, preceded on a terminal by a status line that is cleared before the table prints.
  const statusLine = !options.json && io.stderrIsTerminal === true;
  const progress = (line: string) => {
    if (options.json) io.stderr(line);
    else if (statusLine) io.stderr(`${CLEAR_LINE}${line.trimEnd()}`);
  };
  const probeDeps: ProbeDependencies = {
    ...deps,
    onAttempt: (request, attempt) => progress(formatAttemptProgress(request.target, request.attempts, attempt)),
  };
  const probeTarget = async (planned: PlannedProbe): Promise<ProbeResult> => {
    const { lookupFailure } = planned;
    // A failed MX look-up is reported as the dns-error the probe gives a host that does not resolve.
    const deps =
      lookupFailure === undefined ? probeDeps : { ...probeDeps, lookup: () => Promise.reject(lookupFailure.cause) };
    const probed = await runProbe(planned.request, deps);
    const result = planned.mx === undefined ? probed : { ...probed, mx: planned.mx };
    const expectation = ruleContext === undefined ? undefined : rule?.expectationFor(result, ruleContext);
    return expectation === undefined ? result : { ...result, expectation };
  };
  const planned: PlannedProbe[] = options.mx
    ? await expandMailDomains(options.requests, deps.resolveMx ?? noResolveMx)
    : options.requests.map((request) => ({ request }));
  // Settled up front so a failure of a later target cannot become an unhandled rejection while earlier ones print.
  const pending = planned.map((request) =>
    probeTarget(request).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    ),
  );

  const results: ProbeResult[] = [];
  for (const settled of pending) {
    const outcome = await settled;
    if ('error' in outcome) throw outcome.error;
    results.push(outcome.result);
    if (options.json) io.stdout(formatJsonLine(outcome.result));
  }
  if (statusLine) io.stderr(CLEAR_LINE);
  if (!options.json) io.stdout(formatProbeTable(results, options.wide));
  if (ruleContext !== undefined) {
    return exitCodeForExpectationMatches(results.map((result) => result.expectation?.matches ?? null));
  }
  return exitCodeForOutcomes(results.map((result) => result.outcome));
}
