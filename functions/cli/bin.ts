import { exitWith, processIo, runCommand } from './command-runner.js';
import { probeCommand } from './commands/probe.js';

// The `port25-canary` executable, built as CommonJS, which Node starts about 10 ms sooner than an ES module: `probe`
// runs from here, every other command in the ES module CLI (main.ts), code-split so no command loads what it won't use.
const [name, ...rest] = process.argv.slice(2);
if (name === 'probe') {
  exitWith(runCommand(name, probeCommand, rest, processIo), processIo);
} else {
  import('./main.js').catch((error: unknown) => {
    processIo.stderr(`port25-canary: cannot load the CLI: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
