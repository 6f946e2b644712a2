import { type ParseArgsConfig, parseArgs } from 'node:util';
import { InputError } from '../shared/errors.js';

/** A bad command line. The entry point prints the message and the command's usage to stderr and exits 2. */
export class UsageError extends InputError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** The streams and environment a command writes to; the tests and the entry point pass their own. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** stderr is a terminal: progress may be shown as a status line that is rewritten and cleared. */
  readonly stderrIsTerminal?: boolean;
}

/** One sub-command: its help text and what it does. Returns the exit code. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `node:util` parseArgs with its errors turned into UsageError. Always accepts --help. */
export function parseCommandLine<T extends Options>(argv: readonly string[], options: T) {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (cause) {
    throw new UsageError((cause as Error).message, { cause });
  }
}

/** Parses a whole number option within bounds, naming the option on error. */
export function integerOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** Splits `a,b,c` into names, rejecting empty entries. */
export function listOption(name: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === ''))
    throw new UsageError(`--${name} must be a comma-separated list, got ${JSON.stringify(value)}`);
  return items;
}
