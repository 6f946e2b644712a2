import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { USAGE_EXIT_CODE } from '../functions/shared/outcomes.js';
import { acquireLabLock, LabBusyError, labLockFile } from './lab-lock.js';
import { runLabScenario } from './phases.js';
import { ensurePrerequisites, PrerequisiteError } from './prerequisites.js';
import { formatLabResult, verdictLine, writeLabReport } from './report.js';
import { Teardown } from './teardown.js';
import { DEFAULT_LAB_PREFIX } from './topology.js';

const USAGE = `Usage: npm run lab [-- --report FILE]

Reproduces the port-25 experiment on this machine: a "VPC" network namespace behind an nftables filter that behaves
like AWS's port-25 throttle, a real Postfix, and a local AWS endpoint running the synthesized stack's orchestrator
and probe bundles. The synthesized stack (and the fleet's assembly) is deployed locally and every request is
authorized under the templates' IAM, function, topic and bus policies. Four phases: 1 a scheduled run (throttled),
2 a released run through \`port25-canary invoke --released\`, 3 the stack's alarms evaluated over the published
metrics with their notifications, 4 a fleet of two vantages (one released, one behind the throttle) through
\`port25-canary invoke --fleet\`.

Options:
  --report FILE  where to write the JSON report (default: lab-report-<time>.json in the current directory)
  -h, --help     show this help

Needs Linux and root (namespaces, nftables, Postfix). One lab at a time (a lock file in the temp directory). Exit
codes: 0 reproduced, 1 not reproduced, 2 prerequisites missing, bad arguments or another lab running.
`;

// dist/lab.mjs lives one level below the project root.
const PROJECT_DIRECTORY = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Fargate takes tens of seconds from RunTask to a running container; the lab keeps the order, not the wait. */
const TASK_START_DELAY_MS = { min: 1000, max: 3000 } as const;

async function main(argv: readonly string[]): Promise<number> {
  let values: { report?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { report: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`npm run lab: ${(error as Error).message}\n\n${USAGE}`);
    return USAGE_EXIT_CODE;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let releaseLock: () => Promise<void>;
  try {
    const lockFile = labLockFile(process.env);
    releaseLock = await acquireLabLock(lockFile);
    // A signal ends the lab with process.exit, past the finally below.
    process.once('exit', () => rmSync(lockFile, { force: true }));
  } catch (error) {
    if (!(error instanceof LabBusyError)) throw error;
    process.stderr.write(`npm run lab: ${error.message}\n`);
    return USAGE_EXIT_CODE;
  }
  try {
    return await runLab(values);
  } finally {
    await releaseLock();
  }
}

async function runLab(values: { report?: string | undefined }): Promise<number> {
  const progress = (line: string) => process.stderr.write(`lab: ${line}\n`);
  // The lab's own Lambda client on an older Node would print the SDK's end-of-support notice in the middle of the run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    await ensurePrerequisites(progress);
  } catch (error) {
    if (!(error instanceof PrerequisiteError)) throw error;
    process.stderr.write(`npm run lab: ${error.message}\n`);
    return USAGE_EXIT_CODE;
  }
  for (const bundle of ['dist/cli.cjs', 'dist/cli.mjs', 'dist/probe/index.cjs', 'dist/orchestrator/index.mjs']) {
    if (!existsSync(join(PROJECT_DIRECTORY, bundle))) {
      process.stderr.write(`npm run lab: ${bundle} is missing; run npm run build (npm run lab does)\n`);
      return USAGE_EXIT_CODE;
    }
  }

  const teardown = new Teardown();
  const onSignal = (signal: NodeJS.Signals, exitCode: number) => {
    progress(`${signal}: tearing down`);
    teardown.run().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        process.stderr.write(`lab: teardown after ${signal} failed: ${String(error)}\n`);
        process.exit(exitCode);
      },
    );
  };
  process.once('SIGINT', () => onSignal('SIGINT', 130));
  process.once('SIGTERM', () => onSignal('SIGTERM', 143));

  const result = await runLabScenario({
    prefix: DEFAULT_LAB_PREFIX,
    projectDirectory: PROJECT_DIRECTORY,
    configFile: join(PROJECT_DIRECTORY, 'lab', 'lab.config.json'),
    taskStartDelayMs: () =>
      TASK_START_DELAY_MS.min + Math.random() * (TASK_START_DELAY_MS.max - TASK_START_DELAY_MS.min),
    progress,
    teardown,
  });
  const reportFile = resolve(values.report ?? `lab-report-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeLabReport(result, reportFile);
  process.stdout.write(`\n${formatLabResult(result)}\n${verdictLine(result, reportFile)}`);
  return result.reproduced ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `npm run lab: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
