import { InputError } from '../errors.js';

/** A bad command line. The program prints the message and one line pointing to `--help`, then exits 2. */
export class UsageError extends InputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/**
 * What a program prints for a usage error: the reason, then one line saying where the options are explained. Never
 * the whole help, which would bury the reason.
 */
export function formatUsageError(program: string, error: UsageError, helpCommand: string): string {
  return `${program}: ${error.message}\nRun '${helpCommand}' for the options.\n`;
}
