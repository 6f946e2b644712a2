import { USAGE_EXIT_CODE } from '../shared/outcomes.js';
import type { Command, CommandIo } from './arguments.js';
import { exitWith, processIo, runCommand } from './command-runner.js';

declare const PORT25_CANARY_VERSION: string | undefined;

// Each command loads lazily: `probe` must start as fast as Node itself and never pay for the AWS SDK.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  explain: {
    summary: "predict AWS's port-25 verdict for addresses",
    load: async () => (await import('./commands/explain.js')).explainCommand,
  },
  probe: {
    summary: 'probe SMTP on port 25 from this machine',
    load: async () => (await import('./commands/probe.js')).probeCommand,
  },
  run: {
    summary: 'run the canary from this workstation (AWS credentials)',
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  invoke: {
    summary: 'invoke the deployed canary function and print its report',
    load: async () => (await import('./commands/invoke.js')).invokeCommand,
  },
};

const VERSION = typeof PORT25_CANARY_VERSION === 'string' ? PORT25_CANARY_VERSION : 'dev';

const MAIN_USAGE = `Usage: port25-canary <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(9)}${summary}`)
  .join('\n')}

Options:
  -h, --help     show help (also after a command)
  -v, --version  print the version

Run 'port25-canary <command> --help' for a command's options and exit codes.
`;

/**
 * On Node 20 (past end of life, still the CLI's tested minimum) the AWS SDK prints a NodeVersionSupportWarning about its
 * own future releases on every run. Our pinned SDK supports Node 20, and docs/cli.md states the support policy once,
 * so the SDK's own switch turns the notice off unless the user set it.
 */
const SDK_NODE_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  io.env[SDK_NODE_WARNING_SWITCH] ??= 'true';
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(MAIN_USAGE);
    return name === undefined ? USAGE_EXIT_CODE : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`port25-canary: unknown command ${JSON.stringify(name)}\n\n${MAIN_USAGE}`);
    return USAGE_EXIT_CODE;
  }
  return runCommand(name, await entry.load(), rest, io);
}

exitWith(main(process.argv.slice(2), processIo), processIo);
