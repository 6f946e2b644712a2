/** The streams and environment a program writes to; the tests and the entry points pass their own. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** stderr is a terminal: progress may be shown as a status line that is rewritten and cleared. */
  readonly stderrIsTerminal?: boolean;
}
