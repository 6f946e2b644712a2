import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `npm run bench`: measures the probe against its peers and the orchestrator at scale in the lab, and writes
 * BENCHMARKS.md. Linux and root only (it builds network namespaces). `--agent` starts the in-namespace timing agent.
 *
 * Exit codes: 0 every section measured, 1 a section failed (the report says which), 2 usage or environment.
 */

const USAGE = `Usage: npm run bench -- [options]

Builds the lab (namespaces ${'p25bench-'}*), runs our probe and its peers (check_smtp, swaks, blackbox_exporter)
against every lab target, measures the cost of one probe, the orchestrator at scale in the local AWS endpoint,
and the bundles; writes BENCHMARKS.md and prints it. Needs Linux, root, and the Debian packages
monitoring-plugins-basic, swaks, prometheus-blackbox-exporter, time (plus the lab's: iproute2, nftables, postfix).

Options:
  --runs N                  runs per tool and target (default 10; medians need at least 10)
  --timeout-ms MS           the one timeout every tool gets, whole seconds (default 2000)
  --only LIST               sections to run: verdicts,cost,scale,artifacts (default all)
  --scale-targets LIST      target counts of the scale runs (default 1,10,100,500)
  --scale-concurrency LIST  maxConcurrentTasks values (default 10,50,100)
  --run-task-latency-ms MS  the local ECS's RunTask answer time, as AWS's (default 250)
  --task-start-delay-ms MS  RunTask → container start in the local endpoint (default 1000)
  --output FILE             where to write the report (default BENCHMARKS.md in the repository)
  -h, --help                show this help

Exit codes: 0 all sections measured, 1 a section failed (see the report), 2 bad usage, not Linux/root, or a
missing package or bundle.
`;

const SECTION_NAMES = ['verdicts', 'cost', 'scale', 'artifacts'] as const;

class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

function wholeNumber(name: string, value: string, min: number, max: number): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new BenchUsageError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function numberList(name: string, value: string, min: number, max: number): number[] {
  return value.split(',').map((item) => wholeNumber(name, item.trim(), min, max));
}

function parseOptions(argv: readonly string[], repositoryRoot: string) {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: false }>>;
  const OPTIONS = {
    runs: { type: 'string', default: '10' },
    'timeout-ms': { type: 'string', default: '2000' },
    only: { type: 'string', default: SECTION_NAMES.join(',') },
    'scale-targets': { type: 'string', default: '1,10,100,500' },
    'scale-concurrency': { type: 'string', default: '10,50,100' },
    'run-task-latency-ms': { type: 'string', default: '250' },
    'task-start-delay-ms': { type: 'string', default: '1000' },
    output: { type: 'string', default: resolve(repositoryRoot, 'BENCHMARKS.md') },
    help: { type: 'boolean', short: 'h', default: false },
  } as const;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true });
  } catch (cause) {
    throw new BenchUsageError((cause as Error).message);
  }
  const { values } = parsed;
  const timeoutMs = wholeNumber('timeout-ms', values['timeout-ms'], 1000, 30_000);
  if (timeoutMs % 1000 !== 0)
    throw new BenchUsageError('--timeout-ms must be whole seconds: check_smtp and swaks take seconds');
  const sections = values.only.split(',').map((name) => name.trim());
  const unknown = sections.find((name) => !(SECTION_NAMES as readonly string[]).includes(name));
  if (unknown !== undefined)
    throw new BenchUsageError(`--only: unknown section ${JSON.stringify(unknown)} (${SECTION_NAMES.join(', ')})`);
  return {
    help: values.help,
    runs: wholeNumber('runs', values.runs, 1, 1000),
    timeoutMs,
    sections: sections as (typeof SECTION_NAMES)[number][],
    scaleTargets: numberList('scale-targets', values['scale-targets'], 1, 1000),
    scaleConcurrency: numberList('scale-concurrency', values['scale-concurrency'], 1, 500),
    taskStartDelayMs: wholeNumber('task-start-delay-ms', values['task-start-delay-ms'], 0, 120_000),
    runTaskLatencyMs: wholeNumber('run-task-latency-ms', values['run-task-latency-ms'], 0, 10_000),
    output: resolve(values.output),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === '--agent') {
    const { runAgent } = await import('./agent.js');
    await runAgent();
    return 0;
  }
  const benchScript = resolve(process.argv[1] ?? 'dist/bench.mjs');
  // dist/bench.mjs → the repository root: every path the bench uses (dist/, BENCHMARKS.md) is relative to it.
  const repositoryRoot = resolve(dirname(benchScript), '..');
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv, repositoryRoot);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    process.stderr.write(
      `bench: needs Linux and root (it builds network namespaces and nftables rules); this is ${process.platform}${process.getuid ? ` as uid ${process.getuid()}` : ''}\n`,
    );
    return 2;
  }
  process.chdir(repositoryRoot);
  if (options.runs < 10)
    process.stderr.write(`bench: --runs ${options.runs} is below the 10 the medians are meant to have\n`);

  const { Teardown } = await import('../lab/teardown.js');
  const { BenchInterruptedError, PrerequisiteError, runBench } = await import('./run-bench.js');
  const teardown = new Teardown();
  const interruption = new AbortController();
  let signalExitCode = 1;
  // Ctrl-C or a kill: start the teardown at once (it stops the agent and kills timed processes, which ends whatever
  // measurement is running); the run sees the abort, writes nothing, and exits with the signal's code.
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    process.stderr.write(`\nbench: ${signal}, cleaning up...\n`);
    signalExitCode = code;
    interruption.abort();
    teardown.run().catch((error: unknown) => {
      process.stderr.write(`bench: cleanup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  };
  process.once('SIGINT', () => onSignal('SIGINT', 130));
  process.once('SIGTERM', () => onSignal('SIGTERM', 143));
  try {
    const complete = await runBench({ ...options, benchScript }, teardown, interruption.signal);
    return complete ? 0 : 1;
  } catch (error) {
    if (error instanceof PrerequisiteError) {
      process.stderr.write(`bench: ${error.message}\n`);
      return 2;
    }
    if (!(error instanceof BenchInterruptedError)) throw error;
    return signalExitCode;
  } finally {
    await teardown.run();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
