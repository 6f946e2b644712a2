import { formatUsageError, UsageError } from '../shared/command-line/usage-error.js';
import { describeError, InputError } from '../shared/errors.js';
import { EXIT_CODE_BY_OUTCOME, USAGE_EXIT_CODE } from '../shared/outcomes.js';
import { runProbeProgram } from './probe-program.js';
import { systemProbeDependencies } from './system-dependencies.js';

// How the image starts this entry (see the Dockerfile): what a user types to get the help.
const PROGRAM = 'node /app/index.cjs';

// The probe container's entry: the same arguments, output and exit codes as `port25-canary probe`.
const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
  env: process.env,
  stderrIsTerminal: process.stderr.isTTY === true,
};

runProbeProgram(process.argv.slice(2), io, systemProbeDependencies()).then(
  (exitCode) => {
    // A getaddrinfo that outlived its deadline cannot be cancelled; the task must not pay for it once the result is out.
    process.stdout.write('', () => process.exit(exitCode));
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      io.stderr(formatUsageError('probe', error, `${PROGRAM} --help`));
      process.exitCode = USAGE_EXIT_CODE;
      return;
    }
    if (error instanceof InputError) {
      io.stderr(`probe: ${error.message}\n`);
      process.exitCode = USAGE_EXIT_CODE;
      return;
    }
    io.stderr(
      `probe: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : describeError(error)}\n`,
    );
    process.exitCode = EXIT_CODE_BY_OUTCOME.error;
  },
);
