import type { CommandIo } from '../shared/command-line/command-io.js';
import { formatUsageError, UsageError } from '../shared/command-line/usage-error.js';
import { describeError, InputError } from '../shared/errors.js';
import { USAGE_EXIT_CODE } from '../shared/outcomes.js';
import type { Command } from './arguments.js';

/** The process's own streams and environment. */
export const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  stderrIsTerminal: process.stderr.isTTY === true,
};

/**
 * Runs one command: `--help` prints its usage; a bad command line exits 2 with the reason and a pointer to `--help`,
 * other bad input (a config, an address) with the reason only; anything else is re-thrown.
 */
export async function runCommand(
  name: string,
  command: Command,
  argv: readonly string[],
  io: CommandIo,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(command.usage);
    return 0;
  }
  try {
    return await command.run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(formatUsageError(`port25-canary ${name}`, error, `port25-canary ${name} --help`));
      return USAGE_EXIT_CODE;
    }
    if (error instanceof InputError) {
      io.stderr(`port25-canary ${name}: ${error.message}\n`);
      return USAGE_EXIT_CODE;
    }
    throw error;
  }
}

/** Sets the process's exit code from a command's result; an unexpected error is printed with its stack and exits 1. */
export function exitWith(exitCode: Promise<number>, io: CommandIo): void {
  exitCode.then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      io.stderr(
        `port25-canary: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : describeError(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
