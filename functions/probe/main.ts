import { UsageError } from '../cli/arguments.js';
import { describeError, InputError } from '../shared/errors.js';
import { EXIT_CODE_BY_OUTCOME, USAGE_EXIT_CODE } from '../shared/outcomes.js';
import { PROBE_USAGE } from './probe-arguments.js';
import { runProbeProgram } from './probe-program.js';
import { systemProbeDependencies } from './system-dependencies.js';

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
    if (error instanceof InputError) {
      io.stderr(`probe: ${error.message}\n${error instanceof UsageError ? `\n${PROBE_USAGE}` : ''}`);
      process.exitCode = USAGE_EXIT_CODE;
      return;
    }
    io.stderr(
      `probe: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : describeError(error)}\n`,
    );
    process.exitCode = EXIT_CODE_BY_OUTCOME.error;
  },
);
