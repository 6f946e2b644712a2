import type { CommandIo } from '../shared/command-line/command-io.js';

/** One sub-command: its help text and what it does. Returns the exit code. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}
